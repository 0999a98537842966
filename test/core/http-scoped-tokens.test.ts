/**
 * Scoped core tokens over real HTTP (the app served on port 0): the edge's token (http.edgeToken) posts events
 * and its send records and nothing else (403 for sending MTs, reading events, streaming, binds); the
 * application's token opens everything; any other token is 401.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { serveCore } from "../../core/http/serve.ts";
import { coreApp, TOKEN } from "./helpers/core-app.ts";
import { backend } from "./helpers/stores.ts";

const EDGE = "edge-token-abcdefghij";
const db = backend("sqlite");
let url = "";
let stop: () => Promise<void>;

beforeAll(async () => {
  const { app } = coreApp(await db.open(), { edgeToken: EDGE });
  const server = serveCore(app, { hostname: "127.0.0.1", port: 0 });
  url = `http://127.0.0.1:${server.port}`;
  stop = () => server.stop(true);
});
afterAll(async () => {
  await stop?.();
  await db.cleanup();
});

const call = (token: string, method: string, path: string, body?: unknown) =>
  fetch(`${url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  }).then(async (r) => ({ status: r.status, type: ((await r.json().catch(() => ({}))) as { type?: string }).type }));

const mt = { to: "+4512345678", sender: "12345", text: "scoped" };

test("the edge's token: events in, nothing out", async () => {
  expect((await call(EDGE, "POST", "/v1/events", { events: [] })).status).not.toBeOneOf([401, 403]);
  expect((await call(EDGE, "PUT", "/v1/messages/abc", {})).status).not.toBeOneOf([401, 403]);
  for (const [method, path, body] of [
    ["POST", "/v1/messages", mt],
    ["GET", "/v1/events"],
    ["GET", "/v1/events/stream"],
    ["GET", "/v1/messages/abc"],
    ["GET", "/v1/binds"],
  ] as const) {
    expect([method, path, await call(EDGE, method, path, body)]).toEqual([method, path, { status: 403, type: "/problems/forbidden" }]);
  }
});

test("the application's token opens every route; another token none", async () => {
  expect((await call(TOKEN, "POST", "/v1/messages", mt)).status).toBe(202);
  expect((await call(TOKEN, "GET", "/v1/events")).status).toBe(200);
  expect((await call(TOKEN, "GET", "/v1/binds")).status).toBe(200);
  expect((await call(TOKEN, "POST", "/v1/events", { events: [] })).status).not.toBeOneOf([401, 403]);
  expect((await call("some-other-token", "POST", "/v1/events", { events: [] })).status).toBe(401);
  expect((await call(`${EDGE}x`, "POST", "/v1/events", { events: [] })).status).toBe(401);
});
