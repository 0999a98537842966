/**
 * Public types of the SMPP session: options, results and events. Results are data (discriminated
 * unions); a session never throws for protocol outcomes and never logs.
 */
import type { Clock } from "../../contract/clock.ts";
import type { DeliverSmPdu, SmRespPdu } from "./pdu.ts";
import type { Connector, Endpoint } from "./transport.ts";

export type BindType = "transceiver" | "transmitter" | "receiver";

/**
 * Handles one inbound deliver_sm and resolves to the command_status for its deliver_sm_resp.
 * The response is written only once this settles, so resolve after the event is committed.
 * A rejection or throw answers ESME_RX_T_APPN (temporary: the SMSC delivers again).
 */
export type DeliverHandler = ((pdu: DeliverSmPdu) => Promise<number> | number) & {
  /**
   * Told, after the handler settled, whether its deliver_sm_resp went out: `written` false when the session had
   * closed first (the SMSC has no answer and must deliver it again: the next copy is a redelivery).
   */
  answered?(pdu: DeliverSmPdu, status: number, written: boolean): void;
};

/** Session settings. Durations in milliseconds of the injected clock. */
export interface SessionOptions {
  endpoint: Endpoint;
  /** Default "transceiver". */
  bindType?: BindType;
  systemId: string;
  password: string;
  systemType?: string;
  /** Default 0x34 (SMPP 3.4). */
  interfaceVersion?: number;
  addrTon?: number;
  addrNpi?: number;
  addressRange?: string;
  /** Max submit_sm awaiting a response; submit() answers window_full beyond it. Default 10. */
  window?: number;
  /** Per-request response timeout (submit_sm, enquire_link). Default 30 000. */
  responseTimeoutMs?: number;
  /** Connect + bind must finish within this. Default 10 000. */
  bindTimeoutMs?: number;
  /** Send enquire_link after this long without inbound data; 0 disables. Default 30 000. */
  enquireLinkIdleMs?: number;
  /** Wait this long for unbind_resp before closing anyway. Default 5 000. */
  unbindTimeoutMs?: number;
  /** Largest accepted inbound command_length. Default 65 536. */
  maxPduLength?: number;
  /**
   * Consecutive submit_sm timeouts that close the session (the node then rebinds after its floor): a node that
   * answers enquire_link but not submits must not keep getting MTs. Any submit answer resets the count; 0 never
   * closes. Default 3.
   */
  maxSubmitTimeouts?: number;
  /**
   * Inbound deliver_sm whose handler has not settled, at most: beyond it, reading from the socket pauses (the
   * SMSC sees TCP backpressure) and deliver_sm already read wait, until answers free the window. Default 1000.
   */
  maxUnansweredDelivers?: number;
  /**
   * Octets queued for a peer that does not read, at most: beyond it the session closes (`write_backlog`).
   * The deliver_sm read but held back while reading pauses have the same limit (`inbound_overload`). Default 1 MiB.
   */
  maxBacklogBytes?: number;
  /** First sequence number to use, 1..0x7FFFFFFF (tests start near the wrap). Default 1. */
  initialSequence?: number;
  /** Inbound deliver_sm handler; without one every deliver_sm is answered ESME_RX_T_APPN. */
  onDeliver?: DeliverHandler;
  clock?: Clock;
  /** Socket factory; default Bun.connect. */
  connector?: Connector;
}

/** Lifecycle: idle → connecting → binding → bound → unbinding → closed (closed from anywhere). */
export type SessionState = "idle" | "connecting" | "binding" | "bound" | "unbinding" | "closed";

/** Why a session closed. */
export type CloseReason =
  | "local_close" // close() called
  | "unbound" // our unbind completed
  | "unbind_timeout" // our unbind got no unbind_resp
  | "peer_unbind" // the SMSC sent unbind; we answered unbind_resp
  | "peer_closed" // the socket closed under us
  | "connect_failed"
  | "bind_rejected"
  | "bind_timeout"
  | "dead_peer" // enquire_link unanswered
  | "lost_sync" // generic_nack for a sequence we never sent
  | "bad_length" // command_length < 16 or over the limit
  | "malformed_pdu" // a PDU whose body could not be decoded
  | "submit_timeouts" // maxSubmitTimeouts submit_sm in a row unanswered
  | "write_backlog" // the peer stopped reading: more than maxBacklogBytes queued for it
  | "inbound_overload"; // the peer kept sending after reading paused: more than maxBacklogBytes held

export type BindResult =
  | { kind: "bound"; systemId: string; scInterfaceVersion?: number }
  | { kind: "rejected"; status: number }
  | { kind: "failed"; reason: "connect_failed" | "timeout" | "closed" | "already_used"; detail?: string };

/**
 * Result of submit(). `window_full` and `not_bound` were never sent (safe to try another bind);
 * `timeout` and `closed` were sent and their fate is unknown (do not resend blindly).
 */
export type SubmitResult =
  | { kind: "resp"; sequence: number; status: number; messageId: string; pdu: SmRespPdu }
  | { kind: "nack"; sequence: number; status: number }
  | { kind: "timeout"; sequence: number }
  | { kind: "closed"; sequence: number; reason: string }
  | { kind: "window_full" }
  | { kind: "not_bound"; state: SessionState };

export type UnbindResult =
  | { kind: "unbound" }
  | { kind: "timeout" }
  | { kind: "closed"; reason: CloseReason }
  | { kind: "not_bound"; state: SessionState };

/** Events, by name. */
export interface SessionEvents {
  state: { from: SessionState; to: SessionState };
  bound: { systemId: string };
  closed: { reason: CloseReason; detail?: string; failedInFlight: number };
  /** A PDU we could not use but that did not break the stream (late response, wrong type…). */
  ignored: { reason: string; command: string; sequence: number };
  /** A deliver handler threw or rejected; answered ESME_RX_T_APPN. */
  handler_error: { error: unknown; sequence: number };
  /** enquire_link sent because the link was idle. */
  keepalive: { sequence: number };
}
