/** Content dedup of id-less MOs: same words within the window are one MO, later they are a new one. */
import { afterAll, describe, expect, test } from "bun:test";
import { Inbox } from "../../core/inbox.ts";
import { MO_DEDUP_WINDOW_MS, acceptContentMo, moContentKeys } from "../../core/mo-dedup.ts";
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

for (const name of BACKENDS) {
  describe(`MO content dedup (${name})`, () => {
    const b = backend(name);
    afterAll(() => b.cleanup());

    test("redelivered in the same or next bucket → duplicate; two buckets later → new", async () => {
      const store = await b.open();
      const inbox = new Inbox(store);
      let dups = 0;
      const deps = { inbox, store, onDuplicate: () => dups++ };
      const w = MO_DEDUP_WINDOW_MS;
      const t0 = Math.floor(1_700_000_000_000 / w) * w + w - 1000; // 1 s before a bucket boundary
      expect((await acceptContentMo(deps, MO, SRC, t0)).stored).toBe(true);
      expect((await acceptContentMo(deps, MO, SRC, t0 + 500)).stored).toBe(false); // same bucket: inbox dedup
      expect((await acceptContentMo(deps, MO, SRC, t0 + 2000)).stored).toBe(false); // next bucket: previous-key check
      expect(dups).toBe(1);
      expect((await acceptContentMo(deps, MO, SRC, t0 + 2 * w + 2000)).stored).toBe(true);
    });
  });
}
