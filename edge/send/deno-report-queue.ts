/**
 * Send reports through Deno KV's queue (`kv.enqueue` / `kv.listenQueue`, behind --unstable-kv): durable when
 * DENO_KV_PATH is a file (a `:memory:` KV ends with the process). The listener PUTs each report to the core and
 * throws on a failure, so Deno KV delivers it again after the next wait of the report's backoffSchedule; after
 * the last one the report is written under ["send-reports-undelivered", id] (the dead letters).
 */
import type { SendReports } from "./send-report.ts";
import { queuedReportOf, settled, type QueuedReport, type ReportQueue } from "./report-queue.ts";

/** The parts of Deno.Kv used here. */
export interface DenoKvQueueLike {
  enqueue(value: unknown, options?: { delay?: number; keysIfUndelivered?: unknown[][]; backoffSchedule?: number[] }): Promise<unknown>;
  listenQueue(handler: (value: unknown) => Promise<void> | void): Promise<void>;
}

/** Where reports that exhausted their retries are kept, by message id. */
export const UNDELIVERED_PREFIX = "send-reports-undelivered";

/** Marks a queued value as a send report: the KV queue is one per database, shared with any other use. */
const TAG = "gsh-send-report";

export class DenoKvReportQueue implements ReportQueue {
  readonly kind = "deno-kv";
  constructor(private readonly kv: DenoKvQueueLike, private readonly waitsS: readonly number[]) {}

  async enqueue(report: QueuedReport): Promise<void> {
    await this.kv.enqueue({ tag: TAG, ...report }, {
      backoffSchedule: this.waitsS.map((s) => s * 1000),
      keysIfUndelivered: [[UNDELIVERED_PREFIX, report.messageId]],
    });
  }

  /** Starts the consumer (once per KV handle); values that are not send reports are left alone. */
  listen(reports: SendReports, log: (e: { level: "error"; msg: string }) => void): Promise<void> {
    return this.kv.listenQueue(async (value) => {
      if ((value as { tag?: unknown } | null)?.tag !== TAG) return;
      const report = queuedReportOf(value);
      if (!report) return log({ level: "error", msg: "queued send record is not a report: dropped" });
      // A throw is how a listener asks Deno KV for another delivery (after the next wait of the schedule).
      if (!settled(await reports.tryOnce(report.messageId, report.record))) throw new Error("the core did not take the send record");
    });
  }
}
