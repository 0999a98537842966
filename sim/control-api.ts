// The control API: JSON over HTTP, so tests in other runtimes and humans with curl drive the same
// simulator. Errors are application/problem+json.
//   POST /faults (Fault) → 201 {id}    DELETE /faults/:id → 204 | 404    DELETE /faults → 204
//   GET /faults → ActiveFault[]        GET /ledger → LedgerSnapshot        POST /mo → 201 {message_id}
//   GET /config → config  POST /config (patch) → 200 config  GET /health → {ok, controlUrl, sites, nodes}
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { faultProblems } from "./faults.ts";
import { parseMtDedupModel } from "./mt-dedup.ts";
import type { Fault, LongMo, MoInjection, Simulator } from "./types.ts";
import { LONG_MO, NODES } from "./types.ts";

const LONG_MO_PROBLEM = `longMo must be one of ${LONG_MO.join(", ")}`;
const isLongMo = (v: unknown): boolean => LONG_MO.includes(v as LongMo);
const isNode = (v: unknown): boolean => NODES.some((n) => n.name === v);

/** Builds the control server around a simulator (the caller listens). */
export function controlServer(sim: () => Simulator, config: () => unknown): Server {
  return createServer((req, res) => {
    void route(sim(), config, req, res).catch((e: unknown) => problem(res, 500, "internal error", String(e)));
  });
}

async function route(sim: Simulator, config: () => unknown, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? "/", "http://sim").pathname.replace(/\/+$/, "") || "/";
  const m = req.method ?? "GET";
  if (m === "GET" && path === "/health") {
    return json(res, 200, { ok: true, controlUrl: sim.controlUrl, sites: sim.sites, nodes: sim.nodes });
  }
  if (m === "GET" && path === "/ledger") return json(res, 200, sim.ledger.snapshot());
  if (m === "GET" && path === "/faults") return json(res, 200, sim.listFaults());
  if (m === "GET" && path === "/config") return json(res, 200, config());
  if (m === "POST" && path === "/faults") {
    const body = await readJson(req);
    const problems = faultProblems(body);
    if (problems.length) return problem(res, 400, "invalid fault", problems.join("; "));
    const id = sim.addFault(body as Fault);
    await sim.settled();
    return json(res, 201, { id });
  }
  if (m === "DELETE" && path === "/faults") {
    sim.clearFaults();
    await sim.settled();
    return empty(res);
  }
  const del = /^\/faults\/([^/]+)$/.exec(path);
  if (m === "DELETE" && del) {
    if (!sim.removeFault(decodeURIComponent(del[1] as string))) return problem(res, 404, "no such fault");
    await sim.settled();
    return empty(res);
  }
  if (m === "POST" && path === "/mo") {
    const body = await readJson(req);
    const problems = moProblems(body);
    if (problems.length) return problem(res, 400, "invalid MO", problems.join("; "));
    try {
      return json(res, 201, { message_id: sim.injectMo(body as MoInjection) });
    } catch (e) {
      return problem(res, 409, "cannot inject MO", e instanceof Error ? e.message : String(e));
    }
  }
  if (m === "POST" && path === "/config") {
    const body = await readJson(req);
    if (typeof body !== "object" || body === null) return problem(res, 400, "invalid config", "body must be a JSON object");
    const longMo = (body as { longMo?: unknown }).longMo;
    if (longMo !== undefined && !isLongMo(longMo)) return problem(res, 400, "invalid config", LONG_MO_PROBLEM);
    const dedup = (body as { mtDedup?: unknown }).mtDedup;
    const model = dedup === undefined ? undefined : parseMtDedupModel(dedup);
    if (typeof model === "string") return problem(res, 400, "invalid config", model);
    sim.configure({ ...(body as Parameters<Simulator["configure"]>[0]), ...(model !== undefined && { mtDedup: model }) });
    return json(res, 200, config());
  }
  return problem(res, 404, "not found", `${m} ${path}`);
}

function moProblems(b: unknown): string[] {
  if (typeof b !== "object" || b === null) return ["body must be a JSON object"];
  const o = b as Record<string, unknown>;
  const p: string[] = [];
  for (const k of ["from", "to", "text"]) if (typeof o[k] !== "string") p.push(`${k} must be a string`);
  if (o.via !== undefined && o.via !== "smpp" && o.via !== "http") p.push("via must be smpp or http");
  if (o.node !== undefined && !isNode(o.node)) p.push("unknown node");
  if (o.longMo !== undefined && !isLongMo(o.longMo)) p.push(LONG_MO_PROBLEM);
  if (o.concatRef !== undefined && !(Number.isInteger(o.concatRef) && (o.concatRef as number) >= 0 && (o.concatRef as number) <= 0xffff)) p.push("concatRef must be an integer 0..65535");
  if (o.partOrder !== undefined && !(Array.isArray(o.partOrder) && o.partOrder.every((x) => Number.isInteger(x) && x >= 1))) p.push("partOrder must be an array of seqs (1-based)");
  if (o.partNodes !== undefined && !(Array.isArray(o.partNodes) && o.partNodes.every(isNode))) p.push("partNodes must name nodes");
  return p;
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString("utf8") || "null"));
      } catch {
        resolve(undefined);
      }
    });
    req.on("error", () => resolve(undefined));
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const s = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(s) });
  res.end(s);
}

function empty(res: ServerResponse): void {
  res.writeHead(204);
  res.end();
}

function problem(res: ServerResponse, status: number, title: string, detail?: string): void {
  const s = JSON.stringify({ type: "about:blank", title, status, ...(detail ? { detail } : {}) });
  res.writeHead(status, { "content-type": "application/problem+json", "content-length": Buffer.byteLength(s) });
  res.end(s);
}
