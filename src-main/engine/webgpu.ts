import { existsSync, readdirSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';

/**
 * The WebGPU backend of the engine: tfjs-backend-webgpu on Dawn, the WebGPU implementation the
 * `webgpu` npm package ships as a prebuilt native module (Linux x64/arm64, macOS, Windows): Vulkan,
 * Metal or D3D12 underneath, so any recent GPU works without CUDA.
 *
 * Auto mode takes a real GPU only: Dawn also offers CPU renderers (Mesa's llvmpipe through its
 * OpenGL ES backend, SwiftShader, lavapipe), and training on those is much slower than the wasm
 * backend. `--backend webgpu` accepts them, so the backend can be tested on a machine without a
 * GPU (there Dawn needs Mesa's EGL/GLES and EGL_PLATFORM=surfaceless, set here when unset).
 */

/** Device names of software renderers (Dawn marks none of them as a fallback adapter). */
const SOFTWARE_RENDERER = /llvmpipe|lavapipe|softpipe|swiftshader|basic render|microsoft warp/i;

interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

interface GpuAdapter {
  readonly info: AdapterInfo;
  readonly features: ReadonlySet<string>;
  readonly limits: Record<string, number>;
  requestDevice(descriptor: object): Promise<unknown>;
}

interface Gpu {
  requestAdapter(options?: object): Promise<GpuAdapter | null>;
}

interface DawnModule {
  create(options: string[]): Gpu;
  globals: Record<string, unknown>;
}

export interface WebGpuAdapter {
  /** e.g. 'NVIDIA H100 80GB HBM3 (vulkan)' or 'llvmpipe (opengles, software)'. */
  description: string;
  software: boolean;
}

let active: WebGpuAdapter | null = null;

/** The adapter the webgpu backend runs on, once selected (for logs and the benchmark). */
export function webGpuAdapter(): WebGpuAdapter | null {
  return active;
}

function describe(info: AdapterInfo, via: string, software: boolean): string {
  const name = info.device || info.description || info.vendor || 'unnamed adapter';
  return `${name}${info.description && info.description !== name ? ` [${info.description}]` : ''} (${via}${software ? ', software' : ''})`;
}

function isSoftware(info: AdapterInfo): boolean {
  return Boolean(info.isFallbackAdapter) || SOFTWARE_RENDERER.test(`${info.device ?? ''} ${info.description ?? ''} ${info.vendor ?? ''}`);
}

/** Dawn's default backend (Vulkan/Metal/D3D12), then, when software is allowed, its OpenGL ES one in compatibility mode. */
async function findAdapter(dawn: DawnModule, allowSoftware: boolean): Promise<{ gpu: Gpu; adapter: GpuAdapter; via: string; software: boolean } | string> {
  const tried: string[] = [];
  const native = dawn.create([]);
  const hardware = await native.requestAdapter({ powerPreference: 'high-performance' });
  if (hardware && !isSoftware(hardware.info)) return { gpu: native, adapter: hardware, via: 'native', software: false };
  tried.push(hardware ? `only a software renderer (${describe(hardware.info, 'native', true)})` : 'no native adapter');
  if (!allowSoftware) return `no GPU adapter: ${tried.join('; ')}`;
  if (hardware) return { gpu: native, adapter: hardware, via: 'native', software: true };
  process.env.EGL_PLATFORM ??= 'surfaceless';
  const glesGpu = dawn.create(['backend=opengles']);
  const gles = await glesGpu.requestAdapter({ featureLevel: 'compatibility' });
  if (gles) return { gpu: glesGpu, adapter: gles, via: 'opengles', software: isSoftware(gles.info) };
  tried.push('no OpenGL ES adapter (Mesa EGL/GLES missing?)');
  return `no WebGPU adapter: ${tried.join('; ')}`;
}

/**
 * Whether auto mode should look for a GPU at all. On Linux a GPU shows as a DRM render node or an
 * NVIDIA device node; without one, asking Dawn only costs its start-up and prints Vulkan loader
 * warnings on stderr (native code, which the engine cannot silence), so auto mode skips it. macOS
 * (Metal) and Windows (D3D12) are always asked.
 */
export function gpuDevicePresent(platform: NodeJS.Platform = process.platform, exists: (path: string) => boolean = existsSync, list: (dir: string) => string[] = safeList): boolean {
  if (platform !== 'linux') return true;
  return exists('/dev/nvidia0') || list('/dev/dri').some((name) => name.startsWith('renderD'));
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The two packages, loaded lazily (the app may never use them); a caller that has them passes them in. */
export interface WebGpuModules {
  dawn: unknown;
  tfjsWebgpu: unknown;
}

async function loadModules(): Promise<WebGpuModules> {
  return { dawn: await import(/* @vite-ignore */ 'webgpu'), tfjsWebgpu: await import('@tensorflow/tfjs-backend-webgpu') };
}

/**
 * Registers and selects tfjs' webgpu backend on a Dawn device. Returns false (with the reason
 * thrown as an error when `forced`) when no suitable adapter exists.
 */
export async function startWebGpu(forced: boolean, modules?: WebGpuModules): Promise<boolean> {
  if (!forced && !gpuDevicePresent()) return false;
  let dawn: DawnModule;
  let webgpu: typeof import('@tensorflow/tfjs-backend-webgpu');
  try {
    const loaded = modules ?? (await loadModules());
    dawn = loaded.dawn as DawnModule;
    webgpu = loaded.tfjsWebgpu as typeof import('@tensorflow/tfjs-backend-webgpu');
  } catch (err) {
    if (forced) throw new Error(`the webgpu package (Dawn) could not load: ${(err as Error).message}`);
    return false;
  }
  // GPUBufferUsage, GPUMapMode, ...: tfjs-backend-webgpu reads these browser globals.
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) (globalThis as Record<string, unknown>)[name] = value;
  }
  const found = await findAdapter(dawn, forced);
  if (typeof found === 'string') {
    if (forced) throw new Error(found);
    return false;
  }
  const { adapter } = found;
  // tfjs-backend-webgpu checks for navigator.gpu (a browser global; Node has no such property).
  const g = globalThis as { navigator?: object };
  g.navigator ??= {};
  if (!('gpu' in g.navigator)) Object.defineProperty(g.navigator, 'gpu', { value: found.gpu, configurable: true });
  const limits = adapter.limits;
  const pick = (name: string): Record<string, number> => (typeof limits[name] === 'number' ? { [name]: limits[name]! } : {});
  // What tfjs-backend-webgpu's own factory requests (it reads navigator.gpu, which Node lacks).
  const device = await adapter.requestDevice({
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    requiredLimits: {
      ...pick('maxComputeWorkgroupStorageSize'),
      ...pick('maxComputeWorkgroupsPerDimension'),
      ...pick('maxStorageBufferBindingSize'),
      ...pick('maxBufferSize'),
      ...pick('maxComputeWorkgroupSizeX'),
      ...pick('maxComputeInvocationsPerWorkgroup'),
    },
  });
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new webgpu.WebGPUBackend(device as never, adapter.info as never));
  if (!(await tf.setBackend('webgpu'))) {
    if (forced) throw new Error('tfjs webgpu backend did not initialise');
    return false;
  }
  active = { description: describe(adapter.info, found.via, found.software), software: found.software };
  return true;
}
