import { describe, expect, it } from 'vitest';
import { AppError } from '../../common/app-error';
import type { GpuInfo } from '../../common/contract/inference';
import { openOnnx } from './engine';
import { cleanOrtMessage, createSessionWithFallback, planOnnxProviders, supportedBackends } from './providers';
import { linearClassifier } from './testing/onnx-builder';

const nvidia: GpuInfo = { name: 'NVIDIA GeForce RTX 4070', vendor: 'nvidia', memoryMiB: 12282, driver: '550.54', source: 'nvidia-smi' };
const linuxBackends = [
  { name: 'cpu', bundled: true },
  { name: 'webgpu', bundled: true },
  { name: 'cuda', bundled: false },
  { name: 'tensorrt', bundled: false },
];
const tryOrder = (plan: ReturnType<typeof planOnnxProviders>) => plan.filter((a) => a.status === 'not-tried').map((a) => a.name);
const reasonOf = (plan: ReturnType<typeof planOnnxProviders>, name: string) => plan.find((a) => a.name === name)?.reason ?? '';

describe('provider plan per platform', () => {
  it('Linux + NVIDIA + CUDA files: CUDA first, then CPU', () => {
    const plan = planOnnxProviders({ forceCpu: false, gpus: [nvidia], platform: 'linux', arch: 'x64', supported: linuxBackends, cudaFiles: true });
    expect(tryOrder(plan)).toEqual(['cuda', 'cpu']);
    expect(reasonOf(plan, 'dml')).toMatch(/Windows only/);
  });

  it('Linux + NVIDIA without the CUDA download: skipped with the opt-in step named', () => {
    const plan = planOnnxProviders({ forceCpu: false, gpus: [nvidia], platform: 'linux', arch: 'x64', supported: linuxBackends, cudaFiles: false });
    expect(tryOrder(plan)).toEqual(['cpu']);
    expect(reasonOf(plan, 'cuda')).toMatch(/not installed.*Install GPU support/);
  });

  it('Linux without an NVIDIA GPU: CUDA skipped for that reason', () => {
    const plan = planOnnxProviders({ forceCpu: false, gpus: [], platform: 'linux', arch: 'x64', supported: linuxBackends, cudaFiles: true });
    expect(tryOrder(plan)).toEqual(['cpu']);
    expect(reasonOf(plan, 'cuda')).toBe('No NVIDIA GPU was found.');
  });

  it('Windows: DirectML then CPU; CUDA explained', () => {
    const plan = planOnnxProviders({ forceCpu: false, gpus: [nvidia], platform: 'win32', arch: 'x64', supported: [{ name: 'cpu', bundled: true }, { name: 'dml', bundled: true }] });
    expect(tryOrder(plan)).toEqual(['dml', 'cpu']);
    expect(reasonOf(plan, 'cuda')).toMatch(/DirectML drives NVIDIA/);
  });

  it('Apple Silicon: CoreML then CPU; Intel Macs get CPU with a reason', () => {
    const arm = planOnnxProviders({ forceCpu: false, gpus: [], platform: 'darwin', arch: 'arm64', supported: [{ name: 'cpu', bundled: true }, { name: 'coreml', bundled: true }] });
    expect(tryOrder(arm)).toEqual(['coreml', 'cpu']);
    const intel = planOnnxProviders({ forceCpu: false, gpus: [], platform: 'darwin', arch: 'x64', supported: [{ name: 'cpu', bundled: true }] });
    expect(tryOrder(intel)).toEqual(['cpu']);
    expect(reasonOf(intel, 'coreml')).toMatch(/Apple Silicon only/);
  });

  it('force CPU skips every GPU provider and says why', () => {
    const plan = planOnnxProviders({ forceCpu: true, gpus: [nvidia], platform: 'win32', arch: 'x64', supported: [{ name: 'cpu', bundled: true }, { name: 'dml', bundled: true }] });
    expect(tryOrder(plan)).toEqual(['cpu']);
    expect(reasonOf(plan, 'dml')).toMatch(/Force CPU/);
  });

  it('reads the installed onnxruntime-node build', () => {
    const names = supportedBackends().map((b) => b.name);
    expect(names).toContain('cpu');
  });
});

describe('session fallback', () => {
  const model = linearClassifier(1, 1, [[1, 2, 3]], [0]);

  it('records a provider that fails for real (unavailable) and runs on the CPU', async () => {
    // These providers are not in this machine's build (or lack their libraries): ONNX Runtime refuses them.
    const plan = [
      { name: process.platform === 'win32' ? 'coreml' : 'dml', label: 'unavailable', status: 'not-tried' as const, reason: null },
      { name: 'cpu', label: 'CPU', status: 'not-tried' as const, reason: null },
    ];
    const engine = await openOnnx(model, { forceCpu: false, gpus: [], plan });
    expect(engine.provider).toBe('cpu');
    expect(engine.attempts[0]!.status).toBe('failed');
    expect(engine.attempts[0]!.reason).toMatch(/backend not found|not (supported|available)|Failed/i);
    expect(engine.attempts[1]!.status).toBe('used');
    await engine.dispose();
  });

  it('tries in order and stops at the first that works', async () => {
    const tried: string[] = [];
    const plan = planOnnxProviders({ forceCpu: false, gpus: [nvidia], platform: 'linux', arch: 'x64', supported: linuxBackends, cudaFiles: true });
    const res = await createSessionWithFallback(model, plan, {
      create: async (_m, o) => {
        const first = String(o.executionProviders?.[0]);
        tried.push(first);
        if (first === 'cuda') throw new Error('OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library');
        return { fake: true } as never;
      },
    });
    expect(tried).toEqual(['cuda', 'cpu']);
    expect(res.provider).toBe('cpu');
    expect(res.attempts.find((a) => a.name === 'cuda')).toMatchObject({ status: 'failed', reason: expect.stringMatching(/Failed to load shared library/) });
  });

  it('a model even the CPU cannot load is MODEL_INVALID, with the attempts attached', async () => {
    const plan = planOnnxProviders({ forceCpu: true, gpus: [], platform: 'linux', arch: 'x64', supported: linuxBackends });
    const err = await createSessionWithFallback(new TextEncoder().encode('garbage'), plan).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('MODEL_INVALID');
    expect((err as AppError).message).toMatch(/protobuf parsing failed/);
    expect((err as AppError).details?.attempts).toBeDefined();
  });

  it('cleans ONNX Runtime messages (colour codes, source paths)', () => {
    expect(cleanOrtMessage(new Error('\u001b[1;31m/onnxruntime_src/onnxruntime/core/x.cc:12 Failed to load\nstack'))).toBe('Failed to load');
  });
});
