import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { ImageItem } from '../../../../main/common/contract';
import { api } from '../../api';
import { showError } from '../../stores/toast-store';

export const PAGE_SIZE = 200;

/**
 * Pages of a frame set's images, fetched on demand: a set may hold thousands of frames and the grid only
 * asks for the pages it shows. `version` changes when the set does (e.g. it completed) to start over.
 */
export function useImagePages(projectId: number, frameSetId: number, version: string) {
  const [total, setTotal] = useState<number | null>(null);
  const pages = useRef(new Map<number, ImageItem[]>());
  const inflight = useRef(new Set<number>());
  const generation = useRef(0);
  const [, rerender] = useReducer((x: number) => x + 1, 0);

  const fetchPage = useCallback(
    async (page: number, gen: number) => {
      inflight.current.add(page);
      try {
        const res = await api.frames.listImages({ projectId, frameSetId, offset: page * PAGE_SIZE, limit: PAGE_SIZE });
        if (gen !== generation.current) return; // the set changed meanwhile
        pages.current.set(page, res.items);
        setTotal(res.total);
        rerender();
      } catch (err) {
        if (gen === generation.current) showError(err);
      } finally {
        inflight.current.delete(page);
      }
    },
    [projectId, frameSetId],
  );

  useEffect(() => {
    const gen = ++generation.current;
    pages.current = new Map();
    inflight.current = new Set();
    setTotal(null);
    void fetchPage(0, gen);
  }, [fetchPage, version]);

  const ensure = useCallback(
    (wanted: number[]) => {
      for (const p of wanted) if (!pages.current.has(p) && !inflight.current.has(p)) void fetchPage(p, generation.current);
    },
    [fetchPage],
  );

  const get = useCallback((index: number): ImageItem | undefined => pages.current.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE], []);

  return { total, get, ensure };
}
