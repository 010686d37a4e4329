/**
 * What GPUs the machine has, read the cheapest honest way per platform: nvidia-smi when present,
 * /proc/driver/nvidia and lspci on Linux, system_profiler on macOS, WMI on Windows. Every probe is
 * optional and time-limited; a machine without any of them gets an empty list and a reason.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { GpuInfo } from '../../common/contract/inference';

export interface GpuProbe {
  gpus: GpuInfo[];
  /** Why the list may be incomplete (no tool found), or null. */
  problem: string | null;
}

type Run = (file: string, args: string[]) => Promise<string | null>;

const runTool: Run = (file, args) =>
  new Promise((resolve) => {
    execFile(file, args, { timeout: 4000, windowsHide: true, maxBuffer: 4 << 20 }, (err, stdout) => resolve(err ? null : String(stdout)));
  });

/** Reads the GPUs of this machine. `run` and `procRoot` are injectable for tests. */
export async function probeGpus(options: { platform?: NodeJS.Platform; run?: Run; procRoot?: string } = {}): Promise<GpuProbe> {
  const platform = options.platform ?? process.platform;
  const run = options.run ?? runTool;
  const problems: string[] = [];

  const smi = await run(platform === 'win32' ? 'nvidia-smi.exe' : 'nvidia-smi', [
    '--query-gpu=name,memory.total,driver_version',
    '--format=csv,noheader,nounits',
  ]);
  const nvidia = smi ? parseNvidiaSmi(smi) : [];
  if (!smi) problems.push('nvidia-smi is not installed or found no NVIDIA GPU');

  const others: GpuInfo[] = [];
  if (platform === 'linux') {
    if (nvidia.length === 0) others.push(...readProcNvidia(options.procRoot ?? '/proc'));
    const lspci = await run('lspci', ['-mm']);
    if (lspci) others.push(...parseLspci(lspci));
    else problems.push('lspci is not available');
  } else if (platform === 'darwin') {
    const out = await run('system_profiler', ['SPDisplaysDataType', '-json']);
    if (out) others.push(...parseSystemProfiler(out));
    else problems.push('system_profiler did not answer');
  } else if (platform === 'win32') {
    const out = await run('powershell.exe', [
      '-NoProfile',
      '-Command',
      'Get-CimInstance Win32_VideoController | Select-Object Name,AdapterRAM,DriverVersion | ConvertTo-Json',
    ]);
    if (out) others.push(...parseWmi(out));
    else problems.push('WMI did not answer');
  }
  const gpus = mergeGpus(nvidia, others);
  return { gpus, problem: gpus.length === 0 ? problems.join('; ') || 'no probe answered' : null };
}

/** `nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader,nounits` */
export function parseNvidiaSmi(text: string): GpuInfo[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const [name = 'NVIDIA GPU', mem, driver] = line.split(',').map((s) => s.trim());
      const memoryMiB = mem && /^\d+(\.\d+)?$/.test(mem) ? Number(mem) : null;
      return { name, vendor: 'nvidia' as const, memoryMiB, driver: driver || null, source: 'nvidia-smi' };
    });
}

/** /proc/driver/nvidia/gpus/<bus>/information (present when the NVIDIA kernel driver is loaded). */
export function readProcNvidia(procRoot: string): GpuInfo[] {
  const dir = path.join(procRoot, 'driver', 'nvidia', 'gpus');
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return [];
  }
  let driver: string | null = null;
  try {
    const v = fs.readFileSync(path.join(procRoot, 'driver', 'nvidia', 'version'), 'utf8');
    driver = /Kernel Module\s+([\d.]+)/.exec(v)?.[1] ?? null;
  } catch {
    /* the version file is optional */
  }
  const out: GpuInfo[] = [];
  for (const bus of entries) {
    try {
      const info = fs.readFileSync(path.join(dir, bus, 'information'), 'utf8');
      const model = /^Model:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? 'NVIDIA GPU';
      out.push({ name: model, vendor: 'nvidia', memoryMiB: null, driver, source: '/proc' });
    } catch {
      /* unreadable entry: skip it */
    }
  }
  return out;
}

