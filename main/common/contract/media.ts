import { z } from 'zod';
import { AppErrorShape, channel, fileSafeName, Id, IsoTime, MessageCodeField, MessageParamsField } from './define';

export const VideoStreamInfo = z.object({
  codec: z.string(),
  profile: z.string().nullable(),
  /** Coded size, as stored in the stream. */
  width: z.number().int(),
  height: z.number().int(),
  /** Size as shown to the viewer, after the rotation metadata is applied. */
  displayWidth: z.number().int(),
  displayHeight: z.number().int(),
  /** Clockwise degrees the player applies: 0, 90, 180, 270. */
  rotation: z.number().int(),
  /** Average frame rate (frames / duration). */
  fps: z.number(),
  /** The stream's base ("real") frame rate. */
  realFps: z.number(),
  variableFrameRate: z.boolean(),
  pixelFormat: z.string().nullable(),
  bitRate: z.number().nullable(),
  frameCount: z.number().int().nullable(),
  /** Codec level (H.264 41 = 4.1; HEVC level × 30), when the stream says. */
  level: z.number().nullable().default(null),
  /** Median distance between key frames in the sampled packets (seconds / frames); null when the sample held fewer than two. */
  keyframeIntervalSeconds: z.number().nullable().default(null),
  keyframeIntervalFrames: z.number().int().nullable().default(null),
  /** Where `variableFrameRate` came from: measured packet timestamps, or the header rates when no sample could be read. */
  frameRateEvidence: z.enum(['packets', 'header']).default('header'),
});
export type VideoStreamInfo = z.infer<typeof VideoStreamInfo>;

export const AudioStreamInfo = z.object({
  codec: z.string(),
  channels: z.number().int().nullable(),
  sampleRate: z.number().int().nullable(),
});

/**
 * A video whose index promises more than the file holds (a faststart MP4 cut short): where the picture stops,
 * where every stream is still complete, and what the index promises (durationSeconds stays the index's).
 */
export const MediaDamage = z.object({
  readableSeconds: z.number(),
  completeSeconds: z.number(),
  indexSeconds: z.number(),
});
export type MediaDamage = z.infer<typeof MediaDamage>;

export const ProbeResult = z.object({
  path: z.string(),
  kind: z.enum(['video', 'image']),
  container: z.string(),
  sizeBytes: z.number().int(),
  durationSeconds: z.number().nullable(),
  bitRate: z.number().nullable(),
  video: VideoStreamInfo,
  audio: AudioStreamInfo.nullable(),
  /** Set when the file is cut short (stored with the probe in media_sources.probe_json, so no column is needed). */
  damage: MediaDamage.nullable().optional(),
});
export type ProbeResult = z.infer<typeof ProbeResult>;

export const MediaSource = z.object({
  id: Id,
  projectId: Id,
  kind: z.enum(['video', 'image']),
  name: z.string(),
  path: z.string(),
  sizeBytes: z.number().int(),
  sha256: z.string(),
  probe: ProbeResult,
  /** Poster frame, relative to the data folder. */
  poster: z.string().nullable(),
  createdAt: IsoTime,
});
export type MediaSource = z.infer<typeof MediaSource>;

export const ImageFormat = z.enum(['jpg', 'png', 'webp']);

export const ExtractMode = z.discriminatedUnion('kind', [
  /** Fixed rate: the first source frame at or after each tick start + k/fps (never a duplicate). */
  z.object({ kind: z.literal('fps'), fps: z.number().positive().max(240) }).strict(),
  /** Every N-th decoded frame of the range, the first one included. */
  z.object({ kind: z.literal('every'), n: z.number().int().min(1).max(1_000_000) }).strict(),
  /** Key frames only (the decoder skips everything else: fast). */
  z.object({ kind: z.literal('keyframes') }).strict(),
  /** The first frame, then each frame whose picture differs from the previous one by more than `threshold` (0..1). */
  z.object({ kind: z.literal('scene'), threshold: z.number().gt(0).lt(1) }).strict(),
  /** Exactly `count` frames spread evenly in time over the video or the range (3D capture default). */
  z.object({ kind: z.literal('count'), count: z.number().int().min(1).max(20_000) }).strict(),
]);
export type ExtractMode = z.infer<typeof ExtractMode>;

