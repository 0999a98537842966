// The browser path as a customer's page uses it, in headless Chromium (Debian's, driven by playwright-core): a page
// served by a stand-in customer backend gets a short-lived token from that backend, then sends through the edge,
// in workerd (Rate Limiting binding) and in Deno (Deno KV), across origins (CORS preflight included), and shows
// the outcome. A page on another origin is refused; a stolen token used after it expired is refused; a burst over
// the per-number limit gets 429 and the simulator's ledger shows none of the refused sends.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintEdgeToken } from "../../contract/edge-token.ts";
import { startSimulator, type Simulator } from "../../sim/index.ts";
import { edgeEnv, GENESYS_ACCOUNT, startDenoEdge, startFakeCore, startWorkerdEdge, TEST_TOKEN_SECRET, type FakeCore, type RunningEdge } from "../edge/harness.ts";

// The evaluate callbacks run in Chromium; this project has no DOM lib, so the little they use is declared here.
declare const document: { getElementById(id: string): { textContent: string | null } | null };
type PageWindow = { send(to: string, n: number, token?: string): Promise<Sent[]> };
declare const window: PageWindow;

const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

// What the page does: ask its backend for a token, send with it, show the outcome. Also `send(to, n, token?)` for
// the test to drive bursts and stolen tokens from inside the page (so the browser's own CORS rules apply).
const PAGE = `<!doctype html><meta charset="utf-8"><title>Shop: text me a code</title>
<form id="f"><input id="to" value="+12025550100"><button id="send">Send</button></form><pre id="result"></pre>
<script>
const edge = new URLSearchParams(location.search).get("edge");
async function token() { return (await (await fetch("/token")).json()).token; }
async function sendOne(to, tok) {
  try {
    const r = await fetch(edge + "/v1/messages", { method: "POST", headers: { authorization: "Bearer " + tok, "content-type": "application/json" },
      body: JSON.stringify({ to, sender: "12345", text: "your code is 1234" }) });
    return { status: r.status, body: await r.json(), retryAfter: r.headers.get("retry-after"), policy: r.headers.get("ratelimit-policy") };
  } catch (e) { return { status: 0, error: String(e) }; }
}
window.send = async (to, n, tok) => { const t = tok || await token(); return Promise.all(Array.from({ length: n }, () => sendOne(to, t))); };
document.getElementById("f").onsubmit = async (e) => {
  e.preventDefault();
  const r = await sendOne(document.getElementById("to").value, await token());
  document.getElementById("result").textContent = r.status + " " + (r.body.status || r.body.title);
};
</script>`;

interface Site { url: string; server: Server; close(): Promise<void> }
async function serve(handler: Parameters<typeof createServer>[1]): Promise<Site> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  const url = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  return { url, server, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

/** The customer's backend: serves its page and mints a token for its signed-in user (here: always user-42). */
const backendHandler: Parameters<typeof createServer>[1] = async (req, res) => {
  if (req.url === "/token") {
    const token = await mintEdgeToken({ alg: "HS256", secret: TEST_TOKEN_SECRET }, { sub: "user-42", ttlSeconds: 300 });
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token }));
  } else res.writeHead(200, { "content-type": "text/html" }).end(PAGE);
};

let sim: Simulator;
let core: FakeCore;
let shop: Site;
let evil: Site;
let browser: BrowserContext;
let profile: string;

beforeAll(async () => {
  [sim, core, shop, evil] = await Promise.all([
    startSimulator({ controlPort: 0, httpPorts: { dc3: 0, bos: 0 }, account: GENESYS_ACCOUNT }), startFakeCore(), serve(backendHandler), serve(backendHandler),
  ]);
  profile = mkdtempSync(join(tmpdir(), "gsh-chromium-"));
  browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
}, 30_000);
afterAll(async () => {
  await browser?.close();
  await Promise.all([sim?.stop(), core?.close(), shop?.close(), evil?.close()]);
  if (profile) rmSync(profile, { recursive: true, force: true });
});

const runtimes: Record<string, (env: Record<string, string>) => Promise<RunningEdge>> = {
  workerd: (env) => startWorkerdEdge(env, { ratelimits: { RATE_LIMITER_DESTINATION: { limit: 10, period: 60 } } }),
  deno: (env) => startDenoEdge({ ...env, DENO_KV_PATH: ":memory:" }),
};

type Sent = { status: number; body?: Record<string, unknown>; error?: string; retryAfter?: string | null; policy?: string | null };

