/**
 * The core's configuration: one JSON file (path from GSH_CORE_CONFIG, default core/local.config.json) plus
 * GSH_* environment overrides, validated once with zod into a frozen object. Every bad key is named. The mode
 * is production unless the config says `development`; production refuses the committed dev credentials and
 * any token or secret weaker than contract/secret-strength.ts allows.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { Topology, deepFreeze, devCredentialsIn, fromZod, secretWeakness, type Issue } from "../contract/index.ts";

const ms = z.number().int().nonnegative();

export const CoreConfigSchema = z
  .object({
    /** Production unless a config says `development` explicitly: a forgotten key never runs with dev rules. */
    mode: z.enum(["development", "production"]).default("production"),
    http: z.object({
      host: z.string().min(1).default("127.0.0.1"),
      port: z.number().int().min(0).max(65535).default(8080),
      /** Bearer token for every /v1 route (the application's). */
      token: z.string().min(8, "must be at least 8 characters")
        // RFC 6750's b64token: what an Authorization: Bearer header can carry (hono/bearer-auth refuses anything else).
        .regex(/^[A-Za-z0-9._~+/-]+=*$/, "must be letters, digits and - . _ ~ + / (then = padding) only: a Bearer token"),
      /**
       * The edge's bearer token, scoped: it may only post events (POST /v1/events) and the edge's send records
       * (PUT /v1/messages/:id); it cannot send MTs or read events. Unset: only `token` is accepted.
       */
      edgeToken: z.string().min(8, "must be at least 8 characters")
        .regex(/^[A-Za-z0-9._~+/-]+=*$/, "must be letters, digits and - . _ ~ + / (then = padding) only: a Bearer token").optional(),
      bodyLimitBytes: z.number().int().positive().default(2_000_000),
      /** A connection with no traffic this long is closed (1-255 s; Bun's limit). Event streams are exempt. */
      idleTimeoutS: z.number().int().min(1).max(255).default(10),
      /** Event streams (GET /v1/events/stream) open at once; one more answers 503. */
      maxStreams: z.number().int().min(1).default(100),
    }).strict(),
    store: z.object({
      url: z.string().regex(/^(sqlite|postgres|postgresql):\/\//, "must start with sqlite:// or postgres://").default("sqlite://.data/core.sqlite"),
      /** PostgreSQL schema (optional). */
      schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/).optional(),
      /**
       * Claim a caller's MT id in the store while sending it, so that cores sharing this store never send it
       * twice. Off only when exactly one core uses the store: it saves a write per MT (much of the MT
       * throughput on PostgreSQL, see README).
       */
      mtClaims: z.boolean().default(true),
      /**
       * Events and MT records older than this are deleted (hourly); an event a webhook delivery still needs is
       * kept. 0 keeps everything.
       */
      retentionDays: z.number().int().min(0).default(30),
      /** sqlite only: `full` fsyncs every COMMIT (durable across power loss, the default); `normal` only across a process crash. */
      sqliteSynchronous: z.enum(["full", "normal"]).default("full"),
      /**
       * sqlite only: the writer connection's page cache, MiB (PRAGMA cache_size). 8 by default: under the
       * memory benchmark's load 32 MiB added ~25 MiB of peak RSS for no measured throughput (docs/benchmarks.md).
       */
      sqliteCacheMiB: z.number().int().min(1).max(1024).default(8),
    }).strict(),
    webhook: z.object({
      /** Unset: no push delivery, pull (`GET /v1/events`) only. */
      url: z.url({ protocol: /^https?$/ }).optional(),
      secret: z.string().min(8, "must be at least 8 characters"),
      timeoutMs: ms.default(10_000),
      baseMs: ms.default(1_000),
      capMs: ms.default(600_000),
      maxAttempts: z.number().int().min(1).default(12),
      leaseMs: ms.default(60_000),
      /** Every this often, the `deadRetryBatch` longest-dead deliveries get one more attempt (0: never). */
      deadRetryMs: ms.default(3_600_000),
      deadRetryBatch: z.number().int().min(1).max(10_000).default(100),
      /** Posts in flight at once; each stalled receiver connection holds one until `timeoutMs`. */
      concurrency: z.number().int().min(1).max(1_000).default(64),
    }).strict(),
    genesys: z.object({
      /** SMPP system_id. */
      login: z.string().min(1),
      password: z.string().min(1),
      systemType: z.string().default(""),
    }).strict(),
    topology: Topology,
    binds: z.object({
      mode: z.enum(["transceiver", "pair"]).default("transceiver"),
      /**
       * Two bind attempts on one node start MORE than this apart, across restarts too (the last attempt is kept
       * in the store). Genesys: "greater than 30 seconds"; production refuses 30,000 or less. 31 s by default.
       */
      rebindFloorMs: ms.default(31_000),
      rebindJitterMs: ms.default(5_000),
      window: z.number().int().min(1).max(10_000).default(10),
      responseTimeoutMs: ms.default(10_000),
      enquireLinkMs: ms.default(30_000),
      drainMs: ms.default(5_000),
      /** submit_sm timeouts in a row that drop a bind (it rebinds after the floor); 0 never drops. */
      maxSubmitTimeouts: z.number().int().min(0).default(3),
      /** Inbound deliver_sm unanswered at once per bind; beyond it reading pauses (TCP backpressure). */
      maxUnansweredDelivers: z.number().int().min(1).max(100_000).default(1000),
      /** Octets queued for (or held from) one SMSC at most; past it that bind alone closes. */
      maxBacklogBytes: z.number().int().min(65_536).default(1_048_576),
      /**
       * CA certificate(s) to verify TLS SMSC nodes with instead of the system store (a private CA): PEM text, or
       * the path of a PEM file (read once, here). A node's `tls` defaults to on in production, off in development.
       */
      tlsCa: z.string().min(1).optional(),
    }).strict(),
    inbox: z.object({
      moDedupWindowMs: z.number().int().positive().default(600_000),
      /**
       * The SMSC's deliver_sm_resp timeout or more: a copy of an MO not answered within it is taken for its
       * redelivery (stored once); any other copy with the same content in the window is stored, marked
       * possibleDuplicate. Lower than the SMSC's own could take a genuine repeat for a redelivery.
       */
      smscAckTimeoutMs: z.number().int().positive().default(10_000),
      parkLimitMs: ms.default(600_000),
      /** How long a concatenated MO waits for its missing parts before it is delivered with gaps (24 h). */
      partsLimitMs: z.number().int().positive().default(86_400_000),
      maxBatch: z.number().int().min(1).max(10_000).default(1000),
    }).strict().default({ moDedupWindowMs: 600_000, smscAckTimeoutMs: 10_000, parkLimitMs: 600_000, partsLimitMs: 86_400_000, maxBatch: 1000 }),
    log: z.object({ level: z.enum(["debug", "info", "warn", "error"]).default("info") }).strict().default({ level: "info" }),
  })
  .strict();

