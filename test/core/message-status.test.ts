/**
 * GET /v1/messages/:id on the core, both backends: the core's own sends (SMPP path) and the edge's send records
 * (PUT, HTTP path) with their receipts in one record; the state only moves up its rank; every receipt is still
 * recorded and is an event; a caller sees only its own messages (404 otherwise, the same as an unknown id).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { dedupKeys, makeEvent, messageStateCode, type Event, type MessageStateName, type MessageStatus } from "../../contract/index.ts";
import { BACKENDS, backend } from "./helpers/stores.ts";
import { AUTH, coreApp } from "./helpers/core-app.ts";

const AT = new Date(Date.UTC(2026, 0, 1, 12));
const MT = { to: "+12025550100", sender: "12345", text: "hi" };

/** An HTTP-path receipt (Genesys callback) for `id`; `detail` tells two carrier receipts of one state apart. */
function httpReceipt(id: string, state: MessageStateName, detail = ""): Promise<Event> {
  const stateCode = messageStateCode(state);
  return makeEvent("message.status", dedupKeys.receipt(`http:${id}`, stateCode, detail), { clientMessageId: id, state, stateCode, ...(detail && { errorCode: detail }) }, { channel: "http", site: "bos" }, AT);
}

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  ({ method: "POST", headers: { "Content-Type": "application/json", ...AUTH, ...headers }, body: JSON.stringify(body) });
const put = (body: unknown, headers: Record<string, string> = {}) =>
  ({ method: "PUT", headers: { "Content-Type": "application/json", ...AUTH, ...headers }, body: JSON.stringify(body) });
const asEdge = (principal: string) => ({ headers: { ...AUTH, "Gsh-Principal": principal } });

const edgeSend = (principal: string) => ({
  path: "http",
  principal,
  send: { status: "accepted", at: AT.toISOString(), site: "dc3", resultCode: 0, deduplicated: false, attempts: [{ site: "dc3", outcome: "accepted", resultCode: 0, httpStatus: 200, ms: 12 }] },
});

