/**
 * Names that arrive from a page, an upload or an archive and become one file name on disk: the last path part
 * only, characters no file system takes replaced, invisible reordering characters dropped (so "photo\u202Egpj.exe"
 * cannot pass for "photoexe.jpg"), and a length cut on code points within the UTF-8 bytes a file system allows.
 */
import { isUnsafeNameCodePoint } from '../../common/contract/define';

/** Linux and macOS allow 255 bytes per name; Windows 255 UTF-16 units, which a 255-byte UTF-8 name never exceeds. */
export const NAME_MAX_BYTES = 255;

/**
 * Room left for what callers add to a name (`.partial`, `-1`, a temp prefix): names are cut to this many UTF-8
 * bytes by default so that the temporary sibling of a maximal name still fits in NAME_MAX_BYTES.
 */
export const DEFAULT_MAX_BYTES = 200;

// Windows opens a device instead of a file for these, with any extension ("con.txt").
const WINDOWS_DEVICES = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\.|$)/i;

/**
 * One safe file name from `name` (which may be a whole path: only its last part is kept). Keeps letters in
 * any script and emoji; NUL and bidirectional controls are dropped; other control characters and `<>:"|?*`
 * become `_`; leading dots go (no hidden files), trailing dots and spaces go (Windows drops them); the
 * extension survives a cut. Never empty: `upload.bin` when nothing is left.
 */
export function sanitizeFileName(name: string, options: { maxBytes?: number; fallback?: string } = {}): string {
  const maxBytes = Math.min(NAME_MAX_BYTES, options.maxBytes ?? DEFAULT_MAX_BYTES);
  const fallback = options.fallback ?? 'upload.bin';
  const base = String(name).split(/[\\/]/).pop() ?? '';
  let cleaned = '';
  for (const ch of base) {
    const cp = ch.codePointAt(0)!;
    if (isUnsafeNameCodePoint(cp)) continue;
    // Lone surrogates cannot be written as UTF-8: the OS would store U+FFFD instead.
    cleaned += cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0xd800 && cp <= 0xdfff) || '<>:"|?*'.includes(ch) ? '_' : ch;
  }
  cleaned = cleaned.replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  if (WINDOWS_DEVICES.test(cleaned)) cleaned = `_${cleaned}`;
  if (!cleaned) return fallback;
  return cutToBytes(cleaned, maxBytes);
}

/** `name` cut to at most `maxBytes` UTF-8 bytes on code point boundaries, keeping a short extension whole. */
export function cutToBytes(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name, 'utf8') <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && Buffer.byteLength(name.slice(dot), 'utf8') <= 16 ? name.slice(dot) : '';
  const room = maxBytes - Buffer.byteLength(ext, 'utf8');
  let out = '';
  let bytes = 0;
  for (const ch of ext ? name.slice(0, dot) : name) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > room) break;
    out += ch;
    bytes += n;
  }
  const stem = out.replace(/[.\s]+$/, '');
  return stem ? stem + ext : ext.slice(1);
}

/**
 * A name for a line of text output: JSON string escaping (quotes, backslash, newline, every control
 * character) plus bidirectional controls as `\uXXXX`, so a file name can neither end a line nor reorder it.
 */
export function quoteName(name: string): string {
  let out = '';
  for (const ch of JSON.stringify(name)) {
    const cp = ch.codePointAt(0)!;
    out += (cp >= 0x7f && cp <= 0x9f) || isUnsafeNameCodePoint(cp) || cp === 0x2028 || cp === 0x2029 ? `\\u${cp.toString(16).padStart(4, '0')}` : ch;
  }
  return out;
}

/**
 * Free text (an error message, a label) for one line of text output: newlines, other control characters and
 * bidirectional controls written as escapes (`\n`, `\u202e`), everything else as it is.
 */
export function escapeLine(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0x0a) out += '\\n';
    else if (cp === 0x0d) out += '\\r';
    else if (cp === 0x09) out += '\\t';
    else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || isUnsafeNameCodePoint(cp) || cp === 0x2028 || cp === 0x2029) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}
