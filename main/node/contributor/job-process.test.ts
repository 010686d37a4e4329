/**
 * The job process for real (native-workers/contributor-job.ts, onnxruntime, sharp): confined where bubblewrap
 * works, paused with SIGSTOP, and resumed from its checkpoint files without redoing a finished input — after a
 * pause, and after SIGKILL mid-job.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FromContributorJob } from '../../../native-workers/protocol/contributor-protocol';
import { JobProcess } from './job-process';
import { detectConfinement, jobCommand, type Confinement } from './sandbox';
import { pngInputs, slowModel, specFor, tinyModel, writeJobFolder } from './testing/fixtures';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-jobproc-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const confinement = detectConfinement();
const bwrapReason = confinement.kind === 'bwrap' ? null : (confinement.whyNot ?? `not Linux (${process.platform})`);
if (bwrapReason) console.log(`job-process.test: the bubblewrap cases are skipped: ${bwrapReason}`);
const nodeOnly: Confinement = { kind: 'node-permissions', bwrap: null, description: 'test', whyNot: null };

type Msg = FromContributorJob | { type: 'probe'; read: string; list: string; net: string };

function run(dir: string, conf: Confinement, opts: { entry?: { file: string; viaTsx: boolean }; nodePermissions?: boolean; onMessage?: (m: Msg, p: JobProcess) => void } = {}) {
  const messages: Msg[] = [];
  let exit: { code: number | null; signal: string | null; stderr: string } | null = null;
  const p: JobProcess = new JobProcess(
    { jobDir: dir, command: jobCommand({ jobDir: dir, memoryMb: 2048, confinement: conf, entry: opts.entry, nodePermissions: opts.nodePermissions }), deadline: Date.now() + 120_000, diskMaxBytes: 1e9 },
    {
      onMessage: (m) => {
        messages.push(m as Msg);
        opts.onMessage?.(m as Msg, p);
      },
      onExit: (code, signal, _why, stderr) => {
        exit = { code, signal, stderr };
      },
    },
  );
  return { p, messages, exit: () => exit };
}

async function probe(conf: Confinement, nodePermissions: boolean) {
  const secretDir = path.join(root, 'elsewhere');
  fs.mkdirSync(secretDir);
  const outside = path.join(secretDir, 'secret.txt');
  fs.writeFileSync(outside, 'top secret');
  const server = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const dir = path.join(root, 'job');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'probe.json'), JSON.stringify({ outside, port: (server.address() as net.AddressInfo).port }));
  const r = run(dir, conf, { entry: { file: path.join(__dirname, 'testing', 'escape-probe.ts'), viaTsx: true }, nodePermissions });
  await r.p.exited;
  server.close();
  const m = r.messages.find((x) => x.type === 'probe') as Extract<Msg, { type: 'probe' }> | undefined;
  if (!m) throw new Error(`probe printed nothing: ${JSON.stringify(r.exit())}`);
  return { ...m, wrote: fs.existsSync(path.join(dir, 'probe-wrote.txt')) };
}

describe('confinement', () => {
  it.skipIf(bwrapReason !== null)('bubblewrap alone: the job cannot read or list a file outside its folder, nor reach the network; it writes in its folder', async () => {
    const r = await probe(confinement, false);
    expect(r.read).toBe('denied:ENOENT');
    expect(r.list).toBe('denied:ENOENT');
    expect(r.net).toMatch(/^failed:/);
    expect(r.wrote).toBe(true);
  });

  it("Node's permission model alone fences the job's JavaScript: a read outside its folder is denied", async () => {
    const r = await probe(nodeOnly, true);
    expect(r.read).toBe('denied:ERR_ACCESS_DENIED');
    expect(r.list).toBe('denied:ERR_ACCESS_DENIED');
    expect(r.wrote).toBe(true);
  });

  it('without either (the control): the same probe reads the file, so the two cases above prove something', async () => {
    const r = await probe(nodeOnly, false);
    expect(r.read).toBe('read:top secret');
  });
});

describe('a real job', () => {
  it('classifies every input into out/<index>.json in order (confined as this machine allows)', async () => {
    const model = tinyModel();
    const inputs = await pngInputs(5);
    const dir = writeJobFolder(path.join(root, 'j'), specFor(model, inputs), [model, ...inputs]);
    const r = run(dir, confinement);
    await r.p.exited;
    expect(r.exit()).toMatchObject({ code: 0 });
    expect(r.messages.map((m) => m.type)).toContain('done');
    const out = inputs.map((_, i) => JSON.parse(fs.readFileSync(path.join(dir, 'out', `${i}.json`), 'utf8')) as { input: string; output: { top: Array<{ label: string }> } });
    expect(out.map((o) => o.input)).toEqual(inputs.map((i) => i.sha256));
    expect(out[0]!.output.top.map((t) => t.label).sort()).toEqual(['plain', 'red']);
  });

  async function slowJob(n: number) {
    const model = slowModel();
    const inputs = await pngInputs(n);
    return writeJobFolder(path.join(root, 'slow'), specFor(model, inputs, { inputSize: [96, 96], labels: ['a', 'b'], batchSize: 1 }), [model, ...inputs]);
  }

  const snapshot = (dir: string) =>
    new Map(fs.readdirSync(path.join(dir, 'out')).filter((f) => f.endsWith('.json')).map((f) => [f, fs.statSync(path.join(dir, 'out', f)).mtimeMs + ':' + fs.statSync(path.join(dir, 'out', f)).ino] as const));

  it('paused with SIGSTOP it makes no progress; continued it goes on; a new process after a kill skips what is done and never rewrites it', async () => {
    const n = 120;
    const dir = await slowJob(n);
    let pausedAt = -1;
    const r = run(dir, confinement, {
      onMessage: (m, p) => {
        if (m.type === 'progress' && m.done >= 3 && pausedAt < 0) {
          expect(p.pause()).toBe(true);
          pausedAt = m.done;
        }
      },
    });
    while (pausedAt < 0 && !r.exit()) await new Promise((res) => setTimeout(res, 20));
    expect(pausedAt).toBeGreaterThan(0);
    // Stopped: the process state is T and the checkpoint does not grow.
    if (process.platform === 'linux') {
      // SIGSTOP is delivered asynchronously: on a loaded machine /proc may still say R for a moment
      const stateOf = () => fs.readFileSync(`/proc/${r.p.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[0];
      const until = Date.now() + 2000;
      while (stateOf() !== 'T' && Date.now() < until) await new Promise((res) => setTimeout(res, 10));
      expect(stateOf()).toBe('T');
    }
    const before = snapshot(dir);
    await new Promise((res) => setTimeout(res, 300));
    expect(snapshot(dir)).toEqual(before);
    r.p.resume();
    // Let it work on a little, then end it the hard way (what a crash or a reboot does).
    const grow = Date.now();
    while (snapshot(dir).size < before.size + 3 && Date.now() - grow < 30_000) await new Promise((res) => setTimeout(res, 20));
    process.kill(-r.p.pid!, 'SIGKILL');
    await r.p.exited;
    const kept = snapshot(dir);
    expect(kept.size).toBeGreaterThan(before.size);
    expect(kept.size).toBeLessThan(n);

    const again = run(dir, confinement);
    await again.p.exited;
    expect(again.exit()).toMatchObject({ code: 0 });
    const ready = again.messages.find((m) => m.type === 'ready') as Extract<FromContributorJob, { type: 'ready' }>;
    expect(ready.skipped).toBe(kept.size);
    const after = snapshot(dir);
    expect(after.size).toBe(n);
    // Every input finished before the kill is the same file, untouched.
    for (const [f, stamp] of kept) expect(after.get(f)).toBe(stamp);
  }, 120_000);
});