for (const name of BACKENDS) {
  describe(`GET /v1/messages/:id (${name})`, () => {
    const b = backend(name);
    afterAll(() => b.cleanup());

    test("an SMPP-path send: its outcome and attempts, then its receipts; a late ENROUTE does not regress DELIVERED", async () => {
      const store = await b.open();
      const { app, sender, inbox } = coreApp(store);
      sender.next = (messageId) => ({
        status: "accepted", messageId, site: "bos", node: "smc1.bos", resultCode: 0, deduplicated: false, smscMessageIds: ["1A"],
        attempts: [{ site: "dc3", node: "smc1.dc3", outcome: "throttled", smppStatus: 0x58, ms: 3 }, { site: "bos", node: "smc1.bos", outcome: "accepted", ms: 4 }],
      });
      expect((await app.request("/v1/messages", post("/v1/messages", { ...MT, clientMessageId: "s-1" }))).status).toBe(202);
      let r = await app.request("/v1/messages/s-1", { headers: AUTH });
      expect(r.status).toBe(200);
      let s = (await r.json()) as MessageStatus;
      expect(s).toMatchObject({ messageId: "s-1", path: "smpp", send: { status: "accepted", node: "smc1.bos", smscMessageIds: ["1A"] }, receipts: [] });
      expect(s.send!.attempts.map((a) => [a.node, a.outcome, a.smppStatus])).toEqual([["smc1.dc3", "throttled", 0x58], ["smc1.bos", "accepted", undefined]]);
      expect(s.state).toBeUndefined();

      for (const st of ["ENROUTE", "DELIVERED", "ENROUTE"] as const) await inbox.accept(await httpReceipt("s-1", st, st === "ENROUTE" ? "late" : ""));
      // The second ENROUTE is another carrier receipt (another detail): stored, an event, in the timeline.
      await inbox.accept(await httpReceipt("s-1", "ENROUTE", "")); // the first ENROUTE again: a duplicate, nothing new
      r = await app.request("/v1/messages/s-1", { headers: AUTH });
      s = (await r.json()) as MessageStatus;
      expect(s.receipts.map((x) => x.state)).toEqual(["ENROUTE", "DELIVERED", "ENROUTE"]);
      expect([s.state, s.finalState]).toEqual(["DELIVERED", "DELIVERED"]);
      const events = (await store.eventsAfter(0, 100)).filter((e) => e.event.type === "message.status");
      expect(events.map((e) => (e.event.data as { state: string }).state)).toEqual(["ENROUTE", "DELIVERED", "ENROUTE"]);
    });

    test("a failed segment outranks DELIVERED, whatever the order; one batch with several receipts of one message", async () => {
      const store = await b.open();
      const { app } = coreApp(store);
      expect((await app.request("/v1/messages/f-1", put(edgeSend("key:a")))).status).toBe(204);
      await store.insertEvents([await httpReceipt("f-1", "UNDELIVERABLE", "034"), await httpReceipt("f-1", "DELIVERED")], AT.getTime());
      await store.insertEvents([await httpReceipt("f-1", "DELIVERED", "seg2")], AT.getTime());
      const s = (await (await app.request("/v1/messages/f-1", asEdge("key:a"))).json()) as MessageStatus;
      expect([s.state, s.finalState]).toEqual(["UNDELIVERABLE", "UNDELIVERABLE"]);
      expect(s.receipts.map((x) => [x.state, x.errorCode])).toEqual([["UNDELIVERABLE", "034"], ["DELIVERED", undefined], ["DELIVERED", "seg2"]]);
      expect(s.receipts[0]).toMatchObject({ channel: "http", site: "bos", receivedAt: AT.toISOString() });
    });

    test("HTTP path: a receipt before the edge's record joins it; the first principal keeps the message; others get 404", async () => {
      const store = await b.open();
      const { app } = coreApp(store);
      await store.insertEvents([await httpReceipt("h-1", "ENROUTE")], AT.getTime());
      // Known only from its receipt: nobody's yet.
      expect((await app.request("/v1/messages/h-1", asEdge("key:a"))).status).toBe(404);
      expect((await app.request("/v1/messages/h-1", put(edgeSend("key:a")))).status).toBe(204);
      expect((await app.request("/v1/messages/h-1", put(edgeSend("key:a")))).status).toBe(204); // told twice: one record
      expect((await app.request("/v1/messages/h-1", put(edgeSend("key:b")))).status).toBe(204); // another caller reusing the id
      const r = await app.request("/v1/messages/h-1", asEdge("key:a"));
      expect(r.status).toBe(200);
      const s = (await r.json()) as MessageStatus;
      expect(s).toMatchObject({ path: "http", state: "ENROUTE", send: { status: "accepted", site: "dc3" } });
      expect(s.finalState).toBeUndefined();
      for (const who of [asEdge("key:b"), { headers: AUTH }]) {
        const denied = await app.request("/v1/messages/h-1", who);
        expect(denied.status).toBe(404);
        expect(denied.headers.get("content-type")).toBe("application/problem+json");
      }
      const unknown = await app.request("/v1/messages/nope-1", asEdge("key:a"));
      expect(unknown.status).toBe(404);
      expect(((await unknown.json()) as { type: string }).type).toBe("/problems/not-found");
      expect((await app.request("/v1/messages/h-1")).status).toBe(401);
      expect((await app.request("/v1/messages/h-1", put({ path: "http" }))).status).toBe(400);
    });

    test("an accepted send is not replaced by a later record (a repeat, or an unknown told late)", async () => {
      const store = await b.open();
      const { app } = coreApp(store);
      await app.request("/v1/messages/a-1", put(edgeSend("key:a")));
      await app.request("/v1/messages/a-1", put({ ...edgeSend("key:a"), send: { status: "unknown", at: AT.toISOString(), reason: "timeout", attempts: [] } }));
      const s = (await (await app.request("/v1/messages/a-1", asEdge("key:a"))).json()) as MessageStatus;
      expect(s.send?.status).toBe("accepted");
    });

    test("SMPP receipts parked ahead of their submit join the record when the submit is recorded", async () => {
      const store = await b.open();
      const { app } = coreApp(store);
      const stateCode = 2;
      const parked = await makeEvent("message.status", dedupKeys.receipt("smsc:2b", stateCode, "x"), { smscMessageId: "2b", state: "DELIVERED", stateCode }, { channel: "smpp", site: "bos", node: "smc2.bos" }, AT);
      await store.correlate([{ kind: "park", event: parked, forms: ["2b"] }], AT.getTime());
      await app.request("/v1/messages/p-1", put({ ...edgeSend("core"), path: "smpp" }));
      await store.correlate([{ kind: "submit", rec: { clientMessageId: "p-1", segments: [{ smscMessageId: "2B", node: "smc1.dc3", site: "dc3" }] } }], AT.getTime());
      const s = (await (await app.request("/v1/messages/p-1", { headers: AUTH })).json()) as MessageStatus;
      expect(s.finalState).toBe("DELIVERED");
      expect(s.receipts).toEqual([expect.objectContaining({ smscMessageId: "2b", channel: "smpp", node: "smc2.bos", site: "bos" })]);
    });
  });
}
