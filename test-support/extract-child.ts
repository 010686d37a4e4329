/**
 * Test helper process: opens a core on a data folder, starts an extraction and prints progress
 * lines, so a test can kill it mid-run like a crash.
 * argv: <dataDir> <video> <fps>
 */
import { createCore } from '../main/node/core';

const [dataDir, video, fps] = process.argv.slice(2) as [string, string, string];
void (async () => {
  const core = createCore({ dataDir, shell: 'cli' });
  const project = core.projects.create({ name: 'crash test' });
  const imported = await core.media.importPaths(project.id, [video]);
  const media = imported.imported[0]!;
  core.bus.on('job.progress', (p) => process.stdout.write(`progress ${p.done ?? 0}\n`));
  const started = await core.frames.startExtraction(project.id, media.id, { mode: { kind: 'fps', fps: Number(fps) }, format: 'jpg', quality: 80 });
  process.stdout.write(`started ${started.jobId} ${started.frameSetId}\n`);
})();
