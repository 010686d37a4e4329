/**
 * The datasets domain of the IPC contract: training datasets built in the studio from a project's frame sets and
 * images, labelled by class, split train/val/test (stratified, seeded), checked locally (the health report: codes and
 * params the page translates) and packaged in the vision platform's formats before any upload (seed 001 §3).
 * Build, check and pack are jobs: they return a job id at once and report progress (`job.progress`).
 */
import { z } from 'zod';
import { channel, fileSafeName, Id, IsoTime } from './define';

export const DatasetTask = z.enum(['classification', 'detection']);
export type DatasetTask = z.infer<typeof DatasetTask>;

/**
 * Package formats (the `format` field of the upload): `imagefolder` = class folders per split
 * (train/<class>/…, val/<class>/…, test/<class>/…) zipped; `coco` = images/<split>/… and one annotations.json
 * (COCO detection, each image's split in an extra `split` field). See main/node/datasets/FORMATS.md.
 */
export const DatasetFormat = z.enum(['imagefolder', 'coco']);
export type DatasetFormat = z.infer<typeof DatasetFormat>;

export const DatasetSplitName = z.enum(['train', 'val', 'test']);
export type DatasetSplitName = z.infer<typeof DatasetSplitName>;

export const SplitRatios = z
  .object({ train: z.number().gt(0).max(1), val: z.number().min(0).max(1), test: z.number().min(0).max(1) })
  .strict()
  .refine((r) => Math.abs(r.train + r.val + r.test - 1) <= 1e-6, { message: 'train, val and test must add up to 1' });
export type SplitRatios = z.infer<typeof SplitRatios>;

