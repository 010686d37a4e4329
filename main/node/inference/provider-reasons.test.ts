/** Every reason a device or backend is not used travels as a code the UI translates, beside its English sentence. */
import { describe, expect, it } from 'vitest';
import type { GpuInfo, ProviderAttempt } from '../../common/contract/inference';
import { isMessageCode, say, type MessageCode } from '../../common/messages';
import { createSessionWithFallback, planOnnxProviders } from './providers';
import { describeTfjs } from './tfjs-runtime';

const nvidia: GpuInfo = { name: 'NVIDIA GeForce RTX 4070', vendor: 'nvidia', memoryMiB: 12282, driver: '550.54', source: 'nvidia-smi' };
const backends = [{ name: 'cpu', bundled: true }, { name: 'cuda', bundled: false }, { name: 'dml', bundled: true }, { name: 'coreml', bundled: true }];

function expectCoded(attempts: ProviderAttempt[]) {
  for (const a of attempts) {
    if (a.reason === null) {
      expect(a.reasonCode, a.name).toBeUndefined();
      continue;
    }
    expect(isMessageCode(a.reasonCode), `${a.name}: ${a.reason}`).toBe(true);
    expect(a.reason).toBe(say(a.reasonCode as MessageCode, a.reasonParams as never).message);
  }
}

describe('provider reasons are coded', () => {
  it('on every platform and with force CPU', () => {
    const plans = [
      planOnnxProviders({ forceCpu: false, gpus: [], platform: 'linux', arch: 'x64', supported: backends, cudaFiles: false }),
      planOnnxProviders({ forceCpu: false, gpus: [nvidia], platform: 'linux', arch: 'x64', supported: backends, cudaFiles: false }),
      planOnnxProviders({ forceCpu: true, gpus: [nvidia], platform: 'win32', arch: 'x64', supported: backends }),
      planOnnxProviders({ forceCpu: false, gpus: [], platform: 'win32', arch: 'x64', supported: [{ name: 'cpu', bundled: true }] }),
      planOnnxProviders({ forceCpu: false, gpus: [], platform: 'darwin', arch: 'x64', supported: backends }),
      planOnnxProviders({ forceCpu: false, gpus: [], platform: 'darwin', arch: 'arm64', supported: [{ name: 'cpu', bundled: true }] }),
    ];
    const codes = new Set(plans.flat().map((a) => a.reasonCode).filter(Boolean));
    expect(codes.size).toBeGreaterThanOrEqual(8);
    for (const p of plans) expectCoded(p);
  });

  it('a provider that fails carries the runtime text as a parameter; success clears the code', async () => {
    const plan = planOnnxProviders({ forceCpu: false, gpus: [nvidia], platform: 'linux', arch: 'x64', supported: backends, cudaFiles: true });
    const create = async (_m: string | Uint8Array, o: { executionProviders?: readonly unknown[] }) => {
      if (o.executionProviders?.[0] === 'cuda') throw new Error('CUDA failure 100: no CUDA-capable device is detected');
      return {} as never;
    };
    const { attempts } = await createSessionWithFallback(new Uint8Array(1), plan, { create });
    const cuda = attempts.find((a) => a.name === 'cuda')!;
    expect(cuda).toMatchObject({ status: 'failed', reasonCode: 'provider.failed', reasonParams: { error: 'CUDA failure 100: no CUDA-capable device is detected' } });
    expect(attempts.find((a) => a.name === 'cpu')).toMatchObject({ status: 'used', reason: null });
    expect(attempts.find((a) => a.name === 'cpu')!.reasonCode).toBeUndefined();
    expectCoded(attempts);
  });

  it('a model no provider loads is a coded MODEL_INVALID error', async () => {
    const plan = planOnnxProviders({ forceCpu: true, gpus: [], platform: 'linux', arch: 'x64', supported: backends });
    const err = await createSessionWithFallback(new Uint8Array(1), plan, { create: async () => Promise.reject(new Error('protobuf parsing failed')) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MODEL_INVALID', messageCode: 'provider.model_not_loaded', messageParams: { reason: 'protobuf parsing failed' } });
  });

  it('TF.js backends too', () => {
    for (const forceCpu of [false, true]) {
      const { attempts } = describeTfjs({ forceCpu });
      if (forceCpu) expect(attempts.find((a) => a.name === 'tfjs-node-gpu')?.reasonCode).toBe('provider.force_cpu');
      expectCoded(attempts);
    }
  });
});
