/** Run exports (JSON, CSV, COCO for detection) and the per-run summary. */
import { AppError } from '../../common/app-error';
import type { ExportFormat, InferenceResultItem, ModelRun, RunSummary } from '../../common/contract/inference';

/** Quotes a CSV field when it needs it (RFC 4180). */
export function csvField(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(6).replace(/0+$/, '').replace(/\.$/, '')) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const row = (fields: unknown[]) => fields.map(csvField).join(',') + '\r\n';

/** One CSV line per finding (detection, class, keypoint, text line…), errors included. */
export function toCsv(run: ModelRun, results: Iterable<InferenceResultItem>): string {
  const headers: Record<ModelRun['task'], string[]> = {
    classification: ['image_id', 'file', 'rank', 'label', 'class_index', 'score'],
    detection: ['image_id', 'file', 'label', 'class_index', 'score', 'x', 'y', 'width', 'height'],
    pose: ['image_id', 'file', 'person', 'keypoint', 'x', 'y', 'score'],
    segmentation: ['image_id', 'file', 'coverage', 'mask', 'cutout'],
    depth: ['image_id', 'file', 'depth_map', 'point_cloud', 'points', 'min', 'max'],
    'ocr-det': ['image_id', 'file', 'line', 'text', 'text_score', 'x', 'y', 'width', 'height'],
    'ocr-rec': ['image_id', 'file', 'text', 'score'],
  };
  let out = row([...headers[run.task], 'error']);
  const pad = headers[run.task].length - 2;
  for (const r of results) {
    const head = [r.imageId, r.file];
    if (!r.output) {
      out += row([...head, ...new Array(pad).fill(''), r.error ? `${r.error.code}: ${r.error.message}` : 'no result']);
      continue;
    }
    const o = r.output;
    switch (o.task) {
      case 'classification':
        o.top.forEach((t, i) => (out += row([...head, i + 1, t.label, t.classIndex, t.score, ''])));
        break;
      case 'detection':
        o.detections.forEach((d) => (out += row([...head, d.label, d.classIndex, d.score, d.box.x, d.box.y, d.box.width, d.box.height, ''])));
        break;
      case 'pose':
        o.poses.forEach((p, i) => p.keypoints.forEach((k) => (out += row([...head, i, k.name, k.x, k.y, k.score, '']))));
        break;
      case 'segmentation':
        out += row([...head, o.coverage, o.mask, o.cutout, '']);
        break;
      case 'depth':
        out += row([...head, o.depthMap, o.pointCloud, o.points, o.min, o.max, '']);
        break;
      case 'ocr-det':
        o.lines.forEach((l, i) => (out += row([...head, i, l.text, l.textScore, l.box.x, l.box.y, l.box.width, l.box.height, ''])));
        break;
      case 'ocr-rec':
        out += row([...head, o.text, o.score, '']);
        break;
    }
  }
  return out;
}

/** COCO "results + ground-truth shell": images, categories and one annotation per detection (bbox x, y, w, h). */
export function toCoco(run: ModelRun, labels: readonly string[], results: Iterable<InferenceResultItem>): object {
  if (run.task !== 'detection') throw new AppError('INVALID_INPUT', `COCO export is for detection runs; this run is ${run.task}. Use JSON or CSV.`);
  const images: object[] = [];
  const annotations: object[] = [];
  const seen = new Map<number, string>();
  let annId = 1;
  for (const r of results) {
    images.push({ id: r.imageId, file_name: r.file, width: r.width, height: r.height });
    if (r.output?.task !== 'detection') continue;
    for (const d of r.output.detections) {
      seen.set(d.classIndex, d.label);
      annotations.push({
        id: annId++,
        image_id: r.imageId,
        category_id: d.classIndex + 1,
        bbox: [d.box.x, d.box.y, d.box.width, d.box.height].map((v) => Math.round(v * 100) / 100),
        area: Math.round(d.box.width * d.box.height * 100) / 100,
        score: d.score,
        iscrowd: 0,
      });
    }
  }
  const names = labels.length ? labels.map((l, i) => [i, l] as const) : [...seen.entries()].sort((a, b) => a[0] - b[0]);
  return {
    info: { description: `Kraken Studio run ${run.id}: ${run.modelName}`, date_created: run.createdAt },
    images,
    annotations,
    categories: names.map(([i, name]) => ({ id: i + 1, name, supercategory: 'object' })),
  };
}

export function exportRun(format: ExportFormat, run: ModelRun, labels: readonly string[], results: () => Iterable<InferenceResultItem>): string {
  if (format === 'csv') return toCsv(run, results());
  if (format === 'coco') return JSON.stringify(toCoco(run, labels, results()));
  return JSON.stringify({ run, results: [...results()] }, null, 1);
}

/** Counts per class, timing and errors of a run. */
/** `minScore`: detections below it are not counted (the threshold the Models page shows them at). */
export function summarise(run: ModelRun, results: Iterable<InferenceResultItem>, minScore = 0): RunSummary {
  const counts = new Map<string, number>();
  const errors = new Map<string, { count: number; example: string }>();
  const ms: number[] = [];
  let objects = 0;
  const bump = (label: string) => counts.set(label, (counts.get(label) ?? 0) + 1);
  for (const r of results) {
    if (r.error) {
      const e = errors.get(r.error.code) ?? { count: 0, example: r.error.message };
      e.count++;
      errors.set(r.error.code, e);
    }
    if (!r.output) continue;
    ms.push(r.ms);
    const o = r.output;
    switch (o.task) {
      case 'classification':
        if (o.top[0]) bump(o.top[0].label);
        objects++;
        break;
      case 'detection': {
        const shown = o.detections.filter((d) => d.score >= minScore);
        shown.forEach((d) => bump(d.label));
        objects += shown.length;
        break;
      }
      case 'pose':
        objects += o.poses.length;
        if (o.poses.length) bump('person');
        break;
      case 'segmentation':
        if (o.classes.length) o.classes.forEach((c) => bump(c.label));
        else if (o.coverage > 0.01) bump('foreground');
        objects++;
        break;
      case 'depth':
        objects++;
        break;
      case 'ocr-det':
        objects += o.lines.length;
        break;
      case 'ocr-rec':
        objects += o.text ? 1 : 0;
        break;
    }
  }
  ms.sort((a, b) => a - b);
  const pct = (p: number) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))]!;
  return {
    run,
    imagesPerSecond: run.seconds > 0 ? (run.done + run.failed) / run.seconds : null,
    msPerImage: ms.length ? { mean: ms.reduce((a, b) => a + b, 0) / ms.length, p50: pct(0.5), p95: pct(0.95) } : null,
    classCounts: [...counts.entries()].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label)),
    objectCount: objects,
    errors: [...errors.entries()].map(([code, e]) => ({ code, count: e.count, example: e.example })),
  };
}
