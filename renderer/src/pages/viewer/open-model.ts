/**
 * How the rest of the app opens something in the 3D viewer: a data-folder path (inference depth results,
 * project results) or files the user picked or dropped. One click elsewhere → the viewer page, loading.
 */
import { fileUrl } from '../../api/file-url';
import { useNav } from '../../stores/nav-store';
import { placeOf, usePlace } from '../../stores/place-store';
import { useProjects } from '../../stores/project-store';
import { extensionOf, isModelName, viewerExtensions } from './formats/detect';
import { useViewer, type SlotIndex } from './viewer-store';

export { isModelName as canOpenInViewer, viewerExtensions };

/** A link that opens a data-folder file in the viewer (for places that render plain anchors). */
export function viewerLink(rel: string): string {
  return `#/viewer?open=${encodeURIComponent(rel.replace(/\\/g, '/'))}`;
}

/** Opens a file of the data folder (path relative to it, as services return it) and shows the viewer. */
export function openModelPath(rel: string, opts: { slot?: SlotIndex; name?: string } = {}): Promise<void> {
  useNav.getState().navigate('viewer');
  const name = opts.name ?? rel.split(/[\\/]/).pop() ?? rel;
  return useViewer.getState().open({ kind: 'url', url: fileUrl(rel), name }, opts.slot, { cameraKey: `path:${rel.replace(/\\/g, '/')}` });
}

/**
 * Opens the data-folder file kept as the project's open 3D file (after a reload or restart), in slot 0 and
 * only while it is empty. A file deleted since is dropped quietly: the viewer stays empty, no error.
 */
export async function restoreViewerFile(): Promise<void> {
  const projectId = useProjects.getState().currentId;
  const rel = placeOf(projectId).viewerPath;
  if (!rel || useViewer.getState().slots[0].status !== 'empty') return;
  const name = rel.split(/[\\/]/).pop() ?? rel;
  await useViewer.getState().open({ kind: 'url', url: fileUrl(rel), name }, 0, { cameraKey: `path:${rel}` });
  if (useViewer.getState().slots[0].status === 'error') {
    useViewer.getState().close(0);
    usePlace.getState().remember(projectId, { viewerPath: null });
  }
}

// The file open in slot 0 is kept per project when it can be opened again: a data-folder path, not a picked file.
useViewer.subscribe((s, prev) => {
  const now = s.slots[0];
  const before = prev.slots[0];
  if (now === before || now.status === 'loading' || now.status === 'error') return;
  const key = now.status === 'ready' ? now.model.cameraKey : null;
  const viewerPath = key?.startsWith('path:') ? key.slice(5) : null;
  const projectId = useProjects.getState().currentId;
  if ((placeOf(projectId).viewerPath ?? null) !== viewerPath) usePlace.getState().remember(projectId, { viewerPath });
});

// a model file beats its companions; among models the richer container first
const rank = (name: string) => ['gltf', 'glb', 'obj', 'ply', 'splat'].indexOf(extensionOf(name));

/**
 * Opens picked or dropped files: the model file(s) among them, with the rest as companions (MTL, BIN,
 * textures). Two models at once open side by side.
 */
export function openModelFiles(files: File[], slot?: SlotIndex): Promise<void> {
  const store = useViewer.getState();
  const models = files.filter((f) => isModelName(f.name)).sort((a, b) => rank(a.name) - rank(b.name));
  const target = slot ?? store.active;
  if (models.length === 0) {
    const names = files.map((f) => f.name).join(', ');
    store.fail(target, names, 'unknown-format', `None of these can be opened in the 3D viewer: ${names}.`);
    return Promise.resolve();
  }
  // a .gltf/.obj with its companions: one model; several standalone models: compare the first two
  const standalone = models.filter((f) => ['ply', 'splat', 'glb'].includes(extensionOf(f.name)));
  const companions = (main: File) => files.filter((f) => f !== main && !isModelName(f.name));
  if (slot === undefined && models.length >= 2 && standalone.length === models.length) {
    // in the order the user picked them: the first on the left
    const inOrder = files.filter((f) => isModelName(f.name));
    store.setCompare(true);
    return Promise.all([0, 1].map((i) => store.open({ kind: 'files', file: inOrder[i]!, companions: [] }, i as SlotIndex))).then(() => undefined);
  }
  const main = models[0]!;
  return store.open({ kind: 'files', file: main, companions: companions(main) }, target);
}
