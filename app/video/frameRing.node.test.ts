import { describe, expect, it } from 'vitest';
import { preferredUpload } from './frameRing.ts';

const device = (info: Partial<GPUAdapterInfo>) => ({ adapterInfo: { vendor: '', architecture: '', description: '', isFallbackAdapter: false, ...info } }) as unknown as GPUDevice;

describe('preferredUpload', () => {
  it('copies on the CPU for software adapters and on the GPU otherwise', () => {
    expect(preferredUpload(device({ vendor: 'google', architecture: 'swiftshader' }))).toBe('copyTo');
    expect(preferredUpload(device({ isFallbackAdapter: true }))).toBe('copyTo');
    expect(preferredUpload(device({ vendor: 'nvidia', architecture: 'hopper' }))).toBe('copyExternalImage');
  });
});
