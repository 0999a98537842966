/**
 * Sends an MT over the SMPP binds: any ACTIVE bind with a free window slot, least in-flight first. A throttled
 * or full bind is paused briefly and another is tried; a request that was never written moves to another
 * bind; a submit whose answer never came is `unknown` and is NOT resent (it may have been taken). That an id
 * is sent once is send-once.ts's: the router only routes.
 */
import { Emitter, type Attempt, type Clock, type Disposable, type OutboundMessage, type RejectionKind, type SendOutcome } from "../../contract/index.ts";
import type { NodeBind } from "../binds/node-bind.ts";
import type { SubmitAnswer } from "../binds/session-port.ts";
import { classifyStatus, statusName } from "../smpp/status.ts";
import { segmentText, type DataCodings } from "./segments.ts";
import type { RecordSegments, Resume, SentSegment } from "./send-once.ts";
import { SlotWait } from "./slot-wait.ts";

export interface RouterOptions {
  binds: () => readonly NodeBind[];
  clock: Clock;
  codings: DataCodings;
  /** How long a throttled bind is left alone. */
  throttlePauseMs: number;
  /** How long a submit may wait for a slot on an active bind. */
  slotWaitMs: number;
  maxWaiters: number;
}

export interface RouterEvents {
  /** One submit_sm answered (or not) on one bind: its outcome, how long it took, and the bind's in-flight count after. */
  submit: { readonly node: string; readonly outcome: Attempt["outcome"]; readonly ms: number; readonly inFlight: number };
}

/** No bind free now: when the first pause ends, and the SMSC's status if every bind left is paused by it. */
interface Busy {
  readonly resumeAt: number;
  readonly throttled: number | undefined;
}

export class MtRouter {
  readonly #events = new Emitter<RouterEvents>();
  readonly #slots: SlotWait;
  /** Throttled binds: until when each is left alone, and the status that paused it. */
  readonly #paused = new Map<string, { until: number; status: number }>();
  #ref = 0;

  constructor(private readonly opts: RouterOptions) {
    this.#slots = new SlotWait(opts.clock, opts.maxWaiters);
  }

  on<K extends keyof RouterEvents>(name: K, fn: (event: RouterEvents[K]) => void): Disposable {
    return this.#events.on(name, fn);
  }

  /** A bind came up or a slot freed outside the router's view. */
  notify(): void {
    this.#slots.notify();
  }

  /**
   * Sends every segment of `msg` over the binds and records (`record`) the accepted ones: all of them, or
   * those accepted before a segment failed. With `resume` (a partly sent id), only the segments it lacks are
   * sent, under its reference, so the handset joins them with the ones it has. Whether the id may be sent at
   * all is SendOnce's (send-once.ts).
   */
  async route(msg: OutboundMessage, messageId: string, record: RecordSegments, resume?: Resume): Promise<SendOutcome> {
    const ref = resume ? resume.ref : (this.#ref = (this.#ref + 1) & 0xff);
    const segments = segmentText(msg.text, ref, this.opts.codings);
    const total = segments.length;
    const attempts: Attempt[] = [];
    if (resume && resume.total !== total) {
      // Only if the data codings changed since the first send: its segments would not join these.
      return { status: "unknown", messageId, attempts, reason: `the message was recorded in ${resume.total} segments and now splits into ${total}; it cannot be completed`, segments: { total: Math.max(2, resume.total), accepted: resume.segments.length } };
    }
    const before = new Set(resume?.segments.map((s) => s.segment));
    const accepted: SentSegment[] = [];
    const count = () => (total > 1 ? { segments: { total, accepted: before.size + accepted.length } } : {});
    for (const [i, seg] of segments.entries()) {
      if (before.has(i)) continue;
      const r = await this.#submitOne(
        {
          sourceAddr: msg.sender,
          destinationAddr: msg.to,
          esmClass: seg.esmClass,
          dataCoding: seg.dataCoding,
          registeredDelivery: msg.receipt ? 1 : 0,
          priorityFlag: msg.priority?.startsWith("INTERACTIVE") ? 1 : 0,
          shortMessage: seg.shortMessage,
        },
        attempts,
      );
      if (r.kind !== "accepted") {
        const part = total > 1 ? ` (segment ${i + 1} of ${total}; ${before.size + accepted.length} already accepted: resend with the same id to send the rest)` : "";
        if (accepted.length) await record({ total, ref, segments: accepted });
        if (r.kind === "unknown") return { status: "unknown", messageId, attempts, reason: r.reason + part, ...count() };
        return {
          status: "rejected",
          kind: r.rejection,
          messageId,
          attempts,
          reason: r.reason + part,
          ...(r.smppStatus !== undefined && { smppStatus: r.smppStatus }),
          ...(r.retryAfterSeconds !== undefined && { retryAfterSeconds: r.retryAfterSeconds }),
          ...count(),
        };
      }
      accepted.push({ segment: i, smscMessageId: r.smscMessageId, node: r.node, site: r.site });
    }
    await record({ total, ref, segments: accepted });
    const last = accepted[accepted.length - 1]!;
    const all = [...(resume?.segments ?? []), ...accepted].sort((a, b) => a.segment - b.segment);
    return { status: "accepted", messageId, attempts, site: last.site, node: last.node, resultCode: 0, deduplicated: false, smscMessageIds: all.map((a) => a.smscMessageId), ...count() };
  }

