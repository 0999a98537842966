/**
 * What `GET /v1/messages/:id` answers (edge and core alike): a sent message's current state and its timeline,
 * whichever path sent it. The state only moves forward (`stateRank`): a late ENROUTE after DELIVERED is kept in
 * the timeline but does not regress the state, and a failure of any segment outranks DELIVERED, so a message
 * with segments is DELIVERED only when none failed. The rank makes the state independent of arrival order.
 */
import { z } from "zod";
import { Channel } from "./events.ts";
import { isFinalState, MessageStateName, type MessageStateName as StateName } from "./message-state.ts";
import { Attempt, SegmentCount, type SendOutcome } from "./outcome.ts";

/**
 * Order of states: non-final states first, then DELIVERED, then the failures. The state of a message is the
 * highest-ranked state of its receipts; equal ranks keep the first.
 */
const RANK: Record<StateName, number> = {
  ENROUTE: 1, ACCEPTED: 2, UNKNOWN: 3, DELIVERED: 10, EXPIRED: 11, DELETED: 12, UNDELIVERABLE: 13, REJECTED: 14,
};

export function stateRank(state: StateName): number {
  return RANK[state];
}

/** The state a message has after `next` arrives when it had `current` (undefined: no receipt yet). */
export function nextState(current: StateName | undefined, next: StateName): StateName {
  return current !== undefined && RANK[current] >= RANK[next] ? current : next;
}

/** The path a message took: `http` (the edge, Genesys' HTTP API) or `smpp` (the core's binds). */
export const MessagePath = z.enum(["http", "smpp"]);
export type MessagePath = z.infer<typeof MessagePath>;

/** One send of the message as the sender recorded it: the outcome and every attempt. */
export const MessageSend = z.object({
  status: z.enum(["accepted", "rejected", "unknown"]),
  /** When the send ended, ISO 8601. */
  at: z.iso.datetime(),
  site: z.string().optional(),
  node: z.string().optional(),
  resultCode: z.number().int().optional(),
  smppStatus: z.number().int().optional(),
  reason: z.string().optional(),
  deduplicated: z.boolean().optional(),
  smscMessageIds: z.array(z.string()).optional(),
  segments: SegmentCount.optional(),
  attempts: z.array(Attempt),
});
export type MessageSend = z.infer<typeof MessageSend>;

/** One receipt in the timeline: every distinct receipt, in the order it was stored. */
export const MessageReceipt = z.object({
  eventId: z.string(),
  state: MessageStateName,
  stateCode: z.number().int(),
  errorCode: z.string().optional(),
  networkErrorCode: z.string().optional(),
  resultCode: z.number().int().optional(),
  /** The SMSC message id it named (SMPP: which segment). */
  smscMessageId: z.string().optional(),
  /** When the gateway received it, ISO 8601. */
  receivedAt: z.iso.datetime(),
  /** The carrier's done date, when the receipt gave one. */
  doneAt: z.string().optional(),
  /** `smpp`: the bind (`node`, `site`) it came on; `http`: a Genesys callback (`site` when known). */
  channel: Channel,
  site: z.string().optional(),
  node: z.string().optional(),
});
export type MessageReceipt = z.infer<typeof MessageReceipt>;

/** One segment of a long MT (SMPP path): its place, the SMSC id it was accepted under, and its receipts' state. */
export const MessageSegment = z.object({
  /** 1-based, as in the concatenation UDH. */
  seq: z.number().int().min(1),
  /** Absent while the segment has not been accepted (a partial send: resend the same id to send it). */
  smscMessageId: z.string().optional(),
  /** The highest-ranked state of this segment's receipts; absent before its first. */
  state: MessageStateName.optional(),
});
export type MessageSegment = z.infer<typeof MessageSegment>;

/**
 * A long MT's segments. The message's `state` aggregates them: DELIVERED only once every segment has a
 * DELIVERED receipt, a failed segment (named here by its `seq`) makes the message failed, ENROUTE while others
 * are pending.
 */
export const MessageSegments = z.object({
  total: z.number().int().min(2),
  /** Accepted by an SMSC so far; below `total` the send is partial. */
  accepted: z.number().int().nonnegative(),
  parts: z.array(MessageSegment),
});
export type MessageSegments = z.infer<typeof MessageSegments>;

export const MessageStatus = z.object({
  messageId: z.string(),
  /** Absent when the gateway knows the message only from a receipt (the sender's record has not arrived). */
  path: MessagePath.optional(),
  /**
   * The highest-ranked receipt state so far (a long MT: its segments' aggregate, see `segments`); absent before
   * the first receipt.
   */
  state: MessageStateName.optional(),
  /** Set once the state is final (DELIVERED, EXPIRED, DELETED, UNDELIVERABLE, REJECTED). */
  finalState: MessageStateName.optional(),
  /** When the state last moved, ISO 8601. */
  stateAt: z.iso.datetime().optional(),
  send: MessageSend.optional(),
  /** A long MT sent over SMPP: its segments (present once any was accepted). */
  segments: MessageSegments.optional(),
  receipts: z.array(MessageReceipt),
});
export type MessageStatus = z.infer<typeof MessageStatus>;

/** What the edge tells the core after each send it made (`PUT /v1/messages/:id` on the core). */
export const SendRecord = z.object({
  path: MessagePath,
  /** Who sent it (the edge's caller): only this principal can read the message back. */
  principal: z.string().min(1).max(200),
  send: MessageSend,
});
export type SendRecord = z.infer<typeof SendRecord>;

export const finalStateOf = (state: StateName | undefined): StateName | undefined => (state !== undefined && isFinalState(state) ? state : undefined);

/** The header in which the edge names its caller to the core (the core trusts it only with its own token). */
export const PRINCIPAL_HEADER = "gsh-principal";

/** A SendOutcome as the timeline records it. */
export function sendOf(o: SendOutcome, at: Date): MessageSend {
  return {
    status: o.status,
    at: at.toISOString(),
    ...("site" in o && o.site !== undefined && { site: o.site }),
    ...("node" in o && o.node !== undefined && { node: o.node }),
    ...("resultCode" in o && o.resultCode !== undefined && { resultCode: o.resultCode }),
    ...("smppStatus" in o && o.smppStatus !== undefined && { smppStatus: o.smppStatus }),
    ...("reason" in o && { reason: o.reason }),
    ...(o.status === "accepted" && { deduplicated: o.deduplicated }),
    ...(o.status === "accepted" && o.smscMessageIds && { smscMessageIds: o.smscMessageIds }),
    ...(o.segments && { segments: o.segments }),
    attempts: o.attempts,
  };
}
