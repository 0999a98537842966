/**
 * Group commit: the items submitted while a transaction is being written (or in the same tick, e.g. all the
 * deliver_sm of one socket read) go into the next transaction together, in arrival order, up to `maxBatch`.
 * Each caller gets its own answer, once the batch is COMMITted. The inbox and the receipt correlation both
 * batch this way; they differ only in what a failed batch means (`onBatchError`).
 */

export interface GroupCommitOptions {
  readonly maxBatch: number;
  /**
   * `reject_all`: every caller of a failed batch is rejected (the SMSC redelivers each);
   * `retry_each`: each item is retried in a transaction of its own, so one bad item fails alone.
   */
  readonly onBatchError: "reject_all" | "retry_each";
}

interface Waiter<In, Out> {
  readonly item: In;
  readonly resolve: (r: Out) => void;
  readonly reject: (e: unknown) => void;
}

export class GroupCommit<In, Out> {
  #queue: Waiter<In, Out>[] = [];
  #scheduled = false;
  #writing = false;

  /** `write` stores a batch in one transaction and answers one result per item, in order. */
  constructor(
    private readonly write: (batch: In[]) => Promise<Out[]>,
    private readonly opts: GroupCommitOptions,
  ) {}

  submit(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (this.#scheduled || this.#writing) return;
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        void this.#flush();
      });
    });
  }

  async #flush(): Promise<void> {
    if (this.#writing) return;
    this.#writing = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.opts.maxBatch);
        try {
          const results = await this.write(batch.map((w) => w.item));
          batch.forEach((w, i) => w.resolve(results[i]!));
        } catch (e) {
          if (this.opts.onBatchError === "reject_all" || batch.length === 1) for (const w of batch) w.reject(e);
          else for (const w of batch) await this.write([w.item]).then(([r]) => w.resolve(r!), w.reject);
        }
      }
    } finally {
      this.#writing = false;
    }
  }
}
