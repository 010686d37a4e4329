import type { FrameSet } from '../../../main/common/contract';

/** The frame sets the panel shows for the selected media (all of them when nothing is selected). */
export function setsOfMedia(sets: FrameSet[], mediaId: number | null): FrameSet[] {
  return mediaId === null ? sets : sets.filter((s) => s.mediaId === mediaId);
}

/**
 * The set to select when the media, the list or the wish changes: the first of `wanted` (the selection now,
 * then the one remembered for this media) that belongs to the selected media, else that media's newest
 * complete set, else its newest set, else none — never another file's set, so a failed set of one video never
 * stays highlighted under another.
 */
export function pickSet(sets: FrameSet[], mediaId: number | null, wanted: number | null | (number | null | undefined)[]): number | null {
  const own = setsOfMedia(sets, mediaId);
  for (const w of Array.isArray(wanted) ? wanted : [wanted]) if (w != null && own.some((s) => s.id === w)) return w;
  return (own.find((s) => s.status === 'complete') ?? own[0])?.id ?? null;
}
