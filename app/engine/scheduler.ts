// The engine worker's one rule for ordering work: jobs wait for the latest weights and head; tuning yields.
// A video, a camera session, a teaching file, training or tuning sent right after new weights (or a new head)
// runs with them; a head waits for the weights sent before it; background tuning stops before any job starts.

export class Scheduler {
  /** The latest load of weights, and the latest change of head (their failures are theirs to report). */
  private weights: Promise<void> = Promise.resolve();
  private head: Promise<void> = Promise.resolve();
  /** Jobs waiting their turn, by id: cancelling one removes it. */
  private readonly waiting = new Set<number>();

  constructor(private readonly yieldTuning: () => Promise<void>) {}

  /** New weights: later jobs and heads wait for them. */
  loadWeights(load: Promise<void>): Promise<void> {
    this.weights = load.catch(() => {});
    return load;
  }

  /** A new head (used, trained, or none): it waits for the weights before it, and later jobs wait for it. */
  changeHead(change: () => Promise<void>): Promise<void> {
    const previous = this.head;
    const changed = (async () => {
      await this.latestWeights();
      await previous;
      await change();
    })();
    this.head = changed.catch(() => {});
    return changed;
  }

  /**
   * Runs `job` once the latest weights and head are in, after tuning has stopped. With an `id`, a job cancelled
   * while it waited does not run: then false.
   */
  async run(job: () => Promise<void>, id?: number): Promise<boolean> {
    if (id !== undefined) this.waiting.add(id);
    await this.settled();
    if (id !== undefined && !this.waiting.delete(id)) return false;
    await this.yieldTuning();
    await job();
    return true;
  }

  /** Cancels a job still waiting its turn: true if it was. */
  cancel(id: number): boolean {
    return this.waiting.delete(id);
  }

  /** Waits until no load of weights is pending, including ones that began while it waited. */
  private async latestWeights(): Promise<void> {
    for (let weights = this.weights; ; weights = this.weights) {
      await weights;
      if (weights === this.weights) return;
    }
  }

  /** Waits until no load or head change is pending, including ones that began while it waited. */
  private async settled(): Promise<void> {
    for (;;) {
      const { weights, head } = this;
      await weights;
      await head;
      if (weights === this.weights && head === this.head) return;
    }
  }
}
