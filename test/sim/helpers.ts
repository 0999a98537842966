// Test helpers for the simulator's own tests: a client that is not ours (the npm `smpp` package's
// session), plain HTTP calls, the control API over HTTP, and a callback receiver on port 0.
import { createServer, request } from "node:http";
import type { Server } from "node:http";
import smpp from "smpp";
import type { Simulator } from "../../sim/types.ts";

export type BindKind = "transceiver" | "transmitter" | "receiver";

/** Connects with the `smpp` package and binds (after `setup`); resolves with the session and the bind_resp status. */
export function bindClient(
  host: string, port: number,
  opts: { kind?: BindKind; password?: string; system_id?: string; setup?: (s: smpp.Session) => void } = {},
): Promise<{ session: smpp.Session; status: number }> {
  return new Promise((resolve, reject) => {
    const session = smpp.connect({ host, port });
    // Handlers go on before the bind: the SMSC may send held deliver_sm right behind the bind_resp.
    opts.setup?.(session);
    session.on("error", reject);
    const method = `bind_${opts.kind ?? "transceiver"}` as const;
    session.on("connect", () => {
      session[method]({ system_id: opts.system_id ?? "demo", password: opts.password ?? "demo" }, (pdu) => {
        session.removeListener("error", reject);
        session.on("error", () => undefined);
        resolve({ session, status: pdu.command_status });
      });
    });
  });
}

/** Sends a PDU and waits for its response. */
export function call(session: smpp.Session, command: string, fields: Record<string, unknown> = {}): Promise<smpp.PDU> {
  return new Promise((resolve) => {
    session.send(new smpp.PDU(command, fields), resolve);
  });
}

/** Resolves with the next PDU of `command` the client receives. */
export function next(session: smpp.Session, command: string): Promise<smpp.PDU> {
  return new Promise((resolve) => session.once(command, resolve));
}

/** Resolves when the socket closes. */
export function closed(session: smpp.Session): Promise<void> {
  return new Promise((resolve) => {
    if (session.socket.destroyed) resolve();
    else session.socket.once("close", () => resolve());
  });
}

export function destroyAll(sessions: smpp.Session[]): void {
  for (const s of sessions) s.socket.destroy();
  sessions.length = 0;
}

export const MT = { login: "demo", password: "demo", phone_number: "12025550100", sender: "12345", message: "hello" };

/** POSTs a form (or GETs with a query) to a receiver; answers status and body. */
export function httpSend(
  url: string, params: Record<string, string>, opts: { method?: "GET" | "POST"; timeoutMs?: number } = {},
): Promise<{ status: number; body: string }> {
  const form = new URLSearchParams(params).toString();
  const get = opts.method === "GET";
  return new Promise((resolve, reject) => {
    const req = request(get ? `${url}?${form}` : url, {
      method: get ? "GET" : "POST",
      agent: false,
      timeout: opts.timeoutMs ?? 3000,
      headers: get ? {} : { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(form) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })));
    req.on("error", reject);
    req.end(get ? undefined : form);
  });
}

/** Calls the control API over HTTP; answers status, content type and parsed JSON (if any). */
export async function control(sim: Simulator, method: string, path: string, body?: unknown): Promise<{ status: number; type: string; json: any }> {
  const res = await fetch(sim.controlUrl + path, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get("content-type") ?? "", json: text ? JSON.parse(text) : undefined };
}

/** A callback receiver on port 0: records every POSTed form; answers `statuses` in turn, then 200. */
export async function callbackReceiver(statuses: number[] = []): Promise<{ url: string; forms: URLSearchParams[]; close(): Promise<void> }> {
  const forms: URLSearchParams[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      forms.push(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
      res.writeHead(statuses.shift() ?? 200);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/callbacks`,
    forms,
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

/** Resolves true when `p` settles within `ms`, false otherwise. */
export function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([p.then(() => true, () => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` every 5 ms until true; rejects after `ms`. For conditions the ledger cannot signal (raw bytes). */
export async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await sleep(5);
  }
}
