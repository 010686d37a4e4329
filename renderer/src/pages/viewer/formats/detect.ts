/**
 * Which parser a file needs: the first bytes decide where they can (PLY, GLB, glTF JSON), the extension
 * decides for formats without a signature (.splat, .obj), and a mismatch between the two is reported.
 */
import { ViewerFormatError } from './errors';
import type { ModelFormat } from './model';

/** Extensions the viewer opens (electron-builder file associations use the same list). */
export const viewerExtensions = ['ply', 'splat', 'obj', 'glb', 'gltf'] as const;

/** Companion files that may be opened with a model (material libraries, buffers, textures). */
export const sidecarExtensions = ['mtl', 'bin', 'png', 'jpg', 'jpeg', 'webp', 'bmp', 'tga'] as const;

export function extensionOf(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

export function isModelName(name: string): boolean {
  return (viewerExtensions as readonly string[]).includes(extensionOf(name));
}

function startsWith(bytes: Uint8Array, text: string): boolean {
  if (bytes.length < text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[i] !== text.charCodeAt(i)) return false;
  return true;
}

/** The first non-blank character (skipping a UTF-8 BOM). */
function firstChar(bytes: Uint8Array): string {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return i < bytes.length ? String.fromCharCode(bytes[i]!) : '';
}

export function detectFormat(name: string, head: Uint8Array): ModelFormat {
  const ext = extensionOf(name);
  if (head.length === 0) throw new ViewerFormatError('empty', `"${name}" is empty.`);
  if (startsWith(head, 'ply\n') || startsWith(head, 'ply\r\n')) return 'ply';
  if (startsWith(head, 'glTF')) return 'glb';
  if (ext === 'ply') throw new ViewerFormatError('malformed', `"${name}" is named .ply but does not start with a PLY header.`);
  if (ext === 'glb') throw new ViewerFormatError('malformed', `"${name}" is named .glb but is not a binary glTF file.`);
  if (ext === 'gltf') {
    if (firstChar(head) !== '{') throw new ViewerFormatError('malformed', `"${name}" is named .gltf but is not JSON.`);
    return 'gltf';
  }
  if (ext === 'splat') return 'splat';
  if (ext === 'obj') return 'obj';
  throw new ViewerFormatError(
    'unknown-format',
    ext ? `".${ext}" files cannot be opened in the 3D viewer (it opens ${viewerExtensions.map((e) => '.' + e).join(', ')}).` : `"${name}" has no extension and no known signature.`,
  );
}
