/**
 * What the SMPP path cannot carry is refused, never dropped (issue 15.8): an MT with MMS attachments, an appId
 * or a conversationId answers 422 problem+json `not-carried` naming the field, and nothing is sent. Over real
 * HTTP (the core app served on port 0).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { serveCore } from "../../core/http/serve.ts";
import { AUTH, coreApp, type FakeSender } from "./helpers/core-app.ts";
import { backend } from "./helpers/stores.ts";

const db = backend("sqlite");
let url = "";
let sender: FakeSender;
let stop: () => Promise<void>;

beforeAll(async () => {
  const c = coreApp(await db.open());
  sender = c.sender;
  const server = serveCore(c.app, { hostname: "127.0.0.1", port: 0 });
  url = `http://127.0.0.1:${server.port}`;
  stop = () => server.stop(true);
});
afterAll(async () => {
  await stop?.();
  await db.cleanup();
});

const post = async (body: unknown) => {
  const r = await fetch(`${url}/v1/messages`, { method: "POST", headers: { ...AUTH, "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as { type?: string; field?: string } };
};
const mt = { to: "+4512345678", sender: "12345", text: "hello" };

test("attachments, appId, conversationId: 422 not-carried naming the field, nothing sent", async () => {
  const cases = [
    [{ attachments: [{ contentType: "image/png", content: "iVBORw0KGgo=" }] }, "attachments"],
    [{ appId: "app-1" }, "appId"],
    [{ conversationId: "conv-1" }, "conversationId"],
  ] as const;
  for (const [extra, field] of cases) {
    const r = await post({ ...mt, ...extra });
    expect([r.status, r.json.type, r.json.field]).toEqual([422, "/problems/not-carried", field]);
  }
  expect(sender.calls).toHaveLength(0);
});

test("the same MT without them is sent", async () => {
  expect((await post(mt)).status).toBe(202);
  expect(sender.calls).toHaveLength(1);
});
