/**
 * "Send a caller's id once", in one place. A repeat of an id this core is sending waits for that send and
 * gets its outcome; an id whose submit is recorded gets the first outcome from the record, without a submit;
 * a partly sent long MT (a segment refused, throttled or unanswered) gets only its missing segments sent, under
 * the recorded UDH reference; an id recorded (or being sent) with another message is refused (`conflict`);
 * with several cores on one store, the core that holds the id's claim sends it and the others wait (bounded)
 * for its record or its release. The router (mt-router.ts) only routes; the SQL is the store's (mt-sql.ts).
 */
import type { Clock, OutboundMessage, SendOutcome } from "../../contract/index.ts";
import { GroupCommit } from "../store/group-commit.ts";
import type { Store } from "../store/store.ts";
import type { CorrelationOp, CorrelationOpResult, SubmitRecord } from "../store/types.ts";
import { messageFingerprint } from "./fingerprint.ts";

/** One accepted segment, as recorded: its place in the message (0-based) and where it went. */
export interface SentSegment {
  readonly segment: number;
  readonly smscMessageId: string;
  readonly node: string;
  readonly site: string;
}

/** What a send got accepted: some (or all) of the message's `total` segments, under concatenation reference `ref`. */
export interface SegmentsAccepted {
  readonly total: number;
  readonly ref: number;
  readonly segments: readonly SentSegment[];
}

/** An id's record: the segments accepted so far; total, ref and fingerprint absent on records made before them. */
export interface PriorSubmit {
  readonly segments: readonly { readonly segment: number; readonly smscMessageId: string; readonly node?: string; readonly site?: string }[];
  readonly total?: number;
  readonly ref?: number;
  readonly fingerprint?: string;
}

/** A partly sent id being completed: the segments accepted before, under reference `ref`, out of `total`. */
export interface Resume {
  readonly total: number;
  readonly ref: number;
  readonly segments: PriorSubmit["segments"];
}

/** Where accepted MTs are recorded, so receipts correlate and repeats of an id are answered from it. */
export interface MtRecorder {
  recordSubmit(r: SegmentsAccepted & { clientMessageId: string; fingerprint: string }): Promise<unknown>;
  findSubmit(clientMessageId: string): Promise<PriorSubmit | undefined>;
  /**
   * Several cores on one store: takes the id for this core while it sends it; false while another core holds
   * it. Absent: this process is the only sender (its own in-progress map is enough).
   */
  claim?(clientMessageId: string): Promise<boolean>;
  /** Gives the id back when its send ended with nothing recorded (`recordSubmit` ends the claim itself). */
  release?(clientMessageId: string): Promise<void>;
}

/** Records the segments accepted so far (a send that fails part-way records what was accepted). */
export type RecordSegments = (accepted: SegmentsAccepted) => Promise<void>;

/** Sends the message (only the segments `resume` lacks, when given) and records what was accepted. */
export type Submit = (record: RecordSegments, resume?: Resume) => Promise<SendOutcome>;

/** The answer to a reuse of an id for another message: nothing is sent. */
function reused(messageId: string): SendOutcome {
  return { status: "rejected", kind: "conflict", messageId, attempts: [], reason: "this message id was already used for a different message; nothing was sent: send a new message under a new id" };
}

/** The answer from a complete record (every segment accepted, or a record from before segment counts). */
function fromRecord(messageId: string, prior: PriorSubmit): SendOutcome {
  const last = prior.segments.at(-1)!;
  return {
    status: "accepted", messageId, attempts: [], site: last.site ?? "", node: last.node ?? "", resultCode: 0, deduplicated: true,
    smscMessageIds: prior.segments.map((s) => s.smscMessageId),
    ...(prior.total !== undefined && prior.total > 1 && { segments: { total: prior.total, accepted: prior.segments.length } }),
  };
}

export interface SendOnceOptions {
  readonly recorder: MtRecorder;
  readonly clock: Clock;
  /** How long a send waits while another core holds its id (default 5 s), looking every `claimPollMs` (50). */
  readonly claimWaitMs?: number;
  readonly claimPollMs?: number;
}

export class SendOnce {
  readonly #inProgress = new Map<string, { readonly fingerprint: string; readonly outcome: Promise<SendOutcome> }>();

  constructor(private readonly o: SendOnceOptions) {}

