/** Content dedup of id-less MOs: same words within the window are one MO, later they are a new one. */
import { afterAll, describe, expect, test } from "bun:test";
import { Inbox } from "../../core/inbound/inbox.ts";
import { eventIdFor, eventIdWith } from "../../contract/index.ts";
import { MO_DEDUP_WINDOW_MS, acceptContentMo as accept, moContentKeys, sha256hex } from "../../core/inbound/mo-dedup.ts";
import { BACKENDS, backend } from "./helpers/stores.ts";

const MO = { from: "+12025550100", to: "12345", text: "STOP" };
const SRC = { channel: "smpp" as const, node: "smc1.dc3", site: "dc3" };

test("keys: current and previous bucket of the window", async () => {
  const t = 1_700_000_000_000;
  const k = await moContentKeys(MO, t);
  const later = await moContentKeys(MO, t + MO_DEDUP_WINDOW_MS);
  expect(later.previous).toBe(k.current);
  expect(k.current).toMatch(/^mo:sum:\d+:[0-9a-f]{64}$/);
  expect((await moContentKeys({ ...MO, text: "STOP " }, t)).current).not.toBe(k.current);
});

test("keys sort by their window first: a new MO's key lands after 30 days of others in the unique index, not among them", async () => {
  // Keyed by hash first, each MO's insert touched its own page of a dedup index as large as the retention
  // (field-scale.ts: MOs at 10M rows 75 % / 84 % of the empty store's rate); by window first, only the newest pages.
  const t = 1_700_000_000_000;
  const earlier = Array.from({ length: 200 }, (_, i) => moContentKeys({ ...MO, text: `a${i}` }, t).current);
  const later = Array.from({ length: 200 }, (_, i) => moContentKeys({ ...MO, text: `b${i}` }, t + 30 * 86_400_000).current);
  const nextWindow = Array.from({ length: 200 }, (_, i) => moContentKeys({ ...MO, text: `c${i}` }, t + MO_DEDUP_WINDOW_MS).current);
  expect(earlier.every((k) => nextWindow.every((n) => k < n))).toBe(true);
  expect(nextWindow.every((k) => later.every((n) => k < n))).toBe(true);
});

test("the core's synchronous event ids (Bun hasher, reused) are the contract's WebCrypto ids", async () => {
  const keys = ["abc", "mo:sum:7:ab", "dr:smsc:1f:2:héllo €", ...(await Promise.all([1, 2].map((n) => moContentKeys({ ...MO, text: `t${n}` }, n)))).map((k) => k.current)];
  for (const k of keys) expect(eventIdWith(sha256hex, k)).toBe(await eventIdFor(k));
  expect(eventIdWith(sha256hex, "abc")).toBe("evt_ba7816bf8f01cfea414140de5dae2223");
});

for (const name of BACKENDS) {
  describe(`MO content dedup (${name})`, () => {
    const b = backend(name);
    afterAll(() => b.cleanup());
    const received = async (store: Awaited<ReturnType<typeof b.open>>, text: string) =>
      (await store.eventsAfter(0, 1000)).flatMap((e) => (e.event.type === "message.received" && e.event.data.text === text ? [e.event] : []));

    test("the same words again in the same or next bucket: stored too, marked possibleDuplicate of the first; two buckets later: new", async () => {
      const store = await b.open();
      const deps = { inbox: new Inbox(store) };
      const w = MO_DEDUP_WINDOW_MS;
      const t0 = Math.floor(1_700_000_000_000 / w) * w + w - 1000; // 1 s before a bucket boundary
      const first = await accept(deps, MO, SRC, t0);
      expect(first).toMatchObject({ stored: true });
      const firstId = eventIdWith(sha256hex, first.key);
      expect(await accept(deps, MO, SRC, t0 + 500)).toMatchObject({ stored: true, possibleDuplicateOf: firstId }); // same bucket
      expect(await accept(deps, MO, SRC, t0 + 2000)).toMatchObject({ stored: true, possibleDuplicateOf: firstId }); // next bucket
      const later = await accept(deps, MO, SRC, t0 + 2 * w + 2000);
      expect(later.stored && later.possibleDuplicateOf).toBeUndefined();
      const evs = await received(store, MO.text);
      expect(evs.map((e) => e.data.possibleDuplicate)).toEqual([undefined, true, true, undefined]);
      expect(evs.map((e) => e.data.duplicateOf)).toEqual([undefined, firstId, firstId, undefined]);
      expect(new Set(evs.map((e) => e.id)).size).toBe(4);
    });

    test("a known redelivery (redeliveryOf: the first copy's key) is the same event: stored once", async () => {
      const store = await b.open();
      const deps = { inbox: new Inbox(store) };
      const mo = { ...MO, text: "redelivered" };
      const first = await accept(deps, mo, SRC, 1_700_000_000_000);
      expect(await accept(deps, mo, { ...SRC, site: "bos", node: "smc1.bos" }, 1_700_000_030_000, MO_DEDUP_WINDOW_MS, first.key)).toEqual({ stored: false, key: first.key });
      expect(await received(store, mo.text)).toHaveLength(1);
    });

    test("copies straddling a bucket boundary in ONE group commit: every one stored, the later ones marked", async () => {
      const store = await b.open();
      const deps = { inbox: new Inbox(store) };
      const w = MO_DEDUP_WINDOW_MS;
      const t0 = Math.floor(1_800_000_000_000 / w) * w - 1000;
      const mo = { ...MO, text: "straddle" };
      const rs = await Promise.all([accept(deps, mo, SRC, t0), accept(deps, mo, SRC, t0 + 2000), accept(deps, mo, SRC, t0 + 3000)]);
      const firstId = eventIdWith(sha256hex, rs[0]!.key);
      expect(rs.map((r) => r.stored && r.possibleDuplicateOf)).toEqual([undefined, firstId, firstId]);
      expect(await received(store, "straddle")).toHaveLength(3);
    });
  });
}
