/** The core HTTP API through Hono's app.request (no sockets needed for these claims); both backends. */
import { afterAll, describe, expect, test } from "bun:test";
import { BACKENDS, backend } from "./helpers/stores.ts";
import { AUTH, coreApp } from "./helpers/core-app.ts";
import { mo } from "./helpers/events.ts";
import { answerShape, EXPECTED_ANSWERS, expectedProblem, problemShape, type OutcomeCase } from "../contract/answer-shapes.ts";
import type { SendOutcome } from "../../contract/index.ts";

const json = (body: unknown, headers: Record<string, string> = AUTH) => ({
  method: "POST",
  headers: { "Content-Type": "application/json", ...headers },
  body: typeof body === "string" ? body : JSON.stringify(body),
});
const MT = { to: "+12025550100", sender: "12345", text: "hi" };

for (const name of BACKENDS) {
  describe(`HTTP API (${name})`, () => {
    const b = backend(name);
    afterAll(() => b.cleanup());

    test("auth: missing or wrong bearer → 401 problem+json; ops routes open", async () => {
      const { app } = coreApp(await b.open());
      for (const headers of [{}, { Authorization: "Bearer nope" }, { Authorization: "Basic x" }] as Record<string, string>[]) {
        const r = await app.request("/v1/messages", json(MT, headers));
        expect(problemShape(r.status, r.headers, await r.json())).toEqual(expectedProblem(401, "unauthorized"));
        expect(r.headers.get("www-authenticate")).toContain("Bearer");
      }
      expect((await app.request("/v1/events")).status).toBe(401);
      expect((await app.request("/healthz")).status).toBe(200);
    });

    test("POST /v1/messages: bad input → 400 naming every issue; not JSON → 400; too big → 413", async () => {
      const { app, sender } = coreApp(await b.open());
      const r = await app.request("/v1/messages", json({ to: "nope", text: "", extra: 1 }));
      const p = (await r.json()) as { status: number; issues: { path: string }[] };
      expect(problemShape(r.status, r.headers, p)).toEqual(expectedProblem(400, "invalid-request"));
      const paths = p.issues.map((i) => i.path);
      for (const k of ["to", "sender", "text"]) expect(paths).toContain(k);
      expect((await app.request("/v1/messages", json("{nope"))).status).toBe(400);
      const big = await app.request("/v1/messages", json({ ...MT, text: "x".repeat(70_000) }));
      expect(problemShape(big.status, big.headers, await big.json())).toEqual(expectedProblem(413, "payload-too-large"));
      expect((await app.request("/v1/messages", json(MT, { ...AUTH, "Idempotency-Key": "bad key!" }))).status).toBe(400);
      expect((await app.request("/v1/messages", json({ ...MT, clientMessageId: "a" }, { ...AUTH, "Idempotency-Key": "b" }))).status).toBe(400);
      expect(sender.calls).toEqual([]);
    });

    test("POST /v1/messages: each outcome gets the same answer as on the edge (answer-shapes.ts)", async () => {
      const { app, sender } = coreApp(await b.open());
      const outcomes: Record<OutcomeCase, (messageId: string) => SendOutcome> = {
        accepted: (messageId) => ({ status: "accepted", messageId, attempts: [], site: "dc3", node: "smc1.dc3", resultCode: 0, deduplicated: false, smscMessageIds: ["a1"] }),
        deduplicated: (messageId) => ({ status: "accepted", messageId, attempts: [], site: "dc3", node: "smc1.dc3", resultCode: 0, deduplicated: true, smscMessageIds: ["a1"] }),
        throttled: (messageId) => ({ status: "rejected", kind: "throttled", messageId, attempts: [], smppStatus: 0x58, reason: "every active bind is throttled: ESME_RTHROTTLED", retryAfterSeconds: 1 }),
        unavailable: (messageId) => ({ status: "rejected", kind: "unavailable", messageId, attempts: [], reason: "no SMSC bind is active", retryAfterSeconds: 5 }),
        permanent: (messageId) => ({ status: "rejected", kind: "permanent", messageId, attempts: [], smppStatus: 0x0b, reason: "SMSC rejected the message: ESME_RINVDSTADR" }),
        unknown: (messageId) => ({ status: "unknown", messageId, attempts: [], reason: "no submit_sm_resp from smc1.dc3 in time" }),
      };
      for (const [name, next] of Object.entries(outcomes) as [OutcomeCase, (id: string) => SendOutcome][]) {
        sender.next = next;
        const r = await app.request("/v1/messages", json(MT, { ...AUTH, "Idempotency-Key": `shape-${name}` }));
        expect({ name, ...answerShape(r.status, r.headers, await r.json()) }).toEqual({ name, ...EXPECTED_ANSWERS[name] });
      }
    });

    test("POST /v1/messages: outcomes → 202 / 202 deduplicated / 429 / 503 / 422 / 502 unknown; message id from header, body or generated", async () => {
      const { app, sender } = coreApp(await b.open());
      let r = await app.request("/v1/messages", json(MT, { ...AUTH, "Idempotency-Key": "k-1" }));
      expect(r.status).toBe(202);
      expect(((await r.json()) as { messageId: string }).messageId).toBe("k-1");
      await app.request("/v1/messages", json({ ...MT, clientMessageId: "body-id" }));
      await app.request("/v1/messages", json(MT));
      expect(sender.calls.map((c) => c.messageId).slice(0, 2)).toEqual(["k-1", "body-id"]);
      expect(sender.calls[2]!.messageId).toMatch(/^m-/);
      expect(sender.calls[0]!.to).toBe("12025550100"); // normalised by the contract

      sender.next = (messageId) => ({ status: "accepted", messageId, attempts: [], site: "dc3", resultCode: 7, deduplicated: true });
      expect((await app.request("/v1/messages", json(MT))).status).toBe(202);
      sender.next = (messageId) => ({ status: "rejected", kind: "unavailable", messageId, attempts: [], reason: "no bind is bound", retryAfterSeconds: 5 });
      r = await app.request("/v1/messages", json(MT));
      expect([r.status, r.headers.get("retry-after"), r.headers.get("content-type")]).toEqual([503, "5", "application/problem+json"]);
      expect(((await r.json()) as { outcome: { reason: string } }).outcome.reason).toBe("no bind is bound");
      sender.next = (messageId) => ({ status: "rejected", kind: "throttled", messageId, attempts: [], smppStatus: 0x58, reason: "ESME_RTHROTTLED", retryAfterSeconds: 1 });
      expect((await app.request("/v1/messages", json(MT))).status).toBe(429);
      sender.next = (messageId) => ({ status: "rejected", kind: "permanent", messageId, attempts: [], smppStatus: 0x0b, reason: "ESME_RINVDSTADR" });
      expect((await app.request("/v1/messages", json(MT))).status).toBe(422);
      sender.next = (messageId) => ({ status: "unknown", messageId, attempts: [], reason: "no submit_sm_resp" });
      r = await app.request("/v1/messages", json(MT));
      expect([r.status, r.headers.get("content-type")]).toEqual([502, "application/problem+json"]);
      expect(((await r.json()) as { outcome: { status: string } }).outcome.status).toBe("unknown");
      sender.next = () => {
        throw new Error("router bug");
      };
      r = await app.request("/v1/messages", json(MT));
      expect([r.status, r.headers.get("content-type")]).toEqual([500, "application/problem+json"]);
    });

    test("POST /v1/events → inbox: 201 then 200 duplicate; pulled by GET /v1/events; bad id → 400", async () => {
      const { app } = coreApp(await b.open());
      const e = await mo("http-edge");
      let r = await app.request("/v1/events", json(e));
      expect(r.status).toBe(201);
      expect(await r.json()).toEqual({ id: e.id, duplicate: false });
      r = await app.request("/v1/events", json(e));
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ id: e.id, duplicate: true });
      expect((await app.request("/v1/events", json({ ...e, id: `evt_${"0".repeat(32)}` }))).status).toBe(400);
      expect((await app.request("/v1/events", json({ type: "message.received" }))).status).toBe(400);

      const all = (await (await app.request("/v1/events?after=0&limit=1000", { headers: AUTH })).json()) as { events: { cursor: number; event: { id: string } }[]; next: number };
      const mine = all.events.find((s) => s.event.id === e.id)!;
      expect(mine.event).toEqual(e);
      const after = (await (await app.request(`/v1/events?after=${mine.cursor}`, { headers: AUTH })).json()) as { events: unknown[]; next: number };
      expect(after.events).toEqual([]);
      expect(after.next).toBe(mine.cursor);
      expect((await app.request("/v1/events?after=-1", { headers: AUTH })).status).toBe(400);
      expect((await app.request("/v1/events?limit=0", { headers: AUTH })).status).toBe(400);
    });

    test("POST /v1/events with the store down → 503 problem+json", async () => {
      const store = await b.open();
      const { app } = coreApp(store);
      await store.close();
      const r = await app.request("/v1/events", json(await mo("down")));
      expect([r.status, r.headers.get("content-type"), r.headers.get("retry-after")]).toEqual([503, "application/problem+json", "1"]);
    });

    test("/v1/binds, /readyz (bound + store), /metrics parses as Prometheus text", async () => {
      const { app, binds, metrics } = coreApp(await b.open());
      const bj = (await (await app.request("/v1/binds", { headers: AUTH })).json()) as { binds: { since: string }[] };
      expect(bj.binds[0]!.since).toBe("2026-01-01T00:00:00.000Z");
      expect((await app.request("/readyz")).status).toBe(200);
      binds.binds = [{ node: "smc1.dc3", site: "dc3", state: "backoff", since: 0, nextAttemptAt: 30_000, inFlight: 0 }];
      const nr = await app.request("/readyz");
      expect(nr.status).toBe(503);
      expect(((await nr.json()) as { detail: string }).detail).toContain("no bind is bound");

      metrics.submits.inc({ outcome: "accepted" });
      metrics.submitLatency.observe({ node: "smc1.dc3" }, 0.004);
      await app.request("/v1/events", json(await mo("metrics")));
      await app.request("/v1/events", json(await mo("metrics")));
      const r = await app.request("/metrics");
      expect(r.headers.get("content-type")).toContain("text/plain");
      const text = await r.text();
      const samples = new Map<string, number>();
      for (const line of text.split("\n")) {
        if (line === "" || line.startsWith("#")) continue;
        const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/.exec(line);
        expect(m).not.toBeNull(); // every sample line is well formed
        samples.set(m![1]!, Number(m![2]));
      }
      expect(samples.get('gsh_submits_total{outcome="accepted"}')).toBe(1);
      expect(samples.get('gsh_dedup_hits_total{path="inbox"}')).toBe(1);
      expect(samples.get('gsh_submit_latency_seconds_count{node="smc1.dc3"}')).toBe(1);
      expect(samples.get('gsh_outbox_backlog{state="pending"}')).toBeGreaterThanOrEqual(1);
    });

    test("unknown route → 404 problem+json", async () => {
      const { app } = coreApp(await b.open());
      const r = await app.request("/nope");
      expect(problemShape(r.status, r.headers, await r.json())).toEqual(expectedProblem(404, "not-found"));
      const t = await app.request("/problems/outcome-unknown");
      expect([t.status, await t.json()]).toEqual([200, expect.objectContaining({ type: "/problems/outcome-unknown", status: 502, title: "Outcome unknown" })]);
      const none = await app.request("/problems/nope");
      expect(problemShape(none.status, none.headers, await none.json())).toEqual(expectedProblem(404, "not-found"));
    });
  });
}
