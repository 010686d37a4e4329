/**
 * Other processes on the GPU, per process, from `nvidia-smi --query-compute-apps` (NVIDIA only; graphics-only
 * users such as a game's renderer are listed by `--query-compute-apps` only when they use CUDA/compute, which is
 * what a contributor job competes with). Elsewhere the source says plainly that it cannot see them.
 */
import { execFile } from 'node:child_process';
import type { GpuProcess, GpuProcesses } from '../policy';
import type { GpuProcessSource } from './types';

/** Parses `pid, process_name, used_memory` CSV lines (`used_memory` as `123 MiB` or `[N/A]`). */
export function parseComputeApps(stdout: string): GpuProcess[] {
  const out: GpuProcess[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const parts = line.split(',').map((s) => s.trim());
    if (parts.length < 2) continue;
    const pid = Number(parts[0]);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    // A process name may itself contain commas; the memory is the last field.
    const mem = parts.length >= 3 ? parts[parts.length - 1]! : '';
    const name = parts.slice(1, parts.length >= 3 ? -1 : undefined).join(', ');
    const mb = /^(\d+(?:\.\d+)?)\s*MiB$/i.exec(mem);
    out.push({ pid, name, usedMemoryMb: mb ? Number(mb[1]) : null });
  }
  return out;
}

export type ExecLike = (file: string, args: string[], opts: { timeout: number }) => Promise<{ stdout: string }>;

const defaultExec: ExecLike = (file, args, opts) =>
  new Promise((resolve, reject) => {
    execFile(file, args, { timeout: opts.timeout, windowsHide: true }, (err, stdout) => (err ? reject(err) : resolve({ stdout: String(stdout) })));
  });

export class NvidiaSmiSource implements GpuProcessSource {
  private missing: string | null = null;

  constructor(
    private readonly exec: ExecLike = defaultExec,
    private readonly binary = 'nvidia-smi',
  ) {}

  async list(): Promise<GpuProcesses> {
    if (this.missing) return { available: false, why: this.missing };
    try {
      const { stdout } = await this.exec(this.binary, ['--query-compute-apps=pid,process_name,used_memory', '--format=csv,noheader'], { timeout: 5000 });
      return { available: true, processes: parseComputeApps(stdout) };
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ENOENT') {
        // Asked once: a machine without the NVIDIA driver will not grow one while the agent runs.
        this.missing = 'nvidia-smi is not installed here, so other programs using the GPU cannot be seen (NVIDIA drivers only); the other rules still apply';
        return { available: false, why: this.missing };
      }
      return { available: false, why: `nvidia-smi failed: ${(e.message ?? String(err)).split('\n')[0]!.slice(0, 200)}` };
    }
  }
}
