/**
 * The store's hot operations at field scale, for the plan tests: a fill (in SQL, seconds) of 1M MT segments and
 * 1M events plus outbox rows, parked receipts, concatenated-MO parts, MT claims and message records; one pass
 * over every hot operation with values that hit existing and missing keys (store-plans.test.ts); one MT and its
 * receipts on keys of its own, that runs on an empty store too (store-stale-stats.test.ts).
 */
import { expect } from "bun:test";
import { smscMessageIdForms, type Event } from "../../../contract/index.ts";
import type { PartGroup, Store } from "../../../core/store/store.ts";
import type { BackendName } from "./stores.ts";
import { mo, receipt } from "./events.ts";
import { bulkRows, fillDedupKey, hexOf, series } from "./store-fill.ts";

const N = 1_000_000;
/** Rows of the smaller tables (outbox, parked receipts, MO parts, claims). */
const M = 100_000;
const STEP = 2_700; // ms between two stored rows: N rows span ~31 days, so the retention sweep has ~4% to prune
const BASE = Date.UTC(2026, 0, 1);
const NOW = BASE + N * STEP;
const DAY = 86_400_000;
const RETAIN_BEFORE = NOW - 30 * DAY;
const FILL = { from: BASE, stepMs: STEP };

/** The fill, one statement each, generated in SQL: `g` runs 1..N (or 1..M). */
export function fill(d: BackendName): string[] {
  const rows = (n: number) => series(d, n);
  const hex = (x: string) => hexOf(d, x);
  return [
    ...bulkRows(d, { mtSegments: N, events: N, ...FILL }),
    // Parked receipts of the last 100 s (none expired, none correlatable), dead letters scattered through the old events, and the newest M/10 pending.
    `INSERT INTO outbox (cursor, attempts, next_at, dead_at, last_error)
       SELECT g * 10, 12, ${BASE} + g * ${STEP} * 10, ${BASE} + g * ${STEP} * 10, 'gone' FROM ${rows(M)}`,
    `INSERT INTO outbox (cursor, attempts, next_at) SELECT ${N} - g, 0, ${NOW} - g FROM ${rows(M / 10)} WHERE (${N} - g) % 10 <> 0`,
    `INSERT INTO parked_receipts (dedup_key, smsc_form, parked_at, body)
       SELECT 'dr:fill-' || g, 'pk' || ${hex("g")}, ${NOW} - g, '{}' FROM ${rows(M)}`,
    `INSERT INTO mo_parts (part_key, group_key, seq, total, from_addr, to_addr, data_coding, payload, source, received_at, done_at)
       SELECT 'grp-' || (g / 2) || '|' || (g % 2 + 1), 'grp-' || (g / 2), g % 2 + 1, 2, '+1202555', '12345', 0, '6869', '{}',
              ${NOW} - g * 100, CASE WHEN g > 1000 THEN ${NOW} - g * 100 END FROM ${rows(M)}`,
    `INSERT INTO mt_claims (client_message_id, owner, claimed_at) SELECT 'claim-' || g, 'core-x', ${NOW} - g FROM ${rows(M)}`,
    // Message records (GET /v1/messages/:id), recent, and two receipts each.
    `INSERT INTO mt_messages (client_message_id, principal, path, send_status, send_body, state, state_rank, state_at, created_at)
       SELECT 'cm-' || g, 'key:a', 'http', 'accepted', '{}', 'DELIVERED', 10, ${NOW} - g, ${NOW} - g FROM ${rows(M)}`,
    `INSERT INTO message_receipts (cursor, client_message_id, received_at, body)
       SELECT ${N} + g, 'cm-' || (g / 2), ${NOW} - g, '{}' FROM ${rows(M)}`,
    `INSERT INTO principal_feed (principal, cursor, at) SELECT 'key:' || (g % 100), ${N} + g, ${NOW} - g FROM ${rows(M)}`,
  ];
}

