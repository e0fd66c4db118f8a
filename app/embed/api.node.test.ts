import { describe, expect, it } from 'vitest';
import { parseCommand, parseOrigins, sourceName } from './api.ts';

describe('embed API', () => {
  it('accepts only exact http(s) origins', () => {
    const r = parseOrigins('http://localhost:5200, https://example.com/,*,javascript:alert(1),https://a.com/path,null,file:///x');
    expect(r.origins).toEqual(['http://localhost:5200', 'https://example.com']);
    expect(r.rejected).toEqual(['*', 'javascript:alert(1)', 'https://a.com/path', 'null', 'file:///x']);
    expect(parseOrigins(null).origins).toEqual([]);
  });

  it('parses commands and explains bad ones', () => {
    expect(parseCommand({ type: 'classify', video: 'https://x/a.mp4' })).toEqual({ type: 'classify', video: 'https://x/a.mp4', name: undefined });
    expect(parseCommand({ type: 'startCamera', extra: () => 1 })).toEqual({ type: 'startCamera' });
    expect(parseCommand({ type: 'classify' })).toEqual({ error: '"classify" needs "video": a Blob or an http(s) URL' });
    expect(parseCommand({ type: 'eval', code: '1' })).toEqual({ error: 'unknown command "eval"' });
    expect(parseCommand('classify')).toHaveProperty('error');
    expect(parseCommand(null)).toHaveProperty('error');
    const blob = new Blob([new Uint8Array(4)]);
    expect(parseCommand({ type: 'loadWeights', weights: blob, name: 'w.pyth' })).toEqual({ type: 'loadWeights', weights: blob, name: 'w.pyth' });
    expect(parseCommand({ type: 'compare', weights: 'https://x/slow.pyth' })).toEqual({ type: 'compare', weights: 'https://x/slow.pyth', name: undefined });
    expect(parseCommand({ type: 'compare', weights: null })).toEqual({ type: 'compare', weights: null });
    expect(parseCommand({ type: 'compare', model: 'SLOW_8x8_R50' })).toEqual({ type: 'compare', model: 'SLOW_8x8_R50' });
    for (const bad of [{ weights: 3 }, { model: 3 }, { model: '' }, {}]) {
      expect(parseCommand({ type: 'compare', ...bad })).toEqual({ error: '"compare" needs "weights" (a Blob, an http(s) URL, or null to stop comparing) or "model" (a zoo model\'s name)' });
    }
    expect(parseCommand({ type: 'loadLabels', labels: ['wave', 'clap'] })).toEqual({ type: 'loadLabels', labels: ['wave', 'clap'], name: undefined });
    expect(parseCommand({ type: 'loadLabels', labels: 'https://x/labels.json' })).toEqual({ type: 'loadLabels', labels: 'https://x/labels.json', name: undefined });
    expect(parseCommand({ type: 'loadLabels', labels: ['wave', 3] })).toEqual({ error: '"loadLabels" needs "labels": a Blob, an http(s) URL, or an array of names' });
    expect(parseCommand({ type: 'loadHead', head: blob, name: 'mine.safetensors' })).toEqual({ type: 'loadHead', head: blob, name: 'mine.safetensors' });
    expect(parseCommand({ type: 'loadHead', head: 'https://x/head.safetensors' })).toEqual({ type: 'loadHead', head: 'https://x/head.safetensors', name: undefined });
    expect(parseCommand({ type: 'loadHead', head: null })).toEqual({ type: 'loadHead', head: null });
    expect(parseCommand({ type: 'loadHead', head: 3 })).toEqual({ error: '"loadHead" needs "head": a Blob, an http(s) URL, or null (the model\'s own classes)' });
  });

  it('names sources', () => {
    expect(sourceName('https://x.org/v/clip%201.mp4?x=1', undefined, 'video')).toBe('clip 1.mp4');
    expect(sourceName(new Blob([]), undefined, 'video')).toBe('video');
    expect(sourceName(new Blob([]), 'a.webm', 'video')).toBe('a.webm');
  });
});