export const ExtractParams = z
  .object({
    mode: ExtractMode,
    format: ImageFormat.default('jpg'),
    /** 1 (smallest) .. 100 (best). */
    quality: z.number().int().min(1).max(100).default(90),
    /** Range in source seconds (from the start of the file). */
    start: z.number().min(0).optional(),
    end: z.number().positive().optional(),
    /** Downscale so the longer side is at most this many pixels (aspect kept). */
    maxSide: z.number().int().min(16).max(16384).optional(),
    /** Score sharpness and keep the sharpest frames while keeping coverage (see FrameSetReport). */
    dropBlurry: z.boolean().optional(),
  })
  .strict()
  .refine((p) => p.end === undefined || p.end > (p.start ?? 0), { message: 'end must be after start', path: ['end'] });
export type ExtractParams = z.infer<typeof ExtractParams>;

/** What an extraction decided beyond writing frames (drop-blurry scores, notices). */
export const FrameSetReport = z.object({
  dropBlurry: z
    .object({
      /** 'sharpest-per-interval': up to 5 candidates spread over each output frame's interval, the sharpest kept (same count as without drop-blurry). 'neighbourhood': a frame is dropped when much blurrier than its neighbours and both neighbours stay. */
      method: z.enum(['sharpest-per-interval', 'neighbourhood']),
      candidates: z.number().int(),
      kept: z.number().int(),
      /** Variance of the Laplacian of a 256-px grey copy: higher is sharper. */
      medianSharpness: z.number().nullable(),
      dropped: z.array(z.object({ timestampSeconds: z.number().nullable(), sharpness: z.number() })),
    })
    .nullable(),
  notices: z.array(z.string()),
});
export type FrameSetReport = z.infer<typeof FrameSetReport>;

export const FrameSetStatus = z.enum(['pending', 'running', 'complete', 'failed', 'cancelled', 'interrupted']);
export type FrameSetStatus = z.infer<typeof FrameSetStatus>;

