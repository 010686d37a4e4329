import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLspci, parseNvidiaSmi, parseSystemProfiler, parseWmi, probeGpus, readProcNvidia } from './gpu-info';

describe('GPU probes', () => {
  it('parses nvidia-smi CSV', () => {
    expect(parseNvidiaSmi('NVIDIA H100 80GB HBM3, 81559, 550.90.07\nNVIDIA GeForce RTX 3060, 12288, 550.90.07\n')).toEqual([
      { name: 'NVIDIA H100 80GB HBM3', vendor: 'nvidia', memoryMiB: 81559, driver: '550.90.07', source: 'nvidia-smi' },
      { name: 'NVIDIA GeForce RTX 3060', vendor: 'nvidia', memoryMiB: 12288, driver: '550.90.07', source: 'nvidia-smi' },
    ]);
  });

  it('parses lspci -mm display controllers only', () => {
    const text = [
      '00:00.0 "Host bridge" "Intel Corporation" "Device 3e30" -r0d "" ""',
      '00:02.0 "VGA compatible controller" "Intel Corporation" "UHD Graphics 630" -r02 "" ""',
      '01:00.0 "3D controller" "NVIDIA Corporation" "GA106M [GeForce RTX 3060 Mobile]" -ra1 "" ""',
    ].join('\n');
    expect(parseLspci(text).map((g) => [g.vendor, g.name])).toEqual([
      ['intel', 'Intel Corporation UHD Graphics 630'],
      ['nvidia', 'NVIDIA Corporation GA106M [GeForce RTX 3060 Mobile]'],
    ]);
  });

  it('reads /proc/driver/nvidia', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'proc-'));
    fs.mkdirSync(path.join(root, 'driver/nvidia/gpus/0000:01:00.0'), { recursive: true });
    fs.writeFileSync(path.join(root, 'driver/nvidia/gpus/0000:01:00.0/information'), 'Model: \t\t NVIDIA GeForce RTX 4090\nIRQ: 1\n');
    fs.writeFileSync(path.join(root, 'driver/nvidia/version'), 'NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.14  Thu Feb 22\n');
    expect(readProcNvidia(root)).toEqual([{ name: 'NVIDIA GeForce RTX 4090', vendor: 'nvidia', memoryMiB: null, driver: '550.54.14', source: '/proc' }]);
    fs.rmSync(root, { recursive: true });
  });

  it('parses macOS and Windows answers', () => {
    expect(parseSystemProfiler(JSON.stringify({ SPDisplaysDataType: [{ sppci_model: 'Apple M2 Pro', spdisplays_vendor: 'sppci_vendor_Apple' }] }))[0]).toMatchObject({ name: 'Apple M2 Pro', vendor: 'apple' });
    expect(parseWmi(JSON.stringify({ Name: 'NVIDIA GeForce RTX 3080', AdapterRAM: 4293918720, DriverVersion: '31.0.15.5222' }))[0]).toMatchObject({ vendor: 'nvidia', memoryMiB: 4095, driver: '31.0.15.5222' });
  });

  it('prefers nvidia-smi figures over the lspci line of the same card, and is graceful when nothing answers', async () => {
    const run = async (file: string) =>
      file === 'nvidia-smi' ? 'NVIDIA GeForce RTX 3060, 12288, 550.1\n' : file === 'lspci' ? '01:00.0 "VGA compatible controller" "NVIDIA Corporation" "GA106" -ra1 "" ""\n' : null;
    const probe = await probeGpus({ platform: 'linux', run, procRoot: '/nonexistent' });
    expect(probe.gpus).toHaveLength(1);
    expect(probe.gpus[0]!.source).toBe('nvidia-smi');
    const none = await probeGpus({ platform: 'linux', run: async () => null, procRoot: '/nonexistent' });
    expect(none.gpus).toEqual([]);
    expect(none.problem).toMatch(/^nvidia-smi is not installed or found no NVIDIA GPU; lspci is not available$/);
  });

  it('probes this machine without throwing', async () => {
    const probe = await probeGpus();
    expect(Array.isArray(probe.gpus)).toBe(true);
    if (probe.gpus.length === 0) expect(probe.problem).toBeTruthy();
  });
});
