/**
 * `npm start`: the whole gateway on one machine, wired together against the local Genesys simulator.
 * Starts the simulator, the demo webhook receiver, the core (bound to all four SMSC nodes) and the edge
 * (workerd through `wrangler dev`, or Deno with `--deno`); says when each is ready, prints every URL, and on
 * Ctrl-C stops them all (the core unbinds first), leaving no process behind.
 */
import { spawn, type Subprocess } from "bun";
import { openSync } from "node:fs";

const deno = process.argv.includes("--deno");
const here = new URL("..", import.meta.url).pathname;

interface Part {
  name: string;
  cmd: string[];
  ready: string; // URL that answers 2xx when the part is up
  env?: Record<string, string>;
  urls: string[];
}

const parts: Part[] = [
  {
    name: "simulator",
    cmd: ["bun", "sim/main.ts"],
    ready: "http://127.0.0.1:8700/health",
    // HTTP MOs and receipts go to the edge's callback URL (secret from edge/local.env); some receipts misbehave as
    // real ones do (other site, twice, ahead of the submit_sm_resp); retries and redeliveries are quicker than
    // Genesys' 10 min / 10 s so the demo sees them settle.
    env: {
      SIM_CALLBACK_URL: `http://127.0.0.1:${deno ? 8788 : 8787}/v1/genesys/callback/dev-callback`,
      SIM_OTHER_SITE_SHARE: "0.2", SIM_DUPLICATE_SHARE: "0.1", SIM_EARLY_SHARE: "0.1",
      SIM_CALLBACK_INTERVAL_MS: "2000", SIM_DELIVER_ACK_TIMEOUT_MS: "3000",
    },
    urls: ["control API  http://127.0.0.1:8700  (POST /faults, GET /ledger)", "Genesys HTTP dc3 http://127.0.0.1:8701/httpapi/receiver, bos http://127.0.0.1:8702/httpapi/receiver", "SMSC nodes   smc1.dc3 :2775  smc2.dc3 :2776  smc1.bos :2777  smc2.bos :2778"],
  },
  {
    name: "webhook receiver",
    cmd: ["bun", "tools/demo/receiver.ts"],
    ready: "http://127.0.0.1:8090/health",
    urls: ["demo webhook receiver http://127.0.0.1:8090  (GET /events)"],
  },
  {
    name: "core",
    cmd: ["bun", "core/main.ts"],
    ready: "http://127.0.0.1:8080/readyz",
    urls: ["core         http://127.0.0.1:8080  (status page /, API /v1, bearer dev-token)"],
  },
  deno
    ? {
        name: "edge (Deno)",
        cmd: ["deno", "run", "--allow-net", "--allow-env", "--allow-read", "--env-file=edge/local.env", "edge/entry/deno.ts"],
        ready: "http://127.0.0.1:8788/v1/health",
        urls: ["edge (Deno)  http://127.0.0.1:8788  (status page /, API key dev-key)"],
      }
    : {
        name: "edge (workerd)",
        cmd: ["wrangler", "dev", "--port", "8787", "--ip", "127.0.0.1", "--env-file", "edge/local.env", "--show-interactive-dev-session=false"],
        ready: "http://127.0.0.1:8787/v1/health",
        urls: ["edge (workerd) http://127.0.0.1:8787  (status page /, API key dev-key)"],
      },
];

const logDir = `${here}.data/logs`;
await Bun.$`mkdir -p ${logDir}`.quiet();
const logOf = (p: Part) => `${logDir}/${p.name.replace(/[^a-z]+/gi, "-")}.log`;

const running: { part: Part; proc: Subprocess }[] = [];
let stopping = false;

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function waitReady(p: Part, proc: Subprocess, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (proc.exitCode !== null) return false;
    try {
      const r = await fetch(p.ready, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return true;
    } catch {
      // not up yet
    }
    await Bun.sleep(200);
  }
  return false;
}

async function stopAll(code: number): Promise<never> {
  if (stopping) process.exit(code);
  stopping = true;
  say("\nstopping…");
  // Reverse order: the edge first, then the core (it unbinds every node), then the rest.
  for (const { part, proc } of running.reverse()) {
    if (proc.exitCode !== null) continue;
    proc.kill("SIGTERM");
    const done = await Promise.race([proc.exited.then(() => true), Bun.sleep(8000).then(() => false)]);
    if (!done) proc.kill("SIGKILL");
    say(`  ${part.name} stopped`);
  }
  process.exit(code);
}

process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));

say("genesys-sms-ha: starting the gateway against the local Genesys simulator\n");
for (const part of parts) {
  const log = openSync(logOf(part), "w"); // one file for stdout and stderr, in order
  const proc = spawn(part.cmd, {
    cwd: here,
    env: { ...process.env, ...part.env, PATH: `${here}node_modules/.bin:${process.env.PATH}` },
    stdout: log,
    stderr: log,
  });
  running.push({ part, proc });
  const t0 = Date.now();
  if (!(await waitReady(part, proc, 60_000))) {
    const text = await Bun.file(logOf(part)).text().catch(() => "");
    say(`✗ ${part.name} did not become ready (${part.ready}); the end of ${logOf(part)}:\n${text.slice(-2000)}`);
    await stopAll(1);
  }
  say(`✓ ${part.name} ready in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  void proc.exited.then((c) => {
    if (!stopping) {
      say(`✗ ${part.name} exited (${c}); stopping everything`);
      void stopAll(1);
    }
  });
}

say(`\nAll parts are up (logs in ${logDir}):`);
for (const p of parts) for (const u of p.urls) say(`  ${u}`);
say(`
Try it:
  curl -s -X POST http://127.0.0.1:${deno ? 8788 : 8787}/v1/messages -H 'authorization: Bearer dev-key' \\
       -H 'content-type: application/json' -d '{"to":"+12025550100","sender":"12345","text":"hello","receipt":true}'
  npm run demo      # traffic through edge and core, a site outage half-way, and a lost/doubled check
Ctrl-C stops everything.`);
