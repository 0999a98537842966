// Edge app benchmark, in process (a script that prints figures, not a test): what the edge's own code costs
// a request beside a bare Hono pass-through proxy, with no network, no server and no other process, so the
// figures hold still from run to run (edge-proxy.ts measures the real thing, with all the noise of sockets).
// Both apps get the same stub upstream (a fetch that answers Genesys' "0" at once) and the same Request per
// call; each figure is µs per request, the median of the rounds after the first (warm-up).
// Run on each runtime: `npx deno run -A test/bench/edge-app.ts`, `npx node --experimental-transform-types test/bench/edge-app.ts`,
// `npx bun test/bench/edge-app.ts` (Node needs `--experimental-transform-types`: the edge uses parameter properties). Knobs: BENCH_N requests per round (default 40000), BENCH_ROUNDS (6).
// Profiling: add `--cpu-prof --cpu-prof-dir=/tmp/prof` to the node command.
import { systemClock } from "../../contract/clock.ts";
import { sha256 } from "../../contract/digest.ts";
import { toHex } from "../../contract/hex.ts";
import { createApp } from "../../edge/app.ts";
import { parseConfig } from "../../edge/config.ts";
import { sharedDeadlines, timerPerDeadline } from "../../edge/send/deadlines.ts";
import { passthrough } from "./edge-passthrough.ts";
import { median } from "./median.ts";
import { exportJWK, generateKeyPair } from "jose";
import { mintEdgeToken } from "../../contract/edge-token.ts";

const env = (k: string): string | undefined => (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env[k];
const N = Number(env("BENCH_N") ?? 40_000);
const ROUNDS = Number(env("BENCH_ROUNDS") ?? 6);
const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";

const KEY = "bench-key";
const hash = toHex(await sha256(KEY));
// Short-lived tokens beside the API key: HS256 (EDGE_TOKEN_SECRET) and EdDSA (inline JWKS), one token each,
// reused for every request as a browser reuses its token.
const TOKEN_SECRET = "bench-Token-Secret-7Hq2xLm9Vt4Rk8Wn3";
const ed = await generateKeyPair("EdDSA");
const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(ed.publicKey)), kid: "bench-ed", alg: "EdDSA" }] });
const HS_TOKEN = await mintEdgeToken({ alg: "HS256", secret: TOKEN_SECRET }, { sub: "bench-user", ttlSeconds: 3600 });
const ED_TOKEN = await mintEdgeToken({ alg: "EdDSA", privateKey: ed.privateKey, kid: "bench-ed" }, { sub: "bench-user", ttlSeconds: 3600 });
const parsed = parseConfig({
  EDGE_ENV: "production", GENESYS_SITES: "dc3=http://127.0.0.1:9/httpapi/receiver,bos=http://127.0.0.1:10/httpapi/receiver",
  GENESYS_LOGIN: "bench", GENESYS_PASSWORD: "bench-password", EDGE_API_KEY_HASHES: hash, CALLBACK_SECRET: "bench-Callback-8Xq2Lm9Vt4Rk7Wn3Jd6P",
  CORE_URL: "http://127.0.0.1:11", CORE_TOKEN: "bench-Core-5Hb8Mx2Kq7Lw9Rt3Nv6Hs",
  EDGE_TOKEN_SECRET: TOKEN_SECRET, EDGE_TOKEN_JWKS: jwks,
});
if (!parsed.success) throw new Error(`bench config: ${JSON.stringify(parsed.issues)}`);

// The stub upstream: what the simulator's receiver answers for an accepted MT. Also the global fetch, for the
// pass-through (which calls fetch itself).
const upstream = async (): Promise<Response> => new Response("result=0", { headers: { "content-type": "text/plain; charset=utf-8" } });
(globalThis as { fetch: unknown }).fetch = upstream;
const ctx = { waitUntil: (p: Promise<unknown>) => void p.catch(() => undefined), passThroughOnException: () => undefined, props: {} };

const edge = createApp({
  config: parsed.output, clock: systemClock, fetch: upstream,
  // As each entry does: Deno shares one timer among attempts, Workers (and the others here) a timer each.
  deadlines: runtime === "deno" ? sharedDeadlines(systemClock) : timerPerDeadline(systemClock),
});
const pass = passthrough(() => "http://127.0.0.1:9/httpapi/receiver");

const cases: Record<string, (i: number) => Response | Promise<Response>> = {
  "(b) bare Hono proxy": (i) => pass.fetch(new Request("http://edge/", {
    method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
    body: `login=bench&password=bench-password&phone_number=12025550100&sender=12345&message=hello&receipt=FALSE&message_id=m-${i}`,
  }), undefined, ctx),
  "(c) our edge": (i) => ours(i, KEY),
  "(d) our edge, HS256": (i) => ours(i, HS_TOKEN),
  "(e) our edge, EdDSA": (i) => ours(i, ED_TOKEN),
};
function ours(i: number, credential: string): Response | Promise<Response> {
  return edge.fetch(new Request("http://edge/v1/messages", {
    method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${credential}`, "content-length": "80" },
    body: `{"to":"+12025550100","sender":"12345","text":"hello","clientMessageId":"m-${i}"}`,
  }), undefined, ctx);
}

for (const [name, run] of Object.entries(cases)) {
  const r = await run(0);
  if (!r.ok) throw new Error(`${name}: HTTP ${r.status} ${await r.text()}`);
}
const times: Record<string, number[]> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of Object.entries(cases)) {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) await (await run(i)).text();
    (times[name] ??= []).push(((performance.now() - t0) * 1000) / N);
  }
}
/** The median of the rounds after the first (a warm-up). */
const warmMedian = (xs: number[]) => median(xs.slice(1));
const b = warmMedian(times["(b) bare Hono proxy"]!);
console.log(`edge app in process on ${runtime}: ${N} requests per round, ${ROUNDS} rounds (first is warm-up), µs per request (median)`);
for (const [name, xs] of Object.entries(times)) {
  const m = warmMedian(xs);
  const c = warmMedian(times["(c) our edge"]!);
  const over = name.startsWith("(b)") ? "" : `   +${(m - b).toFixed(2)} µs over (b)${name.startsWith("(c)") ? "" : `, +${(m - c).toFixed(2)} µs over the API key (c)`}`;
  console.log(`${name.padEnd(22)} ${m.toFixed(2).padStart(6)} µs/req${over}`);
}
