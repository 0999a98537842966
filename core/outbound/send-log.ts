/**
 * Records every send's outcome in the message record (GET /v1/messages/:id), group-committed like the inbox: the
 * sends that end while a transaction is written go into the next one together. A failed batch is retried one
 * transaction per send, so one bad record fails alone.
 */
import { GroupCommit } from "../store/group-commit.ts";
import type { SendEntry, Store } from "../store/store.ts";
import type { Clock } from "../../contract/index.ts";

export class SendLog {
  readonly #batches: GroupCommit<SendEntry, undefined>;

  constructor(store: Store, clock: Clock, maxBatch = 1000) {
    this.#batches = new GroupCommit(async (batch) => {
      await store.recordSends(batch, clock.now());
      return batch.map(() => undefined);
    }, { maxBatch, onBatchError: "retry_each" });
  }

  /** Resolves once the send is committed. */
  async record(entry: SendEntry): Promise<void> {
    await this.#batches.submit(entry);
  }
}
