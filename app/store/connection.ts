// The page's engine: one worker, reached through the package's client (the same one npm users get), started
// once by the store and shared by its slices.
import { EngineClient, type EngineEvent } from '../engine/library.ts';

let client: EngineClient | undefined;

/** The engine, once the store has started it. */
export const engine = (): EngineClient | undefined => client;

/** Starts the engine (once); its events go to `route`. */
export function connect(route: (e: EngineEvent) => void): EngineClient | undefined {
  if (client) return undefined;
  client = new EngineClient();
  client.on(route);
  return client;
}
