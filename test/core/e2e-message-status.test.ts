/**
 * GET /v1/messages/:id and the scoped event stream across the real parts: the simulator, the real core (SMPP
 * binds, sqlite), the real edge in workerd and in Deno. A browser's token sends through the edge, follows its
 * receipts on /v1/events/stream?access_token=, and reads the message's timeline back; another caller gets 404;
 * an MT sent over SMPP through the core has its timeline at the core.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mintEdgeToken } from "../../contract/edge-token.ts";
import type { MessageStatus } from "../../contract/index.ts";
import { TEST_KEY, TEST_TOKEN_SECRET, keyHash } from "../edge/harness.ts";
import { startStack, type EdgeRuntime, type Stack } from "../e2e/stack.ts";

const OTHER_KEY = "other-key-2";
const MT = { to: "+12025550100", sender: "12345", text: "where is it?", receipt: true };

async function until<T>(f: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await Bun.sleep(50)) {
    const v = await f();
    if (v !== undefined) return v;
  }
  throw new Error("condition not met in time");
}

for (const runtime of ["workerd", "deno"] as EdgeRuntime[]) {
  describe(`message status across the stack (edge in ${runtime})`, () => {
    let s: Stack;
    beforeAll(async () => {
      s = await startStack({
        edge: runtime,
        sim: { receipts: { mix: { UNDELIVERABLE: 1 }, enrouteShare: 1 } },
        edgeEnv: { EDGE_TOKEN_SECRET: TEST_TOKEN_SECRET, EDGE_API_KEY_HASHES: `${await keyHash(TEST_KEY)},${await keyHash(OTHER_KEY)}` },
      });
      await s.sim.ledger.waitFor((l) => l.activeBinds.length === 4, 5_000);
    }, 60_000);
    afterAll(() => s?.stop());

    test("HTTP path: a browser's token sends, follows its receipts on the stream, reads the timeline; others get 404", async () => {
      const token = await mintEdgeToken({ alg: "HS256", secret: TEST_TOKEN_SECRET }, { sub: `user-${runtime}` });
      const edge = s.endpoints.edgeUrl;
      const stream = await fetch(`${edge}/v1/events/stream?access_token=${token}`);
      expect(stream.status).toBe(200);
      const id = `st-${runtime}-1`;
      const sent = await fetch(`${edge}/v1/messages`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ ...MT, clientMessageId: id }) });
      expect(sent.status).toBeLessThan(300);
      const get = (credential: string) => fetch(`${edge}/v1/messages/${id}`, { headers: { authorization: `Bearer ${credential}` } });
      const st = await until(async () => {
        const r = await get(token);
        const b = r.status === 200 ? ((await r.json()) as MessageStatus) : undefined;
        return b?.finalState && b.send ? b : undefined;
      });
      expect(st).toMatchObject({ messageId: id, path: "http", state: "UNDELIVERABLE", finalState: "UNDELIVERABLE", send: { status: "accepted", site: "dc3" } });
      expect(st.send!.attempts[0]).toMatchObject({ site: "dc3", outcome: "accepted", resultCode: 0 });
      // In the order stored (two callbacks 20 ms apart may cross): compared as a set.
      expect(st.receipts.map((r) => [r.state, r.channel, r.resultCode]).sort()).toEqual([["ENROUTE", "http", 0], ["UNDELIVERABLE", "http", 1]]);
      for (const other of [OTHER_KEY, TEST_KEY]) expect((await get(other)).status).toBe(404);

      // The stream carried this caller's two receipts (and nothing of anyone else's).
      const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = "";
      const stop = setTimeout(() => void reader.cancel(), 5_000);
      while ((text.match(/^data: /gm) ?? []).length < 2) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
      clearTimeout(stop);
      await reader.cancel().catch(() => undefined);
      const events = text.split("\n").filter((l) => l.startsWith("data: ")).map((l) => JSON.parse(l.slice(6)) as { data: { clientMessageId: string; state: string } });
      expect(events.map((e) => `${e.data.clientMessageId}:${e.data.state}`).sort()).toEqual([`${id}:ENROUTE`, `${id}:UNDELIVERABLE`]);
    }, 30_000);

    test("SMPP path: the core's own send and its receipts (correlated) in one record; the edge's callers cannot see it", async () => {
      const { coreUrl, coreToken, edgeUrl } = s.endpoints;
      const id = `sc-${runtime}-1`;
      const r = await fetch(`${coreUrl}/v1/messages`, { method: "POST", headers: { authorization: `Bearer ${coreToken}`, "content-type": "application/json" }, body: JSON.stringify({ ...MT, clientMessageId: id }) });
      expect(r.status).toBe(202);
      const st = await until(async () => {
        const g = await fetch(`${coreUrl}/v1/messages/${id}`, { headers: { authorization: `Bearer ${coreToken}` } });
        const b = (await g.json()) as MessageStatus;
        return b.finalState ? b : undefined;
      });
      expect(st).toMatchObject({ path: "smpp", finalState: "UNDELIVERABLE", send: { status: "accepted" } });
      expect(st.send!.attempts.at(-1)).toMatchObject({ outcome: "accepted", node: expect.stringMatching(/^smc[12]\.(dc3|bos)$/) });
      expect(st.receipts.map((x) => [x.state, x.channel, x.errorCode]).sort()).toEqual([["ENROUTE", "smpp", "000"], ["UNDELIVERABLE", "smpp", "034"]]);
      expect(st.receipts.every((x) => x.node !== undefined && x.smscMessageId !== undefined)).toBe(true);
      expect((await fetch(`${edgeUrl}/v1/messages/${id}`, { headers: { authorization: `Bearer ${TEST_KEY}` } })).status).toBe(404);
    }, 30_000);
  });
}
