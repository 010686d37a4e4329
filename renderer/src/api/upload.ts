/**
 * Browser host only: the page cannot see file paths, so a picked or dropped file is copied into the
 * data folder with `POST /upload?name=` (raw bytes) and imported by the returned path.
 * XMLHttpRequest rather than fetch because only it reports upload progress.
 */
import { sessionBase } from './transport-ws';

export function uploadFile(file: File, onProgress?: (fraction: number | null) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${sessionBase(location.pathname)}upload?name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => onProgress?.(e.lengthComputable && e.total > 0 ? e.loaded / e.total : null);
    xhr.onload = () => {
      let body: { path?: unknown; error?: { code?: string; message?: string }; message?: unknown } | null = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* handled below */
      }
      if (xhr.status >= 200 && xhr.status < 300 && typeof body?.path === 'string') {
        resolve(body.path);
        return;
      }
      const code = body?.error?.code ?? (xhr.status === 401 || xhr.status === 403 ? 'FORBIDDEN' : xhr.status === 413 ? 'INVALID_INPUT' : 'IO_ERROR');
      const message = body?.error?.message ?? (typeof body?.message === 'string' ? body.message : `Upload failed (HTTP ${xhr.status}).`);
      reject({ code, message });
    };
    xhr.onerror = () => reject({ code: 'NETWORK', message: 'The upload could not reach the studio.' });
    xhr.send(file);
  });
}
