/** MT claims: one core (owner) sends a client message id at a time; a stale claim is taken over. Both backends. */
import { afterAll, describe, expect, test } from "bun:test";
import { BACKENDS, backend } from "./helpers/stores.ts";

for (const name of BACKENDS) {
  describe(`MT claims (${name})`, () => {
    const b = backend(name);
    afterAll(() => b.cleanup());

    test("held by one owner until released; another owner's release changes nothing", async () => {
      const store = await b.open();
      expect(await store.claimMt("m1", "core-a", 1_000, 0)).toBe(true);
      expect(await store.claimMt("m1", "core-b", 1_001, 0)).toBe(false);
      await store.releaseMt("m1", "core-b");
      expect(await store.claimMt("m1", "core-b", 1_002, 0)).toBe(false);
      await store.releaseMt("m1", "core-a");
      expect(await store.claimMt("m1", "core-b", 1_003, 0)).toBe(true);
      expect(await store.claimMt("m2", "core-a", 1_004, 0)).toBe(true); // other ids are independent
    });

    test("a claim made before staleBefore (its core died mid-send) is taken over, a fresh one is not", async () => {
      const store = await b.open();
      expect(await store.claimMt("s1", "core-a", 5_000, 0)).toBe(true);
      expect(await store.claimMt("s1", "core-b", 6_000, 5_000)).toBe(false); // made at 5 000: not before it
      expect(await store.claimMt("s1", "core-b", 6_001, 5_001)).toBe(true);
      await store.releaseMt("s1", "core-a"); // the old owner's late release leaves the new claim alone
      expect(await store.claimMt("s1", "core-c", 6_002, 0)).toBe(false);
    });

    test("many owners racing for one id: exactly one gets it", async () => {
      const stores = await Promise.all([b.open(), b.open(), b.open()]);
      const won = await Promise.all(Array.from({ length: 12 }, (_, i) => stores[i % 3]!.claimMt("race", `core-${i}`, 9_000, 0)));
      expect(won.filter(Boolean)).toHaveLength(1);
    });
  });
}
