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
  expect(k.current).toMatch(/^mo:sum:[0-9a-f]{64}:\d+$/);
  expect((await moContentKeys({ ...MO, text: "STOP " }, t)).current).not.toBe(k.current);
});

test("the core's synchronous event ids (Bun hasher, reused) are the contract's WebCrypto ids", async () => {
  const keys = ["abc", "mo:sum:ab:7", "dr:smsc:1f:2:héllo €", ...(await Promise.all([1, 2].map((n) => moContentKeys({ ...MO, text: `t${n}` }, n)))).map((k) => k.current)];
  for (const k of keys) expect(eventIdWith(sha256hex, k)).toBe(await eventIdFor(k));
  expect(eventIdWith(sha256hex, "abc")).toBe("evt_ba7816bf8f01cfea414140de5dae2223");
});

for (const name of BACKENDS) {
  describe(`MO content dedup (${name})`, () => {
    const b = backend(name);
    afterAll(() => b.cleanup());

    test("redelivered in the same or next bucket → duplicate; two buckets later → new", async () => {
      const store = await b.open();
      const inbox = new Inbox(store);
      let dups = 0;
      const deps = { inbox };
      // The previous-bucket hits, as the dispatcher counts them (`previous` on the result).
      const acceptContentMo = (...a: Parameters<typeof accept>) => accept(...a).then((r) => (!r.stored && r.previous && dups++, r));
      const w = MO_DEDUP_WINDOW_MS;
      const t0 = Math.floor(1_700_000_000_000 / w) * w + w - 1000; // 1 s before a bucket boundary
      expect((await acceptContentMo(deps, MO, SRC, t0)).stored).toBe(true);
      expect((await acceptContentMo(deps, MO, SRC, t0 + 500)).stored).toBe(false); // same bucket: inbox dedup
      expect((await acceptContentMo(deps, MO, SRC, t0 + 2000)).stored).toBe(false); // next bucket: previous-key check
      expect(dups).toBe(1);
      expect((await acceptContentMo(deps, MO, SRC, t0 + 2 * w + 2000)).stored).toBe(true);
    });

    test("copies straddling a bucket boundary in ONE group commit are one MO (checked in the transaction)", async () => {
      const store = await b.open();
      let dups = 0;
      const deps = { inbox: new Inbox(store) };
      const acceptContentMo = (...a: Parameters<typeof accept>) => accept(...a).then((r) => (!r.stored && r.previous && dups++, r));
      const w = MO_DEDUP_WINDOW_MS;
      const t0 = Math.floor(1_800_000_000_000 / w) * w - 1000;
      const mo = { ...MO, text: "straddle" };
      const rs = await Promise.all([acceptContentMo(deps, mo, SRC, t0), acceptContentMo(deps, mo, SRC, t0 + 2000), acceptContentMo(deps, mo, SRC, t0 + 3000)]);
      expect(rs.map((r) => r.stored)).toEqual([true, false, false]);
      expect(dups).toBe(2);
      const stored = (await store.eventsAfter(0, 1000)).filter((e) => e.event.type === "message.received" && e.event.data.text === "straddle");
      expect(stored).toHaveLength(1);
    });
  });
}
