import { describe, expect, it } from 'vitest';
import { composeOrientations, orientedSize, type Orientation } from './preprocess.ts';
import { orientRgba } from './preprocess.ref.ts';

// WebCodecs' own example (web-platform-tests webcodecs/videoFrame-orientation): a 4×2 frame
//   y y r r
//   b b g g
// turned 90° and flipped is drawn 2×4 as
//   y b / y b / r g / r g.
const [Y, R, B, G] = [[255, 255, 0, 255], [255, 0, 0, 255], [0, 0, 255, 255], [0, 255, 0, 255]];
const frame = Uint8Array.from([Y, Y, R, R, B, B, G, G].flat());
const names = (rgba: Uint8Array) => Array.from({ length: rgba.length / 4 }, (_, i) => ({ [Y.join()]: 'y', [R.join()]: 'r', [B.join()]: 'b', [G.join()]: 'g' })[Array.from(rgba.subarray(4 * i, 4 * i + 4)).join()]).join('');

describe('orientation', () => {
  it('turns clockwise, then flips, as WebCodecs draws a VideoFrame', () => {
    const shown = (o: Orientation) => orientRgba(frame, 4, 2, o);
    expect(names(shown({ rotation: 90, flip: true }).rgba)).toBe('ybybrgrg');
    expect(shown({ rotation: 90, flip: true })).toMatchObject({ width: 2, height: 4 });
    expect(names(shown({ rotation: 90, flip: false }).rgba)).toBe('bybygrgr');
    expect(names(shown({ rotation: 180, flip: false }).rgba)).toBe('ggbbrryy');
    expect(names(shown({ rotation: 270, flip: false }).rgba)).toBe('rgrgybyb');
    expect(names(shown({ rotation: 0, flip: true }).rgba)).toBe('rryyggbb');
    expect(orientedSize(4, 2, { rotation: 270, flip: false })).toEqual({ width: 2, height: 4 });
  });

  it('composes: showing with one, then the other, is showing with their composition', () => {
    const all: Orientation[] = [0, 90, 180, 270].flatMap((rotation) => [false, true].map((flip) => ({ rotation, flip }) as Orientation));
    for (const a of all)
      for (const b of all) {
        const first = orientRgba(frame, 4, 2, a);
        const twice = orientRgba(first.rgba, first.width, first.height, b);
        expect(names(orientRgba(frame, 4, 2, composeOrientations(a, b)).rgba), `${JSON.stringify(a)} then ${JSON.stringify(b)}`).toBe(names(twice.rgba));
      }
    expect(composeOrientations({ rotation: 90, flip: false }, { rotation: 90, flip: false })).toEqual({ rotation: 180, flip: false });
    expect(composeOrientations({ rotation: 0, flip: true }, { rotation: 0, flip: true })).toEqual({ rotation: 0, flip: false });
  });
});
