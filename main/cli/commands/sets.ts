/**
 * `kraken sets [--project <id>] [--json] [--data-dir <dir>]` — the studio's frame sets with their ids, so that
 * `kraken infer --frame-set <id>` can be given one. Reads SQLite only (no model runtime is loaded).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../../node/app-paths';
import { RunStore } from '../../node/inference/run-store';
import { ProjectService } from '../../node/projects/project-service';
import { openDatabase } from '../../node/store/database';
import { UsageError, wantsHelp, type CliIo } from '../cli-io';

const USAGE = 'usage: kraken sets [--project <id>] [--json] [--data-dir <dir>]';
const HELP = `${USAGE}

The studio's frame sets: their ids (for \`kraken infer --frame-set <id>\`), project, number of images,
how many have model results, extraction status and source video.
  --project <id>   only this project's sets
  --json           as JSON
  --data-dir <dir> the studio's data folder (default: KRAKEN_DATA_DIR or the app's data folder)`;

/** Runs `kraken sets`; returns the exit code. */
export async function runSets(argv: string[], io: CliIo): Promise<number> {
  if (wantsHelp(argv)) {
    io.out(HELP);
    return 0;
  }
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { project: { type: 'string' }, json: { type: 'boolean', default: false }, 'data-dir': { type: 'string' } },
  });
  if (positionals.length > 0) throw new UsageError(USAGE);
  const projectId = values.project === undefined ? undefined : Number(values.project);
  if (projectId !== undefined && !(Number.isInteger(projectId) && projectId >= 1)) throw new UsageError(`--project takes a project id (a number). ${USAGE}`);
  const dataDir = values['data-dir'] ? path.resolve(values['data-dir']) : defaultDataDir(io.env);
  const db = openDatabase(path.join(dataDir, 'studio.db'));
  try {
    if (projectId !== undefined) new ProjectService(db, dataDir).get(projectId);
    const sets = new RunStore(db).frameSets(projectId);
    if (values.json) {
      io.out(JSON.stringify({ dataDir, sets }, null, 2));
    } else if (sets.length === 0) {
      io.out(`No frame sets in ${dataDir}${projectId === undefined ? '' : ` for project ${projectId}`}: extract frames from a video in the studio first.`);
    } else {
      io.out(`${'set'.padStart(5)}  ${'project'.padEnd(24)} ${'images'.padStart(7)} ${'results'.padStart(8)}  status    video`);
      for (const s of sets) {
        const project = `${s.projectId} ${s.projectName}`.slice(0, 24);
        io.out(`${String(s.id).padStart(5)}  ${project.padEnd(24)} ${String(s.images).padStart(7)} ${String(s.withResults).padStart(8)}  ${s.status.padEnd(9)} ${s.mediaName ?? ''}`);
      }
    }
    return 0;
  } finally {
    db.close();
  }
}
