/**
 * Concatenated MOs through MoParts and the real store, on sqlite and PostgreSQL: parts in any order, from any
 * bind or site, duplicated, redelivered after completion, racing from two cores; incomplete groups after the
 * limit; one event per MO throughout, its text whole.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { ManualClock, type Event, type EventSource } from "../../contract/index.ts";
import { decodeDeliver, type MoPart } from "../../core/inbound/deliver-event.ts";
import { MoParts } from "../../core/inbound/mo-parts.ts";
import type { MoPartResult, Store } from "../../core/store/store.ts";
import { BACKENDS, backend } from "./helpers/stores.ts";
import { partsOf, utf16be, type Scheme } from "./helpers/concat-parts.ts";

const SRC: EventSource[] = [
  { channel: "smpp", site: "dc3", node: "smc1.dc3" },
  { channel: "smpp", site: "dc3", node: "smc2.dc3" },
  { channel: "smpp", site: "bos", node: "smc1.bos" },
  { channel: "smpp", site: "bos", node: "smc2.bos" },
];
const LIMIT = 60_000;
let refs = 1;

/** The parts of `text` as decoded deliver_sm (UTF-16 when not ASCII, as the simulator does). */
function parts(text: string, scheme: Scheme, o: { size?: number; ref?: number } = {}): MoPart[] {
  const ascii = /^[\x00-\x7f]*$/.test(text);
  const bytes = ascii ? new TextEncoder().encode(text) : utf16be(text);
  return partsOf(bytes, o.size ?? (ascii ? 67 : 66), { scheme, ref: o.ref ?? refs++, dataCoding: ascii ? 0 : 8 }).map((p) => {
    const d = decodeDeliver(p);
    if (d.kind !== "mo_part") throw new Error(`not a part: ${d.kind}`);
    return d.part;
  });
}

const longText = (tag: string) => `${tag} ${crypto.randomUUID()} `.padEnd(200, "~");
const withText = async (s: Store, text: string) =>
  (await s.eventsAfter(0, 10_000)).map((e) => e.event).filter((e): e is Extract<Event, { type: "message.received" }> => e.type === "message.received" && e.data.text === text);