/** Genesys asks for bind attempts on one node more than 30 s apart: production refuses a floor at or below this. */
export const GENESYS_REBIND_FLOOR_MS = 30_000;

export type CoreConfig = Readonly<z.output<typeof CoreConfigSchema>>;

/** Environment overrides: variable → dotted key, and whether the value is a number. */
export const ENV_OVERRIDES: readonly (readonly [string, string, "string" | "number"])[] = [
  ["GSH_MODE", "mode", "string"],
  ["GSH_HTTP_HOST", "http.host", "string"],
  ["GSH_HTTP_PORT", "http.port", "number"],
  ["GSH_CORE_TOKEN", "http.token", "string"],
  ["GSH_CORE_EDGE_TOKEN", "http.edgeToken", "string"],
  ["GSH_SMPP_TLS_CA", "binds.tlsCa", "string"],
  ["GSH_STORE_URL", "store.url", "string"],
  ["GSH_STORE_SCHEMA", "store.schema", "string"],
  ["GSH_WEBHOOK_URL", "webhook.url", "string"],
  ["GSH_WEBHOOK_SECRET", "webhook.secret", "string"],
  ["GSH_GENESYS_LOGIN", "genesys.login", "string"],
  ["GSH_GENESYS_PASSWORD", "genesys.password", "string"],
  ["GSH_BIND_WINDOW", "binds.window", "number"],
  ["GSH_REBIND_FLOOR_MS", "binds.rebindFloorMs", "number"],
  ["GSH_LOG_LEVEL", "log.level", "string"],
];

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly source: string, readonly issues: readonly Issue[]) {
    super(`invalid core config (${source}):\n${issues.map((i) => `  - ${i.path || "(root)"}: ${i.message}`).join("\n")}`);
  }
}

/**
 * Inside a `bun build --compile` binary the sources live in Bun's embedded file system (`/$bunfs/…`), where
 * core/local.config.json does not exist; it holds development values anyway. The binary therefore has no
 * default: it requires GSH_CORE_CONFIG.
 */
export const COMPILED_BINARY = /\/\$bunfs\/|~BUN/.test(import.meta.url);

