/**
 * Cloud upload: a 200 MB file (generated in a temp folder) sent to the local Atlas emulator's gs3d create endpoint
 * (`POST /atlas/item/gs3d`, multipart `itemName`, `Epoch`, `Payload`) through the studio's `uploadMultipart`,
 * versus `curl -F` to the same endpoint in the same run. Rounds alternate which goes first; medians are compared.
 * The emulator runs in its own process (`emulators/atlas/main.ts`), so its work is not counted in the studio's
 * memory; the studio's peak RSS growth during each upload is sampled in this process (RSS every 5 ms and VmHWM).
 *
 *   npm run bench -- cloud            (node --import tsx bench/cloud.bench.ts [--rounds 5] [--mb 200])
 *
 * Writes bench/results/cloud.json. Targets: throughput ratio (studio / curl) ≥ 0.9, RSS growth < 50 MB.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEMO_EMAIL, DEMO_PASSWORD } from '../emulators/atlas/main';
import { HttpClient, type AuthProvider } from '../main/node/cloud/http-client';
import { planMultipart, uploadMultipart } from '../main/node/cloud/upload';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, mb: { type: 'string', default: '200' } } });
const ROUNDS = Number(values.rounds);
const SIZE = Number(values.mb) * 1_000_000;
const root = path.resolve(__dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-bench-cloud-'));
const log = (s: string) => process.stdout.write(s + '\n');
const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function makeFile(file: string, bytes: number): void {
  const fd = fs.openSync(file, 'w');
  const block = randomBytes(1 << 20);
  for (let left = bytes; left > 0; left -= block.length) fs.writeSync(fd, block, 0, Math.min(block.length, left));
  fs.closeSync(fd);
}

/** Starts the emulator in a child process and reads the URL line it prints first. */
function startEmulator(): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'emulators/atlas/main.ts'), '--demo', '--quiet', '--no-input-limits', '--processing-ms', '0'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve({ url: m[1]!, child });
    });
    child.stderr!.on('data', (d) => (err += String(d)));
    child.on('exit', (code) => reject(new Error(`the emulator exited (${code}): ${err.slice(-500)}`)));
  });
}

