/** The health report in English, for the CLI (the page translates the codes itself, in English and Korean). */
import type { HealthIssue, HealthReport } from '../../common/contract/datasets';

/** One line per issue code, filled from its params. */
export function describeIssue(issue: HealthIssue): string {
  const p = issue.params;
  switch (issue.code) {
    case 'NO_IMAGES':
      return `No readable image in the dataset (${p.unreadable} unreadable).`;
    case 'TOO_FEW_CLASSES':
      return `Classification needs at least ${p.min} classes with images; this dataset has ${p.count}.`;
    case 'CORRUPT_IMAGE':
      return `${p.file} (class ${p.className}) cannot be read: ${p.reason}.`;
    case 'CLASS_TOO_FEW_IMAGES':
      return `Class "${p.className}" has ${p.count} image(s); at least ${p.min} are needed to train and validate it.`;
    case 'CLASS_FEW_IMAGES':
      return `Class "${p.className}" has only ${p.count} images; ${p.recommended} or more are recommended.`;
    case 'CLASS_IMBALANCE':
      return `Classes are unbalanced: "${p.largest}" has ${p.largestCount} images, "${p.smallest}" ${p.smallestCount} (${p.ratio}×, above ${p.limit}×).`;
    case 'EXACT_DUPLICATES':
      return `${p.images} files are byte-identical copies (${p.groups} group(s)).`;
    case 'DUPLICATE_ACROSS_CLASSES':
      return `The same image (${p.file}) is labelled as ${p.classes}.`;
    case 'NEAR_DUPLICATES':
      return `${p.images} images look nearly the same as another (${p.groups} group(s), perceptual hash within ${p.threshold} bits).`;
    case 'IMAGE_TOO_SMALL':
      return `${p.count} image(s) are smaller than the model's input ${p.minWidth}×${p.minHeight} (smallest ${p.smallestWidth}×${p.smallestHeight}); they will be upscaled.`;
    case 'CLASS_MISSING_FROM_SPLIT':
      return `Class "${p.className}" has no image in ${p.split}; it cannot be measured there.`;
    case 'LEAKAGE_EXACT':
      return `${p.count} held-out image(s) are also in train (the same file): validation would overstate accuracy.`;
    case 'LEAKAGE_NEAR':
      return `${p.count} of ${p.heldOut} held-out images have a near-identical picture in train (frames of the same video?).`;
  }
}

/** The report as lines of text: a summary, the class table, then the issues by severity. */
export function reportLines(report: HealthReport): string[] {
  const out = [`${report.images} readable image(s), ${report.unreadable} unreadable, ${report.classes.length} class(es): ${report.counts.error} error(s), ${report.counts.warning} warning(s), ${report.counts.info} note(s).`];
  const width = Math.max(5, ...report.classes.map((c) => c.name.length));
  out.push(`  ${'class'.padEnd(width)}  total  train  val  test`);
  for (const c of report.classes) out.push(`  ${c.name.padEnd(width)}  ${String(c.total).padStart(5)}  ${String(c.train).padStart(5)}  ${String(c.val).padStart(3)}  ${String(c.test).padStart(4)}`);
  for (const i of report.issues) out.push(`${i.severity.toUpperCase()} ${i.code}: ${describeIssue(i)}`);
  return out;
}
