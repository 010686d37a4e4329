/** Finds a worker entry: the compiled .js next to dist/, or the .ts source (run through tsx) in development and tests. */
import fs from 'node:fs';
import path from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { appRoot } from '../app-paths';

/** Starts `native-workers/<name>` as a worker thread. */
export function startWorker(name: string, options: WorkerOptions = {}): Worker {
  const root = appRoot();
  const fromSource = __filename.endsWith('.ts');
  const compiled = path.join(root, 'dist', 'native-workers', `${name}.js`);
  const unpacked = compiled.replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`);
  if (!fromSource) return new Worker(fs.existsSync(unpacked) ? unpacked : compiled, options);
  // Tests and `tsx` runs load the TypeScript source through tsx's CommonJS hook inside the worker.
  const source = path.join(root, 'native-workers', `${name}.ts`);
  const boot = `require('tsx/cjs'); require(${JSON.stringify(source)});`;
  return new Worker(boot, { ...options, eval: true });
}
