/**
 * What the HTTP layer needs from parts it does not own. The bind manager and MT router (a later step)
 * implement `MtSender` and `BindsView`; `createCoreApp` takes them injected.
 */
import type { Clock, OutboundMessage, SendOutcome } from "../../contract/index.ts";
import type { Inbox } from "../inbound/inbox.ts";
import type { SendLog } from "../outbound/send-log.ts";
import type { Logger } from "../platform/log.ts";
import type { CoreMetrics } from "../platform/metrics.ts";
import type { Store } from "../store/store.ts";
import type { Wakeup } from "../platform/wakeup.ts";

/** Sends one MT over an active bind; never queues on an inactive one. Outcomes are data; throws only for faults. */
export interface MtSender {
  send(msg: OutboundMessage, messageId: string): Promise<SendOutcome>;
}

/** One bind's state, as `GET /v1/binds` shows it. */
export interface BindInfo {
  readonly node: string;
  readonly site: string;
  /** idle | connecting | bound | unbinding | backoff | stopped (BIND_STATE_KINDS). */
  readonly state: string;
  /** When it entered `state`, epoch ms. */
  readonly since: number;
  /** In backoff: when the next attempt may start, epoch ms. */
  readonly nextAttemptAt?: number;
  /** submit_sm awaiting a response on this bind. */
  readonly inFlight: number;
}

export interface BindsView {
  list(): readonly BindInfo[];
}

export interface CoreAppDeps {
  /** Bearer token for /v1/*. */
  readonly token: string;
  /** The edge's scoped token: POST /v1/events and PUT /v1/messages/:id only (see auth.ts). */
  readonly edgeToken?: string;
  readonly store: Store;
  readonly inbox: Inbox;
  readonly sender: MtSender;
  /** Where sends are recorded for GET /v1/messages/:id (the core's own, and the edge's PUTs). */
  readonly sendLog: SendLog;
  readonly binds: BindsView;
  readonly metrics: CoreMetrics;
  readonly clock?: Clock;
  /** Wakes the event stream when this core stores events (others' are seen by polling). */
  readonly wakeup?: Wakeup;
  readonly log?: Logger;
  /** Largest request body (default 2 MB). */
  readonly bodyLimitBytes?: number;
  /** Event stream: poll interval without a wakeup (default 1 s), heartbeat comment interval (default 15 s). */
  readonly streamPollMs?: number;
  readonly streamHeartbeatMs?: number;
  /** The webhook outbox's dead letter (absent without a webhook): POST /v1/deliveries/replay. */
  readonly deliveries?: { replayDead(limit: number, fresh: boolean): Promise<number> };
  /** Event streams open at once (default 100); one more answers 503. */
  readonly maxStreams?: number;
}
