// Kinetics-400 class names in the official heads' index order. Source: DeepMind's Kinetics label map
// (Apache-2.0), as in ../shared/data/kinetics400_labels.txt.
import kinetics400 from './kinetics400_labels.txt?raw';

export const KINETICS_400_LABELS: readonly string[] = kinetics400.split('\n').map((l) => l.trim()).filter(Boolean);

export function labelsFor(numClasses: number): readonly string[] {
  if (numClasses === KINETICS_400_LABELS.length) return KINETICS_400_LABELS;
  return Array.from({ length: numClasses }, (_, i) => `class ${i}`);
}
