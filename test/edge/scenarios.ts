// The edge's behaviour against the simulator, written once and run in every real runtime (workerd, Deno).
// One edge process and one simulator per runtime; the scenarios run in order and each leaves both sites
// healthy with closed breakers (it waits out the cool-down it caused), so they stay independent.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportJWK, generateKeyPair, type CryptoKey } from "jose";
import { mintEdgeToken } from "../../contract/edge-token.ts";
import { startSimulator, type Simulator } from "../../sim/index.ts";
import { TEST_TOKEN_SECRET, ALLOWED_ORIGIN, CALLBACK_SECRET, CORE_TOKEN, edgeEnv, GENESYS_ACCOUNT, keyHash, startFakeCore, TEST_KEY, type FakeCore, type RunningEdge } from "./harness.ts";
import { answerShape, EXPECTED_ANSWERS, expectedProblem, problemShape } from "../contract/answer-shapes.ts";

const COOLDOWN_MS = 1500;
const MSG = { to: "+12025550100", sender: "12345", text: "hello" };

interface Sent { status: number; body: any; ms: number; headers: Headers }

export function edgeScenarios(runtime: string, start: (env: Record<string, string>) => Promise<RunningEdge>): void {
  describe(`edge in ${runtime} against the simulator`, () => {
    let sim: Simulator;
    let core: FakeCore;
    let edge: RunningEdge;
    let n = 0;
    let edKey: CryptoKey;

    /** POST /v1/messages to the suite's edge, or to another one (`to`). */
    async function send(body: unknown = MSG, headers: Record<string, string> = {}, to: RunningEdge = edge): Promise<Sent> {
      const t0 = performance.now();
      const res = await fetch(`${to.url}/v1/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${TEST_KEY}`, "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, ms: performance.now() - t0, headers: res.headers };
    }
    const key = (name: string) => `${runtime}-${name}-${++n}`;
    const accepted = (id: string) => sim.ledger.mtAccepted.filter((e) => e.message_id === id);
    /** Waits out a cool-down, then proves traffic is back on the primary. */
    async function backOnPrimary(): Promise<void> {
      sim.clearFaults();
      await sim.settled();
      await new Promise((r) => setTimeout(r, COOLDOWN_MS + 50));
      const r = await send(MSG, { "idempotency-key": key("recover") });
      expect(r.status).toBe(202);
      expect(r.body.site).toBe("dc3");
    }

    beforeAll(async () => {
      [sim, core] = await Promise.all([startSimulator({ controlPort: 0, httpPorts: { dc3: 0, bos: 0 }, account: GENESYS_ACCOUNT }), startFakeCore()]);
      const ed = await generateKeyPair("EdDSA");
      edKey = ed.privateKey;
      const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(ed.publicKey)), kid: "ed-1", alg: "EdDSA" }] });
      // These scenarios prove the `other-site` policy (the next site at once); the DR page's same-site-first
      // procedure, the default, has its own edge below.
      edge = await start(await edgeEnv({ dc3: sim.sites.dc3.httpUrl, bos: sim.sites.bos.httpUrl }, core.url, {
        BREAKER_COOLDOWN_MS: String(COOLDOWN_MS), EDGE_TOKEN_SECRET: TEST_TOKEN_SECRET, EDGE_TOKEN_JWKS: jwks, AMBIGUOUS_RETRY: "other-site",
      }));
    });
    afterAll(async () => {
      await edge?.stop();
      await Promise.all([sim?.stop(), core?.close()]);
    });

    it("sends through the primary when it is healthy, under the caller's Idempotency-Key", async () => {
      const id = key("healthy");
      const r = await send(MSG, { "idempotency-key": id });
      expect(answerShape(r.status, r.headers, r.body)).toEqual(EXPECTED_ANSWERS.accepted);
      expect(r.body).toMatchObject({ status: "accepted", site: "dc3", messageId: id, resultCode: 0, deduplicated: false });
      expect(r.body.attempts).toHaveLength(1);
      expect(r.headers.get("idempotency-key")).toBe(id);
      expect(accepted(id)).toMatchObject([{ site: "dc3", to: "12025550100" }]);
    });

    it("generates a message id when the caller gives none", async () => {
      const r = await send(MSG);
      expect(r.status).toBe(202);
      expect(r.body.messageId).toMatch(/^m-/);
      expect(accepted(r.body.messageId)).toHaveLength(1);
    });

    it("primary refusing: the secondary takes it, and later sends skip the primary until the cool-down ends", async () => {
      sim.addFault({ target: "dc3", kind: "down" });
      await sim.settled();
      const first = await send(MSG, { "idempotency-key": key("refused") });
      expect(first.status).toBe(202);
      expect(first.body.site).toBe("bos");
      expect(first.body.attempts.map((a: any) => a.site)).toEqual(["dc3", "bos"]);
      // workerd reports a refused connect as "connection lost", which the edge must treat as ambiguous.
      expect(["refused", "http_error"]).toContain(first.body.attempts[0].outcome);
      for (let i = 0; i < 3; i++) {
        const r = await send(MSG, { "idempotency-key": key("skip") });
        expect(r.body.site).toBe("bos");
        expect(r.body.attempts.map((a: any) => `${a.site}:${a.outcome}`)).toEqual(["dc3:skipped", "bos:accepted"]);
      }
      const health = await (await fetch(`${edge.url}/v1/health`)).json();
      expect(health.status).toBe("degraded");
      expect(health.sites.find((s: any) => s.site === "dc3")).toMatchObject({ state: "down", source: "local" });
      await backOnPrimary();
    });

    it("primary partitioned (no answer): the same message_id goes to the secondary and is taken once", async () => {
      sim.addFault({ target: "dc3", kind: "partition" });
      const id = key("partition");
      const r = await send(MSG, { "idempotency-key": id });
      expect(r.status).toBe(202);
      expect(r.body).toMatchObject({ status: "accepted", site: "bos", messageId: id });
      expect(r.body.attempts[0]).toMatchObject({ site: "dc3", outcome: "timeout" });
      expect(accepted(id)).toMatchObject([{ site: "bos" }]);
      await backOnPrimary();
    });

    it("primary took it but answered too late: the secondary's 7 means accepted, deduplicated", async () => {
      sim.addFault({ target: "dc3", kind: "latency", ms: 2500, count: 1 });
      const id = key("late");
      const r = await send(MSG, { "idempotency-key": id });
      expect(answerShape(r.status, r.headers, r.body)).toEqual(EXPECTED_ANSWERS.deduplicated);
      expect(r.body).toMatchObject({ status: "accepted", site: "bos", resultCode: 7, deduplicated: true });
      expect(r.body.attempts.map((a: any) => a.outcome)).toEqual(["timeout", "duplicate"]);
      expect(accepted(id)).toMatchObject([{ site: "dc3" }]);
      expect(sim.ledger.duplicates.filter((d) => d.message_id === id)).toMatchObject([{ site: "bos" }]);
      await backOnPrimary();
    });

    it("a 5xx from the primary is ambiguous: same message_id to the secondary", async () => {
      sim.addFault({ target: "dc3", kind: "http_error", status: 502, count: 1 });
      const id = key("5xx");
      const r = await send(MSG, { "idempotency-key": id });
      expect(r.body).toMatchObject({ status: "accepted", site: "bos" });
      expect(r.body.attempts[0]).toMatchObject({ outcome: "http_error", httpStatus: 502 });
      expect(accepted(id)).toHaveLength(1);
    });

    it("result 98 from the primary is ambiguous: the same message_id goes to the secondary, taken once", async () => {
      sim.addFault({ target: "dc3", kind: "result", result: 98, count: 1 });
      const id = key("98");
      const r = await send(MSG, { "idempotency-key": id });
      expect(r.status).toBe(202);
      expect(r.body).toMatchObject({ status: "accepted", site: "bos", messageId: id });
      expect(r.body.attempts.map((a: any) => [a.site, a.outcome, a.resultCode])).toEqual([["dc3", "internal_error", 98], ["bos", "accepted", 0]]);
      expect(sim.ledger.mtRejected.filter((e) => e.message_id === id)).toMatchObject([{ site: "dc3", result: 98 }]);
      expect(accepted(id)).toMatchObject([{ site: "bos" }]);
    });

    it("result 99 (unmapped: contact the account manager) and a 400 whose body says result=1 are definite: 422, never resent", async () => {
      for (const [fault, code] of [[{ result: 99 }, 99], [{ result: 1, status: 400 }, 1]] as const) {
        sim.addFault({ target: "dc3", kind: "result", ...fault, count: 1 });
        const id = key(`definite-${code}`);
        const r = await send(MSG, { "idempotency-key": id });
        expect(r.status).toBe(422);
        expect(r.body.outcome).toMatchObject({ status: "rejected", site: "dc3", resultCode: code });
        expect(r.body.outcome.attempts).toHaveLength(1);
        expect(sim.ledger.mtRejected.filter((e) => e.message_id === id).map((e) => e.site)).toEqual(["dc3"]);
        expect(accepted(id)).toHaveLength(0);
      }
    });

    it("same-site-first (the default) with per-site dedup: an answer lost at the primary is resubmitted there, taken once", async () => {
      const env = await edgeEnv({ dc3: sim.sites.dc3.httpUrl, bos: sim.sites.bos.httpUrl }, core.url, { AMBIGUOUS_PAUSE_MS: "200" });
      const own = await start(env);
      sim.configure({ mtDedup: "per-site" }); // the other site would take it again: only the same site's 7 is safe
      try {
        sim.addFault({ target: "dc3", kind: "latency", ms: 1500, count: 1 }); // taken at once, answered after the 1 s timeout
        const id = key("same-site");
        const { status, body } = await send(MSG, { "idempotency-key": id }, own);
        expect(status).toBe(202);
        expect(body).toMatchObject({ status: "accepted", site: "dc3", resultCode: 7, deduplicated: true });
        expect(body.attempts.map((a: any) => `${a.site}:${a.outcome}`)).toEqual(["dc3:timeout", "dc3:duplicate"]);
        expect(accepted(id)).toMatchObject([{ site: "dc3" }]);
        expect(sim.ledger.mtRejected.filter((e) => e.message_id === id).map((e) => [e.site, e.result])).toEqual([["dc3", 7]]); // bos never asked
      } finally {
        sim.configure({ mtDedup: "shared" });
        await own.stop();
      }
    });

    it("single-URL mode (Genesys' DNS failover): only GENESYS_SINGLE_URL set, every send goes through it", async () => {
      const env = await edgeEnv({ dc3: "", bos: "" }, core.url, { GENESYS_SINGLE_URL: sim.sites.bos.httpUrl });
      delete env.GENESYS_SITES;
      const single = await start(env);
      try {
        const id = key("single");
        const { status, body } = await send(MSG, { "idempotency-key": id }, single);
        expect(status).toBe(202);
        expect(body).toMatchObject({ status: "accepted", site: "dns", messageId: id, attempts: [{ site: "dns", outcome: "accepted" }] });
        expect(accepted(id)).toMatchObject([{ site: "bos" }]);
        const health = await (await fetch(`${single.url}/v1/health`)).json();
        expect(health.sites.map((s: any) => s.site)).toEqual(["dns"]);
      } finally {
        await single.stop();
      }
    });

    it("no site confirms (a 5xx from both): 502 outcome-unknown with the id to resend under; the resend is taken once", async () => {
      sim.addFault({ target: "dc3", kind: "http_error", status: 500, count: 1 });
      sim.addFault({ target: "bos", kind: "http_error", status: 500, count: 1 });
      const id = key("unknown");
      const r = await send(MSG, { "idempotency-key": id });
      expect(answerShape(r.status, r.headers, r.body)).toEqual(EXPECTED_ANSWERS.unknown);
      expect(r.body.outcome.attempts.map((a: any) => `${a.site}:${a.outcome}`)).toEqual(["dc3:http_error", "bos:http_error"]);
      const again = await send(MSG, { "idempotency-key": r.headers.get("idempotency-key")! });
      expect(again.status).toBe(202);
      expect(accepted(id)).toHaveLength(1);
      await backOnPrimary();
    });

    it("throttling (6) → 429 with Retry-After, not retried elsewhere", async () => {
      sim.addFault({ target: "dc3", kind: "throttle", count: 1 });
      const id = key("throttle");
      const r = await send(MSG, { "idempotency-key": id });
      expect(r.status).toBe(429);
      expect(answerShape(r.status, r.headers, r.body)).toEqual(EXPECTED_ANSWERS.throttled);
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(r.body.outcome).toMatchObject({ status: "rejected", resultCode: 6, site: "dc3" });
      expect(r.body.outcome.attempts).toHaveLength(1);
      expect(accepted(id)).toHaveLength(0);
    });

    it("a client error (1-5, 8) → 4xx, never retried", async () => {
      sim.addFault({ target: "dc3", kind: "result", result: 4, count: 1 });
      const r = await send(MSG, { "idempotency-key": key("client-error") });
      expect(r.status).toBe(422);
      expect(answerShape(r.status, r.headers, r.body)).toEqual(EXPECTED_ANSWERS.permanent);
      expect(r.body.outcome).toMatchObject({ status: "rejected", resultCode: 4 });
      expect(r.body.outcome.attempts).toHaveLength(1);
    });

    it("both sites down: once the health cache knows, 503 with Retry-After at once", async () => {
      sim.addFault({ target: "dc3", kind: "down" });
      sim.addFault({ target: "bos", kind: "down" });
      await sim.settled();
      const first = await send(MSG, { "idempotency-key": key("both-1") });
      expect([502, 503]).toContain(first.status); // 502 on workerd, where a refused connect reads as ambiguous
      const r = await send(MSG, { "idempotency-key": key("both-2") });
      expect(r.status).toBe(503);
      expect(answerShape(r.status, r.headers, r.body)).toEqual(EXPECTED_ANSWERS.unavailable);
      expect(r.ms).toBeLessThan(250); // no attempt was made (below): the bound only catches waiting on a dead site
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(r.body.outcome.attempts.map((a: any) => a.outcome)).toEqual(["skipped", "skipped"]);
      const health = await (await fetch(`${edge.url}/v1/health`)).json();
      expect(health.status).toBe("down");
      await backOnPrimary();
    });

    it("GET /v1/health: each site's state, since and latency, no secrets; GET / serves the status page", async () => {
      const res = await fetch(`${edge.url}/v1/health`);
      const text = await res.text();
      const h = JSON.parse(text);
      expect(h.status).toBe("ok");
      expect(h.sites.map((s: any) => s.site)).toEqual(["dc3", "bos"]);
      expect(h.sites[0]).toMatchObject({ state: "up" });
      expect(typeof h.sites[0].latencyMs).toBe("number");
      for (const secret of [GENESYS_ACCOUNT.password, TEST_KEY, CALLBACK_SECRET, CORE_TOKEN]) expect(text).not.toContain(secret);
      const page = await fetch(`${edge.url}/`);
      expect(page.headers.get("content-type")).toContain("text/html");
      expect(await page.text()).toContain("v1/health");
      const type = await fetch(`${edge.url}/problems/outcome-unknown`);
      expect([type.status, await type.json()]).toEqual([200, expect.objectContaining({ type: "/problems/outcome-unknown", status: 502, title: "Outcome unknown" })]);
    });

    it("each send is told to the core after the answer (a failed report is retried); GET /v1/messages/:id asks it for this caller only", async () => {
      const until = async (cond: () => boolean) => {
        for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
        expect(cond()).toBe(true);
      };
      const me = `key:${(await keyHash(TEST_KEY)).slice(0, 16)}`;
      const id = key("status");
      core.sendAnswers.push(503); // the first report fails: the edge tries again
      const r = await send(MSG, { "idempotency-key": id });
      expect(r.status).toBe(202);
      await until(() => core.sends.filter((x) => x.id === id).length === 2);
      const told = core.sends.filter((x) => x.id === id);
      expect(told.map((x) => [x.auth, x.principal])).toEqual([[`Bearer ${CORE_TOKEN}`, me], [`Bearer ${CORE_TOKEN}`, me]]);
      expect(told[1]!.body).toMatchObject({ path: "http", principal: me, send: { status: "accepted", site: "dc3", resultCode: 0, attempts: [{ site: "dc3", outcome: "accepted" }] } });

      const get = (msgId: string, credential = TEST_KEY) => fetch(`${edge.url}/v1/messages/${msgId}`, { headers: { authorization: `Bearer ${credential}` } });
      const mine = await get(id);
      expect(mine.status).toBe(200);
      expect(await mine.json()).toMatchObject({ messageId: id, path: "http", send: { status: "accepted" } });
      expect(core.reads.at(-1)).toEqual({ id, auth: `Bearer ${CORE_TOKEN}`, principal: me });
      // Another caller (a browser token's user) asking for the same id: the core is asked for that caller, and says 404.
      const token = await mintEdgeToken({ alg: "HS256", secret: TEST_TOKEN_SECRET }, { sub: "user-9" });
      const theirs = await get(id, token);
      expect(theirs.status).toBe(404);
      expect(core.reads.at(-1)!.principal).toMatch(/^token:[0-9a-f]{16}$/);
      expect((await get(id, "wrong-key")).status).toBe(401);
    });

    it("GET /v1/events/stream: a browser's token in ?access_token= (EventSource sends no headers), the core's feed for that caller", async () => {
      const token = await mintEdgeToken({ alg: "HS256", secret: TEST_TOKEN_SECRET }, { sub: "user-3" });
      const stream = (q: string, headers: Record<string, string> = {}) => fetch(`${edge.url}/v1/events/stream${q}`, { headers: { origin: ALLOWED_ORIGIN, ...headers } });
      const r = await stream(`?access_token=${token}&after=5`, { "last-event-id": "6" });
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toContain("text/event-stream");
      expect(r.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
      const body = await r.text();
      const seen = core.streams.at(-1)!;
      expect(seen).toMatchObject({ url: "/v1/events/stream?after=5", auth: `Bearer ${CORE_TOKEN}`, lastEventId: "6" });
      expect(seen.principal).toMatch(/^token:[0-9a-f]{16}$/);
      expect(body).toContain(`data: {"for":"${seen.principal}"}`);
      // A server with its API key in the header: its own feed.
      const keyed = await fetch(`${edge.url}/v1/events/stream`, { headers: { authorization: `Bearer ${TEST_KEY}` } });
      expect(keyed.status).toBe(200);
      await keyed.text();
      expect(core.streams.at(-1)!.principal).toBe(`key:${(await keyHash(TEST_KEY)).slice(0, 16)}`);
      const asked = core.streams.length;
      for (const q of [`?access_token=${TEST_KEY}`, "", `?access_token=${token.slice(0, -3)}xyz`]) {
        const refused = await stream(q);
        expect(refused.status).toBe(401);
        expect(refused.headers.get("content-type")).toContain("application/problem+json");
      }
      expect(core.streams.length).toBe(asked); // none of them reached the core
    });

    it("Genesys callbacks reach the core with its token; 2xx only when the core stored them", async () => {
      sim.configure({ callbackUrl: `${edge.url}/v1/genesys/callback/${CALLBACK_SECRET}` });
      const moId = sim.injectMo({ from: "12025550123", to: "12345", text: "hi there", via: "http" });
      await sim.ledger.waitFor((l) => l.callbacksSucceeded.some((c) => c.message_id === moId), 5000);
      const ev = core.events.find((e) => (e.body as any).data?.genesysMessageId === moId);
      expect(ev).toBeDefined();
      expect(ev!.auth).toBe(`Bearer ${CORE_TOKEN}`);
      expect(ev!.body).toMatchObject({ type: "message.received", data: { from: "+12025550123", to: "12345", text: "hi there" } });

      const form = new URLSearchParams({ type: "receipt", message_id: "m-1", message_state: "2", result_code: "0" });
      const post = (secret = CALLBACK_SECRET, body: string = form.toString()) => fetch(`${edge.url}/v1/genesys/callback/${secret}`, {
        method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body,
      });
      const ok = await post();
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ stored: true, type: "message.status" });

      core.mode = 500;
      const down = await post();
      expect(problemShape(down.status, down.headers, await down.json())).toEqual(expectedProblem(503, "core-unavailable"));
      core.mode = 201;

      const bad = await post(CALLBACK_SECRET, "type=receipt&message_state=9");
      expect(bad.status).toBe(400);
      expect((await bad.json()).detail).toMatch(/message_id.*message_state|message_state.*message_id/);
      expect((await post("wrong-secret")).status).toBe(403);
    });

    it("callers need a valid API key", async () => {
      const none = await fetch(`${edge.url}/v1/messages`, { method: "POST", body: JSON.stringify(MSG) });
      expect(problemShape(none.status, none.headers, await none.json())).toEqual(expectedProblem(401, "unauthorized"));
      expect(none.headers.get("www-authenticate")).toContain("Bearer");
      const wrong = await send(MSG, { authorization: "Bearer not-the-key" });
      expect(problemShape(wrong.status, wrong.headers, wrong.body)).toEqual(expectedProblem(401, "unauthorized"));
    });

    it(`short-lived tokens verify in ${runtime}: HS256 and EdDSA; expired or tampered → 401, out of scope → 403, nothing sent`, async () => {
      const hs = (o: Partial<Parameters<typeof mintEdgeToken>[1]> = {}) => mintEdgeToken({ alg: "HS256", secret: TEST_TOKEN_SECRET }, { sub: "user-7", ...o });
      const byHs = key("token-hs");
      expect((await send(MSG, { authorization: `Bearer ${await hs()}`, "idempotency-key": byHs })).status).toBe(202);
      const byEd = key("token-ed");
      const edToken = await mintEdgeToken({ alg: "EdDSA", privateKey: edKey, kid: "ed-1" }, { sub: "user-7", scope: { to: ["+1202*"], senders: ["12345"] } });
      expect((await send(MSG, { authorization: `Bearer ${edToken}`, "idempotency-key": byEd })).status).toBe(202);
      expect([...accepted(byHs), ...accepted(byEd)]).toHaveLength(2);
      const refused = key("token-refused");
      const expired = await send(MSG, { authorization: `Bearer ${await hs({ now: Math.floor(Date.now() / 1000) - 120, ttlSeconds: 60 })}`, "idempotency-key": refused });
      expect(expired.status).toBe(401);
      expect(expired.body.detail).toMatch(/expired/);
      const [h, , sig] = (await hs()).split(".");
      const forged = Buffer.from(JSON.stringify({ sub: "x", exp: Math.floor(Date.now() / 1000) + 60 })).toString("base64url");
      expect((await send(MSG, { authorization: `Bearer ${h}.${forged}.${sig}`, "idempotency-key": refused })).status).toBe(401);
      const outside = await send({ ...MSG, to: "+447911123456" }, { authorization: `Bearer ${edToken}`, "idempotency-key": refused });
      expect(outside.status).toBe(403);
      expect(outside.body.claim).toBe("to");
      expect(accepted(refused)).toHaveLength(0);
    });

    it("CORS: preflight and responses for allowed origins only", async () => {
      const pre = (origin: string) => fetch(`${edge.url}/v1/messages`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type,idempotency-key" },
      });
      const ok = await pre(ALLOWED_ORIGIN);
      expect(ok.status).toBe(204);
      expect(ok.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
      expect(ok.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("idempotency-key");
      const evil = await pre("https://evil.example");
      expect(evil.headers.get("access-control-allow-origin")).toBeNull();
      const r = await send(MSG, { origin: ALLOWED_ORIGIN });
      expect(r.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
      expect(r.headers.get("access-control-expose-headers")?.toLowerCase()).toContain("idempotency-key");
      // A browser can read the problem too (401 here), and answers vary by Origin, with or without one.
      const denied = await send(MSG, { origin: ALLOWED_ORIGIN, authorization: "Bearer not-the-key" });
      expect(denied.status).toBe(401);
      expect(denied.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
      const server = await send(MSG);
      expect(server.status).toBe(202);
      expect(server.headers.get("access-control-allow-origin")).toBeNull();
      expect(server.headers.get("vary")).toMatch(/origin/i);
      expect((await send(MSG, { authorization: "Bearer not-the-key" })).headers.get("vary")).toMatch(/origin/i);
    });

    it("invalid input → 400 problem+json naming every issue; oversized → 413; unknown route → 404", async () => {
      const bad = await send({ to: "not-a-number", sender: "12345", text: "" });
      expect(problemShape(bad.status, bad.headers, bad.body)).toEqual(expectedProblem(400, "invalid-request"));
      expect(bad.body.issues.map((i: any) => i.path).sort()).toEqual(["text", "to"]);
      expect(bad.body.detail).toMatch(/to: .*text: |text: .*to: /);
      expect((await send("{not json")).status).toBe(400);
      const big = await send({ ...MSG, text: "x".repeat(20_000) });
      expect(problemShape(big.status, big.headers, big.body)).toEqual(expectedProblem(413, "payload-too-large"));
      // Without a Content-Length (chunked), the body is counted as it is read.
      const chunked = (text: string) => fetch(`${edge.url}/v1/messages`, {
        method: "POST", duplex: "half",
        headers: { authorization: `Bearer ${TEST_KEY}`, "content-type": "application/json" },
        body: new Blob([JSON.stringify({ ...MSG, text })]).stream(),
      } as RequestInit);
      const bigChunked = await chunked("x".repeat(20_000));
      expect(problemShape(bigChunked.status, bigChunked.headers, await bigChunked.json())).toEqual(expectedProblem(413, "payload-too-large"));
      const smallChunked = await chunked("small, chunked");
      expect(smallChunked.status).toBe(202);
      const nf = await fetch(`${edge.url}/v2/nothing`);
      const nfBody = await nf.json();
      expect(problemShape(nf.status, nf.headers, nfBody)).toEqual(expectedProblem(404, "not-found"));
      expect(nfBody.detail).toContain("/v2/nothing");
    });
  });
}
