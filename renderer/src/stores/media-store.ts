import { create } from 'zustand';
import type { MediaSource } from '../../../main/common/contract';
import { api, isBrowserHost } from '../api';
import { uploadFile } from '../api/upload';
import { placeOf, stillThere, usePlace } from './place-store';
import { useProjects } from './project-store';
import { showError, useToasts } from './toast-store';

interface UploadState {
  name: string;
  index: number;
  count: number;
  fraction: number | null;
}

interface MediaState {
  projectId: number | null;
  media: MediaSource[];
  loading: boolean;
  selectedId: number | null;
  /** Set while files are being copied to the host or probed. */
  upload: UploadState | null;
  busy: boolean;
  load(projectId: number): Promise<void>;
  select(id: number | null): void;
  importPaths(projectId: number, paths: string[]): Promise<void>;
  /** Files from a drop or a file input: paths in Electron, uploads in the browser host. */
  importFiles(projectId: number, files: File[]): Promise<void>;
  importSample(projectId: number): Promise<void>;
  remove(id: number): Promise<void>;
}

/** Electron's preload may offer the real path of a dropped file (webUtils.getPathForFile). */
function electronPathOf(file: File): string | null {
  const bridge = (window as unknown as { kraken?: { files?: { pathFor?: (f: File) => string } } }).kraken;
  const p = bridge?.files?.pathFor?.(file);
  return typeof p === 'string' && p.length > 0 ? p : null;
}

export const useMedia = create<MediaState>((set, get) => ({
  projectId: null,
  media: [],
  loading: false,
  selectedId: null,
  upload: null,
  busy: false,

  async load(projectId) {
    const switching = get().projectId !== projectId;
    set(switching ? { projectId, media: [], selectedId: null, loading: true } : { loading: true });
    try {
      const media = await api.media.list({ projectId });
      if (get().projectId !== projectId) return; // the user moved on meanwhile
      // the selection now, else the one kept for this project (a reload, a restart), else the newest file
      const { selectedId } = get();
      const keep = stillThere(media, selectedId) ?? stillThere(media, placeOf(projectId).mediaId);
      set({ media, selectedId: keep ?? media[0]?.id ?? null });
    } catch (err) {
      showError(err);
    } finally {
      set({ loading: false });
    }
  },

  select(id) {
    set({ selectedId: id });
  },

  async importPaths(projectId, paths) {
    if (paths.length === 0) return;
    set({ busy: true });
    try {
      const { imported, failed } = await api.media.import({ projectId, paths });
      for (const f of failed) showError(f.error, f.path.split(/[\\/]/).pop());
      if (imported.length > 0) {
        useToasts.getState().push({ kind: 'success', titleKey: 'media:toast.imported', titleValues: { count: imported.length } });
        if (get().projectId === projectId) {
          set((s) => ({ media: [...imported, ...s.media.filter((m) => !imported.some((i) => i.id === m.id))], selectedId: imported[0]!.id }));
        }
        void useProjects.getState().refreshOne(projectId);
      }
      if (get().projectId === projectId) await get().load(projectId);
    } catch (err) {
      showError(err);
    } finally {
      set({ busy: false });
    }
  },

  async importFiles(projectId, files) {
    if (files.length === 0) return;
    const paths: string[] = [];
    if (!isBrowserHost()) {
      for (const f of files) {
        const p = electronPathOf(f);
        if (p) paths.push(p);
      }
      if (paths.length === 0) {
        showError({ code: 'UNSUPPORTED', message: 'Use the Import button to choose files.' });
        return;
      }
      return get().importPaths(projectId, paths);
    }
    set({ busy: true });
    try {
      for (const [index, file] of files.entries()) {
        set({ upload: { name: file.name, index, count: files.length, fraction: 0 } });
        try {
          paths.push(await uploadFile(file, (fraction) => set({ upload: { name: file.name, index, count: files.length, fraction } })));
        } catch (err) {
          showError(err, file.name);
        }
      }
    } finally {
      set({ upload: null, busy: false });
    }
    await get().importPaths(projectId, paths);
  },

  async importSample(projectId) {
    set({ busy: true });
    try {
      const media = await api.media.importSample({ projectId });
      if (get().projectId === projectId) {
        set((s) => ({ media: [media, ...s.media.filter((m) => m.id !== media.id)], selectedId: media.id }));
      }
      void useProjects.getState().refreshOne(projectId);
    } catch (err) {
      showError(err);
    } finally {
      set({ busy: false });
    }
  },

  async remove(id) {
    try {
      await api.media.remove({ id });
      set((s) => {
        const media = s.media.filter((m) => m.id !== id);
        return { media, selectedId: s.selectedId === id ? (media[0]?.id ?? null) : s.selectedId };
      });
      const pid = get().projectId;
      if (pid !== null) void useProjects.getState().refreshOne(pid);
    } catch (err) {
      showError(err);
    }
  },
}));

// The selected file is kept per project, so a reload or a restart comes back to it.
useMedia.subscribe((s, prev) => {
  if (s.projectId !== null && s.selectedId !== null && s.selectedId !== prev.selectedId) usePlace.getState().remember(s.projectId, { mediaId: s.selectedId });
});
