/**
 * How a contributor job process is started and confined, per platform:
 * - Linux with bubblewrap (and user namespaces allowed): `bwrap --unshare-all --die-with-parent`, the system's
 *   /usr (and /lib*, /etc/ssl… read-only), the app's own files read-only, and the job folder the only writable
 *   place; no network, no other file of the user is visible. This fences native code too (onnxruntime).
 * - Everywhere: Node's permission model (`--experimental-permission`, reads only the app and the job folder,
 *   writes only the job folder, no child processes or workers). It fences JavaScript only: a native addon
 *   (onnxruntime, sharp) bypasses it, so without bubblewrap the safety rests on what a job may name (data only,
 *   files by hash inside its folder — job-spec.ts).
 * - Windows: a Job Object would cap memory and kill the tree; Node cannot create one without a native helper, so
 *   this build uses the permission model plus the memory/time/disk watch of job-process.ts (see README).
 * Limits everywhere: `--max-old-space-size` and a resident-memory check in the process, a deadline kill, and a
 * disk quota on the job folder (job-process.ts).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { appRoot } from '../app-paths';

export type ConfinementKind = 'bwrap' | 'node-permissions';

export interface Confinement {
  kind: ConfinementKind;
  /** Where bwrap is, when used. */
  bwrap: string | null;
  /** In words, for the status line and the README. */
  description: string;
  /** Why bubblewrap is not used (Linux), or null. */
  whyNot: string | null;
}

let cached: Confinement | null = null;

/** What this machine offers; probed once (bwrap present and allowed to make namespaces). */
export function detectConfinement(options: { platform?: NodeJS.Platform; bwrap?: string; refresh?: boolean } = {}): Confinement {
  if (cached && !options.refresh && !options.bwrap) return cached;
  const platform = options.platform ?? process.platform;
  const node = 'Node permission model (fences the job’s JavaScript only; native code such as onnxruntime is not fenced)';
  let result: Confinement;
  if (platform !== 'linux') {
    result = { kind: 'node-permissions', bwrap: null, description: node, whyNot: null };
  } else {
    const bwrap = options.bwrap ?? findOnPath('bwrap');
    if (!bwrap) {
      result = { kind: 'node-permissions', bwrap: null, description: node, whyNot: 'bubblewrap is not installed (apt-get install bubblewrap)' };
    } else {
      const probe = spawnSync(bwrap, ['--unshare-all', '--die-with-parent', '--ro-bind', '/usr', '/usr', ...libLinks(), '/usr/bin/true'], { timeout: 5000, encoding: 'utf8' });
      result =
        probe.status === 0
          ? { kind: 'bwrap', bwrap, description: 'bubblewrap: no network, only the job folder writable, the rest of the file system hidden; plus the Node permission model', whyNot: null }
          : {
              kind: 'node-permissions',
              bwrap: null,
              description: node,
              whyNot: `bubblewrap cannot create a sandbox here (${(probe.stderr || probe.error?.message || `exit ${probe.status}`).trim().split('\n')[0]}); user namespaces may be restricted`,
            };
    }
  }
  if (!options.bwrap) cached = result;
  return result;
}

function findOnPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

/** Merged-/usr systems link /lib, /lib64, /bin, /sbin into /usr; older ones have real folders (bound read-only). */
function libLinks(): string[] {
  const out: string[] = [];
  for (const d of ['/lib', '/lib64', '/lib32', '/bin', '/sbin']) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(d);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) out.push('--symlink', fs.readlinkSync(d), d);
    else if (st.isDirectory()) out.push('--ro-bind', d, d);
  }
  return out;
}

export interface JobCommandOptions {
  jobDir: string;
  memoryMb: number;
  confinement: Confinement;
  /** The node (or Electron-as-node) binary; default process.execPath. */
  execPath?: string;
  /** Override the job entry (tests). */
  entry?: { file: string; viaTsx: boolean };
  /** Extra read-only folders inside the sandbox (tests: a test's own helper). */
  readOnly?: string[];
  /** false: leave Node's permission model out (tests show what bubblewrap alone confines). Default true. */
  nodePermissions?: boolean;
}

