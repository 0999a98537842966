/** Core config: the committed local file loads; env overrides; every bad key named; production refuses dev credentials. */
import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LOCAL_TOPOLOGY } from "../../contract/index.ts";
import { nextAttemptAt } from "../../core/binds/rebind-policy.ts";
import { ConfigError, loadCoreConfig, parseCoreConfig } from "../../core/config.ts";

const local = () => JSON.parse(readFileSync(join(import.meta.dir, "../../core/local.config.json"), "utf8"));

test("the committed local config loads, frozen, with the dev defaults", () => {
  const c = loadCoreConfig({});
  expect(c.http.port).toBe(8080);
  expect(c.http.token).toBe("dev-token");
  expect(c.webhook.secret).toBe("dev-webhook");
  expect(c.store.url).toBe("sqlite://.data/core.sqlite");
  expect(c.store.mtClaims).toBe(true); // safe by default: cores sharing a store never send an id twice
  expect(c.binds.rebindFloorMs).toBe(31_000); // more than Genesys' 30 s
  expect(c.binds.window).toBe(10);
  expect(c.topology).toEqual(LOCAL_TOPOLOGY);
  expect(Object.isFrozen(c) && Object.isFrozen(c.http) && Object.isFrozen(c.topology.smscNodes[0])).toBe(true);
});

test("env overrides (GSH_*) apply; GSH_CORE_CONFIG picks the file", () => {
  const dir = mkdtempSync(join(tmpdir(), "gsh-cfg-"));
  const path = join(dir, "c.json");
  writeFileSync(path, JSON.stringify({ ...local(), http: { ...local().http, port: 9000 } }));
  const c = loadCoreConfig({ GSH_CORE_CONFIG: path, GSH_STORE_URL: "postgres://127.0.0.1:5432/x", GSH_BIND_WINDOW: "64" });
  expect([c.http.port, c.store.url, c.binds.window]).toEqual([9000, "postgres://127.0.0.1:5432/x", 64]);
});

test("every bad key is named at once", () => {
  const raw = { ...local(), http: { ...local().http, port: "x", token: "short" }, store: { url: "mysql://x" }, bogus: 1 };
  try {
    parseCoreConfig(raw, { GSH_REBIND_FLOOR_MS: "soon" });
    throw new Error("expected a ConfigError");
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const paths = (e as ConfigError).issues.map((i) => i.path);
    for (const p of ["http.port", "http.token", "store.url", "binds.rebindFloorMs (GSH_REBIND_FLOOR_MS)"]) expect(paths).toContain(p);
    expect((e as ConfigError).message).toContain("store.url");
  }
});

test("production refuses the committed dev credentials, naming each", () => {
  expect(() => parseCoreConfig({ ...local(), mode: "production" })).toThrow(/http\.token[\s\S]*webhook\.secret[\s\S]*genesys\.login[\s\S]*genesys\.password/);
  const prod = parseCoreConfig(
    { ...local(), mode: "production" },
    { GSH_CORE_TOKEN: STRONG_TOKEN, GSH_WEBHOOK_SECRET: STRONG_SECRET, GSH_GENESYS_LOGIN: "acme", GSH_GENESYS_PASSWORD: "s3cret!" },
  );
  expect(prod.mode).toBe("production");
});

const STRONG_TOKEN = "9f3c1a7be04d2c58e6b1f0a93d7c4e21"; // openssl rand -hex 16
const STRONG_SECRET = "q8Zr2vN5kT1xW7mB4yH6cJ9dF3sL0pGa";
const { mode: _mode, ...modeless } = local();
const realCreds = { http: { ...local().http, token: STRONG_TOKEN }, webhook: { ...local().webhook, secret: STRONG_SECRET }, genesys: { login: "acme", password: "s3cret!" } };

test("a config without `mode` is production: the dev credentials are refused, strong ones run", () => {
  expect(() => parseCoreConfig(modeless)).toThrow(/http\.token[\s\S]*refused in production/);
  expect(parseCoreConfig({ ...modeless, ...realCreds }).mode).toBe("production");
  expect(parseCoreConfig({ ...modeless, mode: "development" }).mode).toBe("development");
});

