/**
 * A connection flood against the real core process (`bun core/main.ts`) at a lowered file limit
 * (`prlimit --nofile=256:256`): 400 keep-alive connections, each sending one request and then holding the
 * connection idle, far more than the process has files for. The process stays up, closes the idle
 * connections after `http.idleTimeoutS`, and /healthz answers again while the flood still holds its sockets.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { answersWithin, connectionFlood } from "../flood.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "gsh-flood-"));
const procs: Subprocess[] = [];
afterAll(() => {
  for (const p of procs) if (p.exitCode === null) p.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/** The core process under `prlimit --nofile=<files>`; resolves with its URL once it listens. */
async function spawnLimitedCore(files: number, http: Record<string, unknown>): Promise<{ proc: Subprocess<"ignore", "pipe", "pipe">; url: string }> {
  const config = join(dir, `core-${procs.length}.json`);
  writeFileSync(config, JSON.stringify({
    mode: "development",
    http: { host: "127.0.0.1", port: 0, token: "flood-test-token", ...http },
    store: { url: `sqlite://${join(dir, `core-${procs.length}.sqlite`)}` },
    webhook: { secret: "flood-test-secret" },
    genesys: { login: "flood", password: "flood" },
    // Nodes nobody listens on: the binds fail and wait out the 30 s floor; /healthz does not need them.
    topology: {
      sites: [{ name: "dc3", httpUrl: "http://127.0.0.1:9/x" }, { name: "bos", httpUrl: "http://127.0.0.1:9/y" }],
      smscNodes: ["smc1.dc3", "smc2.dc3", "smc1.bos", "smc2.bos"].map((name) => ({ name, site: name.slice(5), host: "127.0.0.1", port: 9, tls: false })),
    },
    binds: { enquireLinkMs: 0 },
    log: { level: "info" },
  }));
  const proc = Bun.spawn(["prlimit", `--nofile=${files}:${files}`, process.execPath, "core/main.ts"], {
    cwd: ROOT, env: { ...process.env, GSH_CORE_CONFIG: config }, stdin: "ignore", stdout: "pipe", stderr: "pipe",
  });
  procs.push(proc);
  const reader = proc.stdout.getReader();
  const dec = new TextDecoder();
  let buf = "";
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value);
    const m = /"msg":"core listening".*"url":"([^"]+)"/.exec(buf);
    if (m) {
      void (async () => { while (!(await reader.read()).done); })(); // keep draining the log
      return { proc, url: m[1]! };
    }
  }
  throw new Error(`core did not start: ${buf} ${await new Response(proc.stderr).text()}`);
}

test("400 idle keep-alive connections at a 256-file limit: the core stays up and /healthz answers again within the idle timeout", async () => {
  const { proc, url } = await spawnLimitedCore(256, { idleTimeoutS: 2 });
  const port = Number(new URL(url).port);
  const flood = await connectionFlood(port, 400, { send: "GET /healthz HTTP/1.1\r\nHost: core\r\n\r\n", settleMs: 1_000 });
  try {
    expect(flood.connected()).toBeGreaterThan(256); // more than the process has files for
    // The flood keeps every socket open; the core closes them once idle, and answers a new client.
    const took = await answersWithin(`${url}/healthz`, 12_000);
    expect(took).toBeLessThan(12_000);
    expect(proc.exitCode).toBeNull();
    const end = Date.now() + 5_000; // the core's closes reach the flood's sockets
    while (flood.closedByPeer() < 200 && Date.now() < end) await Bun.sleep(50);
    expect(flood.closedByPeer()).toBeGreaterThan(200);
  } finally {
    flood.close();
  }
  expect(await answersWithin(`${url}/healthz`, 3_000)).toBeLessThan(3_000);
  expect(proc.exitCode).toBeNull();
}, 30_000);
