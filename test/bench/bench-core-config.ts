/**
 * The core configuration the benchmarks run: development mode, four SMSC nodes on the blaster's `port`,
 * no webhook URL (pull only, no outbox rows), no retention sweep, unreachable HTTP sites. inbound-run.ts parses it in-process;
 * core-memory.ts writes it for a spawned core.
 */
export const BENCH_TOKEN = "bench-token-123";

export function benchCoreConfig(port: number, store: Record<string, unknown>, level: "warn" | "error") {
  return {
    mode: "development",
    http: { port: 0, token: BENCH_TOKEN },
    // No retention sweep of its own (it would start a minute in): field-scale.ts runs one when it measures one.
    store: { retentionDays: 0, ...store },
    webhook: { secret: "bench-secret" },
    genesys: { login: "bench", password: "pw" },
    topology: {
      sites: [{ name: "dc3", httpUrl: "http://127.0.0.1:1/x" }, { name: "bos", httpUrl: "http://127.0.0.1:1/y" }],
      smscNodes: ["smc1.dc3", "smc2.dc3", "smc1.bos", "smc2.bos"].map((name) => ({ name, site: name.slice(5), host: "127.0.0.1", port, tls: false })),
    },
    binds: { window: 64, enquireLinkMs: 0 },
    log: { level },
  };
}
