import { create } from 'zustand';
import type { Project } from '../../../main/common/contract';
import { api } from '../api';
import { usePlace } from './place-store';
import { showError } from './toast-store';

const CURRENT_KEY = 'kraken.currentProject';

function readCurrent(): number | null {
  try {
    const v = Number(localStorage.getItem(CURRENT_KEY));
    return Number.isInteger(v) && v > 0 ? v : null;
  } catch {
    return null;
  }
}

function writeCurrent(id: number | null) {
  try {
    if (id === null) localStorage.removeItem(CURRENT_KEY);
    else localStorage.setItem(CURRENT_KEY, String(id));
  } catch {
    /* the choice just does not survive a reload */
  }
}

interface ProjectState {
  projects: Project[];
  loaded: boolean;
  /** The project the media, models and viewer pages work on. */
  currentId: number | null;
  load(): Promise<void>;
  create(input: { name: string; description: string }): Promise<Project | null>;
  update(input: { id: number; name?: string; description?: string }): Promise<boolean>;
  remove(id: number): Promise<boolean>;
  open(id: number | null): void;
  /** Re-reads one project (its counts change as media are imported). */
  refreshOne(id: number): Promise<void>;
}

export const useProjects = create<ProjectState>((set, get) => ({
  projects: [],
  loaded: false,
  currentId: readCurrent(),
  async load() {
    try {
      const projects = await api.projects.list({});
      const { currentId } = get();
      // A project deleted elsewhere (another window, the CLI) must not stay "open".
      const stillThere = currentId !== null && projects.some((p) => p.id === currentId);
      if (!stillThere && currentId !== null) writeCurrent(null);
      set({ projects, loaded: true, currentId: stillThere ? currentId : null });
    } catch (err) {
      set({ loaded: true });
      showError(err);
    }
  },
  async create(input) {
    try {
      const project = await api.projects.create(input);
      set((s) => ({ projects: [project, ...s.projects] }));
      return project;
    } catch (err) {
      showError(err);
      return null;
    }
  },
  async update(input) {
    try {
      const project = await api.projects.update(input);
      set((s) => ({ projects: s.projects.map((p) => (p.id === project.id ? project : p)) }));
      return true;
    } catch (err) {
      showError(err);
      return false;
    }
  },
  async remove(id) {
    try {
      await api.projects.delete({ id });
      if (get().currentId === id) writeCurrent(null);
      usePlace.getState().forget(id);
      set((s) => ({ projects: s.projects.filter((p) => p.id !== id), currentId: s.currentId === id ? null : s.currentId }));
      return true;
    } catch (err) {
      showError(err);
      return false;
    }
  },
  open(id) {
    writeCurrent(id);
    set({ currentId: id });
  },
  async refreshOne(id) {
    try {
      const project = await api.projects.get({ id });
      set((s) => ({ projects: s.projects.map((p) => (p.id === id ? project : p)) }));
    } catch {
      /* a refresh of counts is best effort */
    }
  },
}));

/** The open project, or null; selects narrowly so only its changes re-render. */
export function useCurrentProject(): Project | null {
  return useProjects((s) => s.projects.find((p) => p.id === s.currentId) ?? null);
}
