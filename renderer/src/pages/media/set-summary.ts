import type { TFunction } from 'i18next';
import type { ExtractParams } from '../../../../main/common/contract';

/** One line describing how a frame set was made, for every extraction mode. */
export function describeParams(p: ExtractParams, t: TFunction): string {
  const m = p.mode;
  const mode =
    m.kind === 'fps'
      ? t('media:modes.summary.fps', { fps: m.fps })
      : m.kind === 'every'
        ? t('media:modes.summary.every', { n: m.n })
        : m.kind === 'scene'
          ? t('media:modes.summary.scene', { threshold: m.threshold })
          : m.kind === 'count'
            ? t('media:modes.summary.count', { count: m.count })
            : t('media:modes.summary.keyframes');
  const parts = [mode, p.format.toUpperCase(), t('media:modes.summary.quality', { quality: p.quality })];
  if (p.start !== undefined || p.end !== undefined) parts.push(t('media:modes.summary.range', { start: p.start ?? 0, end: p.end ?? '…' }));
  if (p.maxSide) parts.push(t('media:modes.summary.maxSide', { px: p.maxSide }));
  if (p.dropBlurry) parts.push(t('media:modes.summary.dropBlurry'));
  return parts.join(' · ');
}

/** How many model runs were made on a frame set (their results are deleted with its frames). */
export function runsOfSet(runs: { frameSetId: number | null }[], setId: number): number {
  return runs.filter((r) => r.frameSetId === setId).length;
}