/** core/local.config.json when run from source; undefined in a compiled binary. */
export const DEFAULT_CONFIG_PATH: string | undefined = COMPILED_BINARY ? undefined : fileURLToPath(new URL("./local.config.json", import.meta.url));

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  let o = obj;
  for (const k of keys.slice(0, -1)) o = (o[k] && typeof o[k] === "object" ? o[k] : (o[k] = {})) as Record<string, unknown>;
  o[keys.at(-1)!] = value;
}

/** Validates a raw config object plus env overrides. Throws ConfigError naming every bad key. */
export function parseCoreConfig(raw: unknown, env: Record<string, string | undefined> = {}, source = "config"): CoreConfig {
  const issues: Issue[] = [];
  const obj = structuredClone(raw ?? {}) as Record<string, unknown>;
  for (const [name, path, kind] of ENV_OVERRIDES) {
    const v = env[name];
    if (v === undefined || v === "") continue;
    if (kind === "number" && !/^\d+$/.test(v)) issues.push({ path: `${path} (${name})`, message: "must be a whole number" });
    else setPath(obj, path, kind === "number" ? Number(v) : v);
  }
  const r = fromZod(CoreConfigSchema.safeParse(obj));
  if (!r.success) issues.push(...r.issues);
  if (issues.length || !r.success) throw new ConfigError(source, issues);
  const c = resolveTls(r.output, source);
  if (c.http.edgeToken !== undefined && c.http.edgeToken === c.http.token) {
    throw new ConfigError(source, [{ path: "http.edgeToken", message: "must differ from http.token (it is the scoped one)" }]);
  }
  if (c.mode === "production") {
    const weak: Issue[] = [];
    const secrets: [string, string | undefined][] = [["http.token", c.http.token], ["http.edgeToken", c.http.edgeToken], ["webhook.secret", c.webhook.secret]];
    for (const [path, value] of secrets) {
      const why = value === undefined ? undefined : secretWeakness(value);
      if (why) weak.push({ path, message: `${why}; refused in production` });
    }
    for (const path of devCredentialsIn({ "genesys.login": c.genesys.login, "genesys.password": c.genesys.password })) {
      weak.push({ path, message: "holds a committed dev credential; refused in production" });
    }
    if (c.binds.rebindFloorMs <= GENESYS_REBIND_FLOOR_MS)
      weak.push({ path: "binds.rebindFloorMs", message: `must be more than ${GENESYS_REBIND_FLOOR_MS} ms (Genesys: attempts more than 30 s apart); refused in production` });
    if (weak.length) throw new ConfigError(source, weak);
  }
  return deepFreeze(c);
}

/**
 * SMPP TLS: a node without `tls` gets it on in production (off in development); `binds.tlsCa` given as a path
 * is read into its PEM text.
 */
function resolveTls<C extends z.output<typeof CoreConfigSchema>>(c: C, source: string): C {
  const smscNodes = c.topology.smscNodes.map((n) => ({ ...n, tls: n.tls ?? c.mode === "production" }));
  let tlsCa = c.binds.tlsCa;
  if (tlsCa !== undefined && !tlsCa.includes("-----BEGIN")) {
    try {
      tlsCa = readFileSync(tlsCa, "utf8");
    } catch (e) {
      throw new ConfigError(source, [{ path: "binds.tlsCa", message: `neither PEM text nor a readable file: ${(e as Error).message}` }]);
    }
    if (!tlsCa.includes("-----BEGIN CERTIFICATE-----")) throw new ConfigError(source, [{ path: "binds.tlsCa", message: "the file holds no PEM certificate" }]);
  }
  return { ...c, topology: { ...c.topology, smscNodes }, binds: { ...c.binds, ...(tlsCa !== undefined && { tlsCa }) } };
}

/**
 * Reads the config file named by GSH_CORE_CONFIG (default core/local.config.json when run from source; required
 * in a compiled binary) and applies env overrides.
 */
export function loadCoreConfig(env: Record<string, string | undefined> = process.env): CoreConfig {
  const path = env.GSH_CORE_CONFIG || DEFAULT_CONFIG_PATH;
  if (path === undefined) {
    throw new ConfigError("GSH_CORE_CONFIG", [{ path: "", message: "not set: the compiled binary has no default config file; set GSH_CORE_CONFIG=/path/to/core.json" }]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new ConfigError(path, [{ path: "", message: `cannot read JSON: ${(e as Error).message}` }]);
  }
  return parseCoreConfig(raw, env, `${path} + GSH_* env`);
}
