import type { FrameSet } from '../../../main/common/contract';

/** The frame sets the panel shows for the selected media (all of them when nothing is selected). */
export function setsOfMedia(sets: FrameSet[], mediaId: number | null): FrameSet[] {
  return mediaId === null ? sets : sets.filter((s) => s.mediaId === mediaId);
}

/**
 * The set to select when the media, the list or the wish changes: `wanted` while it belongs to the selected
 * media, else that media's newest complete set, else its newest set, else none — never another file's set,
 * so a failed set of one video never stays highlighted under another.
 */
export function pickSet(sets: FrameSet[], mediaId: number | null, wanted: number | null): number | null {
  const own = setsOfMedia(sets, mediaId);
  if (wanted !== null && own.some((s) => s.id === wanted)) return wanted;
  return (own.find((s) => s.status === 'complete') ?? own[0])?.id ?? null;
}