/** `lspci -mm`: display controllers only. */
export function parseLspci(text: string): GpuInfo[] {
  const out: GpuInfo[] = [];
  for (const line of text.split(/\r?\n/)) {
    const fields = [...line.matchAll(/"([^"]*)"/g)].map((m) => m[1] ?? '');
    const [cls, vendorName, device] = fields;
    if (!cls || !/VGA|3D controller|Display controller/i.test(cls)) continue;
    out.push({ name: `${vendorName} ${device}`.trim(), vendor: vendorOf(vendorName ?? ''), memoryMiB: null, driver: null, source: 'lspci' });
  }
  return out;
}

export function parseSystemProfiler(json: string): GpuInfo[] {
  try {
    const data = JSON.parse(json) as { SPDisplaysDataType?: Array<Record<string, string>> };
    return (data.SPDisplaysDataType ?? []).map((d) => {
      const name = d.sppci_model ?? d._name ?? 'GPU';
      const vram = d.spdisplays_vram ?? d.spdisplays_vram_shared ?? '';
      const gb = /([\d.]+)\s*GB/i.exec(vram);
      const mb = /([\d.]+)\s*MB/i.exec(vram);
      const memoryMiB = gb ? Number(gb[1]) * 1024 : mb ? Number(mb[1]) : null;
      return { name, vendor: vendorOf(`${d.spdisplays_vendor ?? ''} ${name}`), memoryMiB, driver: null, source: 'system_profiler' };
    });
  } catch {
    return [];
  }
}

export function parseWmi(json: string): GpuInfo[] {
  try {
    const data = JSON.parse(json) as unknown;
    const list = (Array.isArray(data) ? data : [data]) as Array<{ Name?: string; AdapterRAM?: number; DriverVersion?: string }>;
    return list
      .filter((d) => d && d.Name)
      .map((d) => ({
        name: d.Name!,
        vendor: vendorOf(d.Name!),
        // AdapterRAM is a 32-bit field: it saturates at 4 GiB, so it is a lower bound only.
        memoryMiB: typeof d.AdapterRAM === 'number' && d.AdapterRAM > 0 ? Math.round(d.AdapterRAM / 1048576) : null,
        driver: d.DriverVersion ?? null,
        source: 'wmi',
      }));
  } catch {
    return [];
  }
}

function vendorOf(text: string): GpuInfo['vendor'] {
  if (/nvidia/i.test(text)) return 'nvidia';
  if (/\bamd\b|advanced micro|ati\b|radeon/i.test(text)) return 'amd';
  if (/intel/i.test(text)) return 'intel';
  if (/apple/i.test(text)) return 'apple';
  if (/microsoft|basic display/i.test(text)) return 'microsoft';
  return 'other';
}

/** nvidia-smi's figures win over lspci's line for the same card. */
function mergeGpus(nvidia: GpuInfo[], others: GpuInfo[]): GpuInfo[] {
  const out = [...nvidia];
  let nvidiaSeen = nvidia.length;
  for (const g of others) {
    if (g.vendor === 'nvidia' && nvidiaSeen > 0) {
      nvidiaSeen--;
      continue;
    }
    if (g.vendor === 'nvidia' && g.source === 'lspci' && out.some((o) => o.vendor === 'nvidia' && o.source === '/proc')) continue;
    out.push(g);
  }
  return out;
}

/** GPU utilisation and memory in use, sampled once (for benchmarks on NVIDIA machines). */
export async function sampleNvidiaUtilisation(run: Run = runTool): Promise<{ utilisation: number; memoryUsedMiB: number } | null> {
  const out = await run('nvidia-smi', ['--query-gpu=utilization.gpu,memory.used', '--format=csv,noheader,nounits']);
  const first = out?.split(/\r?\n/)[0];
  if (!first) return null;
  const [u, m] = first.split(',').map((s) => Number(s.trim()));
  return Number.isFinite(u) && Number.isFinite(m) ? { utilisation: u!, memoryUsedMiB: m! } : null;
}
