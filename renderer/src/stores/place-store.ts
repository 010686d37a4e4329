/**
 * The creator's place per project, kept across reloads and restarts: the selected media, the frame set chosen
 * for each media, the scrubber position in each set, the extraction form's values, the model, image choice
 * and run on the Models page, and the 3D file open in the viewer. Plus the last-used extraction values, the
 * start of the form in a project that has none of its own yet.
 *
 * Kept in the page's local storage (zustand `persist`): Electron's app origin is fixed; the browser host's is
 * fixed while it keeps its port. Everything read back is checked (a corrupt or foreign entry is dropped) and
 * every id is only a wish: the stores use it when that media, set or run still exists and fall back quietly
 * otherwise. A project's place is dropped with the project.
 */
import { z } from 'zod';
import { create } from 'zustand';
import { createJSONStorage, persist, type StateStorage } from 'zustand/middleware';

export const PLACE_STORAGE_KEY = 'kraken.place.v1';
/** Places of this many projects at most (the most recently used). */
export const PLACE_PROJECT_LIMIT = 50;
/** Remembered frame sets and scrubber positions per project at most (the newest). */
const PER_PROJECT_LIMIT = 200;

const Id = z.number().int().positive();
const ExtractValues = z.object({
  options: z.object({
    mode: z.enum(['count', 'fps', 'every', 'keyframes', 'scene']),
    fps: z.string().max(40),
    every: z.string().max(40),
    scene: z.string().max(40),
    count: z.string().max(40),
    start: z.string().max(40),
    end: z.string().max(40),
    maxSide: z.string().max(40),
    dropBlurry: z.boolean(),
  }),
  format: z.enum(['jpg', 'png', 'webp']),
  quality: z.number().int().min(1).max(100),
});
export type ExtractValues = z.infer<typeof ExtractValues>;

const IdMap = z.record(z.string().regex(/^\d+$/), Id);
const ProjectPlace = z.object({
  usedAt: z.number().default(0),
  mediaId: Id.nullable().optional(),
  /** media id → the frame set last chosen for it */
  sets: IdMap.optional(),
  /** frame set id → 0-based scrubber position */
  scrub: z.record(z.string().regex(/^\d+$/), z.number().int().min(0)).optional(),
  extract: ExtractValues.optional(),
  modelId: z.string().min(1).max(200).optional(),
  /** the Models page's image choice: a frame set id or 'all' */
  runImages: z.string().regex(/^(all|\d+)$/).optional(),
  runId: Id.nullable().optional(),
  /** data-folder path of the 3D file open in the viewer */
  viewerPath: z.string().min(1).max(1000).nullable().optional(),
});
export type ProjectPlace = z.infer<typeof ProjectPlace>;

const Persisted = z.object({
  places: z.record(z.string().regex(/^(\d+|none)$/), z.unknown()).default({}),
  lastExtract: z.unknown().optional(),
});

interface PlaceState {
  places: Record<string, ProjectPlace>;
  lastExtract: ExtractValues | null;
  /** Merges a change into a project's place (null project: the viewer without a project). */
  remember(projectId: number | null, patch: Partial<Omit<ProjectPlace, 'usedAt'>>): void;
  rememberSet(projectId: number, mediaId: number, setId: number | null): void;
  rememberScrub(projectId: number, setId: number, index: number): void;
  rememberExtract(projectId: number, values: ExtractValues): void;
  forget(projectId: number): void;
}

const keyOf = (projectId: number | null) => (projectId === null ? 'none' : String(projectId));

/** Keeps the newest `limit` entries of an id map (ids grow, so the largest are the newest). */
function newest<T>(map: Record<string, T>, limit: number): Record<string, T> {
  const keys = Object.keys(map);
  if (keys.length <= limit) return map;
  return Object.fromEntries(keys.sort((a, b) => Number(b) - Number(a)).slice(0, limit).map((k) => [k, map[k]!]));
}

