/** MT claims: one core (owner) sends a client message id at a time; a stale claim is taken over. Both backends. */
import { afterAll, describe, expect, test } from "bun:test";
import type { Store } from "../../core/store/store.ts";
import { BACKENDS, backend } from "./helpers/stores.ts";

/** One claim, taken as the core takes it (a correlate batch), at `now`; a claim made before `staleBefore` is stale. */
async function claim(store: Store, id: string, owner: string, now: number, staleBefore: number): Promise<boolean> {
  const [taken] = await store.correlate([{ kind: "claim", clientMessageId: id, owner, staleMs: now - staleBefore }], now);
  return taken as boolean;
}

for (const name of BACKENDS) {
  describe(`MT claims (${name})`, () => {
    const b = backend(name);
    afterAll(() => b.cleanup());

    test("held by one owner until released; another owner's release changes nothing", async () => {
      const store = await b.open();
      expect(await claim(store, "m1", "core-a", 1_000, 0)).toBe(true);
      expect(await claim(store, "m1", "core-b", 1_001, 0)).toBe(false);
      await store.releaseMt("m1", "core-b");
      expect(await claim(store, "m1", "core-b", 1_002, 0)).toBe(false);
      await store.releaseMt("m1", "core-a");
      expect(await claim(store, "m1", "core-b", 1_003, 0)).toBe(true);
      expect(await claim(store, "m2", "core-a", 1_004, 0)).toBe(true); // other ids are independent
    });

    test("a claim made before staleBefore (its core died mid-send) is taken over, a fresh one is not", async () => {
      const store = await b.open();
      expect(await claim(store, "s1", "core-a", 5_000, 0)).toBe(true);
      expect(await claim(store, "s1", "core-b", 6_000, 5_000)).toBe(false); // made at 5 000: not before it
      expect(await claim(store, "s1", "core-b", 6_001, 5_001)).toBe(true);
      await store.releaseMt("s1", "core-a"); // the old owner's late release leaves the new claim alone
      expect(await claim(store, "s1", "core-c", 6_002, 0)).toBe(false);
    });

    test("many owners racing for one id: exactly one gets it", async () => {
      const stores = await Promise.all([b.open(), b.open(), b.open()]);
      const won = await Promise.all(Array.from({ length: 12 }, (_, i) => claim(stores[i % 3]!, "race", `core-${i}`, 9_000, 0)));
      expect(won.filter(Boolean)).toHaveLength(1);
    });
  });
}
