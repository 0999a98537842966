/**
 * What the bind manager and the MT router need from an SMPP session, and nothing more. The adapter in
 * smpp-connector.ts fits core/smpp's Session to it; keeping the port this small lets the state machine be
 * read (and tested) without the protocol underneath.
 */
import type { SmscNode } from "../../contract/index.ts";
import type { SmInput } from "../smpp/pdu.ts";

/**
 * A submit's answer as the router reads it: core/smpp's SubmitResult without its wire details (sequence, PDU),
 * so a Session's result is one as it is, with no translation between them. `window_full` and `not_bound` were
 * never written (safe on another bind); `timeout` and `closed` were, and their fate is unknown.
 */
export type SubmitAnswer =
  | { readonly kind: "resp"; readonly status: number; readonly messageId: string }
  /** generic_nack: the SMSC refused the PDU itself, a definite answer, classified like a status. */
  | { readonly kind: "nack"; readonly status: number }
  /** Sent, no answer in time: the SMSC may or may not have taken it. */
  | { readonly kind: "timeout" }
  /** The session closed with the request in flight. */
  | { readonly kind: "closed" }
  | { readonly kind: "window_full" }
  /** The session was not bound (closing or closed): never written. */
  | { readonly kind: "not_bound" };

export interface BoundSession {
  readonly inFlight: number;
  readonly window: number;
  submit(sm: SmInput): Promise<SubmitAnswer>;
  /** Polite unbind (bounded wait for in-flight responses and unbind_resp), then close. */
  unbind(): Promise<void>;
  close(reason: string): void;
  /** Settles once, with the reason, when the session is gone for whatever cause. */
  readonly closed: Promise<string>;
}

export type NodeConnectResult =
  | { readonly ok: true; readonly session: BoundSession; readonly systemId: string }
  | { readonly ok: false; readonly reason: string };

/** Connects and binds to one node; never throws (a failure is a result). */
export type NodeConnector = (node: SmscNode) => Promise<NodeConnectResult>;
