/**
 * The viewer's state: up to two model slots (the second for side-by-side compare) and the view settings.
 * Values that change every frame (camera, turntable angle) live in refs inside the canvas, never here.
 */
import { create } from 'zustand';
import type { ViewerErrorCode } from './formats/errors';
import { ViewerFormatError } from './formats/errors';
import type { ModelFormat, ModelStats, Vec3 } from './formats/model';
import { buildViewerObject, SOFTWARE_SPLAT_BUDGET, type ViewerObject } from './render/build-object';
import { glCapabilities } from './render/gl-capabilities';
import type { LightingPreset } from './render/lighting';
import { LoadCancelled, loadModel } from './workers/load-model';
import type { LoadStage, ModelSource, ParseTimings } from './workers/protocol';
import { recordLoad } from './viewer-metrics';

export interface LoadedModel {
  name: string;
  format: ModelFormat;
  stats: ModelStats;
  warnings: string[];
  fileBytes: number;
  /** Keys the remembered camera: the data-folder path when there is one, else the content fingerprint. */
  cameraKey: string;
  timings: ParseTimings;
  object: ViewerObject;
  /** Incremented per load so the canvas knows a new model arrived. */
  loadId: number;
}

export type SlotState =
  | { status: 'empty' }
  | { status: 'loading'; name: string; stage: LoadStage; fraction: number; loadId: number }
  | { status: 'error'; name: string; code: ViewerErrorCode; message: string }
  | { status: 'ready'; model: LoadedModel };

export type UpAxis = 'y' | 'z';

export interface ViewSettings {
  background: string;
  grid: boolean;
  axes: boolean;
  wireframe: boolean;
  normals: boolean;
  pointSize: number;
  splatScale: number;
  upAxis: UpAxis;
  lighting: LightingPreset;
  turntable: boolean;
  transparentShot: boolean;
  syncCameras: boolean;
}

export const defaultSettings: ViewSettings = {
  background: '#14171f',
  grid: true,
  axes: false,
  wireframe: false,
  normals: false,
  pointSize: 2,
  splatScale: 1,
  upAxis: 'y',
  lighting: 'studio',
  turntable: false,
  transparentShot: false,
  syncCameras: true,
};

const SETTINGS_KEY = 'kraken.viewer.settings.v1';

function loadSettings(): ViewSettings {
  try {
    const raw = localStorage.getItem(SETTINGS_KEY);
    if (raw) return { ...defaultSettings, ...(JSON.parse(raw) as Partial<ViewSettings>), turntable: false };
  } catch {
    /* private mode or corrupt: defaults */
  }
  return { ...defaultSettings };
}

export type SlotIndex = 0 | 1;

interface ViewerState {
  slots: [SlotState, SlotState];
  compare: boolean;
  /** The slot that "open" and drops without a target go to. */
  active: SlotIndex;
  settings: ViewSettings;
  measuring: boolean;
  /** Picked points of the measuring tool (two at most), in view coordinates of `slot`. */
  measure: { slot: SlotIndex; points: Vec3[] };
  shortcutsOpen: boolean;
  open(source: ModelSource, slot?: SlotIndex, opts?: { cameraKey?: string }): Promise<void>;
  cancel(slot: SlotIndex): void;
  close(slot: SlotIndex): void;
  setActive(slot: SlotIndex): void;
  setCompare(on: boolean): void;
  set<K extends keyof ViewSettings>(key: K, value: ViewSettings[K]): void;
  setMeasuring(on: boolean): void;
  addMeasurePoint(slot: SlotIndex, p: Vec3): void;
  /** Shows a problem in a slot without loading anything (e.g. nothing openable was dropped). */
  fail(slot: SlotIndex, name: string, code: ViewerErrorCode, message: string): void;
  setShortcutsOpen(on: boolean): void;
}

const aborts: (AbortController | null)[] = [null, null];
let loadCounter = 0;

function releaseSlot(state: SlotState) {
  if (state.status === 'ready') state.model.object.dispose();
}

