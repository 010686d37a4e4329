/**
 * What a downloaded file really is, from its first bytes: a service that says "GLB" and sends an HTML error page,
 * a truncated archive or a JSON error is caught here, before the file is kept or handed to the viewer.
 */
import fs from 'node:fs';
import { AppError } from '../../common/app-error';
import { say } from '../../common/messages';
import { serviceParams, type CloudServiceName } from './errors';

export type FileKind = 'glb' | 'ply' | 'obj' | 'gif' | 'gzip' | 'png' | 'jpeg' | 'zip';

/** "a GLB model", "a gzip archive", … for messages. */
export const KIND_LABELS: Record<FileKind, string> = {
  glb: 'a GLB model',
  ply: 'a PLY file',
  obj: 'an OBJ model',
  gif: 'a GIF image',
  gzip: 'a gzip archive',
  png: 'a PNG image',
  jpeg: 'a JPEG image',
  zip: 'a ZIP archive',
};

const HEAD = 64 * 1024;

function readHead(file: string): { head: Buffer; size: number } {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(HEAD, size));
    let off = 0;
    while (off < head.length) {
      const n = fs.readSync(fd, head, off, head.length - off, off);
      if (n === 0) break;
      off += n;
    }
    return { head: head.subarray(0, off), size };
  } finally {
    fs.closeSync(fd);
  }
}

function isGlb(head: Buffer, size: number): boolean {
  if (head.length < 12 || head.toString('latin1', 0, 4) !== 'glTF') return false;
  const version = head.readUInt32LE(4);
  // The header's total length must be the file's: a truncated GLB is refused too.
  return (version === 1 || version === 2) && head.readUInt32LE(8) === size;
}

function isPly(head: Buffer): boolean {
  const text = head.toString('latin1', 0, Math.min(head.length, 512));
  return /^ply\r?\nformat (ascii|binary_little_endian|binary_big_endian) 1\.0\r?\n/.test(text) || /^ply\r?\n(comment[^\n]*\n|obj_info[^\n]*\n)*format (ascii|binary_little_endian|binary_big_endian) /.test(text);
}

function isObj(head: Buffer): boolean {
  if (head.length === 0 || head.includes(0)) return false;
  const text = head.toString('utf8');
  // Printable text (tabs and line breaks allowed), not an HTML or JSON error body in disguise.
  // eslint-disable-next-line no-control-regex -- control characters mean it is not a text OBJ
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/.test(text)) return false;
  if (/^\s*[<{[]/.test(text)) return false;
  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && head.length === HEAD) lines.pop(); // the last line may be cut
  let vertices = 0;
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (/^v\s+-?[\d.]/.test(line)) vertices++;
    else if (!/^(v[tnp]?|f|l|p|o|g|s|usemtl|mtllib|cstype|deg|curv|surf|parm|end|vp)(\s|$)/.test(line)) return false;
  }
  return vertices > 0;
}

/** The kind of file at `path` from its content, or null when it is none of the known kinds. */
export function sniffFile(file: string): FileKind | null {
  const { head, size } = readHead(file);
  return sniffBytes(head, size);
}

/** The same check on the first bytes (up to 64 KB) and the full size. */
export function sniffBytes(head: Buffer, size: number = head.length): FileKind | null {
  if (isGlb(head, size)) return 'glb';
  const sig = head.toString('latin1', 0, Math.min(8, head.length));
  if (sig.startsWith('GIF87a') || sig.startsWith('GIF89a')) return 'gif';
  if (head.length >= 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 0x08) return 'gzip';
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6))) return 'zip';
  if (isPly(head)) return 'ply';
  if (isObj(head)) return 'obj';
  return null;
}

/**
 * Checks that `path` is one of `kinds`; otherwise removes it and throws REMOTE ("The downloaded file is not a GLB
 * model as the Atlas service said; it was removed."). Returns the kind found.
 */
export function expectKind(file: string, kinds: FileKind | readonly FileKind[], opts: { service?: CloudServiceName; keep?: boolean } = {}): FileKind {
  const wanted = Array.isArray(kinds) ? (kinds as readonly FileKind[]) : [kinds as FileKind];
  const found = sniffFile(file);
  if (found && wanted.includes(found)) return found;
  if (!opts.keep) fs.rmSync(file, { force: true });
  const what = wanted.map((k) => KIND_LABELS[k]).join(' or ');
  // `formats` names them for a translation ("GLB/PLY"); `what` is the English phrase
  const formats = wanted.map((k) => (k === 'gzip' ? 'gzip' : k.toUpperCase())).join('/');
  const said = opts.service
    ? say(opts.keep ? 'cloud.not_kind_kept' : 'cloud.not_kind_removed', { ...serviceParams(opts.service), what, formats })
    : say(opts.keep ? 'cloud.not_kind_kept_any' : 'cloud.not_kind_removed_any', { what, formats });
  throw new AppError('REMOTE', said, {
    service: opts.service,
    expected: wanted,
    found,
  });
}