/** Every hot operation once, with values that hit existing and missing keys. */
export async function exercise(store: Store): Promise<void> {
  const formsOf = (id: number) => smscMessageIdForms(String(id));
  // Receipt correlation (the committed read, then the park path: unknown id → parked; known → stored).
  expect(await store.findClientMessageId(formsOf(500_001))).toEqual(expect.any(String));
  expect(await store.findClientMessageId(formsOf(9_000_000_001))).toBeUndefined();
  const unknown = await receipt("9000000002");
  const known = await receipt("500003");
  // MT records: a submit (releasing a parked receipt of its id), a claim, a claim's release, a lookup.
  const r = await store.correlate(
    [
      { kind: "park", event: unknown, forms: formsOf(9_000_000_002) },
      { kind: "park", event: known, forms: formsOf(500_003) },
      { kind: "submit", rec: { clientMessageId: "cm-new-1", segments: [{ smscMessageId: "9000000002", node: "smc1.dc3", site: "dc3" }] } },
      { kind: "claim", clientMessageId: "cm-new-2", owner: "core-a", staleMs: 60_000 },
    ],
    NOW,
  );
  expect(r.slice(0, 2)).toEqual([{ outcome: "parked" }, { outcome: "stored", cursor: expect.any(Number), clientMessageId: expect.any(String) }]);
  await store.releaseMt("cm-new-2", "core-a");
  expect((await store.findSubmit("cm-250000"))?.segments.length).toBe(2);
  // Event insert and dedup (an id'd MO, a content MO with its previous bucket's key), the MO dedup window.
  const a = await mo("plan-1");
  const b = await mo("plan-2");
  expect((await store.insertEvents([a, b], NOW, [undefined, fillDedupKey(77, FILL)])).map((x) => x.inserted)).toEqual([true, false]);
  expect(await store.hasAnyDedupKey([fillDedupKey(6, FILL), "nope"])).toBe(true);
  // Pull / stream reads.
  expect((await store.eventsAfter(N - 5, 100)).length).toBeGreaterThan(0);
  expect(await store.lastCursor()).toBeGreaterThan(N);
  // Outbox lease and delivery (each settlement).
  const leased = await store.claimDeliveries("core-a", NOW, 30_000, 3);
  expect(leased.length).toBe(3);
  await store.settleDelivery(leased[0]!.cursor, "core-a", { kind: "delivered" }, NOW);
  await store.settleDelivery(leased[1]!.cursor, "core-a", { kind: "retry", attempts: 1, nextAt: NOW + 1000, error: "503" }, NOW);
  await store.settleDelivery(leased[2]!.cursor, "core-a", { kind: "dead", attempts: 12, error: "410" }, NOW);
  // The dead letters replayed, longest dead first; the backlog gauge (/metrics).
  expect(await store.replayDead(NOW, 10, 11)).toBe(10);
  expect((await store.outboxBacklog()).dead).toBeGreaterThan(0);
  // Concatenated parts: a new group's first part, its completion, a redelivery; the stale sweep.
  const assemble = (g: PartGroup, now: number) => ({
    event: { ...a, id: `asm-${g.groupKey}`, dedupKey: `mo:asm:${g.groupKey}:${now}` } as Event,
    again: (k: string) => ({ ...a, id: `asm-again-${k}`, dedupKey: `mo:asm:${g.groupKey}:${now}:again` }) as Event,
  });
  const part = (seq: number) => ({ groupKey: "grp-new", seq, total: 2, from: "+1202555", to: "12345", dataCoding: 0, payload: new Uint8Array([104, 105]), source: a.source });
  expect((await store.acceptMoPart(part(1), NOW, assemble)).outcome).toBe("pending");
  expect((await store.acceptMoPart(part(2), NOW, assemble)).outcome).toBe("completed");
  expect((await store.acceptMoPart({ ...part(2), redelivery: true }, NOW, assemble)).outcome).toBe("duplicate");
  // The reference reused (tombstones moved aside), received long enough ago for the sweep below: a group of
  // repeated parts, released with nothing delivered (the filled pending parts are all younger: left pending).
  expect((await store.acceptMoPart(part(2), NOW - 200_000, assemble)).outcome).toBe("pending");
  await store.releaseMoParts(NOW - 150_000, NOW - 9_900_000, NOW, assemble);
  await store.releaseMoParts(NOW - 50_000, NOW - 9_900_000, NOW, assemble);
  // Message records: sends recorded (new and known ids), a receipt joining its record, a record read back.
  const sent = { status: "accepted" as const, at: new Date(NOW).toISOString(), attempts: [] };
  await store.recordSends([{ clientMessageId: "cm-77", principal: "key:a", path: "http", send: sent }, { clientMessageId: "cm-new-3", principal: "core", path: "smpp", send: sent }], NOW);
  const dr = await receipt("500005");
  const joined = { ...dr, data: { ...(dr.data as object), clientMessageId: "cm-79" } } as Event;
  expect((await store.insertEvents([joined], NOW)).map((x) => x.inserted)).toEqual([true]);
  expect((await store.findMessage("cm-79"))?.receipts.length).toBeGreaterThan(0);
  await store.feedAfter("key:7", 50, 200); // a caller's scoped event stream
  // The parked-receipt sweep and the retention sweep.
  await store.releaseParked(NOW - 600_000, NOW);
  const pruned = await store.pruneBefore(RETAIN_BEFORE, 1000);
  expect(pruned).toEqual({ events: 1000, mtRecords: 1000 });
}

/**
 * One MT and its receipts, as the hot paths store them, on keys of round `i` only (runs on an empty store too):
 * the claim, the record lookup, the submit record, the send record, a receipt parked before its submit and one
 * correlated after it, an MO, the message read back.
 */
export async function mtRound(store: Store, i: number): Promise<void> {
  const id = `hot-${i}`;
  const smsc = (9_100_000_000 + 2 * i).toString(16).toUpperCase();
  const early = (9_100_000_001 + 2 * i).toString(16).toUpperCase(); // a receipt that beats its submit's answer
  expect(await store.findSubmit(id)).toBeUndefined();
  expect(await store.correlate([{ kind: "claim", clientMessageId: id, owner: "core-a", staleMs: 60_000 }], NOW)).toEqual([true]);
  expect(await store.correlate([{ kind: "park", event: await receipt(early, 1), forms: smscMessageIdForms(early) }], NOW)).toEqual([{ outcome: "parked" }]);
  await store.correlate([{ kind: "submit", rec: { clientMessageId: id, segments: [{ smscMessageId: smsc, node: "smc1.dc3", site: "dc3" }, { smscMessageId: early, node: "smc1.dc3", site: "dc3" }], total: 2, ref: i % 256 } }], NOW);
  await store.recordSends([{ clientMessageId: id, principal: "key:a", path: "smpp", send: { status: "accepted", at: new Date(NOW).toISOString(), attempts: [] } }], NOW);
  expect(await store.findClientMessageId(smscMessageIdForms(smsc))).toBe(id);
  const dr = await receipt(smsc);
  expect((await store.insertEvents([{ ...dr, data: { ...(dr.data as object), clientMessageId: id } } as Event, await mo(`hot-${i}`)], NOW)).map((r) => r.inserted)).toEqual([true, true]);
  // (Its receipts are not counted: the fill's message_receipts rows take cursors the new events may get.)
  expect((await store.findMessage(id))?.send?.status).toBe("accepted");
}
