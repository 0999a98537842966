/**
 * MT records on both backends, through SendOnce on the store (storeRecorder): a record keeps each segment's place,
 * the segment count, the UDH reference and the message fingerprint; a record made before migration 9 (those
 * columns NULL) is complete and matches any message, so it is answered as before.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { ManualClock, parseOutboundMessage, type OutboundMessage, type SendOutcome } from "../../contract/index.ts";
import { SendOnce, storeRecorder } from "../../core/outbound/send-once.ts";
import type { Store } from "../../core/store/store.ts";
import { BACKENDS, backend } from "./helpers/stores.ts";

function msg(text: string): OutboundMessage {
  const r = parseOutboundMessage({ to: "+4512345678", sender: "12345", text, clientMessageId: "x" });
  if (!r.success) throw new Error("fixture");
  return r.output;
}

const onStore = (store: Store) => {
  const clock = new ManualClock(1_000);
  const recorder = storeRecorder({ store, recordSubmit: (r) => store.correlate([{ kind: "submit", rec: r }], clock.now()), clock, owner: "core-a", claims: true, staleMs: 60_000 });
  return new SendOnce({ recorder, clock });
};
const never = async (): Promise<SendOutcome> => {
  throw new Error("nothing may be sent");
};

for (const name of BACKENDS) {
  describe(`MT records (${name})`, () => {
    const b = backend(name);
    afterAll(() => b.cleanup());

    test("a record from before segment counts and fingerprints answers any repeat from the record, sending nothing", async () => {
      const store = await b.open();
      // As migration 9 leaves an older row: no total, ref or fingerprint.
      await store.correlate([{ kind: "submit", rec: { clientMessageId: "old-1", segments: [{ smscMessageId: "aa01", node: "smc1.dc3", site: "dc3" }] } }], 500);
      const once = onStore(store);
      for (const text of ["the first text", "another text"]) {
        expect(await once.send(msg(text), "old-1", never)).toMatchObject({ status: "accepted", deduplicated: true, smscMessageIds: ["aa01"] });
      }
    });

    test("a partial record: the repeat is given what is missing (same ref and total); another message is a conflict", async () => {
      const store = await b.open();
      const once = onStore(store);
      const m = msg("a long text");
      const first = await once.send(m, "new-1", async (record) => {
        await record({ total: 3, ref: 77, segments: [{ segment: 0, smscMessageId: "bb01", node: "smc1.dc3", site: "dc3" }] });
        return { status: "rejected", kind: "permanent", messageId: "new-1", attempts: [], reason: "refused", segments: { total: 3, accepted: 1 } };
      });
      expect(first).toMatchObject({ status: "rejected", segments: { total: 3, accepted: 1 } });
      expect(await store.findSubmit("new-1")).toMatchObject({ total: 3, ref: 77, segments: [{ segment: 0, smscMessageId: "bb01" }] });
      expect(await once.send(msg("another text"), "new-1", never)).toMatchObject({ status: "rejected", kind: "conflict" });
      let given: unknown;
      await once.send(m, "new-1", async (record, resume) => {
        given = resume;
        await record({ total: 3, ref: 77, segments: [{ segment: 1, smscMessageId: "bb02", node: "smc1.dc3", site: "dc3" }, { segment: 2, smscMessageId: "bb03", node: "smc1.dc3", site: "dc3" }] });
        return { status: "accepted", messageId: "new-1", attempts: [], site: "dc3", resultCode: 0, deduplicated: false };
      });
      expect(given).toMatchObject({ total: 3, ref: 77, segments: [{ segment: 0, smscMessageId: "bb01" }] });
      expect(await once.send(m, "new-1", never)).toMatchObject({ status: "accepted", deduplicated: true, smscMessageIds: ["bb01", "bb02", "bb03"], segments: { total: 3, accepted: 3 } });
    });
  });
}
