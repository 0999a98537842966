/**
 * The systemd unit's two opt-in memory profiles (docs/core.md, commented out there: each costs throughput), as
 * test/bench/core-memory.ts measures them; test/core/memory-profiles.test.ts keeps the unit's lines the same. On a
 * host with 16 GB of RAM or more Bun's JavaScriptCore grows its heap by heapGrowthMaxIncrease (about 3× the live
 * data by default); below that, by smallHeapGrowthFactor: each profile sets both. useFTLJIT/useDFGJIT turn off
 * the top JIT tiers, whose code and compiler memory are most of what the load adds besides the heap.
 */
export const MEMORY_PROFILES = {
  balanced: {
    env: { BUN_JSC_heapGrowthMaxIncrease: "0.5", BUN_JSC_smallHeapGrowthFactor: "1.5", BUN_JSC_useFTLJIT: "false" },
    store: { sqliteCacheMiB: 2 },
  },
  "100 MiB": {
    env: { BUN_JSC_heapGrowthMaxIncrease: "0.25", BUN_JSC_smallHeapGrowthFactor: "1.25", BUN_JSC_useFTLJIT: "false", BUN_JSC_useDFGJIT: "false" },
    store: { sqliteCacheMiB: 1 },
  },
} as const;
