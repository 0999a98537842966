/**
 * The inbound dispatcher on its own, over a real sqlite store: what each deliver_sm is answered, that the
 * answer comes only after the event is committed, and that a store failure is a throw (the session answers a
 * temporary error, the SMSC delivers again), never ESME_ROK.
 */
import { afterEach, expect, test } from "bun:test";
import { ManualClock } from "../../contract/index.ts";
import { Correlation } from "../../core/inbound/correlation.ts";
import { InboundDispatcher, type InboundEvents } from "../../core/inbound/dispatcher.ts";
import { Inbox } from "../../core/inbound/inbox.ts";
import { MoParts } from "../../core/inbound/mo-parts.ts";
import { Status } from "../../core/smpp/index.ts";
import { deliver } from "./helpers/concat-parts.ts";
import { backend, type Backend } from "./helpers/stores.ts";

const node = { name: "smc1.dc3", site: "dc3" as const, host: "127.0.0.1", port: 1, tls: false };
const enc = (s: string) => new TextEncoder().encode(s);
let db: Backend;
afterEach(() => db.cleanup());

async function setup() {
  db = backend("sqlite");
  const store = await db.open();
  const clock = new ManualClock();
  const inbox = new Inbox(store);
  const correlation = new Correlation({ store, inbox, clock });
  const moParts = new MoParts({ store, clock, dedupWindowMs: 600_000 });
  const dispatcher = new InboundDispatcher({ correlation, moParts, inbox, clock, moDedupWindowMs: 600_000, smscAckTimeoutMs: 10_000 });
  const seen: { [K in keyof InboundEvents]?: InboundEvents[K][] } = {};
  for (const name of ["unusable", "handled", "possibleDuplicate", "redelivery"] as const) dispatcher.on(name, (e) => void (seen[name] ??= [] as never[]).push(e as never));
  return { store, dispatcher, seen };
}

test("an MO: ESME_ROK once stored; the same words on another session after it was answered: stored too, marked", async () => {
  const { store, dispatcher, seen } = await setup();
  const pdu = deliver({ sourceAddr: "4512345678", destinationAddr: "12345", shortMessage: enc("hello dispatcher") });
  const a = dispatcher.handler(node);
  expect(await a(pdu)).toBe(Status.ESME_ROK);
  a.answered!(pdu, Status.ESME_ROK, true);
  expect((await store.eventsAfter(0, 10)).map((e) => e.event.type)).toEqual(["message.received"]);
  expect(await dispatcher.handler(node)({ ...pdu, sequence: 7 })).toBe(Status.ESME_ROK);
  const evs = (await store.eventsAfter(0, 10)).map((e) => e.event);
  expect(evs).toHaveLength(2);
  expect(evs[1]!.data).toMatchObject({ possibleDuplicate: true, duplicateOf: evs[0]!.id });
  expect(seen.possibleDuplicate).toHaveLength(1);
  expect(seen.handled).toEqual([{ kind: "mo", node: "smc1.dc3", outcome: "stored" }, { kind: "mo", node: "smc1.dc3", outcome: "duplicate" }]);
});

test("a redelivery it can tell is stored once: the same sequence on the same session, or a copy of one whose answer never went out", async () => {
  const { store, dispatcher, seen } = await setup();
  const text = (t: string) => deliver({ sourceAddr: "4512345678", destinationAddr: "12345", shortMessage: enc(t) });
  const a = dispatcher.handler(node);
  // The same PDU again on the session (our answer was lost): one MO.
  const p1 = { ...text("again on the session"), sequence: 41 };
  await a(p1);
  a.answered!(p1, Status.ESME_ROK, true);
  await a({ ...p1 });
  // The session closed before the answer went out: the SMSC delivers it again, on another bind of the other site.
  const p2 = { ...text("answer never sent"), sequence: 42 };
  await a(p2);
  a.answered!(p2, Status.ESME_ROK, false);
  const other = dispatcher.handler({ ...node, name: "smc1.bos", site: "bos" });
  await other({ ...p2, sequence: 9 });
  // …and a third copy after that is not a redelivery any more: marked.
  await other({ ...p2, sequence: 10 });
  const evs = (await store.eventsAfter(0, 10)).map((e) => e.event as Extract<(typeof e)["event"], { type: "message.received" }>);
  expect(evs.map((e) => [e.data.text, e.data.possibleDuplicate])).toEqual([
    ["again on the session", undefined],
    ["answer never sent", undefined],
    ["answer never sent", true],
  ]);
  expect(seen.redelivery).toEqual([{ node: "smc1.dc3", how: "same_sequence" }, { node: "smc1.bos", how: "unanswered" }]);
});

test("a receipt whose MT is unknown is parked (durably) and answered ESME_ROK", async () => {
  const { store, dispatcher, seen } = await setup();
  const pdu = deliver({ destinationAddr: "1", esmClass: 0x04, shortMessage: enc("id:1 stat:DELIVRD"), tlvs: { receiptedMessageId: "0A1B2C", messageState: 2 } });
  expect(await dispatcher.deliver(node, pdu)).toBe(Status.ESME_ROK);
  expect(seen.handled).toEqual([{ kind: "receipt", node: "smc1.dc3", outcome: "parked" }]);
  expect(await store.eventsAfter(0, 10)).toHaveLength(0);
});

test("an unusable deliver_sm is answered ESME_RX_P_APPN, reported, and nothing is stored", async () => {
  const { store, dispatcher, seen } = await setup();
  const pdu = deliver({ destinationAddr: "1", esmClass: 0x04, shortMessage: enc("no id here") });
  expect(await dispatcher.deliver(node, pdu)).toBe(Status.ESME_RX_P_APPN);
  expect(seen.unusable).toEqual([{ node: "smc1.dc3", reason: expect.any(String), sequence: 1 }]);
  expect(await store.eventsAfter(0, 10)).toHaveLength(0);
});

test("a store failure throws: never ESME_ROK for an MO that is not committed", async () => {
  const { store, dispatcher } = await setup();
  await store.close();
  const pdu = deliver({ sourceAddr: "4512345678", destinationAddr: "12345", shortMessage: enc("lost?") });
  await expect(dispatcher.deliver(node, pdu)).rejects.toThrow();
});
