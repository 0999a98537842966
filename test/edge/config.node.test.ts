// Configuration: every problem named, dev credentials refused in production, the committed local config valid.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEV_CREDENTIALS } from "../../contract/dev-credentials.ts";
import { DEV_API_KEY_HASH, parseConfig } from "../../edge/config.ts";
import { createFailClosedApp } from "../../edge/app.ts";
import { keyHash, ROOT, startDenoEdge } from "./harness.ts";

const good = async () => ({
  EDGE_ENV: "production",
  GENESYS_SITES: "dc3=https://a.example/httpapi/receiver,bos=https://b.example/httpapi/receiver",
  GENESYS_LOGIN: "acct", GENESYS_PASSWORD: "pw-1", EDGE_API_KEY_HASHES: await keyHash("k"),
  CALLBACK_SECRET: "Zk4rT9wq2LmN7vBx3HsJ8cYd5FgP1aQe", CORE_URL: "https://core.example/", CORE_TOKEN: "0f9e8d7c6b5a49382716a5b4c3d2e1f0",
});

function localEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(join(ROOT, "edge/local.env"), "utf8").split("\n")) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

describe("parseConfig", () => {
  it("gives a frozen config with the primary first and the DNS URL as the last target", async () => {
    const r = parseConfig({ ...(await good()), GENESYS_PRIMARY: "bos", GENESYS_SINGLE_URL: "https://dns.example/httpapi/receiver" });
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    expect(r.output.targets.map((t) => t.name)).toEqual(["bos", "dc3", "dns"]);
    expect(r.output.core.url).toBe("https://core.example");
    expect(r.output.breaker.cooldownMs).toBe(30_000);
    expect(Object.isFrozen(r.output) && Object.isFrozen(r.output.targets[0])).toBe(true);
  });

  it("single-URL mode: GENESYS_SINGLE_URL alone is a complete site list (GENESYS_SITES not required)", async () => {
    const { GENESYS_SITES: _, ...rest } = await good();
    const r = parseConfig({ ...rest, GENESYS_SINGLE_URL: "https://dns.example/httpapi/receiver" });
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    expect(r.output.targets).toEqual([{ name: "dns", url: "https://dns.example/httpapi/receiver" }]);
    const neither = parseConfig(rest);
    expect(neither.success ? [] : neither.issues.map((i) => i.path)).toEqual(["GENESYS_SITES"]);
  });

  it("names every missing secret at once", () => {
    const r = parseConfig({ GENESYS_SITES: "dc3=https://a.example/x" });
    expect(r.success).toBe(false);
    if (r.success) return;
    expect(r.issues.map((i) => i.path).sort()).toEqual(["CALLBACK_SECRET", "CORE_TOKEN", "CORE_URL", "EDGE_API_KEY_HASHES", "GENESYS_LOGIN", "GENESYS_PASSWORD"]);
  });

  it("refuses dev credentials in production (the dev API key by its hash), accepts them in development", async () => {
    expect(DEV_API_KEY_HASH).toBe(await keyHash(DEV_CREDENTIALS.edgeApiKey));
    const env = {
      ...(await good()), GENESYS_PASSWORD: "demo", CORE_TOKEN: "dev-token", EDGE_API_KEY_HASHES: DEV_API_KEY_HASH,
      EDGE_SERVER_KEY_HASHES: DEV_API_KEY_HASH, EDGE_TOKEN_SECRET: DEV_CREDENTIALS.edgeTokenSecret,
    };
    const r = parseConfig(env);
    expect(r.success ? [] : r.issues.map((i) => i.path).sort()).toEqual(["CORE_TOKEN", "EDGE_API_KEY_HASHES", "EDGE_SERVER_KEY_HASHES", "EDGE_TOKEN_SECRET", "GENESYS_PASSWORD"]);
    expect(parseConfig({ ...env, EDGE_ENV: "development" }).success).toBe(true);
  });

  it("production (also when EDGE_ENV is unset) refuses a weak CALLBACK_SECRET or CORE_TOKEN; development keeps short ones", async () => {
    const { EDGE_ENV: _, ...unset } = await good();
    expect(parseConfig(unset).success).toBe(true);
    for (const weak of ["12345678", "cb-secret-123", "long-enough-secret", "abcabcabcabcabcabcabcabcabcabcabc"]) {
      const r = parseConfig({ ...unset, CALLBACK_SECRET: weak, CORE_TOKEN: weak });
      expect(r.success ? [] : r.issues.map((i) => i.path).sort()).toEqual(["CALLBACK_SECRET", "CORE_TOKEN"]);
      expect(parseConfig({ ...unset, EDGE_ENV: "development", CALLBACK_SECRET: weak, CORE_TOKEN: weak }).success).toBe(true);
    }
  });

  it("rejects bad sites, a bad primary, non-hash API keys and a '*' CORS origin", async () => {
    const r = parseConfig({ ...(await good()), GENESYS_SITES: "dc3=ftp://x,nourl", GENESYS_PRIMARY: "sv5", EDGE_API_KEY_HASHES: "plain-key", CORS_ORIGINS: "*" });
    expect(r.success ? [] : r.issues.map((i) => i.path).sort()).toEqual(["CORS_ORIGINS", "EDGE_API_KEY_HASHES", "GENESYS_PRIMARY", "GENESYS_SITES", "GENESYS_SITES"]);
  });

  it("token settings: a JWKS inline or by URL (not both), a secret of 16 characters or more", async () => {
    const jwks = JSON.stringify({ keys: [{ kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", kid: "k1" }] });
    const r = parseConfig({ ...(await good()), EDGE_TOKEN_JWKS: jwks, EDGE_TOKEN_AUDIENCE: "edge", EDGE_TOKEN_MAX_LIFETIME_S: "600" });
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    expect(r.output.tokens).toMatchObject({ jwks: { keys: [{ kid: "k1" }] }, audience: "edge", maxLifetimeS: 600, jwksCacheS: 600 });
    expect((await (async () => { const g = parseConfig(await good()); return g.success && g.output.tokens; })())).toBeUndefined();
    for (const [k, v] of [["EDGE_TOKEN_JWKS", "{\"keys\":[]}"], ["EDGE_TOKEN_JWKS", "not json"], ["EDGE_TOKEN_SECRET", "short"]] as const) {
      const bad = parseConfig({ ...(await good()), [k]: v });
      expect(bad.success ? [] : [...new Set(bad.issues.map((i) => i.path))]).toEqual([k]);
    }
    const both = parseConfig({ ...(await good()), EDGE_TOKEN_JWKS: jwks, EDGE_TOKEN_JWKS_URL: "https://shop.example/jwks.json" });
    expect(both.success ? [] : both.issues.map((i) => i.path)).toEqual(["EDGE_TOKEN_JWKS_URL"]);
  });

  it("rate limits: SENDS/SECONDS, or a named problem", async () => {
    const r = parseConfig({ ...(await good()), RATE_LIMIT_PRINCIPAL: "120/60", RATE_LIMIT_DESTINATION: "10 / 60" });
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    expect(r.output.rateLimits).toEqual({ principal: { limit: 120, windowS: 60 }, destination: { limit: 10, windowS: 60 } });
    for (const bad of ["10", "0/60", "10/0", "10/min", "10/90000"]) {
      const b = parseConfig({ ...(await good()), RATE_LIMIT_DESTINATION: bad });
      expect(b.success ? [] : b.issues.map((i) => i.path)).toEqual(["RATE_LIMIT_DESTINATION"]);
    }
  });

  it("send report retry waits: 1 to 5 seconds of 0 to 3600 (Deno KV's queue limits), default 30,120,600,1800,3600", async () => {
    const d = parseConfig(await good());
    expect(d.success && d.output.reportRetryS).toEqual([30, 120, 600, 1800, 3600]);
    const r = parseConfig({ ...(await good()), SEND_REPORT_RETRY_S: "1, 5" });
    expect(r.success && r.output.reportRetryS).toEqual([1, 5]);
    for (const bad of ["", "1,2,3,4,5,6", "-1", "3601", "1.5", "soon"]) {
      const b = parseConfig({ ...(await good()), SEND_REPORT_RETRY_S: bad || "," });
      expect(b.success ? [] : b.issues.map((i) => i.path)).toEqual(["SEND_REPORT_RETRY_S"]);
    }
  });

  it("the committed edge/local.env is a valid development config against the local simulator", () => {
    const r = parseConfig(localEnv());
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    expect(r.output.production).toBe(false);
    expect(r.output.tokens?.secret).toBe(DEV_CREDENTIALS.edgeTokenSecret);
    expect(r.output.rateLimits.destination).toEqual({ limit: 10, windowS: 60 });
    expect(r.output.targets.map((t) => t.url)).toEqual(["http://127.0.0.1:8701/httpapi/receiver", "http://127.0.0.1:8702/httpapi/receiver"]);
    expect(parseConfig({ ...localEnv(), EDGE_ENV: "production" }).success).toBe(false);
  });

  it("fails closed: every request 503 problem+json naming the settings, never their values", async () => {
    const r = parseConfig({ ...(await good()), GENESYS_PASSWORD: "demo", CORE_TOKEN: undefined });
    if (r.success) throw new Error("expected problems");
    const logged: object[] = [];
    const res = await createFailClosedApp(r.issues, (e) => logged.push(e)).request("/v1/messages", { method: "POST" });
    expect(res.status).toBe(503);
    // One log line, naming the settings and never their values.
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: "error", msg: "edge misconfigured: refusing to serve" });
    expect(JSON.stringify(logged)).toContain("GENESYS_PASSWORD");
    expect(JSON.stringify(logged)).not.toContain("demo");
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const body = await res.json();
    expect(body.settings.sort()).toEqual(["CORE_TOKEN", "GENESYS_PASSWORD"]);
    expect(JSON.stringify(body)).not.toContain("demo");
  });

  it("under Deno: a production config holding dev credentials exits with one log line; another problem serves 503", async () => {
    const env = { ...(await good()), GENESYS_PASSWORD: DEV_CREDENTIALS.genesysPassword };
    const r = spawnSync(join(ROOT, "node_modules/.bin/deno"), ["run", "--allow-net", "--allow-env", "edge/entry/deno.ts"], {
      cwd: ROOT, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env, EDGE_PORT: "0", NO_COLOR: "1" },
      encoding: "utf8", timeout: 30_000,
    });
    expect(r.status).toBe(1);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { msg: string; problems: string });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: "error", msg: "edge misconfigured: refusing to serve" });
    expect(lines[0]!.problems).toContain("GENESYS_PASSWORD");
    expect(r.stdout).not.toContain(DEV_CREDENTIALS.genesysPassword);

    const edge = await startDenoEdge({ ...(await good()), CORE_TOKEN: "" });
    try {
      const res = await fetch(`${edge.url}/v1/health`);
      expect(res.status).toBe(503);
      expect((await res.json()).settings).toEqual(["CORE_TOKEN"]);
    } finally {
      await edge.stop();
    }
  }, 60_000);
});
