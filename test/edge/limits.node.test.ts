// Rate limits on the edge app (in Node, the in-process counter, a ManualClock for the windows) against the real
// simulator: per destination, per principal (API key or token sub), a token's max_sends; 429 with Retry-After
// and the IETF RateLimit headers, and nothing in the simulator's ledger for a refused send.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../contract/clock.ts";
import { mintEdgeToken } from "../../contract/edge-token.ts";
import { createApp } from "../../edge/app.ts";
import { parseConfig } from "../../edge/config.ts";
import { MemoryCounter } from "../../edge/limits/memory-counter.ts";
import { startSimulator, type Simulator } from "../../sim/index.ts";
import { edgeEnv, GENESYS_ACCOUNT, keyHash, TEST_KEY, TEST_TOKEN_SECRET } from "./harness.ts";

const MSG = { to: "+12025550100", sender: "12345", text: "hello" };
const OTHER_KEY = "test-key-2";
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ controlPort: 0, httpPorts: { dc3: 0, bos: 0 }, account: GENESYS_ACCOUNT });
});
afterAll(async () => { await sim?.stop(); });

async function edge(extra: Record<string, string>) {
  // 30 s into a minute, so a 60 s window ends 30 s later.
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 0, 0, 30));
  const env = await edgeEnv({ dc3: sim.sites.dc3.httpUrl, bos: sim.sites.bos.httpUrl }, "http://127.0.0.1:9", {
    EDGE_TOKEN_SECRET: TEST_TOKEN_SECRET, EDGE_API_KEY_HASHES: `${await keyHash(TEST_KEY)},${await keyHash(OTHER_KEY)}`, ...extra,
  });
  const parsed = parseConfig(env);
  if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
  const app = createApp({ config: parsed.output, clock, fetch });
  const token = (sub: string, maxSends?: number) => mintEdgeToken({ alg: "HS256", secret: TEST_TOKEN_SECRET }, {
    sub, now: Math.floor(clock.now() / 1000), ttlSeconds: 600, ...(maxSends !== undefined && { scope: { max_sends: maxSends } }),
  });
  let n = 0;
  async function send(credential: string, to = MSG.to) {
    const id = `lim-${Math.random().toString(36).slice(2)}-${++n}`;
    const res = await app.request("/v1/messages", {
      method: "POST", headers: { "content-type": "application/json", "idempotency-key": id, authorization: `Bearer ${credential}` },
      body: JSON.stringify({ ...MSG, to }),
    });
    const json = await res.json() as Record<string, any>;
    return { status: res.status, json, headers: res.headers, sent: sim.ledger.mtAccepted.filter((e) => e.message_id === id).length };
  }
  return { clock, send, token };
}

describe("edge rate limits", () => {
  it("per destination: the 4th send to a number in a minute is 429 with the headers, other numbers go on; the next window allows it", async () => {
    const e = await edge({ RATE_LIMIT_DESTINATION: "3/60" });
    for (let i = 0; i < 3; i++) expect(await e.send(TEST_KEY)).toMatchObject({ status: 202, sent: 1 });
    const refused = await e.send(OTHER_KEY); // another caller: the number is what is limited
    expect(refused).toMatchObject({ status: 429, sent: 0, json: { limit: "destination", status: 429 } });
    expect(refused.json.detail).toMatch(/at most 3 in 60 s; retry after 30 s/);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(refused.headers.get("retry-after")).toBe("30");
    expect(refused.headers.get("ratelimit-policy")).toBe('"destination";q=3;w=60');
    expect(refused.headers.get("ratelimit")).toBe('"destination";r=0;t=30');
    expect(await e.send(TEST_KEY, "+12025550111")).toMatchObject({ status: 202, sent: 1 });
    await e.clock.advance(29_000);
    expect((await e.send(TEST_KEY)).status).toBe(429);
    await e.clock.advance(1_000);
    expect(await e.send(TEST_KEY)).toMatchObject({ status: 202, sent: 1 });
  });

  it("per principal: each API key and each token sub has its own budget; two tokens of one sub share one", async () => {
    const e = await edge({ RATE_LIMIT_PRINCIPAL: "2/10" });
    const to = (i: number) => `+1202555${String(1000 + i)}`;
    expect((await e.send(TEST_KEY, to(1))).status).toBe(202);
    expect((await e.send(TEST_KEY, to(2))).status).toBe(202);
    const third = await e.send(TEST_KEY, to(3));
    expect(third).toMatchObject({ status: 429, sent: 0, json: { limit: "principal" } });
    expect(third.headers.get("ratelimit-policy")).toBe('"principal";q=2;w=10');
    expect((await e.send(OTHER_KEY, to(4))).status).toBe(202);
    const [a1, a2, b] = await Promise.all([e.token("alice"), e.token("alice"), e.token("bob")]);
    expect((await e.send(a1, to(5))).status).toBe(202);
    expect((await e.send(a2, to(6))).status).toBe(202);
    expect(await e.send(a1, to(7))).toMatchObject({ status: 429, sent: 0 });
    expect((await e.send(b, to(8))).status).toBe(202);
  });

  it("a token's max_sends holds for its whole life, per token", async () => {
    const e = await edge({});
    const t = await e.token("carol", 2);
    expect((await e.send(t)).status).toBe(202);
    await e.clock.advance(120_000);
    expect((await e.send(t)).status).toBe(202);
    const over = await e.send(t);
    expect(over).toMatchObject({ status: 429, sent: 0, json: { limit: "max_sends" } });
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(400); // until the token expires
    expect((await e.send(await e.token("carol", 2))).status).toBe(202); // a fresh token, a fresh count
  });
});

describe("MemoryCounter", () => {
  it("stays bounded: expired windows are dropped when it is full", () => {
    const clock = new ManualClock(0);
    const c = new MemoryCounter(clock, 3);
    for (let i = 0; i < 3; i++) expect(c.hit(`k${i}`, 1, { start: 0, end: 10 }).ok).toBe(true);
    void clock.advance(10_000);
    expect(c.hit("k3", 1, { start: 10, end: 20 }).ok).toBe(true);
    expect(c.hit("k3", 1, { start: 10, end: 20 })).toEqual({ ok: false, remaining: 0 });
    expect(c.size).toBe(1);
    // Every key live and the map full: cleared rather than grown.
    for (let i = 4; i < 7; i++) c.hit(`k${i}`, 1, { start: 10, end: 20 });
    expect(c.size).toBeLessThanOrEqual(3);
  });
});
