// Class names for a head, by its size: the official heads' label maps in index order, or names the user
// gives in a label file. Sources: Kinetics-400 and -600, DeepMind's Kinetics label maps (Apache-2.0), and
// Charades' 157 classes (c000–c156 of the dataset's Charades_v1_classes.txt), as in ../shared/data/.
import charades from './charades_labels.txt?raw';
import kinetics400 from './kinetics400_labels.txt?raw';
import kinetics600 from './kinetics600_labels.txt?raw';

const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);

export const KINETICS_400_LABELS: readonly string[] = lines(kinetics400);
export const KINETICS_600_LABELS: readonly string[] = lines(kinetics600);
export const CHARADES_LABELS: readonly string[] = lines(charades);

/** The dataset whose label map a head of this size outputs, if we know one. */
const DATASETS = [
  { name: 'Kinetics-400', labels: KINETICS_400_LABELS },
  { name: 'Kinetics-600', labels: KINETICS_600_LABELS },
  { name: 'Charades', labels: CHARADES_LABELS },
] as const;

export function datasetOf(numClasses: number): string | undefined {
  return DATASETS.find((d) => d.labels.length === numClasses)?.name;
}

/** The known label map of a head this size, else "class N" (Something-Something v2's 174 among them). */
export function labelsFor(numClasses: number): readonly string[] {
  return DATASETS.find((d) => d.labels.length === numClasses)?.labels ?? Array.from({ length: numClasses }, (_, i) => `class ${i}`);
}

export class LabelFileError extends Error {
  override readonly name = 'LabelFileError';
}

/**
 * Class names from a label file: one label a line (index order), a JSON array of names, or a JSON map of
 * label → index (as Something-Something v2's labels.json, whose indices are strings). It must name every
 * class of the head exactly once.
 */
export function readLabelFile(text: string, numClasses: number, name = 'the label file'): string[] {
  const body = text.replace(/^\uFEFF/, '').trim();
  let labels: string[];
  if (body.startsWith('{') || body.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (e) {
      throw new LabelFileError(`${name} looks like JSON but does not parse (${e instanceof Error ? e.message : String(e)})`);
    }
    if (Array.isArray(parsed)) labels = parsed.map(String);
    else if (typeof parsed === 'object' && parsed !== null) labels = fromIndexMap(parsed, numClasses, name);
    else throw new LabelFileError(`${name} is JSON but neither a list of labels nor a map of labels to indices`);
  } else {
    labels = body.split(/\r?\n/).map((l) => l.trim());
    while (labels.length && labels.at(-1) === '') labels.pop();
  }
  if (labels.length !== numClasses) {
    throw new LabelFileError(`${name} has ${labels.length} labels, but the model's head has ${numClasses} classes`);
  }
  const blank = labels.findIndex((l) => l === '');
  if (blank >= 0) throw new LabelFileError(`${name}: label ${blank} (line ${blank + 1}) is empty`);
  return labels;
}

function fromIndexMap(map: object, numClasses: number, name: string): string[] {
  const entries = Object.entries(map);
  if (entries.length !== numClasses) {
    throw new LabelFileError(`${name} has ${entries.length} labels, but the model's head has ${numClasses} classes`);
  }
  const labels = new Array<string>(numClasses);
  for (const [label, raw] of entries) {
    const index: unknown = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= numClasses) {
      throw new LabelFileError(`${name}: '${label}' maps to ${JSON.stringify(raw)}, not a class index from 0 to ${numClasses - 1}`);
    }
    if (labels[index] !== undefined) throw new LabelFileError(`${name}: '${label}' and '${labels[index]}' both map to ${index}`);
    labels[index] = label;
  }
  return labels;
}