  /**
   * The active bind with a free slot and the fewest in flight, skipping paused ones, `tried` (full or
   * throttled for this segment) and `failed` (answered an error for it).
   */
  #pick(tried: ReadonlySet<string>, failed: ReadonlySet<string>): NodeBind | "none_active" | "all_failed" | Busy {
    const now = this.opts.clock.now();
    let best: NodeBind | undefined;
    let active = 0;
    let failedActive = 0;
    let paused = 0;
    let resumeAt = Infinity;
    let throttleStatus = 0;
    for (const b of this.opts.binds()) {
      const s = b.session;
      if (!s) continue;
      active++;
      if (failed.has(b.node.name)) {
        failedActive++;
        continue;
      }
      const pause = this.#paused.get(b.node.name);
      if (pause && pause.until > now) {
        paused++;
        if (pause.until < resumeAt) [resumeAt, throttleStatus] = [pause.until, pause.status];
        continue;
      }
      if (tried.has(b.node.name) || s.inFlight >= s.window) continue;
      if (!best || s.inFlight < best.session!.inFlight) best = b;
    }
    if (best) return best;
    if (active === 0) return "none_active";
    if (failedActive === active) return "all_failed";
    return { resumeAt, throttled: paused === active - failedActive ? throttleStatus : undefined };
  }

  async #submitOne(
    sm: Parameters<NonNullable<NodeBind["session"]>["submit"]>[0],
    attempts: Attempt[],
  ): Promise<
    | { kind: "accepted"; smscMessageId: string; node: string; site: string }
    | { kind: "rejected"; rejection: RejectionKind; reason: string; smppStatus?: number; retryAfterSeconds?: number }
    | { kind: "unknown"; reason: string }
  > {
    const { clock } = this.opts;
    const deadline = clock.now() + this.opts.slotWaitMs;
    const tried = new Set<string>();
    const failed = new Set<string>();
    let lastError: { rejection: "permanent"; reason: string; smppStatus: number } | undefined;
    for (;;) {
      const bind = this.#pick(tried, failed);
      if (bind === "none_active") return { kind: "rejected", rejection: "unavailable", reason: "no SMSC bind is active", retryAfterSeconds: 5 };
      if (bind === "all_failed") return { kind: "rejected", ...lastError! };
      if ("resumeAt" in bind) {
        // Every active bind is full, paused or already tried for this segment: wait, bounded, for a slot to
        // free or the first pause to end.
        tried.clear();
        const now = clock.now();
        const woke = await this.#slots.wait(Math.min(deadline, bind.resumeAt) - now);
        if (woke === "woken" || (woke === "timeout" && clock.now() < deadline)) continue;
        if (bind.throttled === undefined) return { kind: "rejected", rejection: "unavailable", reason: "every active bind is busy", retryAfterSeconds: 1 };
        const retryAfterSeconds = Math.max(1, Math.ceil((bind.resumeAt - clock.now()) / 1000));
        return { kind: "rejected", rejection: "throttled", reason: `every active bind is throttled: ${statusName(bind.throttled)}`, smppStatus: bind.throttled, retryAfterSeconds };
      }
      const t0 = clock.monotonic();
      const r: SubmitAnswer = await bind.session!.submit(sm);
      const ms = clock.monotonic() - t0;
      this.#slots.notify();
      const node = bind.node.name;
      const site = bind.node.site;
      const record = (outcome: Attempt["outcome"], smppStatus?: number) => {
        attempts.push({ site, node, outcome, ms, ...(smppStatus !== undefined && { smppStatus }) });
        this.#events.emit("submit", { node, outcome, ms, inFlight: bind.session?.inFlight ?? 0 });
      };
      switch (r.kind) {
        case "window_full":
          tried.add(node);
          continue;
        case "not_bound":
          tried.add(node); // never reached the SMSC: safe on another bind
          record("refused");
          continue;
        case "closed":
          record("timeout");
          return { kind: "unknown", reason: `bind ${node} closed before the SMSC answered` };
        case "timeout":
          record("timeout");
          return { kind: "unknown", reason: `no submit_sm_resp from ${node} in time` };
        case "nack": // the SMSC refused the PDU itself: classified like a status
        case "resp": {
          const cls = classifyStatus(r.status);
          if (cls === "ok") {
            // "OK" without an id to correlate receipts by, or a generic_nack saying OK (an SMSC that could not
            // read our PDU answers so): not an acceptance we can stand behind, and it may have been taken.
            if (r.kind === "nack" || r.messageId.trim() === "") {
              record("timeout", r.status);
              const what = r.kind === "nack" ? "a generic_nack with status 0" : "a submit_sm_resp with an empty message_id";
              return { kind: "unknown", reason: `${node} answered ${what}` };
            }
            record("accepted");
            return { kind: "accepted", smscMessageId: r.messageId, node, site };
          }
          if (cls === "retry_other_bind") {
            record("throttled", r.status);
            this.#paused.set(node, { until: clock.now() + this.opts.throttlePauseMs, status: r.status });
            tried.add(node);
            continue;
          }
          if (cls === "rebind") {
            record("refused", r.status);
            bind.session?.close(`SMSC answered ${statusName(r.status)}`);
            tried.add(node);
            continue;
          }
          record("rejected", r.status);
          const reason = `SMSC rejected the message: ${statusName(r.status)}`;
          if (cls === "permanent") return { kind: "rejected", rejection: "permanent", reason, smppStatus: r.status };
          // A status with no rule (ESME_RSYSERR, …): the SMSC answered, so it did not take the message;
          // another bind may, and no bind is asked twice.
          lastError = { rejection: "permanent", reason, smppStatus: r.status };
          failed.add(node);
          continue;
        }
      }
    }
  }
}
