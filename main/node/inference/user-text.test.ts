/** What a creator reads carries no paths of this machine and no internal tool names (issue 15 point 8). */
import { describe, expect, it } from 'vitest';
import { describeTfjs } from './tfjs-runtime';
import { planOnnxProviders } from './providers';
import { hasPath, withoutPaths } from './user-text';

describe('withoutPaths', () => {
  it('keeps the file name of absolute, Windows and node_modules paths', () => {
    expect(withoutPaths("Cannot find module '/work/main/node_modules/@tensorflow/tfjs-node-gpu/lib/napi-v8/tfjs_binding.node'")).toBe("Cannot find module 'tfjs_binding.node'");
    expect(withoutPaths('libcublasLt.so.12: cannot open shared object file (/usr/lib/x86_64-linux-gnu/libonnxruntime_providers_cuda.so)')).toBe('libcublasLt.so.12: cannot open shared object file (libonnxruntime_providers_cuda.so)');
    expect(withoutPaths('LoadLibrary failed for C:\\Program Files\\Kraken\\resources\\onnxruntime_providers_cuda.dll')).toBe('LoadLibrary failed for onnxruntime_providers_cuda.dll');
    expect(withoutPaths('see node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1')).toBe('see libonnxruntime.so.1');
    expect(withoutPaths('Force CPU is on (Models → Devices).')).toBe('Force CPU is on (Models → Devices).');
    expect(hasPath('a /usr/lib/x.so b')).toBe(true);
    expect(hasPath('No NVIDIA GPU was found.')).toBe(false);
  });
});

describe('fallback reasons as the studio reports them on this machine', () => {
  it('name no path, no node_modules folder and no probing tool', () => {
    const reasons = [...describeTfjs({ forceCpu: false }).attempts, ...describeTfjs({ forceCpu: true }).attempts, ...planOnnxProviders({ forceCpu: false, gpus: [] })]
      .map((a) => a.reason)
      .filter((r): r is string => r !== null);
    expect(reasons.length).toBeGreaterThan(3);
    for (const r of reasons) {
      expect(hasPath(r), r).toBe(false);
      expect(r).not.toMatch(/nvidia-smi|lspci|system_profiler|tfjs_binding\.node/);
    }
  });
});
