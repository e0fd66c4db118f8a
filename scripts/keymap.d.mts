// Types for keymap.mjs (plain JavaScript, imported by the Node entry points).
export function readKeymapShapes(path: string): { key: string; shape: number[] }[];
