/** The hardware profile a node registers with: GPU model and memory where known, the ONNX execution providers the inference engine would try, cores, memory. */
import os from 'node:os';
import { probeGpus } from '../inference/gpu-info';
import { planOnnxProviders } from '../inference/providers';
import type { HardwareProfile } from './node-client';

export async function hardwareProfile(options: { forceCpu?: boolean } = {}): Promise<HardwareProfile> {
  const { gpus } = await probeGpus().catch(() => ({ gpus: [] }));
  const gpu = gpus[0] ?? null;
  const providers = planOnnxProviders({ forceCpu: options.forceCpu ?? false, gpus })
    .filter((a) => a.status === 'not-tried')
    .map((a) => a.name);
  return {
    gpu: gpu ? { model: gpu.name, memoryMb: gpu.memoryMiB } : null,
    providers,
    cpuCores: os.availableParallelism?.() ?? os.cpus().length,
    memoryMb: Math.round(os.totalmem() / 1048576),
    os: process.platform,
    arch: process.arch,
  };
}
