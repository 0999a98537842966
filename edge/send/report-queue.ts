/**
 * A durable queue for the send reports the core did not take at once (send-report.ts): the report outlives the
 * isolate or process that made it, and the queue's consumer retries it with backoff until the core takes it, or
 * puts it aside (dead letter) after the last retry. At-least-once is enough: the core's PUT is idempotent.
 * Adapters: workers-report-queue.ts (a Cloudflare Queue) and deno-report-queue.ts (Deno KV's queue).
 */
import { SendRecord } from "../../contract/message-status.ts";
import type { ReportResult } from "./send-report.ts";

/** What is queued: the message id and the record the core's PUT /v1/messages/:id takes. */
export interface QueuedReport {
  readonly messageId: string;
  readonly record: SendRecord;
}

export interface ReportQueue {
  /** For log lines: `cloudflare-queue` or `deno-kv`. */
  readonly kind: string;
  /** Resolves once the report is stored durably; rejects if it is not. */
  enqueue(report: QueuedReport): Promise<void>;
}

/** The wait before retry `n` (1 = the first retry) from the configured waits; the last one repeats. */
export function retryWaitS(waits: readonly number[], n: number): number {
  return waits[Math.min(Math.max(n, 1), waits.length) - 1] ?? 0;
}

/** A queued body as a report, or undefined when it is not one (written by another version, or damaged). */
export function queuedReportOf(body: unknown): QueuedReport | undefined {
  const b = body as { messageId?: unknown; record?: unknown } | null;
  if (typeof b?.messageId !== "string") return undefined;
  const rec = SendRecord.safeParse(b.record);
  return rec.success ? { messageId: b.messageId, record: rec.data } : undefined;
}

/** What the consumer does with one delivery's result: done (taken, or refused for good), or retry later. */
export const settled = (r: ReportResult): boolean => r !== "failed";