export interface JobCommand {
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** The worker's entry: the compiled .js under dist/, or the .ts source through tsx (development and tests). */
export function jobEntry(name = 'contributor-job'): { file: string; viaTsx: boolean } {
  const root = appRoot();
  const compiled = path.join(root, 'dist', 'native-workers', `${name}.js`);
  const unpacked = compiled.replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`);
  if (!__filename.endsWith('.ts')) return { file: fs.existsSync(unpacked) ? unpacked : compiled, viaTsx: false };
  return { file: path.join(root, 'native-workers', `${name}.ts`), viaTsx: true };
}

/** The command line that starts a job process for `jobDir`, confined as `confinement` says. */
export function jobCommand(o: JobCommandOptions): JobCommand {
  const exec = o.execPath ?? process.execPath;
  const entry = o.entry ?? jobEntry();
  const root = appRoot();
  const tmp = path.join(o.jobDir, 'tmp');
  fs.mkdirSync(tmp, { recursive: true });
  const readable = [root, o.jobDir, ...(o.readOnly ?? [])];
  const permissions = o.nodePermissions !== false;
  const nodeArgs = [
    `--max-old-space-size=${Math.max(128, Math.floor(o.memoryMb / 2))}`,
    ...(permissions ? ['--experimental-permission'] : []),
    // One flag per folder, granted as `<dir>/*`: Node 20 mis-reads a comma list or a folder also listed bare.
    ...(permissions ? readable.map((p) => `--allow-fs-read=${p}/*`) : []),
    ...(permissions ? [`--allow-fs-write=${o.jobDir}/*`, '--allow-addons'] : []),
    '--no-warnings',
    // From source (development, tests) tsx compiles the entry with esbuild, a child process in a worker: allowed
    // there only. The built app runs the compiled .js, where the job may start neither.
    ...(entry.viaTsx ? [...(permissions ? ['--allow-child-process', '--allow-worker'] : []), '--require', require.resolve('tsx/cjs')] : []),
    entry.file,
    o.jobDir,
  ];
  // A plain environment: nothing of the studio's (tokens, proxies, extra CA files) reaches the job.
  const env: NodeJS.ProcessEnv = {
    PATH: '/usr/bin:/bin',
    HOME: o.jobDir,
    TMPDIR: tmp,
    LANG: 'C.UTF-8',
    ...(process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}),
    ...(process.env.SYSTEMROOT ? { SYSTEMROOT: process.env.SYSTEMROOT } : {}),
  };
  if (o.confinement.kind !== 'bwrap' || !o.confinement.bwrap) return { file: exec, args: nodeArgs, env };
  const ro = (p: string) => ['--ro-bind', p, p];
  const binds: string[] = [...ro('/usr'), ...libLinks()];
  for (const p of ['/etc/ssl', '/etc/ld.so.cache', '/etc/alternatives']) if (fs.existsSync(p)) binds.push(...ro(p));
  const execDir = path.dirname(fs.realpathSync(exec));
  if (!execDir.startsWith('/usr/')) binds.push(...ro(execDir));
  for (const p of [root, ...(o.readOnly ?? [])]) binds.push(...ro(fs.realpathSync(p)));
  // A GPU job needs the device nodes (NVIDIA: /dev/nvidia*); --dev gives a minimal /dev without them.
  const devs = fs.existsSync('/dev') ? fs.readdirSync('/dev').filter((d) => /^nvidia/.test(d) || d === 'dri').map((d) => `/dev/${d}`) : [];
  const args = [
    '--unshare-all',
    '--die-with-parent',
    // The empty /tmp comes first: bwrap mounts in order, so a later --tmpfs /tmp would hide an app or a job
    // folder that lives under /tmp (a checkout in /tmp, a portable install), and the job could not start.
    '--tmpfs', '/tmp',
    ...binds,
    '--proc', '/proc',
    '--dev', '/dev',
    ...devs.flatMap((d) => ['--dev-bind', d, d]),
    '--bind', o.jobDir, o.jobDir,
    '--chdir', o.jobDir,
    '--setenv', 'TMPDIR', tmp,
    exec,
    ...nodeArgs,
  ];
  return { file: o.confinement.bwrap, args, env };
}
