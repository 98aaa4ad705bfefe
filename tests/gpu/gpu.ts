// Shared set-up for GPU tests: one device per test file. A missing adapter is
// a failure, never a skip, so CI cannot go green without WebGPU.
import { GpuContext } from '../../src/gpu/context';
import { Program } from '../../src/gpu/program';

let ctx: Promise<GpuContext> | null = null;

export function gpu(): Promise<GpuContext> {
  ctx ??= (async () => {
    if (!('gpu' in navigator)) throw new Error('navigator.gpu is missing: this browser has no WebGPU');
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) throw new Error('no WebGPU adapter found (headless Chromium needs --enable-unsafe-webgpu)');
    const device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBuffersPerShaderStage: adapter.limits.maxStorageBuffersPerShaderStage,
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
        maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
      },
    });
    device.addEventListener('uncapturederror', (e) => {
      console.error('WebGPU error:', (e as GPUUncapturedErrorEvent).error.message);
    });
    return new GpuContext(device);
  })();
  return ctx;
}

/** Runs `fn` and fails the test on any WebGPU validation error it causes. */
export async function noGpuErrors<T>(c: GpuContext, fn: () => Promise<T> | T): Promise<T> {
  c.device.pushErrorScope('validation');
  const out = await fn();
  const err = await c.device.popErrorScope();
  if (err) throw new Error(`WebGPU validation error: ${err.message}`);
  return out;
}

export const f32 = (a: ArrayLike<number>): Float32Array => Float32Array.from(a);

/** Records `build` as one program, runs it, fails on validation errors and frees its uniforms and scratch. */
export async function runProgram(c: GpuContext, build: (p: Program) => void): Promise<void> {
  const p = new Program(c);
  build(p);
  await noGpuErrors(c, () => p.run());
  await c.device.queue.onSubmittedWorkDone();
  p.destroy();
}