/** Checks what was read from storage: bad places are dropped one by one, never the whole lot. */
export function sanitizePlaces(raw: unknown): { places: Record<string, ProjectPlace>; lastExtract: ExtractValues | null } {
  const outer = Persisted.safeParse(raw);
  if (!outer.success) return { places: {}, lastExtract: null };
  const places: Record<string, ProjectPlace> = {};
  for (const [k, v] of Object.entries(outer.data.places)) {
    const p = ProjectPlace.safeParse(v);
    if (p.success) places[k] = p.data;
  }
  const last = ExtractValues.safeParse(outer.data.lastExtract);
  return { places, lastExtract: last.success ? last.data : null };
}

/** Storage that never throws (private mode, quota): the place is then simply not kept. */
function safeStorage(): StateStorage {
  const ls = (): Storage | null => {
    try {
      return typeof localStorage === 'undefined' ? null : localStorage;
    } catch {
      return null;
    }
  };
  return {
    getItem: (k) => {
      try {
        return ls()?.getItem(k) ?? null;
      } catch {
        return null;
      }
    },
    setItem: (k, v) => {
      try {
        ls()?.setItem(k, v);
      } catch {
        /* not kept */
      }
    },
    removeItem: (k) => {
      try {
        ls()?.removeItem(k);
      } catch {
        /* nothing to drop */
      }
    },
  };
}

export const usePlace = create<PlaceState>()(
  persist(
    (set) => {
      const update = (projectId: number | null, fn: (p: ProjectPlace) => ProjectPlace) =>
        set((s) => {
          const key = keyOf(projectId);
          const next = { ...s.places, [key]: { ...fn(s.places[key] ?? { usedAt: 0 }), usedAt: Date.now() } };
          const keys = Object.keys(next);
          if (keys.length > PLACE_PROJECT_LIMIT) {
            for (const k of keys.sort((a, b) => next[a]!.usedAt - next[b]!.usedAt).slice(0, keys.length - PLACE_PROJECT_LIMIT)) delete next[k];
          }
          return { places: next };
        });
      return {
        places: {},
        lastExtract: null,
        remember(projectId, patch) {
          update(projectId, (p) => ({ ...p, ...patch }));
        },
        rememberSet(projectId, mediaId, setId) {
          update(projectId, (p) => {
            const sets = { ...p.sets };
            if (setId === null) delete sets[String(mediaId)];
            else sets[String(mediaId)] = setId;
            return { ...p, sets: newest(sets, PER_PROJECT_LIMIT) };
          });
        },
        rememberScrub(projectId, setId, index) {
          update(projectId, (p) => ({ ...p, scrub: newest({ ...p.scrub, [String(setId)]: Math.max(0, Math.floor(index)) }, PER_PROJECT_LIMIT) }));
        },
        rememberExtract(projectId, values) {
          update(projectId, (p) => ({ ...p, extract: values }));
          set({ lastExtract: values });
        },
        forget(projectId) {
          set((s) => {
            const places = { ...s.places };
            delete places[keyOf(projectId)];
            return { places };
          });
        },
      };
    },
    {
      name: PLACE_STORAGE_KEY,
      version: 1,
      storage: createJSONStorage(safeStorage),
      partialize: (s) => ({ places: s.places, lastExtract: s.lastExtract }),
      merge: (persisted, current) => ({ ...current, ...sanitizePlaces(persisted) }),
    },
  ),
);

/** A project's place (empty when nothing is kept). */
export function placeOf(projectId: number | null): ProjectPlace {
  return usePlace.getState().places[keyOf(projectId)] ?? { usedAt: 0 };
}

/** The extraction values a project's form starts with: its own, else the last used anywhere, else none. */
export function extractStart(projectId: number): ExtractValues | null {
  return placeOf(projectId).extract ?? usePlace.getState().lastExtract;
}

/** `wanted` when it is one of `ids`, else null: a remembered id of something deleted since is dropped quietly. */
export function stillThere<T extends { id: number }>(items: T[], wanted: number | null | undefined): number | null {
  return wanted != null && items.some((i) => i.id === wanted) ? wanted : null;
}
