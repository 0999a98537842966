/**
 * The live status pages in a real headless browser (Debian's chromium driven by playwright-core): the core's
 * page (sites, nodes, bind states with the next rebind time, MT rate, recent inbound) and the edge's page
 * (site health, edge in workerd). Both are loaded while traffic flows; then site dc3 goes down and both pages
 * must show it without a reload. Screenshots go to <tmpdir>/gsh-status-pages/.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { Traffic } from "../../tools/demo/traffic.ts";
import { startStack, type Stack } from "../e2e/stack.ts";

// The waitForFunction predicates run in Chromium, where `document` exists; this (Bun-typed) project has no DOM
// lib, so the little they use is declared here.
interface PageElement { textContent: string | null; querySelector(s: string): PageElement | null }
declare const document: {
  querySelector(s: string): PageElement | null;
  querySelectorAll(s: string): ArrayLike<PageElement> & Iterable<PageElement>;
  getElementById(id: string): PageElement | null;
};

const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
export const SHOTS = join(tmpdir(), "gsh-status-pages");

let stack: Stack;
let browser: BrowserContext;
let profile: string;
let traffic: Traffic;
const pageErrors: string[] = [];

async function open(url: string): Promise<Page> {
  const page = await browser.newPage();
  page.on("pageerror", (e) => pageErrors.push(`${url}: ${e.message}`));
  await page.goto(url);
  return page;
}

/** Some of everything, so the pages have something to show. */
async function someTraffic(n: number): Promise<void> {
  await Promise.all(Array.from({ length: n }, (_, i) => [traffic.sendMt("core"), traffic.sendMt("edge"), traffic.injectMo(i % 2 ? "http" : "smpp")]).flat());
}

beforeAll(async () => {
  // A 30 s floor, so the page shows a bind waiting to rebind; a 30 s edge cool-down, so dc3 stays open.
  stack = await startStack({ edge: "workerd", binds: { rebindFloorMs: 30_000, rebindJitterMs: 0, enquireLinkMs: 0 }, edgeEnv: { BREAKER_COOLDOWN_MS: "30000" } });
  traffic = new Traffic(stack.endpoints, { runId: "pages" });
  profile = mkdtempSync(join(tmpdir(), "gsh-chromium-")); // a new, empty profile each run
  browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1100, height: 720 } });
  mkdirSync(SHOTS, { recursive: true });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe("status pages in headless Chromium", () => {
  let core: Page;
  let edge: Page;
  const bindState = (node: string) => core.locator(`[data-node="${node}"] .state`).textContent();
  const health = (site: string) => edge.locator("#sites tr", { hasText: site }).locator("td").nth(1).textContent();

  test("all up: the core shows four bound binds and recent inbound, the edge both sites up", async () => {
    [core, edge] = await Promise.all([open(stack.core.url), open(stack.edge.url)]);
    await core.waitForFunction(() => document.querySelectorAll("#sites .state.bound").length === 4, undefined, { timeout: 5_000 });
    await someTraffic(10);
    await core.waitForFunction(() => /receipt|mo/.test(document.getElementById("recent")?.textContent ?? "") && /[1-9]\d*MOs/.test(document.getElementById("stats")?.textContent ?? ""), undefined, { timeout: 5_000 });
    await edge.waitForFunction(() => document.querySelectorAll("#sites tr").length === 2 && /ms/.test(document.getElementById("sites")?.textContent ?? ""), undefined, { timeout: 5_000 });
    expect(await core.locator("[data-site=dc3] [data-node]").count()).toBe(2);
    expect(await core.locator("[data-site=bos] [data-node]").count()).toBe(2);
    expect(await health("dc3")).toBe("up");
    expect(await health("bos")).toBe("up");
    await core.screenshot({ path: join(SHOTS, "core-all-bound.png"), fullPage: true });
    await edge.screenshot({ path: join(SHOTS, "edge-both-up.png"), fullPage: true });
  }, 30_000);

  test("dc3 down: its binds leave 'bound' with a next rebind time; the edge marks dc3 down after traffic", async () => {
    stack.sim.addFault({ target: "dc3", kind: "down" });
    await stack.sim.settled();
    await core.waitForFunction(() => ["smc1.dc3", "smc2.dc3"].every((n) => document.querySelector(`[data-node="${n}"] .state`)?.textContent !== "bound"), undefined, { timeout: 5_000 });
    const sent = await Promise.all(Array.from({ length: 5 }, () => traffic.sendMt("edge")));
    expect(sent.map((m) => (m.answer.kind === "clear" ? `${m.answer.outcome.status}@${m.answer.outcome.site}` : m.answer.error))).toEqual(Array(5).fill("accepted@bos"));
    await someTraffic(6);
    await core.waitForFunction(() => /rebind in \d+ s/.test(document.querySelector('[data-node="smc1.dc3"]')?.textContent ?? ""), undefined, { timeout: 3_000 });
    expect(await bindState("smc1.dc3")).toBe("backoff");
    expect(await bindState("smc2.dc3")).toBe("backoff");
    expect(await bindState("smc1.bos")).toBe("bound");
    expect(await bindState("smc2.bos")).toBe("bound");
    await edge.waitForFunction(() => [...document.querySelectorAll("#sites tr")].some((tr) => tr.querySelector("td")?.textContent === "dc3" && tr.querySelector("td:nth-child(2)")?.textContent === "down"), undefined, { timeout: 5_000 });
    expect(await health("bos")).toBe("up");
    await core.screenshot({ path: join(SHOTS, "core-dc3-down.png"), fullPage: true });
    await edge.screenshot({ path: join(SHOTS, "edge-dc3-down.png"), fullPage: true });
  }, 30_000);

  test("no script errors on either page, and the screenshots were written", () => {
    expect(pageErrors).toEqual([]);
    for (const f of ["core-all-bound", "core-dc3-down", "edge-both-up", "edge-dc3-down"]) expect(statSync(join(SHOTS, `${f}.png`)).size).toBeGreaterThan(5_000);
  });
});