export const useViewer = create<ViewerState>((set, get) => ({
  slots: [{ status: 'empty' }, { status: 'empty' }],
  compare: false,
  active: 0,
  settings: loadSettings(),
  measuring: false,
  measure: { slot: 0, points: [] },
  shortcutsOpen: false,

  async open(source, slot = get().active, opts = {}) {
    aborts[slot]?.abort();
    const ctrl = new AbortController();
    aborts[slot] = ctrl;
    const loadId = ++loadCounter;
    const name = source.kind === 'files' ? source.file.name : source.name;
    const startedAt = performance.now();
    const replace = (next: SlotState) =>
      set((s) => {
        const slots = [...s.slots] as [SlotState, SlotState];
        if (slots[slot] !== next) releaseSlot(slots[slot]);
        slots[slot] = next;
        return { slots, measure: s.measure.slot === slot ? { slot, points: [] } : s.measure };
      });
    replace({ status: 'loading', name, stage: 'read', fraction: 0, loadId });
    try {
      const result = await loadModel(source, {
        signal: ctrl.signal,
        onProgress: (stage, fraction) =>
          set((s) => {
            const cur = s.slots[slot];
            if (cur.status !== 'loading' || cur.loadId !== loadId) return s;
            const slots = [...s.slots] as [SlotState, SlotState];
            slots[slot] = { ...cur, stage, fraction };
            return { slots };
          }),
      });
      if (aborts[slot] !== ctrl) {
        return; // a newer load took this slot; its worker result is simply dropped
      }
      const parsedAt = performance.now();
      const object = buildViewerObject(result.model, { splatBudget: glCapabilities().software ? SOFTWARE_SPLAT_BUDGET : undefined });
      const { settings } = get();
      object.setPointSize(settings.pointSize);
      object.setWireframe(settings.wireframe);
      object.setSplatScale(settings.splatScale);
      const model: LoadedModel = {
        name,
        format: result.model.format,
        stats: result.model.stats,
        warnings: result.model.warnings,
        fileBytes: result.fileBytes,
        cameraKey: opts.cameraKey ?? `fp:${result.fingerprint}`,
        timings: result.timings,
        object,
        loadId,
      };
      const biggest = result.model.kind === 'splats' ? result.model.data : result.model.parts[0]?.position;
      recordLoad({ slot, loadId, name, startedAt, parsedAt, builtAt: performance.now(), stats: result.model.stats, timings: result.timings, probe: biggest ? new WeakRef(biggest) : undefined });
      replace({ status: 'ready', model });
      aborts[slot] = null;
    } catch (e) {
      if (aborts[slot] !== ctrl) return;
      aborts[slot] = null;
      if (e instanceof LoadCancelled) {
        replace({ status: 'empty' });
        return;
      }
      const err = e instanceof ViewerFormatError ? e : new ViewerFormatError('malformed', String((e as Error)?.message ?? e));
      replace({ status: 'error', name, code: err.code, message: err.message });
    }
  },

  cancel(slot) {
    aborts[slot]?.abort();
  },

  close(slot) {
    aborts[slot]?.abort();
    aborts[slot] = null;
    set((s) => {
      releaseSlot(s.slots[slot]);
      const slots = [...s.slots] as [SlotState, SlotState];
      slots[slot] = { status: 'empty' };
      return { slots, measure: s.measure.slot === slot ? { slot, points: [] } : s.measure };
    });
  },

  setActive(active) {
    set({ active });
  },

  setCompare(on) {
    if (!on) get().close(1);
    set({ compare: on, active: 0 });
  },

  set(key, value) {
    const settings = { ...get().settings, [key]: value };
    set({ settings });
    for (const s of get().slots) {
      if (s.status !== 'ready') continue;
      if (key === 'pointSize') s.model.object.setPointSize(value as number);
      if (key === 'wireframe') s.model.object.setWireframe(value as boolean);
      if (key === 'splatScale') s.model.object.setSplatScale(value as number);
    }
    try {
      localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings));
    } catch {
      /* not fatal */
    }
  },

  setMeasuring(measuring) {
    set({ measuring, measure: { slot: get().measure.slot, points: [] } });
  },

  addMeasurePoint(slot, p) {
    const cur = get().measure;
    // a third click starts a new measurement
    const points = cur.slot === slot && cur.points.length === 1 ? [cur.points[0]!, p] : [p];
    set({ measure: { slot, points } });
  },

  fail(slot, name, code, message) {
    set((s) => {
      releaseSlot(s.slots[slot]);
      const slots = [...s.slots] as [SlotState, SlotState];
      slots[slot] = { status: 'error', name, code, message };
      return { slots };
    });
  },

  setShortcutsOpen(shortcutsOpen) {
    set({ shortcutsOpen });
  },
}));
