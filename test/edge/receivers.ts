// Two small real Genesys-like receivers on port 0 for the in-process failover tests: each answers by a
// programmable mode, counts its requests and remembers the message_ids it saw. (The full simulator is used
// by the runtime suites; here we need exact control of one answer at a time.)
import { createServer, type Server, type ServerResponse } from "node:http";

/** `{ status }` answers that status with a body of its own (`body`, default "error": no result code). */
export type Mode = "ok" | "hang" | { result: number } | { status: number; body?: string };

export interface Receiver {
  url: string;
  mode: Mode;
  hits: number;
  ids: string[];
  /** Resolves when the receiver has seen `n` requests in all. */
  seen(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const held: ServerResponse[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const r = { mode: "ok" as Mode, hits: 0, ids: [] as string[] } as Receiver;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      r.hits++;
      r.ids.push(new URLSearchParams(body).get("message_id") ?? "");
      for (const w of waiters.filter((w) => r.hits >= w.n)) w.resolve();
      const m = r.mode;
      if (m === "hang") held.push(res);
      else if (m === "ok") res.end("result=0");
      else if ("result" in m) res.end(`result=${m.result}`);
      else res.writeHead(m.status).end(m.body ?? "error");
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const addr = server.address();
  r.url = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}/httpapi/receiver`;
  r.seen = (n) => (r.hits >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve })));
  r.close = () => new Promise<void>((ok) => { for (const h of held) h.destroy(); server.closeAllConnections(); server.close(() => ok()); });
  return r;
}

/** A loopback URL nothing listens on (a server bound, then closed): connections are refused. */
export async function refusedUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, "127.0.0.1", ok));
  const addr = s.address();
  await new Promise<void>((ok) => s.close(() => ok()));
  return `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}/httpapi/receiver`;
}