for (const [i, [runtime, start]] of Object.entries(runtimes).entries()) {
  /** A number of this runtime's own (the simulator and its ledger are shared by both runtimes' edges). */
  const num = (n: number) => `+1202555${i}${String(n).padStart(3, "0")}`;
  describe(`a shop's page sends through the edge in ${runtime}, in Chromium`, () => {
    let edge: RunningEdge;
    let page: Page;
    const inLedger = (to: string) => sim.ledger.mtAccepted.filter((e) => e.to === to.slice(1)).length;
    const pageOn = async (site: Site) => {
      const p = await browser.newPage();
      await p.goto(`${site.url}/?edge=${encodeURIComponent(edge.url)}`);
      return p;
    };

    beforeAll(async () => {
      edge = await start(await edgeEnv({ dc3: sim.sites.dc3.httpUrl, bos: sim.sites.bos.httpUrl }, core.url, {
        EDGE_TOKEN_SECRET: TEST_TOKEN_SECRET, CORS_ORIGINS: shop.url, DESTINATION_COUNTRIES: "+1,+44", RATE_LIMIT_DESTINATION: "10/60",
      }));
      page = await pageOn(shop);
    }, 30_000);
    afterAll(async () => {
      await page?.close();
      await edge?.stop();
    });

    it("the page gets a token from its backend, sends (after a CORS preflight) and shows the outcome", async () => {
      const before = inLedger("+12025550100");
      await page.click("#send");
      await page.waitForFunction(() => document.getElementById("result")?.textContent !== "", undefined, { timeout: 10_000 });
      expect(await page.textContent("#result")).toBe("202 accepted");
      expect(inLedger("+12025550100")).toBe(before + 1);
      // Authorization and a JSON body make Chromium preflight the cross-origin POST: the send going through means the
      // preflight passed. The edge's answer to one, checked directly:
      const pre = await fetch(`${edge.url}/v1/messages`, { method: "OPTIONS", headers: { origin: shop.url, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" } });
      expect(pre.headers.get("access-control-allow-origin")).toBe(shop.url);
    });

    it("a page on another origin is refused by CORS, even holding a valid token; nothing is sent", async () => {
      const token = await mintEdgeToken({ alg: "HS256", secret: TEST_TOKEN_SECRET }, { sub: "user-42" });
      const other = await pageOn(evil);
      try {
        const before = inLedger(num(177));
        const [r] = await other.evaluate(([to, t]) => window.send(to, 1, t), [num(177), token] as const);
        expect(r!.status).toBe(0);
        expect(r!.error).toMatch(/TypeError|Failed to fetch/);
        expect(inLedger(num(177))).toBe(before);
      } finally {
        await other.close();
      }
    });

    it("a stolen token used after it expired is refused (401), and a destination off the allow-list is 422", async () => {
      const stolen = await mintEdgeToken({ alg: "HS256", secret: TEST_TOKEN_SECRET }, { sub: "user-42", now: Math.floor(Date.now() / 1000) - 400, ttlSeconds: 300 });
      const [r] = await page.evaluate(([to, t]) => window.send(to, 1, t), [num(178), stolen] as const);
      expect(r).toMatchObject({ status: 401, body: { detail: "the token has expired" } });
      const [fr] = await page.evaluate((to) => window.send(to, 1), "+33612345678");
      expect(fr).toMatchObject({ status: 422, body: { rule: "country" } });
      expect(inLedger(num(178)) + inLedger("+33612345678")).toBe(0);
    });

    it("a burst of 20 to one number: at most 10 go, the rest get 429 with Retry-After and RateLimit-Policy; the ledger holds only those sent", async () => {
      const left = 60_000 - (Date.now() % 60_000);
      if (left < 8_000) await new Promise((r) => setTimeout(r, left + 100)); // one window for the whole burst
      const to = num(179);
      const results = await page.evaluate((to) => window.send(to, 20), to);
      const ok = results.filter((r) => r.status === 202);
      const limited = results.filter((r) => r.status === 429);
      expect(ok.length + limited.length).toBe(20);
      expect(ok.length).toBeGreaterThan(0);
      expect(ok.length).toBeLessThanOrEqual(10);
      // The page can read the headers: the edge exposes them to CORS callers.
      expect(limited[0]).toMatchObject({ body: { limit: "destination" }, policy: '"destination";q=10;w=60' });
      expect(Number(limited[0]!.retryAfter)).toBeGreaterThan(0);
      await sim.settled();
      expect(inLedger(to)).toBe(ok.length);
    });
  });
}
