/**
 * The inbound benchmark's moving parts, shared by inbound.ts and field-scale.ts: a raw-socket SMSC blaster
 * in another process (smpp-blaster.ts) and one core gateway run (MOs, correlated receipts, or parked ones)
 * against it, on a store given or made for the run.
 */
import { parseCoreConfig } from "../../core/config.ts";
import { benchCoreConfig } from "./bench-core-config.ts";
import { startGateway, type Gateway } from "../../core/gateway.ts";
import { createLogger } from "../../core/platform/log.ts";
import { backend, type Backend, type BackendName } from "../core/helpers/stores.ts";

export const BINDS = 4;
/** deliver_sm each bind keeps unanswered (the SMSC's window). */
export let WINDOW = 256;
export function setWindow(w: number): void {
  WINDOW = w;
}
const here = new URL(".", import.meta.url).pathname;

export interface Result { acked: number; nacked: number; seconds: number }
export interface Row extends Result { path: string; store: string; kind: string }

/** Starts the blaster; `result` resolves with its JSON line once all BINDS sessions are answered. */
export async function startBlaster(count: number, kind: "mo" | "receipt", extra: Record<string, string> = {}) {
  const proc = Bun.spawn([process.execPath, `${here}smpp-blaster.ts`], {
    stdout: "pipe",
    stderr: "inherit",
    env: { ...process.env, COUNT: String(count), WINDOW: String(WINDOW), SESSIONS: String(BINDS), KIND: kind, ...extra },
  });
  const reader = proc.stdout.getReader();
  const dec = new TextDecoder();
  let text = "";
  const line = async (re: RegExp) => {
    while (!re.test(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error("blaster exited");
      text += dec.decode(value);
    }
    return re.exec(text)!;
  };
  const port = Number((await line(/port (\d+)/))[1]);
  return { port, result: line(/\{[^\n]*"seconds"[^\n]*\}/).then((m) => JSON.parse(m[0]) as Result), go: () => proc.kill("SIGUSR2"), stop: () => proc.kill() };
}

function config(port: number, store: { url: string; schema?: string; sqliteSynchronous?: "full" | "normal" }) {
  return parseCoreConfig(benchCoreConfig(port, store, "error"));
}

/**
 * kind "receipt": receipts whose MT the store knows (the usual case: correlated, group-committed);
 * "parked": receipts for unknown SMSC ids (each parked in its own transaction: the worst case).
 */
export interface GatewayRunOptions {
  /** The store to run on (kept); default: a temp sqlite file or a throwaway PostgreSQL schema, removed after. */
  readonly on?: Backend;
  readonly sqliteSynchronous?: "full" | "normal";
  /**
   * Work on the gateway during the burst (the retention sweep, on the gateway's own store): started once the
   * binds are up, just before the burst; the function it answers ends it after the burst.
   */
  readonly alongside?: (gw: Gateway) => () => Promise<void>;
}

export async function gatewayRun(storeName: BackendName, kind: "mo" | "receipt" | "parked", count: number, o: GatewayRunOptions = {}): Promise<Row> {
  const db = o.on ?? backend(storeName); // the gateway opens its own store on it
  const store = { url: db.url, ...(db.schema !== undefined && { schema: db.schema }), ...(o.sqliteSynchronous && { sqliteSynchronous: o.sqliteSynchronous }) };
  const run = (0x100000 + Math.floor(Math.random() * 0xeffff)).toString(16); // hex: the SMSC ids stay hex
  const blaster = await startBlaster(count, kind === "mo" ? "mo" : "receipt", { HOLD: "1", RUN: run });
  const gw = await startGateway(config(blaster.port, store), { log: createLogger({ level: "error" }) });
  try {
    while (gw.binds.list().filter((b) => b.state.kind === "bound").length < BINDS) await Bun.sleep(10);
    if (kind === "receipt") {
      // The MTs these receipts belong to, recorded as the router would (500 segments per record to be quick).
      const ids = Array.from({ length: BINDS }, (_, c) => Array.from({ length: count }, (_, n) => `${run}${c.toString(16)}${n.toString(16).padStart(8, "0")}`)).flat();
      for (let i = 0; i < ids.length; i += 500) {
        await gw.correlation.recordSubmit({ clientMessageId: `bench-${i}`, segments: ids.slice(i, i + 500).map((smscMessageId) => ({ smscMessageId, node: "smc1.dc3", site: "dc3" })) });
      }
    }
    const end = o.alongside?.(gw);
    let r: Result;
    try {
      blaster.go();
      r = await blaster.result;
    } finally {
      await end?.(); // before the gateway's store closes
    }
    return { path: "core gateway (decode, dedup, group commit)", store: storeName, kind, ...r };
  } finally {
    await gw.stop();
    blaster.stop();
    if (!o.on) await db.cleanup();
  }
}