export const FrameSet = z.object({
  id: Id,
  projectId: Id,
  mediaId: Id,
  params: ExtractParams,
  status: FrameSetStatus,
  frameCount: z.number().int(),
  jobId: z.string().nullable(),
  report: FrameSetReport.nullable().default(null),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
export type FrameSet = z.infer<typeof FrameSet>;

export const ImageItem = z.object({
  id: Id,
  projectId: Id,
  frameSetId: Id.nullable(),
  kind: z.enum(['frame', 'imported']),
  /** Relative to the data folder; the renderer turns it into a URL of the app's own protocol. */
  file: z.string(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  /** Source time of a frame, seconds. */
  timestampSeconds: z.number().nullable(),
  frameIndex: z.number().int().nullable(),
  /** Sharpness score when the set was extracted with drop-blurry (higher is sharper). */
  sharpness: z.number().nullable().default(null),
  hasResult: z.boolean(),
});
export type ImageItem = z.infer<typeof ImageItem>;

export const ImportFailure = z.object({ path: z.string(), error: AppErrorShape });

export const FrameSetExportFormat = z.enum(['folder', 'zip']);
export type FrameSetExportFormat = z.infer<typeof FrameSetExportFormat>;

/**
 * A frame set written out with `frames.csv` (file, source time, size, sharpness): a folder of frames, or one
 * .zip holding the same files (frames stored as they are: they are already compressed images).
 */
export const FrameSetExport = z.object({
  format: FrameSetExportFormat,
  /** Absolute path of the folder or of the .zip file. */
  path: z.string(),
  /** Relative to the data folder when the export is inside it (the default), else null. */
  relative: z.string().nullable(),
  /** Frames written (frames.csv not counted). */
  files: z.number().int(),
  /** Bytes on disk: the frames for a folder, the whole file for a zip. */
  bytes: z.number().int(),
  manifest: z.string(),
});
export type FrameSetExport = z.infer<typeof FrameSetExport>;

/** Job kind of a frame-set export; its result is a `FrameSetExport`. */
export const FRAMES_EXPORT_JOB = 'frames.export';

/** What an export job stores as its params: the set, and the target fixed when it was started. */
export const FrameSetExportJobParams = z.object({
  frameSetId: Id,
  format: FrameSetExportFormat,
  /** Absolute path of the folder or .zip the job writes (a resume writes the same one). */
  path: z.string(),
});
export type FrameSetExportJobParams = z.infer<typeof FrameSetExportJobParams>;

export const ContactSheet = z.object({
  /** Relative to the data folder. */
  file: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  columns: z.number().int(),
  rows: z.number().int(),
  /** Frames shown (evenly sampled when the set holds more than `maxFrames`). */
  frames: z.number().int(),
});
export type ContactSheet = z.infer<typeof ContactSheet>;

export const frameSetChannels = {
  'frames.deleteImages': channel(
    'Delete frames from a finished set (files and rows; their model results go too).',
    z.object({ frameSetId: Id, imageIds: z.array(Id).min(1).max(100_000) }).strict(),
    z.object({ deleted: z.number().int(), frameCount: z.number().int() }),
  ),
  'frames.keepImages': channel(
    'Keep only these frames of a finished set; the rest are deleted.',
    z.object({ frameSetId: Id, imageIds: z.array(Id).min(1).max(100_000) }).strict(),
    z.object({ deleted: z.number().int(), frameCount: z.number().int() }),
  ),
  'frames.export': channel(
    'Start writing a finished set out with frames.csv: a folder (default), or one .zip with the frames stored uncompressed (written to a temporary name, renamed when complete). Without destDir/destFile it goes under the data folder (exports/). Returns the job at once; it reports frames written, can be cancelled (nothing is left) and its result is a FrameSetExport.',
    z
      .object({
        frameSetId: Id,
        format: FrameSetExportFormat.default('folder'),
        /** Folder export: the (new or empty) folder to fill; an absolute path. */
        destDir: fileSafeName(z.string().min(1)).optional(),
        /** Zip export: the .zip file to write (must not exist); an absolute path. */
        destFile: fileSafeName(z.string().min(1)).optional(),
      })
      .strict()
      .refine((r) => !(r.format === 'zip' && r.destDir !== undefined) && !(r.format === 'folder' && r.destFile !== undefined), {
        message: 'destDir goes with a folder export, destFile with a zip export',
      }),
    z.object({ jobId: z.string() }),
  ),
  'frames.contactSheet': channel(
    'Make (or remake) a contact sheet of a set: thumbnails in a grid, each labelled with its source time.',
    z
      .object({
        frameSetId: Id,
        columns: z.number().int().min(1).max(24).default(8),
        thumbWidth: z.number().int().min(48).max(640).default(240),
        maxFrames: z.number().int().min(1).max(1000).default(200),
      })
      .strict(),
    ContactSheet,
  ),
};

/** Cloud models whose input limits pre-flight checks (SPEC §3). */
export const CloudModel = z.enum(['nerf2mesh', 'gs3d', 'instant-mesh', 'musepose', 'decal']);
export type CloudModel = z.infer<typeof CloudModel>;

/** One-click fixes; each writes a NEW file (the original is never touched). */
export const FixKind = z.enum(['trim', 'downscale-fhd', 'downscale-hd', 'transcode', 'fit-size', 'image-jpeg', 'trim-readable', 'crop-portrait']);
export type FixKind = z.infer<typeof FixKind>;

export const PreflightCode = z.enum([
  'UNREADABLE',
  'NOT_A_VIDEO',
  'NOT_AN_IMAGE',
  'IMAGE_REQUIRED',
  'TOO_SHORT',
  'TOO_LONG',
  'RESOLUTION_TOO_LOW',
  'RESOLUTION_TOO_HIGH',
  'NOT_VERTICAL',
  'FILE_TOO_SMALL',
  'FILE_TOO_LARGE',
  'WRONG_CONTAINER',
  'WRONG_CODEC',
  'WRONG_IMAGE_FORMAT',
  'IMAGE_TOO_SMALL',
  /** The file is cut short: its index promises more than it holds. */
  'DAMAGED',
]);
export type PreflightCode = z.infer<typeof PreflightCode>;

export const PreflightProblem = z.object({
  code: PreflightCode,
  /** error: the cloud will refuse it; warning: it may be accepted but is risky. */
  severity: z.enum(['error', 'warning']),
  subject: z.enum(['video', 'image']),
  /** A plain English sentence (the CLI prints it; the UI shows `messageCode` translated, this as its fallback). */
  message: z.string(),
  /** `message` as a code of main/common/messages.ts with its parameters. */
  messageCode: MessageCodeField.optional(),
  messageParams: MessageParamsField.optional(),
  limit: z.string().nullable(),
  actual: z.string().nullable(),
  /** Fixes that solve this problem (empty: the input must be re-shot or replaced). */
  fixes: z.array(FixKind),
});
export type PreflightProblem = z.infer<typeof PreflightProblem>;

/** Predicted quality of a 3D capture from sampled frames. */
export const QualityHint = z.object({
  samples: z.number().int(),
  /** Share of sampled frames that look blurry (0..1). */
  blurryShare: z.number(),
  /** Share of the video over which the picture changes (the camera moves around the subject), 0..1. */
  motionCoverage: z.number(),
  medianSharpness: z.number().nullable(),
  level: z.enum(['good', 'fair', 'poor']),
  /** Plain sentences: what to do for a better result. */
  advice: z.array(z.string()),
  /** `advice`, item by item, as codes of main/common/messages.ts with their parameters (for the UI to translate). */
  adviceCodes: z.array(z.object({ code: MessageCodeField, params: MessageParamsField })).optional(),
});
export type QualityHint = z.infer<typeof QualityHint>;

export const PreflightReport = z.object({
  model: CloudModel,
  /** No error-severity problem: the cloud should accept it. */
  ok: z.boolean(),
  problems: z.array(PreflightProblem),
  /** Every fix that applies, in the order a "fix all" applies them. */
  fixes: z.array(FixKind),
  videoPath: z.string().nullable(),
  imagePath: z.string().nullable(),
  quality: QualityHint.nullable(),
});
export type PreflightReport = z.infer<typeof PreflightReport>;

export const preflightChannels = {
  'media.preflight': channel(
    "Check a media source (and, for musepose, an image) against a cloud model's input limits; optionally predict 3D capture quality.",
    z.object({ mediaId: Id, model: CloudModel, imageMediaId: Id.optional(), quality: z.boolean().default(false) }).strict(),
    PreflightReport,
  ),
  'media.fix': channel(
    'Start a one-click fix: writes a new conforming file, imports it into the project; the job result holds the new media id and its pre-flight.',
    z.object({ mediaId: Id, model: CloudModel, fixes: z.array(FixKind).min(1).optional() }).strict(),
    z.object({ jobId: z.string() }),
  ),
};

export const mediaChannels = {
  'media.import': channel(
    'Probe and add videos or images to a project; bad files are reported, not fatal.',
    z.object({ projectId: Id, paths: z.array(z.string().min(1)).min(1).max(1000) }).strict(),
    z.object({ imported: z.array(MediaSource), failed: z.array(ImportFailure) }),
  ),
  'media.importSample': channel('Add the bundled sample video to a project.', z.object({ projectId: Id }).strict(), MediaSource),
  'media.list': channel('Media of a project.', z.object({ projectId: Id }).strict(), z.array(MediaSource)),
  'media.remove': channel('Remove a media source (the original file is never touched).', z.object({ id: Id }).strict(), z.object({ removed: z.boolean() })),
  'frames.extract': channel(
    'Start extracting frames; returns at once with the job that reports progress.',
    z.object({ projectId: Id, mediaId: Id, params: ExtractParams }).strict(),
    z.object({ jobId: z.string(), frameSetId: Id }),
  ),
  'frames.listSets': channel('Frame sets of a project, newest first.', z.object({ projectId: Id }).strict(), z.array(FrameSet)),
  'frames.listImages': channel(
    'Images of a frame set (or of the project when no set is given), paged.',
    z
      .object({ projectId: Id, frameSetId: Id.optional(), offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(1000).default(200) })
      .strict(),
    z.object({ total: z.number().int(), items: z.array(ImageItem) }),
  ),
  'frames.deleteSet': channel('Delete a frame set and its files.', z.object({ id: Id }).strict(), z.object({ deleted: z.boolean() })),
  ...preflightChannels,
  ...frameSetChannels,
};
