/** Contract events for tests. */
import { dedupKeys, makeEvent, type Event } from "../../../contract/index.ts";

const AT = new Date(Date.UTC(2026, 0, 1, 12));

/** An MO with a Genesys id: the same `n` always gives the same event. */
export function mo(n: number | string, text = `hello ${n}`): Promise<Event> {
  return makeEvent("message.received", dedupKeys.moById(`g-${n}`), { from: "+12025550100", to: "12345", text }, { channel: "smpp", site: "dc3", node: "smc1.dc3" }, AT);
}

/** An SMPP receipt naming an SMSC id, not yet correlated. */
export function receipt(smscMessageId: string, stateCode = 2, detail = "t1"): Promise<Event> {
  const state = stateCode === 2 ? "DELIVERED" : stateCode === 1 ? "ENROUTE" : "UNDELIVERABLE";
  return makeEvent("message.status", dedupKeys.receipt(`smsc:${smscMessageId}`, stateCode, detail), { smscMessageId, state, stateCode }, { channel: "smpp", site: "bos", node: "smc1.bos" }, AT);
}

export async function mos(from: number, count: number): Promise<Event[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => mo(from + i)));
}
