// Short-lived tokens on the edge app (in Node, against the real simulator over loopback, a ManualClock for
// expiry): HS256, EdDSA from an inline JWKS, ES256 from a JWKS URL served by a real local HTTP server; every
// refusal as problem+json with nothing sent to Genesys; API keys unchanged; server-only keys refused from browsers.
import { createServer, type Server } from "node:http";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../contract/clock.ts";
import { mintEdgeToken, type MintOptions } from "../../contract/edge-token.ts";
import { createApp } from "../../edge/app.ts";
import { MemoryCounter } from "../../edge/limits/memory-counter.ts";
import { parseConfig } from "../../edge/config.ts";
import { startSimulator, type Simulator } from "../../sim/index.ts";
import { ALLOWED_ORIGIN, TEST_TOKEN_SECRET, edgeEnv, GENESYS_ACCOUNT, keyHash, TEST_KEY } from "./harness.ts";

const SECRET = TEST_TOKEN_SECRET;
const MSG = { to: "+12025550100", sender: "12345", text: "hello" };

let sim: Simulator;
let ed: { privateKey: CryptoKey; jwk: object };
let es: { privateKey: CryptoKey; jwk: object };
let jwksServer: Server;
let jwksUrl: string;
let jwksFetches = 0;

beforeAll(async () => {
  sim = await startSimulator({ controlPort: 0, httpPorts: { dc3: 0, bos: 0 }, account: GENESYS_ACCOUNT });
  const e = await generateKeyPair("EdDSA", { extractable: true });
  ed = { privateKey: e.privateKey, jwk: { ...(await exportJWK(e.publicKey)), kid: "ed-1", alg: "EdDSA", use: "sig" } };
  const p = await generateKeyPair("ES256", { extractable: true });
  es = { privateKey: p.privateKey, jwk: { ...(await exportJWK(p.publicKey)), kid: "es-1", alg: "ES256", use: "sig" } };
  jwksServer = createServer((_req, res) => {
    jwksFetches++;
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [es.jwk] }));
  });
  await new Promise<void>((r) => jwksServer.listen(0, "127.0.0.1", r));
  const addr = jwksServer.address();
  jwksUrl = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}/.well-known/jwks.json`;
});
afterAll(async () => {
  await sim?.stop();
  await new Promise<void>((r) => (jwksServer ? jwksServer.close(() => r()) : r()));
});

/** `asyncCounts`: rate limits counted behind a promise, as the Workers binding and Deno KV count. */
async function edge(extra: Record<string, string> = {}, asyncCounts = false) {
  const clock = new ManualClock();
  const env = await edgeEnv({ dc3: sim.sites.dc3.httpUrl, bos: sim.sites.bos.httpUrl }, "http://127.0.0.1:9", { EDGE_TOKEN_SECRET: SECRET, ...extra });
  const parsed = parseConfig(env);
  if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
  const logs: Record<string, unknown>[] = [];
  const memory = new MemoryCounter(clock);
  const counters = asyncCounts ? { shared: { hit: async (...a: Parameters<MemoryCounter["hit"]>) => memory.hit(...a) } } : undefined;
  const app = createApp({ config: parsed.output, clock, fetch, log: (e) => logs.push(e), ...(counters && { counters }) });
  const nowS = () => Math.floor(clock.now() / 1000);
  const hs = (o: Partial<MintOptions> = {}) => mintEdgeToken({ alg: "HS256", secret: SECRET }, { sub: "user-1", now: nowS(), ...o });
  let n = 0;
  async function send(credential: string | undefined, body: object = MSG, headers: Record<string, string> = {}) {
    const id = `tok-${Math.random().toString(36).slice(2)}-${++n}`;
    const res = await app.request("/v1/messages", {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": id, ...(credential && { authorization: `Bearer ${credential}` }), ...headers },
      body: JSON.stringify(body),
    });
    const json = await res.json() as Record<string, any>;
    return { status: res.status, type: res.headers.get("content-type"), json, headers: res.headers, sent: sim.ledger.mtAccepted.filter((e) => e.message_id === id).length };
  }
  return { app, clock, send, hs, nowS, logs };
}

describe("edge tokens", () => {
  it("an HS256 token sends like an API key; the API key still works", async () => {
    const e = await edge();
    const byToken = await e.send(await e.hs());
    expect(byToken).toMatchObject({ status: 202, sent: 1, json: { status: "accepted" } });
    expect(await e.send(TEST_KEY)).toMatchObject({ status: 202, sent: 1 });
  });

  it("refuses a missing, expired, tampered, over-long or claim-less token with 401 problem+json, sending nothing", async () => {
    const e = await edge();
    const expect401 = async (credential: string | undefined, detail: RegExp) => {
      const r = await e.send(credential);
      expect(r).toMatchObject({ status: 401, type: "application/problem+json", sent: 0 });
      expect(r.json.detail).toMatch(detail);
      expect(r.headers.get("www-authenticate")).toMatch(/^Bearer/);
    };
    await expect401(undefined, /Authorization: Bearer/);
    const short = await e.hs({ ttlSeconds: 60 });
    await e.clock.advance(66_000); // past exp and the 5 s tolerance
    await expect401(short, /expired/);
    const good = await e.hs();
    const [h, p, s] = good.split(".");
    const claims = JSON.parse(Buffer.from(p!, "base64url").toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: "someone-else" })).toString("base64url");
    await expect401(`${h}.${forged}.${s}`, /signature/);
    await expect401(await mintEdgeToken({ alg: "HS256", secret: "another-Secret-8Kd2Wq5Xn7Mv3Lp9Rb4Tj6H" }, { sub: "u", now: e.nowS() }), /signature/);
    await expect401(await e.hs({ ttlSeconds: 3601 }), /longer than the edge accepts \(3600 s\)/);
    const noSub = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setIssuedAt(e.nowS()).setExpirationTime(e.nowS() + 60).sign(new TextEncoder().encode(SECRET));
    await expect401(noSub, /'sub'/);
    const noExp = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("u").sign(new TextEncoder().encode(SECRET));
    await expect401(noExp, /'exp'/);
    const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${p}.`;
    await expect401(none, /algorithm|malformed/);
    await expect401(await e.hs({ scope: { max_sends: 0 } }), /max_sends/);
  });

  it("a token used again is remembered, but never past its exp", async () => {
    const e = await edge();
    const t = await e.hs({ ttlSeconds: 90 });
    expect((await e.send(t)).status).toBe(202);
    await e.clock.advance(50_000);
    expect((await e.send(t)).status).toBe(202);
    await e.clock.advance(46_000); // past exp and the 5 s tolerance
    const late = await e.send(t);
    expect(late).toMatchObject({ status: 401, sent: 0 });
    expect(late.json.detail).toMatch(/expired/);
  });

  it("a shorter configured maximum lifetime is enforced", async () => {
    const e = await edge({ EDGE_TOKEN_MAX_LIFETIME_S: "120" });
    expect((await e.send(await e.hs({ ttlSeconds: 120 }))).status).toBe(202);
    expect((await e.send(await e.hs({ ttlSeconds: 121 }))).status).toBe(401);
  });

  it("checks aud and iss when configured", async () => {
    const e = await edge({ EDGE_TOKEN_AUDIENCE: "sms-edge", EDGE_TOKEN_ISSUER: "https://shop.example" });
    expect((await e.send(await e.hs({ audience: "sms-edge", issuer: "https://shop.example" }))).status).toBe(202);
    const wrongAud = await e.send(await e.hs({ audience: "other", issuer: "https://shop.example" }));
    expect(wrongAud).toMatchObject({ status: 401, sent: 0 });
    expect(wrongAud.json.detail).toMatch(/audience/);
    expect((await e.send(await e.hs({ issuer: "https://shop.example" }))).status).toBe(401);
    expect((await e.send(await e.hs({ audience: "sms-edge", issuer: "https://evil.example" }))).json.detail).toMatch(/issuer/);
  });

  it("enforces the senders and to scope claims with 403, sending nothing", async () => {
    const e = await edge();
    const scoped = await e.hs({ scope: { senders: ["12345"], to: ["+12025550100", "+4479*"] } });
    expect((await e.send(scoped)).status).toBe(202);
    expect((await e.send(scoped, { ...MSG, to: "447911123456" })).status).toBe(202);
    const badTo = await e.send(scoped, { ...MSG, to: "+12025550101" });
    expect(badTo).toMatchObject({ status: 403, type: "application/problem+json", sent: 0, json: { claim: "to" } });
    const badSender = await e.send(scoped, { ...MSG, sender: "54321" });
    expect(badSender).toMatchObject({ status: 403, sent: 0, json: { claim: "senders" } });
  });

  it("a refused send is one warn line naming the caller by a hash of sub (never the sub) and the rule", async () => {
    const e = await edge({ DESTINATION_COUNTRIES: "+1" }, true);
    const scoped = await e.hs({ sub: "alice@shop.example", scope: { to: ["+12025550100"] } });
    expect((await e.send(scoped, { ...MSG, to: "+12025550101" })).status).toBe(403);
    expect((await e.send(TEST_KEY, { ...MSG, to: "+447400123456" })).status).toBe(422);
    const once = await e.hs({ sub: "alice@shop.example", scope: { max_sends: 1 } });
    expect((await e.send(once)).status).toBe(202);
    expect((await e.send(once)).status).toBe(429);
    const refused = e.logs.filter((l) => l.msg === "send refused");
    const refusedCaller = (i: number) => refused[i]?.caller; // one user, one hash
    expect(refused).toEqual([
      { level: "warn", msg: "send refused", problem: "outside-scope", rule: "to", caller: expect.stringMatching(/^token:[0-9a-f]{16}$/) },
      { level: "warn", msg: "send refused", problem: "destination-refused", rule: "country", caller: `key:${(await keyHash(TEST_KEY)).slice(0, 16)}` },
      { level: "warn", msg: "send refused", problem: "rate-limited", rule: "max_sends", caller: refusedCaller(0) },
    ]);
    expect(JSON.stringify(e.logs)).not.toMatch(/alice|2025550101|447400123456/);
  });

  it("verifies EdDSA against an inline JWKS, and refuses an unknown key", async () => {
    const e = await edge({ EDGE_TOKEN_JWKS: JSON.stringify({ keys: [ed.jwk] }) });
    const token = await mintEdgeToken({ alg: "EdDSA", privateKey: ed.privateKey, kid: "ed-1" }, { sub: "u-ed", now: e.nowS() });
    expect(await e.send(token)).toMatchObject({ status: 202, sent: 1 });
    const other = await generateKeyPair("EdDSA");
    const stranger = await mintEdgeToken({ alg: "EdDSA", privateKey: other.privateKey, kid: "ed-1" }, { sub: "u-ed", now: e.nowS() });
    expect(await e.send(stranger)).toMatchObject({ status: 401, sent: 0 });
    // An HS256 token still works beside the JWKS.
    expect((await e.send(await e.hs())).status).toBe(202);
  });

  it("verifies ES256 against a JWKS URL, fetched once and cached", async () => {
    const e = await edge({ EDGE_TOKEN_JWKS_URL: jwksUrl });
    const before = jwksFetches;
    const mint = () => mintEdgeToken({ alg: "ES256", privateKey: es.privateKey, kid: "es-1" }, { sub: "u-es", now: e.nowS() });
    expect(await e.send(await mint())).toMatchObject({ status: 202, sent: 1 });
    expect(await e.send(await mint())).toMatchObject({ status: 202, sent: 1 });
    expect(jwksFetches - before).toBe(1);
    const hsAsEs = await mintEdgeToken({ alg: "EdDSA", privateKey: ed.privateKey, kid: "es-1" }, { sub: "u", now: e.nowS() });
    expect(await e.send(hsAsEs)).toMatchObject({ status: 401, sent: 0 });
  });

  it("a server-only API key is refused from a browser (Origin), accepted from a server", async () => {
    const serverKey = "server-only-key-1";
    const e = await edge({ EDGE_SERVER_KEY_HASHES: await keyHash(serverKey) });
    expect(await e.send(serverKey)).toMatchObject({ status: 202, sent: 1 });
    const fromPage = await e.send(serverKey, MSG, { origin: ALLOWED_ORIGIN });
    expect(fromPage).toMatchObject({ status: 403, type: "application/problem+json", sent: 0 });
    expect(fromPage.json.detail).toMatch(/servers only/);
    // A plain key is not restricted, and a token from the page is fine.
    expect((await e.send(TEST_KEY, MSG, { origin: ALLOWED_ORIGIN })).status).toBe(202);
    expect((await e.send(await e.hs(), MSG, { origin: ALLOWED_ORIGIN })).status).toBe(202);
  });

  it("without token settings a token is refused as such", async () => {
    const e = await edge({ EDGE_TOKEN_SECRET: "" });
    const r = await e.send(await e.hs());
    expect(r).toMatchObject({ status: 401, sent: 0 });
    expect(r.json.detail).toMatch(/accepts no tokens/);
  });
});
