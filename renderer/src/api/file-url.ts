import { snapThumbWidth } from '../../../main/common/thumb-widths';
import { sessionBase } from './transport-ws';

export interface FileUrlOptions {
  /** Ask for a cached JPEG thumbnail about this many pixels wide (snapped to the sizes the studio makes). */
  thumb?: number;
  /** The page's protocol; read from the location by default. */
  protocol?: string;
}

/**
 * URL of a file inside the data folder (`rel` as the services return it, e.g. `media.poster`).
 * Electron serves the data folder on the app's own protocol; the browser host under /files/.
 */
export function fileUrl(rel: string, options: FileUrlOptions = {}): string {
  const protocol = options.protocol ?? globalThis.location?.protocol ?? 'http:';
  const clean = rel.replace(/\\/g, '/').replace(/^\/+/, '');
  const encoded = clean.split('/').map(encodeURIComponent).join('/');
  const query = options.thumb ? `?thumb=${snapThumbWidth(options.thumb)}` : '';
  return protocol === 'kraken:' ? `kraken://files/${encoded}${query}` : `${sessionBase(globalThis.location?.pathname)}files/${encoded}${query}`;
}

/** Thumbnail width for a tile `cssWidth` CSS pixels wide on this screen (device pixels, snapped). */
export function thumbWidthFor(cssWidth: number, devicePixelRatio: number = globalThis.devicePixelRatio || 1): number {
  return snapThumbWidth(Math.ceil(cssWidth * devicePixelRatio));
}
