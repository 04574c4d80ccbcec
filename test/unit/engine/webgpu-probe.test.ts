import { describe, expect, it } from 'vitest';
import { gpuDevicePresent } from '../../../src-main/engine/webgpu';

// Auto mode asks Dawn for an adapter only where a GPU can be: elsewhere the probe costs Dawn's
// start-up and prints Vulkan loader warnings into every CLI run's stderr.
describe('auto mode looks for a GPU only where one can be', () => {
  const none = (): boolean => false;
  it('Linux without a render node or NVIDIA device: no probe', () => {
    expect(gpuDevicePresent('linux', none, () => [])).toBe(false);
    expect(gpuDevicePresent('linux', none, () => ['card0', 'by-path'])).toBe(false);
  });
  it('Linux with a DRM render node or /dev/nvidia0: probe', () => {
    expect(gpuDevicePresent('linux', none, () => ['card0', 'renderD128'])).toBe(true);
    expect(gpuDevicePresent('linux', (p) => p === '/dev/nvidia0', () => [])).toBe(true);
  });
  it('macOS and Windows: always probe (Metal, D3D12)', () => {
    expect(gpuDevicePresent('darwin', none, () => [])).toBe(true);
    expect(gpuDevicePresent('win32', none, () => [])).toBe(true);
  });
});
