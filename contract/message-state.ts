/** SMPP 3.4 message_state values, as Genesys sends them in receipts (HTTP `message_state`, SMPP TLV 0x0427). */
import { z } from "zod";

export const MESSAGE_STATES = {
  1: "ENROUTE",
  2: "DELIVERED",
  3: "EXPIRED",
  4: "DELETED",
  5: "UNDELIVERABLE",
  6: "ACCEPTED",
  7: "UNKNOWN",
  8: "REJECTED",
} as const;

export type MessageStateName = (typeof MESSAGE_STATES)[keyof typeof MESSAGE_STATES];
export const MessageStateName = z.enum(Object.values(MESSAGE_STATES) as [MessageStateName, ...MessageStateName[]]);

/** Receipt text `stat:` values (DELIVRD, UNDELIV, …) to states. */
const STAT_WORDS: Record<string, MessageStateName> = {
  ENROUTE: "ENROUTE", DELIVRD: "DELIVERED", EXPIRED: "EXPIRED", DELETED: "DELETED",
  UNDELIV: "UNDELIVERABLE", ACCEPTD: "ACCEPTED", UNKNOWN: "UNKNOWN", REJECTD: "REJECTED",
};

export function messageStateName(code: number): MessageStateName | undefined {
  return (MESSAGE_STATES as Record<number, MessageStateName>)[code];
}

const STATE_CODES = new Map(Object.entries(MESSAGE_STATES).map(([code, name]) => [name, Number(code)]));

export function messageStateCode(name: MessageStateName): number {
  return STATE_CODES.get(name)!;
}

export function messageStateFromStat(word: string): MessageStateName | undefined {
  return STAT_WORDS[word.toUpperCase()];
}

/** Final states: no further receipt is expected for the message. */
export function isFinalState(state: MessageStateName): boolean {
  return state !== "ENROUTE" && state !== "ACCEPTED" && state !== "UNKNOWN";
}
