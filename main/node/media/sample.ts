/** The bundled sample video that lets a first-time user try the studio with no file of their own. */
import fs from 'node:fs';
import path from 'node:path';
import { appRoot } from '../app-paths';

export const SAMPLE_RELATIVE = path.join('resources', 'sample', 'sample.mp4');

/** Absolute path of the sample, or null when it has not been generated (run `node scripts/make-sample.mjs`). */
export function samplePath(): string | null {
  const candidates = [
    process.env.KRAKEN_SAMPLE,
    // Packaged app: resources/ is copied next to app.asar (extraResources).
    (process as { resourcesPath?: string }).resourcesPath ? path.join((process as { resourcesPath?: string }).resourcesPath!, 'sample', 'sample.mp4') : undefined,
    path.join(appRoot(), SAMPLE_RELATIVE),
  ];
  for (const c of candidates) if (c && fs.existsSync(c)) return c;
  return null;
}
