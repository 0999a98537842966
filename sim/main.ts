// `npm run sim`: the simulator as a process, on the project's local default ports. Configuration is
// read once here, from flags (--callback-url=...) or env (SIM_CALLBACK_URL=...); flags win.
// Runs under Bun (`bun sim/main.ts`) and Node 22 (`node sim/main.ts`, type stripping).
import { LONG_MO, NODES, startSimulator } from "./index.ts";
import type { LongMo, NodeName, SimOptions, SiteName } from "./index.ts";

const HELP = `usage: bun sim/main.ts [--name=value ...]   (or env SIM_NAME=value)
  --host=127.0.0.1  --control-port=8700  --dc3-port=8701  --bos-port=8702
  --smsc-ports=2775,2776,2777,2778 (smc1.dc3, smc2.dc3, smc1.bos, smc2.bos)
  --login=demo  --password=demo  --callback-url=URL
  --callback-interval-ms=600000  --callback-retries=25  --deliver-ack-timeout-ms=10000
  --receipt-delay-ms=0  --other-site-share=0  --duplicate-share=0  --early-share=0
  --long-mo=payload (MOs over 140 octets: payload = message_payload TLV; udh8, udh16, sar = split into parts)`;

function setting(name: string): string | undefined {
  const flag = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (flag) return flag.slice(name.length + 3);
  return process.env[`SIM_${name.toUpperCase().replaceAll("-", "_")}`];
}

function num(name: string, dflt: number): number {
  const v = setting(name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got ${JSON.stringify(v)}`);
  return n;
}

function readOptions(): SimOptions {
  const smsc = (setting("smsc-ports") ?? "2775,2776,2777,2778").split(",").map(Number);
  const names = NODES.map((n) => n.name);
  if (smsc.length !== 4 || smsc.some((p) => !Number.isInteger(p) || p < 0)) throw new Error("--smsc-ports needs four ports");
  const callbackUrl = setting("callback-url");
  const opts: SimOptions = {
    host: setting("host") ?? "127.0.0.1",
    controlPort: num("control-port", 8700),
    httpPorts: { dc3: num("dc3-port", 8701), bos: num("bos-port", 8702) },
    smscPorts: Object.fromEntries(names.map((n, i) => [n, smsc[i]])) as Record<NodeName, number>,
    account: { login: setting("login") ?? "demo", password: setting("password") ?? "demo" },
    callbackRetry: { intervalMs: num("callback-interval-ms", 600_000), retries: num("callback-retries", 25) },
    deliverAckTimeoutMs: num("deliver-ack-timeout-ms", 10_000),
    receipts: {
      delayMs: num("receipt-delay-ms", 0), otherSiteShare: num("other-site-share", 0),
      duplicateShare: num("duplicate-share", 0), earlyShare: num("early-share", 0),
    },
  };
  if (callbackUrl) opts.callbackUrl = callbackUrl;
  const longMo = setting("long-mo");
  if (longMo !== undefined) {
    if (!LONG_MO.includes(longMo as LongMo)) throw new Error(`--long-mo must be one of ${LONG_MO.join(", ")}, got ${JSON.stringify(longMo)}`);
    opts.longMo = longMo as LongMo;
  }
  return Object.freeze(opts);
}

if (process.argv.includes("--help")) {
  console.log(HELP);
} else {
  const opts = readOptions();
  const sim = await startSimulator(opts);
  const lines = [
    `genesys simulator up (account ${opts.account?.login}/***)`,
    `  control API      ${sim.controlUrl}  (POST /faults, DELETE /faults[/:id], GET /ledger, POST /mo, POST /config, GET /health)`,
    ...(Object.entries(sim.sites) as [SiteName, { httpUrl: string }][]).map(([s, v]) => `  HTTP ${s.padEnd(11)} ${v.httpUrl}`),
    ...sim.nodes.map((n) => `  SMSC ${n.name.padEnd(11)} smpp://${n.host}:${n.port}`),
    `  callbacks to     ${opts.callbackUrl ?? "(none; set --callback-url or SIM_CALLBACK_URL)"}`,
  ];
  console.log(lines.join("\n"));
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping simulator`);
    sim.stop().then(() => process.exit(0), (e: unknown) => {
      console.error("stop failed:", e);
      process.exit(1);
    });
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}
