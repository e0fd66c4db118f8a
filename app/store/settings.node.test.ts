// Settings read back from storage: each field kept where it is valid, else its default.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, parseSettings, runSettings } from './settings.ts';

describe('stored settings', () => {
  it('come back as they were saved', () => {
    const saved = { ...DEFAULT_SETTINGS, model: 'SLOW_8x8_R50', inputSize: 160, stride: 0.5, views: 3 as const, protocol: 'paper' as const, mapView: 'fast' as const, engine: 'wasm' as const, segments: { enter: 0.6, exit: 0.2, minDuration: 2 }, gpuMemoryLimit: 512 * 2 ** 20, precision: 'f16' as const };
    expect(parseSettings(JSON.stringify(saved))).toEqual(saved);
  });

  it('take the default for what is missing, of the wrong type or out of range, and for text that is not JSON', () => {
    expect(parseSettings(null)).toEqual(DEFAULT_SETTINGS);
    expect(parseSettings('not json')).toEqual(DEFAULT_SETTINGS);
    expect(parseSettings('[1, 2]')).toEqual(DEFAULT_SETTINGS);
    const bad = parseSettings(JSON.stringify({ model: 7, inputSize: -3, stride: 'fast', views: 2, protocol: 'mine', profile: 'yes', mapOpacity: 3, engine: 'cuda', segments: { enter: 2, exit: 'x' }, gpuMemoryLimit: -1, precision: 'f8' }));
    expect(bad).toEqual(DEFAULT_SETTINGS);
    expect(bad).not.toHaveProperty('gpuMemoryLimit');
    expect(bad).not.toHaveProperty('inputSize');
  });

  it('keep the exit threshold at most the enter one', () => {
    expect(parseSettings(JSON.stringify({ segments: { enter: 0.4, exit: 0.9, minDuration: 1 } })).segments).toEqual({ enter: 0.4, exit: 0.4, minDuration: 1 });
  });

  it('give the engine its run settings (the paper protocol\'s views are the engine\'s to decide)', () => {
    expect(runSettings({ ...DEFAULT_SETTINGS, protocol: 'paper', views: 1 })).toMatchObject({ protocol: 'paper', views: 1, stride: 1, engine: 'webgpu', precision: 'auto' });
    expect(runSettings(DEFAULT_SETTINGS)).not.toHaveProperty('gpuMemoryLimit');
    expect(runSettings({ ...DEFAULT_SETTINGS, gpuMemoryLimit: 2 ** 28 })).toMatchObject({ gpuMemoryLimit: 2 ** 28 });
  });
});
