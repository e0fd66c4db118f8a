// The engine worker's one rule, on its own: jobs wait for the latest weights and head; tuning yields.
import { describe, expect, it } from 'vitest';
import { Scheduler } from './scheduler.ts';

/** A promise and the function that settles it. */
function deferred() {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('the engine\'s scheduler', () => {
  it('runs a job only after the weights sent before it, and those sent while it waited', async () => {
    const log: string[] = [];
    const s = new Scheduler(async () => void log.push('tuning stopped'));
    const first = deferred();
    const second = deferred();
    void s.loadWeights(first.promise);
    const job = s.run(async () => void log.push('job'));
    await tick();
    void s.loadWeights(second.promise);
    first.resolve();
    await tick();
    expect(log).toEqual([]);
    second.resolve();
    expect(await job).toBe(true);
    expect(log).toEqual(['tuning stopped', 'job']);
  });

  it('a load that fails still lets the jobs after it run (the load reports its own failure)', async () => {
    const s = new Scheduler(async () => {});
    const load = deferred();
    const loading = s.loadWeights(load.promise);
    const job = s.run(async () => {});
    load.reject(new Error('not weights'));
    await expect(loading).rejects.toThrow('not weights');
    expect(await job).toBe(true);
  });

  it('a head waits for the weights before it, and jobs wait for the head, in the order they were sent', async () => {
    const log: string[] = [];
    const s = new Scheduler(async () => {});
    const load = deferred();
    const headDone = deferred();
    void s.loadWeights(load.promise.then(() => void log.push('weights')));
    const head = s.changeHead(async () => {
      log.push('head starts');
      await headDone.promise;
      log.push('head');
    });
    const job = s.run(async () => void log.push('job'));
    await tick();
    expect(log).toEqual([]);
    load.resolve();
    await tick();
    expect(log).toEqual(['weights', 'head starts']);
    headDone.resolve();
    await head;
    await job;
    expect(log).toEqual(['weights', 'head starts', 'head', 'job']);
  });

  it('a job cancelled while it waits never runs; one already running is not the scheduler\'s to stop', async () => {
    const s = new Scheduler(async () => {});
    const load = deferred();
    void s.loadWeights(load.promise);
    let ran = false;
    const job = s.run(async () => void (ran = true), 7);
    expect(s.cancel(7)).toBe(true);
    expect(s.cancel(7)).toBe(false);
    load.resolve();
    expect(await job).toBe(false);
    expect(ran).toBe(false);
  });
});