for (const name of BACKENDS) {
  describe(`concatenated MOs (${name})`, () => {
    const b = backend(name);
    const clock = new ManualClock();
    let store: Store;
    let moParts: MoParts;
    const open = async () => {
      store = await b.open({ outbox: false });
      moParts = new MoParts({ store, clock, limitMs: LIMIT, dedupWindowMs: 600_000 });
    };
    afterAll(() => b.cleanup());

    test("parts out of order, on different binds and sites → one MO with the whole text, once complete", async () => {
      await open();
      for (const scheme of ["udh8", "udh16", "sar"] as const) {
        const text = longText(scheme);
        const ps = parts(text, scheme);
        expect(ps).toHaveLength(3);
        const order = [2, 0, 1];
        const rs: MoPartResult[] = [];
        for (const [i, k] of order.entries()) rs.push(await moParts.accept(ps[k]!, SRC[i]!));
        expect(rs.map((r) => r.outcome)).toEqual(["pending", "pending", "completed"]);
        expect(rs[2]).toMatchObject({ stored: true });
        const evs = await withText(store, text);
        expect(evs).toHaveLength(1);
        expect(evs[0]!.source).toEqual(SRC[2]!); // the part that completed it
        expect(evs[0]!.data.from).toBe("+4512345678");
      }
    });

    test("UTF-16 split inside a surrogate pair comes back whole", async () => {
      const text = `${"é".repeat(32)}👋${"ü".repeat(40)}`; // 66-octet parts: the emoji straddles parts 1 and 2
      const ps = parts(text, "udh8");
      for (const p of ps.reverse()) await moParts.accept(p, SRC[0]!);
      expect(await withText(store, text)).toHaveLength(1);
    });

    test("a duplicated part is a no-op; a part redelivered after completion does not start a new group", async () => {
      const text = longText("dup");
      const [p1, p2, p3] = parts(text, "udh8");
      expect((await moParts.accept(p1!, SRC[0]!)).outcome).toBe("pending");
      expect(await moParts.accept(p1!, SRC[3]!)).toEqual({ outcome: "duplicate" });
      await moParts.accept(p2!, SRC[1]!);
      expect(await moParts.accept(p3!, SRC[2]!)).toMatchObject({ outcome: "completed", stored: true });
      // A known redelivery (its answer was lost or late): the part stored already.
      expect(await moParts.accept(p2!, SRC[3]!, clock.now(), true)).toEqual({ outcome: "duplicate" });
      // A copy not known to be one (another core's, or a stray): a group of its own, which never completes...
      expect((await moParts.accept(p2!, SRC[3]!)).outcome).toBe("pending");
      // ...and does not come out as an incomplete MO after the limit: every part of it was delivered already.
      await clock.advance(LIMIT + 1);
      expect((await moParts.sweep()).incomplete).toBe(0);
      expect(await withText(store, text)).toHaveLength(1);
    });

    test("the same group redelivered is one event; the same words as a new group (the reference reused, or another) are events of their own, marked", async () => {
      const text = longText("twice");
      const acceptAll = async (ps: MoPart[], src: EventSource, redelivery = false) => {
        let r: MoPartResult | undefined;
        for (const p of ps) r = await moParts.accept(p, src, clock.now(), redelivery);
        return r;
      };
      expect(await acceptAll(parts(text, "sar", { ref: 4242 }), SRC[0]!)).toMatchObject({ outcome: "completed", stored: true });
      expect(await acceptAll(parts(text, "sar", { ref: 4242 }), SRC[1]!, true)).toEqual({ outcome: "duplicate" }); // known redelivery
      const [first] = await withText(store, text);
      // The same reference again, not a known redelivery (the first was answered in time): the words sent again.
      expect(await acceptAll(parts(text, "sar", { ref: 4242 }), SRC[1]!)).toMatchObject({ outcome: "completed", stored: true, possibleDuplicateOf: first!.id });
      // Another reference and scheme: likewise.
      expect(await acceptAll(parts(text, "udh16"), SRC[2]!)).toMatchObject({ outcome: "completed", stored: true, possibleDuplicateOf: first!.id });
      const evs = await withText(store, text);
      expect(evs).toHaveLength(3);
      expect(evs[0]!.data.possibleDuplicate).toBeUndefined();
      for (const e of evs.slice(1)) expect(e.data).toMatchObject({ possibleDuplicate: true, duplicateOf: first!.id });
    });

    test("a reference reused for a new message after the first was delivered starts a new group", async () => {
      const [a, b2] = [longText("first"), longText("second")];
      for (const p of parts(a, "udh8", { ref: 77 })) await moParts.accept(p, SRC[0]!);
      for (const p of parts(b2, "udh8", { ref: 77 })) await moParts.accept(p, SRC[0]!);
      expect(await withText(store, a)).toHaveLength(1);
      expect(await withText(store, b2)).toHaveLength(1);
    });

    test("an incomplete group is delivered after the limit with gaps, once; tombstones go after another limit", async () => {
      const text = longText("partial");
      const ps = parts(text, "udh8");
      await moParts.accept(ps[0]!, SRC[0]!);
      await moParts.accept(ps[2]!, SRC[1]!);
      await clock.advance(LIMIT - 1);
      expect((await moParts.sweep()).incomplete).toBe(0);
      await clock.advance(2);
      expect((await moParts.sweep()).incomplete).toBe(1);
      expect((await moParts.sweep()).incomplete).toBe(0);
      const partial = `${text.slice(0, 67)}[…]${text.slice(134)}`;
      expect(await withText(store, partial)).toHaveLength(1);
      await clock.advance(LIMIT + 1);
      expect((await moParts.sweep()).purged).toBeGreaterThanOrEqual(2);
    });

    test("a store failure rejects (the SMSC is then answered with an error and delivers again)", async () => {
      const broken: Store = { ...store, acceptMoPart: () => Promise.reject(new Error("disk full")) };
      const mp = new MoParts({ store: broken, clock, limitMs: LIMIT, dedupWindowMs: 600_000 });
      await expect(mp.accept(parts(longText("fail"), "udh8")[0]!, SRC[0]!)).rejects.toThrow("disk full");
    });
  });
}

describe("two cores on one PostgreSQL schema, each given some parts of the same groups at once", () => {
  const b = backend("postgres");
  afterAll(() => b.cleanup());

  test("every group is one event with its whole text", async () => {
    const clock = new ManualClock();
    const cores: MoParts[] = [];
    for (let i = 0; i < 2; i++) cores.push(new MoParts({ store: await b.open({ outbox: false }), clock, limitMs: LIMIT, dedupWindowMs: 600_000 }));
    const texts = Array.from({ length: 30 }, (_, i) => longText(`race ${i}`).padEnd(400, "="));
    const work: Promise<MoPartResult>[] = [];
    texts.forEach((t, i) =>
      parts(t, (["udh8", "udh16", "sar"] as const)[i % 3]!).forEach((p, k) => {
        work.push(cores[(i + k) % 2]!.accept(p, SRC[k % 4]!));
        if (k % 3 === 0) work.push(cores[(i + k + 1) % 2]!.accept(p, SRC[(k + 1) % 4]!)); // and a copy to the other core
      }),
    );
    const rs = await Promise.all(work);
    expect(rs.filter((r) => r.outcome === "completed")).toHaveLength(texts.length);
    const reader = await b.open({ outbox: false });
    for (const t of texts) expect(await withText(reader, t)).toHaveLength(1);
  });
});
