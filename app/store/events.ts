// How the engine's events reach the store's slices: a table of handlers by event type (and, for errors, by
// scope), filled by the slices as they are made and run in that order. A slice handles only what it registers.
import type { EngineEvent } from '../engine/library.ts';

export type EngineEventType = EngineEvent['type'];
export type EventOf<T extends EngineEventType> = Extract<EngineEvent, { type: T }>;
export type ErrorEvent = EventOf<'error'>;
export type ErrorScope = ErrorEvent['scope'];

const isOfType = <T extends EngineEventType>(e: EngineEvent, type: T): e is EventOf<T> => e.type === type;

export class EventRouter {
  private readonly table = new Map<EngineEventType, ((e: EngineEvent) => void)[]>();
  private readonly errors = new Map<ErrorScope, ((e: ErrorEvent) => void)[]>();

  /** `handler` for every event of `type` (errors go by scope: onError). */
  on<T extends Exclude<EngineEventType, 'error'>>(type: T, handler: (e: EventOf<T>) => void): void {
    const list = this.table.get(type) ?? [];
    list.push((e) => {
      if (isOfType(e, type)) handler(e);
    });
    this.table.set(type, list);
  }

  /** `handler` for the errors of these scopes. */
  onError(scopes: readonly ErrorScope[], handler: (e: ErrorEvent) => void): void {
    for (const scope of scopes) this.errors.set(scope, [...(this.errors.get(scope) ?? []), handler]);
  }

  route(e: EngineEvent): void {
    if (e.type === 'error') for (const handler of this.errors.get(e.scope) ?? []) handler(e);
    else for (const handler of this.table.get(e.type) ?? []) handler(e);
  }
}