function vmHwmBytes(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

interface Run {
  seconds: number;
  /** user + system CPU time the uploader spent (robust when the machine is shared). */
  cpuSeconds: number;
  bytes: number;
  rssGrowthBytes?: number;
}

async function main() {
  const loadAtStart = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const file = path.join(work, 'capture.mp4');
  makeFile(file, SIZE);
  log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 1048576)} MB, node ${process.version}, load ${loadAtStart.join(' ')}`);
  log(`file: ${(SIZE / 1e6).toFixed(0)} MB of random bytes`);

  const { url, child } = await startEmulator();
  log(`endpoint: the local Atlas emulator (emulators/atlas, own process) at ${url}, POST /atlas/item/gs3d`);
  try {
    // The demo account of `npm run cloud -- --demo` (created just after the URL line): a throwaway emulator's token.
    let accessToken = '';
    for (let tries = 0; !accessToken; tries++) {
      const signIn = await fetch(`${url}/atlas/auth/sign-In`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: DEMO_EMAIL, password: DEMO_PASSWORD }) });
      if (signIn.status === 201 || signIn.status === 200) accessToken = ((await signIn.json()) as { accessToken: string }).accessToken;
      else if (tries > 50) throw new Error(`sign-in answered ${signIn.status}: ${await signIn.text()}`);
      else await new Promise((r) => setTimeout(r, 100));
    }
    const auth: AuthProvider = { header: async () => `Bearer ${accessToken}`, refresh: async () => false };
    // curl reads the header from a 0600 file, so the token is not in its argv.
    const headerFile = path.join(work, 'auth-header');
    fs.writeFileSync(headerFile, `Authorization: Bearer ${accessToken}\n`, { mode: 0o600 });

    const client = new HttpClient({ service: 'atlas', baseUrl: url, timeoutMs: 120_000 });
    const Created = z.object({ requestId: z.string() });
    const fields = { itemName: 'bench', Epoch: '10' };
    const files = [{ field: 'Payload', path: file, contentType: 'video/mp4' }];
    const plan = await planMultipart(fields, files);

    // The emulator writes each upload to disk: flush that before the next one, so neither side pays for the other's.
    const settle = async () => {
      spawnSync('sync');
      await new Promise((r) => setTimeout(r, 300));
    };
    const studio = async (): Promise<Run> => {
      await settle();
      const before = process.memoryUsage.rss();
      const hwmBefore = vmHwmBytes();
      let peak = before;
      const poll = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
      const cpu0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      await uploadMultipart(client, { path: '/atlas/item/gs3d', fields, files, auth, schema: Created, onProgress: () => undefined });
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const cpu = process.cpuUsage(cpu0);
      clearInterval(poll);
      peak = Math.max(peak, process.memoryUsage.rss());
      const hwm = vmHwmBytes();
      if (hwm > hwmBefore) peak = Math.max(peak, hwm);
      return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, bytes: plan.length, rssGrowthBytes: Math.max(0, peak - before) };
    };
    const curl = async (): Promise<Run> => {
      await settle();
      const t0 = process.hrtime.bigint();
      const r = spawnSync(
        '/usr/bin/time',
        ['-f', 'cpu %U %S', 'curl', '-sS', '-o', '/dev/null', '-w', '%{http_code} %{size_upload}', '-H', `@${headerFile}`, '-F', 'itemName=bench', '-F', 'Epoch=10', '-F', `Payload=@${file};type=video/mp4`, `${url}/atlas/item/gs3d`],
        { encoding: 'utf8' },
      );
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const [code, size] = r.stdout.trim().split(' ');
      if (r.status !== 0 || code !== '201') throw new Error(`curl: exit ${r.status}, HTTP ${code}: ${r.stderr}`);
      const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
      return { seconds, cpuSeconds: m ? Number(m[1]) + Number(m[2]) : NaN, bytes: Number(size) };
    };

    // Warm-up: modules, JIT, the emulator's first write (not measured).
    await studio();
    await curl();
    global.gc?.();

    const s: Run[] = [];
    const c: Run[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      if (r % 2 === 0) {
        s.push(await studio());
        c.push(await curl());
      } else {
        c.push(await curl());
        s.push(await studio());
      }
      const a = s.at(-1)!;
      const b = c.at(-1)!;
      log(`round ${r + 1}: studio ${a.seconds.toFixed(2)} s (cpu ${a.cpuSeconds.toFixed(2)} s), curl ${b.seconds.toFixed(2)} s (cpu ${b.cpuSeconds.toFixed(2)} s), studio RSS growth ${mb(a.rssGrowthBytes!)} MB`);
    }
    const sMed = median(s.map((x) => x.seconds));
    const cMed = median(c.map((x) => x.seconds));
    const studioMBps = plan.length / 1e6 / sMed;
    const curlMBps = median(c.map((x) => x.bytes)) / 1e6 / cMed;
    // Each round's pair ran back to back, so its ratio is the least disturbed by a busy shared machine.
    const paired = s.map((x, i) => x.bytes / x.seconds / (c[i]!.bytes / c[i]!.seconds));
    const ratio = Math.round(median(paired) * 1000) / 1000;
    const ratioOfMedians = Math.round((studioMBps / curlMBps) * 1000) / 1000;
    const rssGrowth = Math.max(...s.map((x) => x.rssGrowthBytes!));
    const sCpu = median(s.map((x) => x.cpuSeconds));
    const cCpu = median(c.map((x) => x.cpuSeconds));
    log('');
    log(`studio uploadMultipart: median ${sMed.toFixed(2)} s, ${studioMBps.toFixed(1)} MB/s`);
    log(`curl -F:                median ${cMed.toFixed(2)} s, ${curlMBps.toFixed(1)} MB/s`);
    log(`throughput ratio (studio / curl): ${ratio.toFixed(3)} median of the rounds' pairs [${paired.map((r) => r.toFixed(2)).join(', ')}]; of the medians ${ratioOfMedians.toFixed(3)} (target ≥ 0.9)`);
    log(`CPU per upload (user+sys, median): studio ${sCpu.toFixed(2)} s, curl ${cCpu.toFixed(2)} s (curl/studio ${(cCpu / sCpu).toFixed(2)})`);
    log(`studio peak RSS growth during an upload: ${mb(rssGrowth)} MB (target < 50 MB)`);
    if (loadAtStart[0]! > os.cpus().length) log(`note: load average ${loadAtStart[0]} on ${os.cpus().length} CPUs — wall-clock ratios on a shared machine swing; the CPU figures hold better`);

    const result = {
      benchmark: 'cloud',
      date: new Date().toISOString(),
      command: `npm run bench -- cloud (node --import tsx bench/cloud.bench.ts --rounds ${ROUNDS} --mb ${values.mb})`,
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'cpu', memMB: Math.round(os.totalmem() / 1048576), platform: `${process.platform}-${process.arch}`, node: process.version, loadAtStart },
      endpoint: 'local Atlas emulator (emulators/atlas/main.ts in its own process), POST /atlas/item/gs3d: itemName, Epoch, Payload',
      fileBytes: SIZE,
      multipartBytes: plan.length,
      rounds: ROUNDS,
      studio: {
        tool: 'uploadMultipart (main/node/cloud/upload.ts)',
        seconds: s.map((x) => Math.round(x.seconds * 1000) / 1000),
        medianSeconds: Math.round(sMed * 1000) / 1000,
        MBps: Math.round(studioMBps * 10) / 10,
        cpuSeconds: s.map((x) => Math.round(x.cpuSeconds * 1000) / 1000),
        medianCpuSeconds: Math.round(sCpu * 1000) / 1000,
      },
      curl: {
        tool: spawnSync('curl', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0],
        args: 'curl -sS -o /dev/null -H @<header file> -F itemName=bench -F Epoch=10 -F Payload=@<file>;type=video/mp4 <url>/atlas/item/gs3d',
        seconds: c.map((x) => Math.round(x.seconds * 1000) / 1000),
        medianSeconds: Math.round(cMed * 1000) / 1000,
        MBps: Math.round(curlMBps * 10) / 10,
        cpuSeconds: c.map((x) => Math.round(x.cpuSeconds * 1000) / 1000),
        medianCpuSeconds: Math.round(cCpu * 1000) / 1000,
      },
      ratio,
      ratioPerRound: paired.map((r) => Math.round(r * 1000) / 1000),
      ratioOfMedians,
      ratioTarget: 0.9,
      studioPeakRssGrowthMB: mb(rssGrowth),
      studioRssGrowthMBPerRound: s.map((x) => mb(x.rssGrowthBytes!)),
      rssTargetMB: 50,
    };
    fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
    fs.writeFileSync(path.join(root, 'bench/results/cloud.json'), JSON.stringify(result, null, 2) + '\n');
    log(`\nwrote bench/results/cloud.json`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  fs.rmSync(work, { recursive: true, force: true });
  process.exit(1);
});