  /**
   * Sends `msg` under `messageId` through `submit` unless the id is being sent or was sent already; a partly sent
   * id gets its missing segments sent; an id sent (or being sent) with another message is refused (`conflict`).
   */
  send(msg: OutboundMessage, messageId: string, submit: Submit): Promise<SendOutcome> {
    const fingerprint = messageFingerprint(msg);
    const running = this.#inProgress.get(messageId);
    if (running) {
      if (running.fingerprint !== fingerprint) return Promise.resolve(reused(messageId));
      return running.outcome.then((o) => (o.status === "accepted" ? { ...o, deduplicated: true } : o));
    }
    const outcome = this.#send(messageId, fingerprint, msg.clientMessageId !== undefined, submit).finally(() => this.#inProgress.delete(messageId));
    this.#inProgress.set(messageId, { fingerprint, outcome });
    return outcome;
  }

  /**
   * The first outcome of an id already sent, else this core's send of it. With several cores, another one
   * may be sending the same caller's id (a client's retry that went elsewhere): this one waits, bounded, for
   * that send's record (then answers it) or its release (then sends itself), and never sends alongside it.
   */
  async #send(messageId: string, fingerprint: string, callersId: boolean, submit: Submit): Promise<SendOutcome> {
    const { recorder, clock } = this.o;
    const waitUntil = clock.now() + (this.o.claimWaitMs ?? 5_000);
    // Only a caller's id (msg.clientMessageId) can reach two cores; one generated by this core is its own.
    const shared = recorder.claim !== undefined && callersId;
    let resume: Resume | undefined;
    for (;;) {
      // Claim first, then look for a record: a record is committed before its claim ends, so a claim
      // holder that finds none knows the id was never sent (and one that finds a partial record, what is missing).
      const claimed = !shared || (await recorder.claim!(messageId));
      const prior = await recorder.findSubmit(messageId);
      // Records from before fingerprints match any message; those from before segment counts are complete.
      const conflict = prior?.fingerprint !== undefined && prior.fingerprint !== fingerprint;
      const complete = prior !== undefined && (prior.total === undefined || prior.segments.length >= prior.total);
      if (prior && (conflict || complete)) {
        if (shared && claimed) await recorder.release?.(messageId).catch(() => undefined);
        return conflict ? reused(messageId) : fromRecord(messageId, prior);
      }
      if (prior && claimed) resume = { total: prior.total!, ref: prior.ref ?? 0, segments: prior.segments };
      if (claimed) break;
      if (clock.now() >= waitUntil) {
        return { status: "unknown", messageId, attempts: [], reason: "another core is sending this message id now: ask again with the same id" };
      }
      await new Promise<void>((r) => clock.setTimeout(() => r(), this.o.claimPollMs ?? 50));
    }
    let recorded = false;
    try {
      return await submit(async (accepted) => {
        await recorder.recordSubmit({ clientMessageId: messageId, fingerprint, ...accepted });
        recorded = true;
      }, resume);
    } finally {
      // Failing to release only delays a retry of this id until the claim goes stale.
      if (!recorded) await recorder.release?.(messageId).catch(() => undefined);
    }
  }
}

export interface StoreRecorderOptions {
  readonly store: Store;
  /** Records the submit and releases the parked receipts it matches (Correlation.recordSubmit). */
  readonly recordSubmit: (rec: SubmitRecord) => Promise<unknown>;
  /**
   * Where claims are group-committed: the correlation's batches (Correlation.enqueue), so claims of new MTs and
   * records of finished ones share a transaction (on sqlite at synchronous=FULL, one fsync instead of two).
   * Default: batches of their own.
   */
  readonly correlate?: (op: CorrelationOp) => Promise<CorrelationOpResult>;
  readonly clock: Clock;
  /** This core's id in the store. */
  readonly owner: string;
  /** Claims on (several cores share the store: config store.mtClaims) or off. */
  readonly claims: boolean;
  /** After this long a core's claim is taken to be a crash's leftover and may be taken over. */
  readonly staleMs: number;
  /** Most claims in one transaction (default 1000). */
  readonly maxBatch?: number;
}

/**
 * The store as the MtRecorder. Claims are group-committed (with the correlation's parks and submit records when
 * `correlate` is given); a failed batch is retried one op per transaction.
 */
export function storeRecorder(o: StoreRecorderOptions): MtRecorder {
  const claims = o.correlate ? { submit: o.correlate } : new GroupCommit<CorrelationOp, CorrelationOpResult>((ops) => o.store.correlate(ops, o.clock.now()), { maxBatch: o.maxBatch ?? 1000, onBatchError: "retry_each" });
  return {
    recordSubmit: (r) => o.recordSubmit(r),
    findSubmit: (id) => o.store.findSubmit(id),
    ...(o.claims && {
      claim: async (id: string) => (await claims.submit({ kind: "claim", clientMessageId: id, owner: o.owner, staleMs: o.staleMs })) as boolean,
      release: (id: string) => o.store.releaseMt(id, o.owner),
    }),
  };
}
