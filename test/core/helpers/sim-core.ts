/**
 * The real core (startGateway) against the real Genesys simulator, over loopback sockets: a config built for
 * the simulator's ports with short timeouts, the gateway's HTTP app served on port 0, and small helpers to
 * send MTs and read events. Used by test/core/core-sim-*.test.ts.
 */
import type { Clock } from "../../../contract/index.ts";
import { parseCoreConfig, type CoreConfig } from "../../../core/config.ts";
import { startGateway, type Gateway } from "../../../core/gateway.ts";
import { serveCore } from "../../../core/http/serve.ts";
import { createLogger } from "../../../core/platform/log.ts";
import type { Event } from "../../../contract/index.ts";
import { startSimulator, type SimOptions, type Simulator } from "../../../sim/index.ts";
import { TOKEN } from "./core-app.ts";

export { TOKEN };
export const AUTH = { Authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
/** The webhook secret simConfig configures (receivers checking signatures use it too). */
export const WEBHOOK_SECRET = "test-webhook-secret";

export interface SimConfigOptions {
  /** binds.tlsCa */
  tlsCa?: string;
  storeUrl: string;
  schema?: string;
  webhookUrl?: string;
  /** binds.* overrides (defaults: floor 30 s, jitter 1 s, window 10, response timeout 2 s, no enquire_link). */
  binds?: Partial<CoreConfig["binds"]>;
  inbox?: Partial<CoreConfig["inbox"]>;
  /** More SMSC nodes after the simulator's four (hostile peers). */
  extraNodes?: { name: string; site: "dc3" | "bos"; host: string; port: number; tls?: boolean }[];
  /** false: only `extraNodes` (default true). */
  simNodes?: boolean;
}

/** A validated CoreConfig (through the same parser as main.ts) pointing at the simulator's ports. */
export function simConfig(sim: Simulator, o: SimConfigOptions): CoreConfig {
  return parseCoreConfig({
    mode: "development",
    http: { port: 0, token: TOKEN },
    store: { url: o.storeUrl, ...(o.schema && { schema: o.schema }) },
    webhook: { secret: WEBHOOK_SECRET, baseMs: 50, capMs: 200, timeoutMs: 2_000, ...(o.webhookUrl && { url: o.webhookUrl }) },
    genesys: { login: "demo", password: "demo" },
    topology: {
      sites: (["dc3", "bos"] as const).map((name) => ({ name, httpUrl: sim.sites[name].httpUrl })),
      smscNodes: [...(o.simNodes === false ? [] : sim.nodes), ...(o.extraNodes ?? [])].map((n) => ({ name: n.name, site: n.site, host: n.host, port: n.port, tls: "tls" in n ? n.tls === true : false })),
    },
    binds: { ...(o.tlsCa && { tlsCa: o.tlsCa }), rebindFloorMs: 30_000, rebindJitterMs: 1_000, window: 10, responseTimeoutMs: 2_000, enquireLinkMs: 0, drainMs: 500, ...o.binds },
    inbox: { moDedupWindowMs: 600_000, parkLimitMs: 600_000, maxBatch: 1000, ...o.inbox },
    log: { level: "warn" },
  });
}

export interface SimCore {
  readonly gateway: Gateway;
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts a gateway on `cfg` and serves its app on 127.0.0.1:0. */
export async function startSimCore(cfg: CoreConfig, opts: { bindClock?: Clock; routerClock?: Clock; random?: () => number; owner?: string; instance?: string } = {}): Promise<SimCore> {
  const log = createLogger({ level: "warn", write: () => undefined }); // silent
  // Each in-process core is a new instance unless told otherwise: it does not inherit another's rebind floor.
  const gateway = await startGateway(cfg, { log, instance: `sim-${crypto.randomUUID()}`, ...opts });
  const server = serveCore(gateway.app, { hostname: "127.0.0.1", port: 0 });
  let stopped = false;
  return {
    gateway,
    url: `http://127.0.0.1:${server.port}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await gateway.stop();
      await server.stop(true);
    },
  };
}

/** Bound node names, as the core sees them. */
export function boundNodes(core: SimCore): string[] {
  return core.gateway.binds.list().filter((b) => b.state.kind === "bound").map((b) => b.node).sort();
}

/** Polls `cond` every 10 ms until true; throws after `ms`. */
export async function until(cond: () => boolean | Promise<boolean>, ms = 3_000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what} not met within ${ms} ms`);
    await Bun.sleep(10);
  }
}

/** POST /v1/messages over HTTP; `outcome` is the SendOutcome, the body of a 202 or a problem's `outcome` member. */
export async function postMt(core: SimCore, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; outcome: any; headers: Headers }> {
  const r = await fetch(`${core.url}/v1/messages`, { method: "POST", headers: { ...AUTH, ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
  const json: any = await r.json().catch(() => undefined);
  return { status: r.status, json, outcome: json?.outcome ?? json, headers: r.headers };
}

/** Every stored event, via GET /v1/events (paged). */
export async function allEvents(core: SimCore): Promise<Event[]> {
  const out: Event[] = [];
  let after = 0;
  for (;;) {
    const r = await fetch(`${core.url}/v1/events?after=${after}&limit=1000`, { headers: AUTH });
    const j = (await r.json()) as { events: { cursor: number; event: Event }[]; next: number };
    out.push(...j.events.map((e) => e.event));
    if (j.events.length < 1000) return out;
    after = j.next;
  }
}

/** A unique MO text per test run (MOs are deduplicated by content within a window). */
export function moText(tag: string): string {
  return `${tag} ${crypto.randomUUID().slice(0, 8)}`;
}

/** Two cores on one PostgreSQL schema, both bound to every node of one simulator (8 binds). */
export interface TwoCores {
  readonly sim: Simulator;
  readonly a: SimCore;
  readonly b: SimCore;
  /** The simulator's session ids of core a's binds. */
  readonly sessionsA: ReadonlySet<number>;
  stop(): Promise<void>;
}

export async function startTwoCores(db: { url: string; schema?: string }, simOptions: SimOptions): Promise<TwoCores> {
  const sim = await startSimulator(simOptions);
  const cfg = simConfig(sim, { storeUrl: db.url, schema: db.schema! });
  const a = await startSimCore(cfg, { owner: "core-a" });
  await sim.ledger.waitFor((l) => l.activeBinds.length === 4, 3_000);
  const sessionsA = new Set(sim.ledger.activeBinds.map((x) => x.sessionId));
  const b = await startSimCore(cfg, { owner: "core-b" });
  await sim.ledger.waitFor((l) => l.activeBinds.length === 8, 3_000);
  return {
    sim, a, b, sessionsA,
    async stop() {
      await a.stop();
      await b.stop();
      await sim.stop();
    },
  };
}