/** A class name: what a folder in the package and a label of the trained model are called. */
export const ClassName = fileSafeName(
  z
    .string()
    .trim()
    .min(1)
    .max(64)
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
    .refine((v) => !/[\\/:*?"<>|\u0000-\u001f]/.test(v) && v !== '.' && v !== '..', { message: 'A class name cannot contain / \\ : * ? " < > | or control characters' }),
);

export const MinInputSize = z.object({ width: z.number().int().min(1).max(8192), height: z.number().int().min(1).max(8192) }).strict();
export type MinInputSize = z.infer<typeof MinInputSize>;

export const HealthSeverity = z.enum(['error', 'warning', 'info']);
export type HealthSeverity = z.infer<typeof HealthSeverity>;

/** What the health check can find; the page translates each code with its params. */
export const HealthIssueCode = z.enum([
  'NO_IMAGES', // nothing readable at all
  'TOO_FEW_CLASSES', // classification needs at least two classes
  'CORRUPT_IMAGE', // a file the decoder refuses (truncated, not an image, unsupported encoding)
  'CLASS_TOO_FEW_IMAGES', // below the minimum (cannot be split into train and val)
  'CLASS_FEW_IMAGES', // below what is recommended
  'CLASS_IMBALANCE', // the largest class much larger than the smallest
  'EXACT_DUPLICATES', // byte-identical files within the dataset
  'DUPLICATE_ACROSS_CLASSES', // the same file labelled as two classes
  'NEAR_DUPLICATES', // pictures that look the same (perceptual hash)
  'IMAGE_TOO_SMALL', // below the model's input size (will be upscaled)
  'CLASS_MISSING_FROM_SPLIT', // a class with no image in val (or test) cannot be measured there
  'LEAKAGE_EXACT', // the same file in train and in val/test
  'LEAKAGE_NEAR', // near-identical pictures in train and in val/test
]);
export type HealthIssueCode = z.infer<typeof HealthIssueCode>;

export const HealthParam = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const HealthIssue = z.object({
  severity: HealthSeverity,
  code: HealthIssueCode,
  params: z.record(z.string(), HealthParam),
  /** The files it is about (data-folder relative or folder relative), at most 50. */
  files: z.array(z.string()),
});
export type HealthIssue = z.infer<typeof HealthIssue>;

export const HealthClassCount = z.object({
  name: z.string(),
  /** Readable images. */
  total: z.number().int(),
  train: z.number().int(),
  val: z.number().int(),
  test: z.number().int(),
  unreadable: z.number().int(),
});

export const HealthReport = z.object({
  /** No error: the dataset may be uploaded. */
  ok: z.boolean(),
  checkedAt: IsoTime,
  images: z.number().int(),
  unreadable: z.number().int(),
  classes: z.array(HealthClassCount),
  minInputSize: MinInputSize.nullable(),
  issues: z.array(HealthIssue),
  counts: z.object({ error: z.number().int(), warning: z.number().int(), info: z.number().int() }),
});
export type HealthReport = z.infer<typeof HealthReport>;

/** Which of the project's pictures go into which class. */
export const DatasetSources = z
  .object({
    /** One class per frame set (every frame of the set). */
    frameSets: z.array(z.object({ frameSetId: Id, className: ClassName }).strict()).max(1000).default([]),
    /** Single images (frames or imported pictures) dragged into a class bin; they win over their set's class. */
    images: z.array(z.object({ imageId: Id, className: ClassName }).strict()).max(200_000).default([]),
  })
  .strict();
export type DatasetSources = z.infer<typeof DatasetSources>;

export const DatasetRemote = z.object({
  baseUrl: z.string(),
  /** The platform's dataset_id (ds_…). */
  datasetId: z.string(),
  status: z.string().nullable(),
  uploadedAt: IsoTime,
});

export const Dataset = z.object({
  id: Id,
  projectId: Id.nullable(),
  name: z.string(),
  task: DatasetTask,
  format: DatasetFormat,
  classes: z.array(z.string()),
  split: z.object({ ratios: z.object({ train: z.number(), val: z.number(), test: z.number() }), seed: z.number().int() }),
  counts: z.object({ train: z.number().int(), val: z.number().int(), test: z.number().int() }),
  report: HealthReport.nullable(),
  /** The zip, relative to the data folder, once packed. */
  packageFile: z.string().nullable(),
  /** Absolute path of the zip (what an upload reads), once packed. */
  packagePath: z.string().nullable(),
  packageBytes: z.number().int().nullable(),
  remote: DatasetRemote.nullable(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
export type Dataset = z.infer<typeof Dataset>;

export const DatasetItem = z.object({
  id: Id,
  imageId: Id.nullable(),
  /** Relative to the data folder. */
  file: z.string(),
  className: z.string(),
  split: DatasetSplitName,
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
});
export type DatasetItem = z.infer<typeof DatasetItem>;

export const CheckOptions = z
  .object({
    /** The chosen model's input size (from the catalogue): smaller images are flagged. */
    minInputSize: MinInputSize.nullable().default(null),
    /** Fewer readable images than this in a class is an error. */
    minPerClass: z.number().int().min(1).max(10_000).default(2),
    /** Fewer than this is a warning. */
    recommendedPerClass: z.number().int().min(1).max(100_000).default(10),
    /** Largest ÷ smallest class above this is a warning. */
    imbalanceRatio: z.number().gt(1).max(1000).default(1.5),
    /** dHash bits (of 64) within which two pictures count as near duplicates. */
    nearThreshold: z.number().int().min(0).max(32).default(5),
  })
  .strict();
export type CheckOptions = z.infer<typeof CheckOptions>;

/** Job kinds; results: build → Dataset, check → HealthReport, pack → DatasetPackage. */
export const DATASET_BUILD_JOB = 'datasets.build';
export const DATASET_CHECK_JOB = 'datasets.check';
export const DATASET_PACK_JOB = 'datasets.pack';

export const DatasetPackage = z.object({
  datasetId: Id,
  format: DatasetFormat,
  /** Relative to the data folder. */
  file: z.string(),
  path: z.string(),
  bytes: z.number().int(),
  entries: z.number().int(),
});
export type DatasetPackage = z.infer<typeof DatasetPackage>;

const DatasetRef = z.object({ id: Id }).strict();

export const datasetChannels = {
  'datasets.list': channel('Datasets built in the studio, newest first (of one project when given).', z.object({ projectId: Id.optional() }).strict(), z.array(Dataset)),
  'datasets.get': channel('One dataset with its last health report, package and upload.', DatasetRef, Dataset),
  'datasets.items': channel(
    'The images of a dataset with their class and split, paged.',
    z.object({ id: Id, split: DatasetSplitName.optional(), className: z.string().optional(), offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(1000).default(200) }).strict(),
    z.object({ total: z.number().int(), items: z.array(DatasetItem) }),
  ),
  'datasets.build': channel(
    "Build a dataset from the project's frame sets and images: label by class, split (stratified, seeded; byte-identical files kept on one side) and run the health check. A job; its result is the Dataset.",
    z
      .object({
        projectId: Id,
        name: fileSafeName(z.string().trim().min(1).max(120)),
        task: DatasetTask.default('classification'),
        sources: DatasetSources,
        ratios: SplitRatios.default({ train: 0.8, val: 0.1, test: 0.1 }),
        seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
        check: CheckOptions.default({ minInputSize: null, minPerClass: 2, recommendedPerClass: 10, imbalanceRatio: 1.5, nearThreshold: 5 }),
      })
      .strict(),
    z.object({ jobId: z.string(), datasetId: Id }),
  ),
  'datasets.check': channel(
    "Run the local health check again (e.g. with the chosen model's input size). A job; its result is the HealthReport, also stored on the dataset.",
    z.object({ id: Id, options: CheckOptions.default({ minInputSize: null, minPerClass: 2, recommendedPerClass: 10, imbalanceRatio: 1.5, nearThreshold: 5 }) }).strict(),
    z.object({ jobId: z.string() }),
  ),
  'datasets.pack': channel(
    'Package the dataset as a zip in its format (written under a temporary name, renamed when complete). Refused while the last health report has errors unless force. A job; its result is the DatasetPackage.',
    z.object({ id: Id, force: z.boolean().default(false) }).strict(),
    z.object({ jobId: z.string() }),
  ),
  'datasets.linkRemote': channel(
    "Record the platform's dataset id after an upload (lineage: dataset → workflow → model).",
    z.object({ id: Id, baseUrl: z.string().min(1).max(2048), datasetId: z.string().min(1).max(256), status: z.string().max(64).nullable().default(null) }).strict(),
    Dataset,
  ),
  'datasets.delete': channel('Delete a dataset built in the studio and its package (never the images it came from).', DatasetRef, z.object({ deleted: z.boolean() })),
};
