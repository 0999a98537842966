/**
 * What the bind manager and the MT router need from an SMPP session, and nothing more. The adapter in
 * smpp-connector.ts fits core/smpp's Session to it; keeping the port this small lets the state machine be
 * read (and tested) without the protocol underneath.
 */
import type { SmscNode } from "../../contract/index.ts";
import type { SmInput } from "../smpp/pdu.ts";

export type SubmitAnswer =
  | { readonly kind: "resp"; readonly status: number; readonly messageId: string }
  | { readonly kind: "window_full" }
  /** Sent, no answer in time: the SMSC may or may not have taken it. */
  | { readonly kind: "timeout" }
  /** The session closed with the request in flight (or before it could be written). */
  | { readonly kind: "closed"; readonly written: boolean };

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
