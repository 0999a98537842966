#!/usr/bin/env node
// The one test command (`npm test`): every runner in turn, then one closing line summing them all.
// Each runner's own counts are read from its machine-readable report, never guessed from its console.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureChromium } from "./chromium.mjs";

const out = mkdtempSync(join(tmpdir(), "gsh-test-"));
const only = process.argv.slice(2);
const totals = { passed: 0, failed: 0 };
const lines = [];

function run(name, cmd, args, opts = {}) {
  if (only.length && !only.includes(name)) return null;
  const t0 = Date.now();
  console.log(`\n━━ ${name}: ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, ...opts.env } });
  return { code: r.status ?? 1, ms: Date.now() - t0 };
}

// A skipped or todo test is a defect (it cannot fail), so it counts as failed, and the line says so.
function record(name, passed, failed, ms, skipped = 0) {
  totals.passed += passed;
  totals.failed += failed + skipped;
  const skip = skipped ? `  (${skipped} skipped or todo, counted as failed)` : "";
  lines.push(`${name.padEnd(10)} ${String(passed).padStart(5)} passed ${String(failed + skipped).padStart(4)} failed  ${(ms / 1000).toFixed(1)}s${skip}`);
}

// A check with no count of its own (type check, bundle build) counts as one test.
function check(name, cmd, args, opts) {
  const r = run(name, cmd, args, opts);
  if (r) record(name, r.code === 0 ? 1 : 0, r.code === 0 ? 0 : 1, r.ms);
}

// The bun suites include the status-page test, which drives Debian's chromium: install it first (see chromium.mjs).
if ((!only.length || only.includes("bun")) && !ensureChromium()) process.exit(1);

check("typecheck", "tsc", ["-b"]);
check("deno", "deno", ["check", "--quiet", "edge/entry/deno.ts"]);
check("bundle", "wrangler", ["deploy", "--dry-run", "--outdir", join(out, "bundle")]);

{
  const file = join(out, "vitest.json");
  const r = run("vitest", "vitest", ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${file}`]);
  if (r) {
    const j = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : null;
    const failed = j ? j.numFailedTests + (r.code !== 0 && j.numFailedTests === 0 ? 1 : 0) : 1;
    record("vitest", j?.numPassedTests ?? 0, failed, r.ms, j ? j.numPendingTests + j.numTodoTests : 0);
  }
}

{
  const file = join(out, "bun.xml");
  const r = run("bun", "bun", ["test", "--reporter=junit", `--reporter-outfile=${file}`], { env: { GSH_TEST_OUT: out } });
  if (r) {
    const xml = existsSync(file) ? readFileSync(file, "utf8") : "";
    // The opening <testsuites …> tag carries the totals: tests, failures, skipped (which includes todo).
    const tag = xml.match(/<testsuites\b[^>]*>/)?.[0] ?? "";
    const attrs = Object.fromEntries([...tag.matchAll(/(\w+)="(\d+)"/g)].map((a) => [a[1], Number(a[2])]));
    const failures = (attrs.failures ?? 0) + (attrs.errors ?? 0);
    const skipped = attrs.skipped ?? 0;
    const failed = failures + (r.code !== 0 && failures === 0 ? 1 : 0);
    record("bun", (attrs.tests ?? 0) - failures - skipped, failed, r.ms, skipped);
  }
}

console.log("\n━━ summary");
for (const l of lines) console.log(l);
console.log(`\n${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed === 0 && totals.passed > 0 ? 0 : 1);
