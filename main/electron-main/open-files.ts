/**
 * Files handed to the app by the OS: double-clicked associated files (macOS `open-file`), files on the command
 * line, and files given to a second instance. Media go into a project; 3D results wait for the viewer.
 * No electron import: tested under Node.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Core } from '../node/core';

export const VIDEO_EXTENSIONS = ['.mp4', '.mov', '.webm', '.mkv', '.m4v', '.avi'] as const;
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.bmp', '.tif', '.tiff'] as const;
/** 3D results the viewer opens (also the file associations in electron-builder.yml). */
export const MODEL_3D_EXTENSIONS = ['.glb', '.gltf', '.ply', '.obj', '.splat'] as const;

const media = new Set<string>([...VIDEO_EXTENSIONS, ...IMAGE_EXTENSIONS]);
const models = new Set<string>(MODEL_3D_EXTENSIONS);

/** Existing files with an extension we open, from a command line (flags, the app path and Chromium's own args skipped). */
export function filesFromArgv(argv: readonly string[], cwd: string): string[] {
  const out: string[] = [];
  for (const arg of argv) {
    if (!arg || arg.startsWith('-')) continue;
    const ext = path.extname(arg).toLowerCase();
    if (!media.has(ext) && !models.has(ext)) continue;
    const abs = path.resolve(cwd, arg);
    try {
      if (fs.statSync(abs).isFile() && !out.includes(abs)) out.push(abs);
    } catch {
      // A path that does not exist is not a file to open.
    }
  }
  return out;
}

/** Splits opened files into media to import and 3D files for the viewer. */
export function classifyOpenedFiles(paths: readonly string[]): { media: string[]; models: string[] } {
  const result = { media: [] as string[], models: [] as string[] };
  for (const p of paths) {
    const ext = path.extname(p).toLowerCase();
    if (media.has(ext)) result.media.push(p);
    else if (models.has(ext)) result.models.push(p);
  }
  return result;
}

export interface OpenedFilesResult {
  projectId: number | null;
  imported: number;
  failed: { path: string; message: string }[];
  /** 3D files the viewer will open once it can take a path (not yet in the contract). */
  deferred: string[];
}

/**
 * Imports opened media into `preferredProjectId` when it exists (the project the window shows), else the
 * newest project, else a new one named after the first file.
 */
export async function importOpenedFiles(
  core: Pick<Core, 'projects' | 'media'>,
  paths: readonly string[],
  preferredProjectId: number | null,
): Promise<OpenedFilesResult> {
  const { media: mediaPaths, models: modelPaths } = classifyOpenedFiles(paths);
  const result: OpenedFilesResult = { projectId: null, imported: 0, failed: [], deferred: modelPaths };
  if (mediaPaths.length === 0) return result;
  const projects = core.projects.list();
  const project =
    projects.find((p) => p.id === preferredProjectId) ??
    projects[0] ??
    core.projects.create({ name: path.basename(mediaPaths[0]!, path.extname(mediaPaths[0]!)).slice(0, 120) || 'Opened files' });
  const done = await core.media.importPaths(project.id, mediaPaths);
  result.projectId = project.id;
  result.imported = done.imported.length;
  result.failed = done.failed.map((f) => ({ path: f.path, message: f.error.message }));
  return result;
}
