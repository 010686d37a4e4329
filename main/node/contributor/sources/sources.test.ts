/** The OS sources: nvidia-smi's per-process list (or why it is unavailable), ps/tasklist, Linux power, own work. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NvidiaSmiSource, parseComputeApps } from './nvidia-smi';
import { HeadlessIdle, linuxPower, parseProgramList } from './os-sources';
import { ownWorkKind, StudioOwnWork } from './own-work';

describe('nvidia-smi --query-compute-apps', () => {
  it('parses pid, name (commas allowed) and used memory; [N/A] memory is null', () => {
    expect(parseComputeApps('1234, /usr/bin/blender, 812 MiB\n77, C:\\Games\\a, b.exe, [N/A]\n\nbad line\n')).toEqual([
      { pid: 1234, name: '/usr/bin/blender', usedMemoryMb: 812 },
      { pid: 77, name: 'C:\\Games\\a, b.exe', usedMemoryMb: null },
    ]);
  });

  it('asks with the exact query, and says plainly when nvidia-smi is not there (asked once)', async () => {
    const calls: string[][] = [];
    const ok = new NvidiaSmiSource(async (file, args) => {
      calls.push([file, ...args]);
      return { stdout: '42, game, 100 MiB\n' };
    });
    expect(await ok.list()).toEqual({ available: true, processes: [{ pid: 42, name: 'game', usedMemoryMb: 100 }] });
    expect(calls[0]).toEqual(['nvidia-smi', '--query-compute-apps=pid,process_name,used_memory', '--format=csv,noheader']);
    let asked = 0;
    const missing = new NvidiaSmiSource(async () => {
      asked++;
      throw Object.assign(new Error('spawn nvidia-smi ENOENT'), { code: 'ENOENT' });
    });
    const r = await missing.list();
    expect(r).toEqual({ available: false, why: expect.stringMatching(/^nvidia-smi is not installed here, so other programs using the GPU cannot be seen/) });
    await missing.list();
    expect(asked).toBe(1);
    const failing = new NvidiaSmiSource(async () => {
      throw new Error('NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.\nmore');
    });
    expect(await failing.list()).toEqual({ available: false, why: 'nvidia-smi failed: NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.' });
  });
});

describe('programs and power', () => {
  it('reads ps (basenames) and tasklist CSV', () => {
    expect(parseProgramList('/usr/bin/bash\nblender\n  \n', 'linux')).toEqual(['bash', 'blender']);
    expect(parseProgramList('"steam.exe","123","Console","1","10,000 K"\r\n"Blender.exe","9","Console","1","1 K"\r\n', 'win32')).toEqual(['steam.exe', 'Blender.exe']);
  });

  it('Linux power: mains online → AC; a discharging battery → battery; no supply (desktop, server) → AC', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-power-'));
    const supply = (name: string, files: Record<string, string>) => {
      fs.mkdirSync(path.join(root, name), { recursive: true });
      for (const [f, v] of Object.entries(files)) fs.writeFileSync(path.join(root, name, f), v + '\n');
    };
    try {
      expect(linuxPower(root)).toBe('ac');
      supply('BAT0', { type: 'Battery', status: 'Discharging' });
      supply('AC', { type: 'Mains', online: '0' });
      expect(linuxPower(root)).toBe('battery');
      fs.writeFileSync(path.join(root, 'AC', 'online'), '1\n');
      expect(linuxPower(root)).toBe('ac');
      expect(linuxPower(path.join(root, 'none'))).toBe('unknown');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('the command line watches no input device and says so', () => {
    expect(new HeadlessIdle().idleSeconds()).toBeNull();
    expect(new HeadlessIdle().info().why).toMatch(/headless rig counts as idle/);
  });
});

describe('own studio work', () => {
  it('counts running extraction and inference jobs and viewer sessions; exports and downloads do not count', () => {
    expect(['frames.extract', 'media.fix', 'inference.run', 'models.download', 'frames.export'].map(ownWorkKind)).toEqual(['extraction', 'extraction', 'inference', null, null]);
    const jobs = [{ kind: 'frames.extract' }, { kind: 'inference.run' }, { kind: 'inference.run' }, { kind: 'models.download' }];
    const w = new StudioOwnWork({ list: () => jobs as never });
    let fired = 0;
    w.changed.subscribe(() => fired++);
    const id = w.viewerStart();
    expect(w.current()).toEqual({ extraction: 1, inference: 2, viewer: 1, other: 0 });
    expect(w.viewerStop(id)).toBe(0);
    expect(w.viewerStop('nope')).toBe(0);
    expect(fired).toBe(2);
  });
});
