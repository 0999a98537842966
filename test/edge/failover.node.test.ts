// Failover and the health cache with a manual clock: the 30 s cool-down, the deadline and the shared layer
// proved in milliseconds, against real HTTP receivers on loopback (node's own fetch).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../contract/clock.ts";
import type { Target } from "../../edge/config.ts";
import type { AmbiguousRetry } from "../../edge/send/ambiguous-retry.ts";
import { sendWithFailover } from "../../edge/send/failover.ts";
import { HealthBoard, type Defer } from "../../edge/health/board.ts";
import type { HealthLayer, HealthRecord } from "../../edge/health/record.ts";
import { refusedUrl, startReceiver, type Receiver } from "./receivers.ts";

/** A health layer in memory: stands in for the Cache API, which Node lacks (the real one runs in the Deno/workerd suites). */
class MemoryLayer implements HealthLayer {
  readonly name = "shared" as const;
  records = new Map<string, HealthRecord>();
  async read() { return new Map(this.records); }
  async write(r: HealthRecord) { this.records.set(r.site, r); }
}

const background: Promise<unknown>[] = [];
const defer: Defer = (p) => void background.push(p);

describe("sendWithFailover", () => {
  let dc3: Receiver;
  let bos: Receiver;
  let clock: ManualClock;
  beforeAll(async () => { [dc3, bos] = await Promise.all([startReceiver(), startReceiver()]); });
  afterAll(async () => { await Promise.all([dc3.close(), bos.close()]); });
  afterEach(() => { dc3.mode = "ok"; bos.mode = "ok"; });

  /** The tests before the same-site ones prove the `other-site` policy; each policy is tested on its own. */
  function setup(targets: Target[], shared?: HealthLayer, o: { ambiguous?: AmbiguousRetry; deadlineMs?: number } = {}) {
    clock = new ManualClock();
    const board = new HealthBoard(targets, {
      clock, breaker: { cooldownMs: 30_000, threshold: 3, trialTimeoutMs: 12_000 }, sharedRefreshMs: 1000, globalRefreshMs: 15_000,
      ...(shared && { shared }),
    });
    const send = (messageId: string) => sendWithFailover({
      board, body: `message_id=${messageId}`, messageId, fetch, clock,
      attemptTimeoutMs: 5000, deadlineMs: o.deadlineMs ?? 12_000, throttleRetryAfterS: 5, defer,
      ambiguous: o.ambiguous ?? { kind: "other-site" },
    });
    return { board, send };
  }
  const sites = () => [{ name: "dc3", url: dc3.url }, { name: "bos", url: bos.url }];

  it("a refused primary is skipped for exactly the 30 s cool-down, then one trial brings traffic back", async () => {
    const { send } = setup([{ name: "dc3", url: await refusedUrl() }, { name: "bos", url: bos.url }]);
    const first = await send("a1");
    expect(first).toMatchObject({ status: "accepted", site: "bos", deduplicated: false });
    expect(first.attempts.map((a) => a.outcome)).toEqual(["refused", "accepted"]);
    await clock.advance(29_999);
    expect((await send("a2")).attempts.map((a) => a.outcome)).toEqual(["skipped", "accepted"]);
    await clock.advance(1);
    // The trial goes to the (still dead) primary, fails, and reopens it for another 30 s.
    expect((await send("a3")).attempts.map((a) => a.outcome)).toEqual(["refused", "accepted"]);
    expect((await send("a4")).attempts.map((a) => a.outcome)).toEqual(["skipped", "accepted"]);
  });

  it("returns to the primary when its trial succeeds", async () => {
    const { send } = setup(sites());
    dc3.mode = { status: 503 };
    for (const id of ["b1", "b2", "b3"]) expect(await send(id)).toMatchObject({ site: "bos" }); // 3 soft failures open it
    dc3.mode = "ok";
    expect((await send("b4")).attempts[0]!.outcome).toBe("skipped");
    await clock.advance(30_000);
    const back = await send("b5");
    expect(back).toMatchObject({ site: "dc3", attempts: [{ site: "dc3", outcome: "accepted" }] });
  });

  it("a timeout is ambiguous: the same message_id goes to the secondary; its 7 means accepted, deduplicated", async () => {
    const { send } = setup(sites());
    dc3.mode = "hang";
    bos.mode = { result: 7 };
    const hits = dc3.hits;
    const p = send("c1");
    await dc3.seen(hits + 1);
    await clock.advance(5000);
    const r = await p;
    expect(r).toMatchObject({ status: "accepted", site: "bos", resultCode: 7, deduplicated: true });
    expect(r.attempts.map((a) => a.outcome)).toEqual(["timeout", "duplicate"]);
    expect(dc3.ids.at(-1)).toBe("c1");
    expect(bos.ids.at(-1)).toBe("c1");
  });

  it("the total deadline bounds the second attempt; all ambiguous → unknown", async () => {
    const { send } = setup(sites());
    dc3.mode = "hang";
    bos.mode = "hang";
    const [h1, h2] = [dc3.hits, bos.hits];
    const p = send("d1");
    await dc3.seen(h1 + 1);
    await clock.advance(5000);
    await bos.seen(h2 + 1);
    await clock.advance(5000);
    await clock.advance(2000); // 12 s: the deadline, not a fresh 5 s attempt timeout
    const r = await p;
    expect(r.status).toBe("unknown");
    expect(r.attempts.map((a) => [a.outcome, a.ms])).toEqual([["timeout", 5000], ["timeout", 5000]]);
  });

  it("throttling and client errors answer at once, without trying the secondary", async () => {
    const { send } = setup(sites());
    const before = bos.hits;
    dc3.mode = { result: 6 };
    expect(await send("e1")).toMatchObject({ status: "rejected", resultCode: 6, retryAfterSeconds: 5 });
    dc3.mode = { result: 8 };
    expect(await send("e2")).toMatchObject({ status: "rejected", resultCode: 8 });
    expect(bos.hits).toBe(before);
  });

  it("a result code in the body counts whatever the HTTP status: a 400 with result=1 is a definite rejection", async () => {
    const { send } = setup(sites());
    const before = bos.hits;
    dc3.mode = { status: 400, body: "result=1" };
    const r = await send("h1");
    expect(r).toMatchObject({ status: "rejected", site: "dc3", resultCode: 1 });
    expect(r.attempts).toEqual([{ site: "dc3", outcome: "rejected", httpStatus: 400, resultCode: 1, ms: 0 }]);
    dc3.mode = { status: 503, body: "result=0" }; // an odd status with an accepting code: accepted, not resent
    expect(await send("h2")).toMatchObject({ status: "accepted", site: "dc3", resultCode: 0 });
    expect(bos.hits).toBe(before);
    dc3.mode = { status: 502, body: "<html>Bad Gateway</html>" }; // no code: ambiguous, same id to the secondary
    expect(await send("h3")).toMatchObject({ status: "accepted", site: "bos", attempts: [{ outcome: "http_error", httpStatus: 502 }, { outcome: "accepted" }] });
    expect(bos.ids.at(-1)).toBe("h3");
  });

  it("result 98 is ambiguous: the same message_id goes to the secondary", async () => {
    const { send } = setup(sites());
    dc3.mode = { result: 98 };
    const r = await send("i1");
    expect(r).toMatchObject({ status: "accepted", site: "bos", deduplicated: false });
    expect(r.attempts.map((a) => [a.site, a.outcome, a.resultCode])).toEqual([["dc3", "internal_error", 98], ["bos", "accepted", 0]]);
    expect([dc3.ids.at(-1), bos.ids.at(-1)]).toEqual(["i1", "i1"]);
  });

  it("result 99 (unmapped error: contact the account manager) is a definite answer: reported, not resent", async () => {
    const { send } = setup(sites());
    const before = bos.hits;
    dc3.mode = { result: 99 };
    const r = await send("j1");
    expect(r).toMatchObject({ status: "rejected", site: "dc3", resultCode: 99 });
    expect(r.status === "rejected" && r.reason).toMatch(/account manager/);
    expect(r.attempts).toHaveLength(1);
    expect(bos.hits).toBe(before);
  });

  const SAME_SITE_FIRST: AmbiguousRetry = { kind: "same-site-first", pauseMs: 1000 };

  it("same-site-first: an answer lost at the primary → after the pause the primary again; its 7 means accepted, the secondary never asked", async () => {
    const { send } = setup(sites(), undefined, { ambiguous: SAME_SITE_FIRST });
    dc3.mode = "hang";
    const [h, hb] = [dc3.hits, bos.hits];
    const p = send("k1");
    await dc3.seen(h + 1);
    dc3.mode = { result: 7 }; // it had taken the message
    await clock.advance(5000); // the attempt times out
    await clock.advance(999);
    expect(dc3.hits).toBe(h + 1); // not before the pause ends
    await clock.advance(1);
    const r = await p;
    expect(r).toMatchObject({ status: "accepted", site: "dc3", resultCode: 7, deduplicated: true });
    expect(r.attempts.map((a) => [a.site, a.outcome])).toEqual([["dc3", "timeout"], ["dc3", "duplicate"]]);
    expect(dc3.ids.slice(-2)).toEqual(["k1", "k1"]);
    expect(bos.hits).toBe(hb);
  });

  it("same-site-first: the same error again → the other site, with the same message_id", async () => {
    const { send } = setup(sites(), undefined, { ambiguous: SAME_SITE_FIRST });
    dc3.mode = { status: 503 };
    const h = dc3.hits;
    const p = send("k2");
    await dc3.seen(h + 1);
    await clock.advance(1000);
    const r = await p;
    expect(r).toMatchObject({ status: "accepted", site: "bos" });
    expect(r.attempts.map((a) => [a.site, a.outcome])).toEqual([["dc3", "http_error"], ["dc3", "http_error"], ["bos", "accepted"]]);
    expect([...dc3.ids.slice(-2), bos.ids.at(-1)]).toEqual(["k2", "k2", "k2"]);
  });

  it("same-site-first within the deadline: no time left for the pause → the other site at once", async () => {
    const { send } = setup(sites(), undefined, { ambiguous: SAME_SITE_FIRST, deadlineMs: 7000 });
    dc3.mode = "hang";
    const h = dc3.hits;
    const p = send("k3");
    await dc3.seen(h + 1);
    await clock.advance(5000); // 2 s left: after a 1 s pause, less than a quarter of the 5 s attempt timeout
    const r = await p;
    expect(r).toMatchObject({ status: "accepted", site: "bos" });
    expect(r.attempts.map((a) => [a.site, a.outcome])).toEqual([["dc3", "timeout"], ["bos", "accepted"]]);
    expect(dc3.hits).toBe(h + 1);
  });

  it("both down and known: rejected at once with the time until the first cool-down ends", async () => {
    const { send } = setup([{ name: "dc3", url: await refusedUrl() }, { name: "bos", url: await refusedUrl() }]);
    expect(await send("f1")).toMatchObject({ status: "rejected", retryAfterSeconds: 30 });
    await clock.advance(12_000);
    const r = await send("f2");
    expect(r).toMatchObject({ status: "rejected", retryAfterSeconds: 18, reason: "every Genesys site is known to be down" });
    expect(r.attempts.map((a) => a.outcome)).toEqual(["skipped", "skipped"]);
  });

  it("the shared layer: another isolate's 'down' is honoured; a local failure wins over a shared 'up'", async () => {
    const layer = new MemoryLayer();
    const { board, send } = setup(sites(), layer);
    layer.records.set("dc3", { site: "dc3", state: "down", at: clock.now(), until: clock.now() + 10_000, by: "traffic" });
    await board.refresh(defer); // an isolate's first request waits for the layers
    const hits = dc3.hits;
    const r = await send("g1");
    expect(r.attempts.map((a) => a.outcome)).toEqual(["skipped", "accepted"]);
    expect(dc3.hits).toBe(hits);
    expect(board.view()[0]).toMatchObject({ site: "dc3", state: "down", source: "shared" });
    await clock.advance(10_000);
    expect(await send("g2")).toMatchObject({ site: "dc3" }); // the record expired: dc3 is tried again

    // This isolate sees bos fail; another says bos is up: bos stays down here, and the change is published.
    layer.records.set("bos", { site: "bos", state: "up", at: clock.now() + 1, by: "probe" });
    dc3.mode = { status: 500 }; bos.mode = "hang";
    await clock.advance(1000);
    expect(board.refresh(defer)).toBeUndefined(); // later refreshes run in the background
    await Promise.all(background);
    const p = send("g3");
    await bos.seen(bos.hits + 1);
    await clock.advance(5000);
    await p;
    expect(board.view()[1]).toMatchObject({ site: "bos", state: "down", source: "local" });
    expect(layer.records.get("bos")).toMatchObject({ state: "down", by: "traffic", lastError: "no answer in 5000 ms" });
  });
});
