/**
 * The last camera per model, kept in local storage under one key as a small LRU list (a data-folder path
 * or a content fingerprint identifies the model, so a renamed copy of the same file still finds its view).
 */
import type { Vec3 } from './formats/model';

export interface SavedCamera {
  position: Vec3;
  target: Vec3;
  upAxis: 'y' | 'z';
}

type StorageLike = Pick<Storage, 'getItem' | 'setItem'>;

const KEY = 'kraken.viewer.cameras.v1';
export const CAMERA_MEMORY_LIMIT = 200;

function isVec3(x: unknown): x is Vec3 {
  return Array.isArray(x) && x.length === 3 && x.every((v) => typeof v === 'number' && Number.isFinite(v));
}

export function createCameraMemory(storage: StorageLike | null) {
  const read = (): [string, SavedCamera][] => {
    try {
      const raw = storage?.getItem(KEY);
      const list = raw ? (JSON.parse(raw) as unknown) : [];
      return Array.isArray(list) ? (list.filter((e) => Array.isArray(e) && typeof e[0] === 'string') as [string, SavedCamera][]) : [];
    } catch {
      return []; // a corrupt entry must not break the viewer
    }
  };
  return {
    load(modelKey: string): SavedCamera | null {
      const hit = read().find(([k]) => k === modelKey)?.[1];
      if (!hit || !isVec3(hit.position) || !isVec3(hit.target) || (hit.upAxis !== 'y' && hit.upAxis !== 'z')) return null;
      return hit;
    },
    save(modelKey: string, camera: SavedCamera): void {
      const list = read().filter(([k]) => k !== modelKey);
      list.unshift([modelKey, camera]);
      try {
        storage?.setItem(KEY, JSON.stringify(list.slice(0, CAMERA_MEMORY_LIMIT)));
      } catch {
        /* storage full or unavailable: the view is simply not remembered */
      }
    },
    /** Drops a model's view (a fitted view is not kept: it is fitted again to whatever panel shows the model). */
    forget(modelKey: string): void {
      const list = read();
      const rest = list.filter(([k]) => k !== modelKey);
      if (rest.length === list.length) return;
      try {
        storage?.setItem(KEY, JSON.stringify(rest));
      } catch {
        /* unavailable: nothing to drop */
      }
    },
  };
}

export const cameraMemory = createCameraMemory(typeof localStorage === 'undefined' ? null : localStorage);
