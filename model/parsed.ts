// Reading what JSON.parse or a YAML parser gave back, which could be anything: narrowed, not cast.

/** A plain object (not null, not an array): its fields can be read and checked one by one. */
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
