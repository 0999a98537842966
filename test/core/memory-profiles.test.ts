/**
 * The systemd unit in docs/core.md offers the memory profiles that test/bench/core-memory.ts measures, setting for
 * setting: a profile changed in one place and not the other would publish figures for settings nobody runs.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { MEMORY_PROFILES } from "../bench/memory-profiles.ts";

const doc = readFileSync(new URL("../../docs/core.md", import.meta.url), "utf8");

/** Each profile's comment line in the unit (`#   <name> (store.sqliteCacheMiB: N): …`) and the Environment= line after it. */
function unitProfiles(): Record<string, { env: Record<string, string>; store: { sqliteCacheMiB: number } }> {
  const out: Record<string, { env: Record<string, string>; store: { sqliteCacheMiB: number } }> = {};
  for (const m of doc.matchAll(/^#   (.+?) \(store\.sqliteCacheMiB: (\d+)\):.*\n#Environment=(.+)$/gm)) {
    const env = Object.fromEntries(m[3]!.trim().split(/\s+/).map((a) => a.split("=") as [string, string]));
    out[m[1]!] = { env, store: { sqliteCacheMiB: Number(m[2]) } };
  }
  return out;
}

test("the unit's memory profiles are the benchmark's, setting for setting", () => {
  expect(unitProfiles()).toEqual(JSON.parse(JSON.stringify(MEMORY_PROFILES)));
});
