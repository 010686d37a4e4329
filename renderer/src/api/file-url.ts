/**
 * URL of a file inside the data folder (`rel` as the services return it, e.g. `media.poster`).
 * Electron serves the data folder on the app's own protocol; the browser host under /files/.
 */
export function fileUrl(rel: string, protocol: string = globalThis.location?.protocol ?? 'http:'): string {
  const clean = rel.replace(/\\/g, '/').replace(/^\/+/, '');
  const encoded = clean.split('/').map(encodeURIComponent).join('/');
  return protocol === 'kraken:' ? `kraken://files/${encoded}` : `/files/${encoded}`;
}
