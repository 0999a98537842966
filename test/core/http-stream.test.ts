/** GET /v1/events/stream over a real Bun.serve socket: live delivery, resume with Last-Event-ID; both backends. */
import { afterAll, describe, expect, test } from "bun:test";
import { serveCore } from "../../core/http/serve.ts";
import { BACKENDS, backend } from "./helpers/stores.ts";
import { AUTH, coreApp } from "./helpers/core-app.ts";
import { mo } from "./helpers/events.ts";
import { dedupKeys, makeEvent, type Event } from "../../contract/index.ts";

const sent = { status: "accepted" as const, at: new Date(0).toISOString(), attempts: [] };
/** An HTTP-path receipt of `id`. */
const dr = (id: string, stateCode = 2): Promise<Event> =>
  makeEvent("message.status", dedupKeys.receipt(`http:${id}`, stateCode, ""), { clientMessageId: id, state: stateCode === 2 ? "DELIVERED" : "ENROUTE", stateCode }, { channel: "http" }, new Date(0));

interface Sse {
  id?: string;
  event?: string;
  data?: string;
}

/** Reads SSE messages from a response until `count` arrive (or the deadline), then cancels the stream. */
async function readSse(res: Response, count: number, ms = 3_000): Promise<Sse[]> {
  const out: Sse[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  const deadline = setTimeout(() => void reader.cancel(), ms);
  try {
    while (out.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let i;
      while ((i = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const msg: Sse = {};
        for (const line of block.split("\n")) {
          const m = /^(id|event|data): ?(.*)$/.exec(line);
          if (m) msg[m[1] as keyof Sse] = m[2];
        }
        if (msg.data !== undefined) out.push(msg);
      }
    }
  } finally {
    clearTimeout(deadline);
    await reader.cancel().catch(() => undefined);
  }
  return out;
}

for (const name of BACKENDS) {
  describe(`event stream (${name})`, () => {
    const b = backend(name);
    afterAll(() => b.cleanup());

    test("streams stored events live, then resumes after Last-Event-ID", async () => {
      const store = await b.open();
      const { app, inbox } = coreApp(store);
      const server = serveCore(app, { port: 0 });
      try {
        const base = `http://127.0.0.1:${server.port}/v1/events/stream`;
        const start = await store.lastCursor();
        expect((await fetch(base)).status).toBe(401);
        const first = await inbox.accept(await mo("s1"));
        const res = await fetch(`${base}?after=${start}`, { headers: AUTH });
        expect(res.headers.get("content-type")).toContain("text/event-stream");
        const reading = readSse(res, 3);
        await Bun.sleep(30);
        await inbox.accept(await mo("s2")); // arrives while connected
        await inbox.accept(await mo("s3"));
        const got = await reading;
        expect(got.map((m) => m.event)).toEqual(["message.received", "message.received", "message.received"]);
        expect(got.map((m) => JSON.parse(m.data!).id)).toEqual([(await mo("s1")).id, (await mo("s2")).id, (await mo("s3")).id]);
        expect(Number(got[0]!.id)).toBe(first.stored ? first.cursor : -1);

        await inbox.accept(await mo("s4"));
        const resumed = await readSse(await fetch(base, { headers: { ...AUTH, "Last-Event-ID": got[1]!.id! } }), 2);
        expect(resumed.map((m) => JSON.parse(m.data!).id)).toEqual([(await mo("s3")).id, (await mo("s4")).id]);
        expect((await fetch(base, { headers: { ...AUTH, "Last-Event-ID": "x" } })).status).toBe(400);
      } finally {
        server.stop(true);
      }
    });

    test("at most maxStreams are open at once (one more: 503 too-many-streams); a stream outlives the idle timeout", async () => {
      const store = await b.open();
      const { app, inbox } = coreApp(store, { maxStreams: 2, streamHeartbeatMs: 60_000 });
      const server = serveCore(app, { port: 0, idleTimeoutS: 1 });
      try {
        const base = `http://127.0.0.1:${server.port}/v1/events/stream?after=${await store.lastCursor()}`;
        const a = await fetch(base, { headers: AUTH });
        const bStream = await fetch(base, { headers: AUTH });
        expect([a.status, bStream.status]).toEqual([200, 200]);
        const third = await fetch(base, { headers: AUTH });
        expect(third.status).toBe(503);
        expect(third.headers.get("retry-after")).toBe("5");
        expect(((await third.json()) as { type: string }).type).toBe("/problems/too-many-streams");
        await bStream.body!.cancel();
        let again: Response | undefined;
        for (let i = 0; i < 50 && again?.status !== 200; i++) {
          await again?.body?.cancel();
          await Bun.sleep(20);
          again = await fetch(base, { headers: AUTH });
        }
        expect(again!.status).toBe(200); // a closed stream frees its place
        if (name === "sqlite") { // not a store matter: once is enough
          // Idle for far longer than the server's idle timeout (no heartbeat), then an event still arrives.
          const reading = readSse(a, 1, 9_000);
          await Bun.sleep(6_000);
          await inbox.accept(await mo("late"));
          expect((await reading).map((m) => JSON.parse(m.data!).id)).toEqual([(await mo("late")).id]);
        }
        await a.body!.cancel().catch(() => undefined);
        await again!.body!.cancel();
      } finally {
        server.stop(true);
      }
    }, 15_000);

    test("scoped to a caller (Gsh-Principal): only its own messages' receipts, also one stored before its send record", async () => {
      const store = await b.open();
      const { app, inbox } = coreApp(store);
      const server = serveCore(app, { port: 0 });
      try {
        const base = `http://127.0.0.1:${server.port}/v1/events/stream`;
        await store.recordSends([{ clientMessageId: "mine-1", principal: "token:aaaa", path: "http", send: sent }, { clientMessageId: "theirs-1", principal: "key:bbbb", path: "http", send: sent }], 0);
        await inbox.accept(await dr("mine-2", 1)); // its receipt first: the principal is not known yet
        await inbox.accept(await mo("scoped-mo")); // an MO is nobody's message
        await inbox.accept(await dr("theirs-1"));
        await inbox.accept(await dr("mine-1"));
        const res = await fetch(base, { headers: { ...AUTH, "Gsh-Principal": "token:aaaa" } });
        const reading = readSse(res, 3);
        await Bun.sleep(30);
        await store.recordSends([{ clientMessageId: "mine-2", principal: "token:aaaa", path: "http", send: sent }], 0); // the early receipt joins the feed now
        await inbox.accept(await dr("mine-2")); // and its next one, live
        const got = await reading;
        expect(got.map((m) => { const e = JSON.parse(m.data!); return `${e.data.clientMessageId}:${e.data.state}`; })).toEqual(["mine-1:DELIVERED", "mine-2:ENROUTE", "mine-2:DELIVERED"]);
        const resumed = await readSse(await fetch(base, { headers: { ...AUTH, "Gsh-Principal": "token:aaaa", "Last-Event-ID": got[0]!.id! } }), 2);
        expect(resumed.map((m) => m.id)).toEqual([got[1]!.id, got[2]!.id]);
      } finally {
        server.stop(true);
      }
    });
  });
}
