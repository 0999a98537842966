// The cost of libphonenumber on the edge's hot path (a script that prints figures, not a test): µs per number for
// a parse with isValid + getType (what the destination rules ask), with "max" metadata (the one we use: only it
// has the type patterns) beside "min" (isPossible only: no types), on distinct numbers (the cache never hits:
// a pumping attack's random numbers) and on a repeated one (contract/destination.ts's cache).
// Run: `npx deno run -A test/bench/phone-parse.ts` or `npx node test/bench/phone-parse.ts`. BENCH_N (default 20000).
import { parsePhoneNumberFromString as parseMax } from "libphonenumber-js/max";
import { parsePhoneNumberFromString as parseMin } from "libphonenumber-js/min";
import { numberFacts } from "../../contract/destination.ts";

const env = (k: string): string | undefined => (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env[k];
const N = Number(env("BENCH_N") ?? 20_000);
const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";
const prefixes = ["1202555", "1416555", "4474001", "4479111", "3361234", "4917012", "4520123", "1900555"];
const numbers = Array.from({ length: N }, (_, i) => `+${prefixes[i % prefixes.length]}${String(1000 + (i * 7919) % 9000)}`);

const cases: Record<string, () => unknown> = {
  "max: isValid + getType, distinct": () => { for (const n of numbers) { const p = parseMax(n); p?.isValid(); p?.getType(); } },
  "min: isPossible only, distinct": () => { for (const n of numbers) parseMin(n)?.isPossible(); },
  "numberFacts, one repeated number": () => { for (let i = 0; i < N; i++) numberFacts("12025550100"); },
};
console.log(`libphonenumber-js on ${runtime}: ${N} numbers per round, 5 rounds (first is warm-up), µs per number (median)`);
for (const [name, run] of Object.entries(cases)) {
  const xs: number[] = [];
  for (let r = 0; r < 5; r++) { const t0 = performance.now(); run(); xs.push(((performance.now() - t0) * 1000) / N); }
  const s = xs.slice(1).sort((a, b) => a - b);
  console.log(`${name.padEnd(36)} ${((s[1]! + s[2]!) / 2).toFixed(2).padStart(6)} µs`);
}
