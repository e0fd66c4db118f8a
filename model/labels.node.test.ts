import { describe, expect, it } from 'vitest';
import { CHARADES_LABELS, KINETICS_400_LABELS, KINETICS_600_LABELS, LabelFileError, datasetOf, labelsFor, readLabelFile } from './labels.ts';

describe('labels by head size', () => {
  it('knows Kinetics-400, Kinetics-600 and Charades, and names any other head "class N"', () => {
    expect(KINETICS_400_LABELS).toHaveLength(400);
    expect(KINETICS_600_LABELS).toHaveLength(600);
    expect(CHARADES_LABELS).toHaveLength(157);
    expect(labelsFor(400)[0]).toBe('abseiling');
    expect(labelsFor(600)[1]).toBe('acting in play');
    expect(labelsFor(157)[0]).toBe('Holding some clothes');
    expect(datasetOf(157)).toBe('Charades');
    expect(datasetOf(174)).toBeUndefined();
    expect(labelsFor(174)).toHaveLength(174);
    expect(labelsFor(174)[173]).toBe('class 173');
  });
});

describe('readLabelFile', () => {
  it('reads one label a line, with a BOM, CRLF and a trailing newline', () => {
    expect(readLabelFile('\uFEFFwave\r\nclap\r\njump\r\n', 3)).toEqual(['wave', 'clap', 'jump']);
  });

  it('reads a JSON array, and a JSON map of label → index with string or number indices (SSv2 labels.json)', () => {
    expect(readLabelFile('["a", "b"]', 2)).toEqual(['a', 'b']);
    expect(readLabelFile('{"Pushing something": "1", "Approaching something": "0", "Holding something": 2}', 3))
      .toEqual(['Approaching something', 'Pushing something', 'Holding something']);
  });

  it('refuses a file whose length does not match the head, clearly', () => {
    expect(() => readLabelFile('a\nb\n', 174, 'labels.txt')).toThrow(new LabelFileError("labels.txt has 2 labels, but the model's head has 174 classes"));
    expect(() => readLabelFile('{"a": "0"}', 2)).toThrow(/has 1 labels, but the model's head has 2 classes/);
  });

  it('refuses maps with a bad or repeated index, empty labels and broken JSON', () => {
    expect(() => readLabelFile('{"a": "0", "b": "0"}', 2)).toThrow(/'b' and 'a' both map to 0/);
    expect(() => readLabelFile('{"a": "0", "b": "7"}', 2)).toThrow(/'b' maps to "7", not a class index from 0 to 1/);
    expect(() => readLabelFile('a\n\nc', 3)).toThrow(/label 1 \(line 2\) is empty/);
    expect(() => readLabelFile('{"a": ', 1)).toThrow(/looks like JSON but does not parse/);
  });
});