test("production refuses weak tokens and secrets: too short or too few distinct characters, naming each", () => {
  for (const weak of ["12345678", "changeme", "a-real-token-1", "abababababababababababababababab", "0123456701234567012345670123456"]) {
    const fail = (env: Record<string, string>) => {
      try {
        parseCoreConfig({ ...modeless, ...realCreds }, env);
        return [];
      } catch (e) {
        return (e as ConfigError).issues.map((i) => i.path);
      }
    };
    expect(fail({ GSH_CORE_TOKEN: weak })).toEqual(["http.token"]);
    expect(fail({ GSH_WEBHOOK_SECRET: weak })).toEqual(["webhook.secret"]);
  }
  // Development keeps short local tokens.
  expect(parseCoreConfig({ ...local(), http: { ...local().http, token: "12345678" } }).http.token).toBe("12345678");
});

test("the rebind floor's default is more than Genesys' 30 s: the schema's own, not only the committed file's", () => {
  const { rebindFloorMs: _f, rebindJitterMs: _j, ...binds } = local().binds;
  const dflt = parseCoreConfig({ ...local(), binds });
  expect(dflt.binds.rebindFloorMs).toBeGreaterThan(30_000);
  expect(dflt.binds.rebindFloorMs).toBeLessThanOrEqual(35_000); // "in 30 second intervals": not minutes
  // The policy's gap with the least jitter is just over the floor: more than 30 s.
  expect(nextAttemptAt({ floorMs: dflt.binds.rebindFloorMs, jitterMs: dflt.binds.rebindJitterMs }, 0, 0, () => 0)).toBeGreaterThan(30_000);
});

test("production refuses a rebind floor of 30 s or less (Genesys: more than 30 s); development may set less", () => {
  const prod = (rebindFloorMs: number) => parseCoreConfig({ ...modeless, ...realCreds, binds: { ...local().binds, rebindFloorMs } });
  expect(() => prod(30_000)).toThrow(/binds\.rebindFloorMs[\s\S]*more than 30000 ms/);
  expect(() => prod(0)).toThrow(/binds\.rebindFloorMs/);
  expect(() => parseCoreConfig({ ...modeless, ...realCreds }, { GSH_REBIND_FLOOR_MS: "1500" })).toThrow(/binds\.rebindFloorMs/);
  expect(prod(30_001).binds.rebindFloorMs).toBe(30_001);
  expect(parseCoreConfig({ ...local(), mode: "development", binds: { ...local().binds, rebindFloorMs: 1_500 } }).binds.rebindFloorMs).toBe(1_500);
});

test("a token an Authorization: Bearer header cannot carry (RFC 6750 b64token) is refused at startup, not on every request", () => {
  for (const token of ["with space inside", "quote\"d-token", "comma,token"]) {
    try {
      parseCoreConfig({ ...local(), http: { ...local().http, token } }, {});
      throw new Error("expected a ConfigError");
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).issues.map((i) => i.path)).toContain("http.token");
    }
  }
  expect(parseCoreConfig({ ...local(), http: { ...local().http, token: "abc.DEF_123~+/-==" } }, {}).http.token).toBe("abc.DEF_123~+/-==");
});

test("production refuses a rebind floor at or under Genesys' 30 s (0, 3 000, 30 000), from the file or the env", () => {
  const { rebindFloorMs: _f, ...binds } = local().binds;
  for (const floor of [0, 3_000, 30_000]) {
    expect(() => parseCoreConfig({ ...modeless, ...realCreds, binds: { ...binds, rebindFloorMs: floor } })).toThrow(/rebindFloorMs/);
    expect(() => parseCoreConfig({ ...modeless, ...realCreds, binds }, { GSH_REBIND_FLOOR_MS: String(floor) })).toThrow(/rebindFloorMs/);
  }
  expect(parseCoreConfig({ ...modeless, ...realCreds, binds }).binds.rebindFloorMs).toBeGreaterThan(30_000);
  // Development keeps the short floors tests and the chaos run use.
  expect(parseCoreConfig({ ...local(), binds: { ...binds, rebindFloorMs: 0 } }).binds.rebindFloorMs).toBe(0);
});
