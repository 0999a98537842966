/**
 * Send reports through a Cloudflare Queue: the producer binding (`SEND_REPORTS` in wrangler.toml) takes the
 * reports the core did not take at once; this same Worker consumes the queue (`queue()` in entry/worker.ts) and
 * PUTs each to the core, retrying a failure after the configured wait (`message.retry({ delaySeconds })`).
 * After the queue's max_retries a report goes to the dead-letter queue (wrangler.toml).
 */
import type { SendReports } from "./send-report.ts";
import { queuedReportOf, retryWaitS, settled, type QueuedReport, type ReportQueue } from "./report-queue.ts";

/** The parts of a Queue producer binding used here (workers-types' `Queue`). */
export interface QueueBindingLike {
  send(body: QueuedReport, options?: { contentType?: "json" }): Promise<unknown>;
}

/** The parts of a delivered batch used here (workers-types' `MessageBatch`). */
export interface ReportBatchLike {
  readonly messages: readonly { readonly body: unknown; readonly attempts: number; ack(): void; retry(o?: { delaySeconds?: number }): void }[];
}

export class WorkersReportQueue implements ReportQueue {
  readonly kind = "cloudflare-queue";
  constructor(private readonly binding: QueueBindingLike) {}

  async enqueue(report: QueuedReport): Promise<void> {
    await this.binding.send(report, { contentType: "json" });
  }
}

/** The consumer: each report PUT to the core at once; a failure retried after its wait (attempts counts from 1). */
export async function consumeReports(batch: ReportBatchLike, reports: SendReports, waitsS: readonly number[],
  log: (e: { level: "error"; msg: string }) => void): Promise<void> {
  await Promise.all(batch.messages.map(async (m) => {
    const report = queuedReportOf(m.body);
    if (!report) {
      log({ level: "error", msg: "queued send record is not a report: dropped" });
      return m.ack();
    }
    const r = await reports.tryOnce(report.messageId, report.record);
    if (settled(r)) m.ack();
    else m.retry({ delaySeconds: retryWaitS(waitsS, m.attempts) });
  }));
}
