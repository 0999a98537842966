/**
 * SMPP TLS for production SMSC nodes: on unless a node says `tls: false`, verified against binds.tlsCa (PEM text
 * or a file: a private CA) when given. Through the real core: a TLS SMSC (the `smpp` package with a certificate
 * from a CA only binds.tlsCa knows) binds with the CA configured and is refused without it (no password sent).
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, parseCoreConfig } from "../../core/config.ts";
import { startSimulator } from "../../sim/index.ts";
import { simConfig, startSimCore, until } from "./helpers/sim-core.ts";
import { backend } from "./helpers/stores.ts";
import { acceptBinds, smpp, type PkgPdu } from "./smpp-helpers.ts";

const local = () => JSON.parse(readFileSync(join(import.meta.dir, "../../core/local.config.json"), "utf8"));
const strong = "Zq8-mK2.vL9_pR4~wT6+yU1/xE3nB7Ab";
const production = (nodes: unknown[], binds: Record<string, unknown> = {}) => ({
  ...local(),
  mode: "production",
  http: { ...local().http, token: strong },
  webhook: { ...local().webhook, secret: `${strong}w` },
  genesys: { login: "acme-prod", password: strong, systemType: "" },
  topology: { ...local().topology, smscNodes: nodes },
  binds: { ...local().binds, ...binds },
});
const node = (name: string, extra: Record<string, unknown> = {}) => ({ name, site: "dc3", host: "smc.example", port: 3550, ...extra });

const dir = mkdtempSync(join(tmpdir(), "smpp-tls-default-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const gen = Bun.spawnSync(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
  "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]);
const caPath = join(dir, "cert.pem");

test("production: a node without `tls` is TLS, `tls: false` is kept; development: off unless said", () => {
  const p = parseCoreConfig(production([node("a"), node("b", { tls: false })]));
  expect(p.topology.smscNodes.map((n) => n.tls)).toEqual([true, false]);
  const d = parseCoreConfig({ ...local(), topology: { ...local().topology, smscNodes: [node("a"), node("b", { tls: true })] } });
  expect(d.topology.smscNodes.map((n) => n.tls)).toEqual([false, true]);
});

test("binds.tlsCa: PEM text as is, a path read once, anything else named", () => {
  expect(gen.exitCode).toBe(0);
  const pem = readFileSync(caPath, "utf8");
  expect(parseCoreConfig(production([node("a")], { tlsCa: caPath })).binds.tlsCa).toBe(pem);
  expect(parseCoreConfig(production([node("a")], { tlsCa: pem })).binds.tlsCa).toBe(pem);
  expect(() => parseCoreConfig(production([node("a")], { tlsCa: join(dir, "missing.pem") }))).toThrow(ConfigError);
  expect(() => parseCoreConfig(production([node("a")], { tlsCa: join(dir, "key.pem") }))).toThrow(/no PEM certificate/);
});

test("the core binds a TLS node with the private CA configured, and refuses it without (no bind sent)", async () => {
  expect(gen.exitCode).toBe(0);
  const binds: string[] = [];
  const server = smpp.createServer({ key: readFileSync(join(dir, "key.pem"), "utf8"), cert: readFileSync(caPath, "utf8") }, (s) => {
    s.on("error", () => {});
    s.on("pdu", (p: PkgPdu) => binds.push(p.command));
    acceptBinds(s);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const sim = await startSimulator({ enquireLinkMs: 0 });
  const db = backend("sqlite");
  const extraNodes = [{ name: "tls.dc3", site: "dc3" as const, host: "127.0.0.1", port: server.address().port, tls: true }];
  const state = (c: Awaited<ReturnType<typeof startSimCore>>) => c.gateway.binds.list().find((b) => b.node === "tls.dc3")!.state;
  try {
    const withCa = await startSimCore(simConfig(sim, { storeUrl: db.url, simNodes: false, extraNodes, tlsCa: caPath }));
    await until(() => state(withCa).kind === "bound", 5_000, "bound over TLS");
    await withCa.stop();
    expect(binds.filter((c) => c.startsWith("bind_"))).toEqual(["bind_transceiver"]);
    const without = await startSimCore(simConfig(sim, { storeUrl: db.url, simNodes: false, extraNodes }));
    await until(() => state(without).kind === "backoff", 5_000, "refused");
    expect(JSON.stringify(state(without))).toContain("TLS verification failed");
    await without.stop();
    expect(binds.filter((c) => c.startsWith("bind_"))).toEqual(["bind_transceiver"]); // nothing went to the unverified peer
  } finally {
    for (const s of [...server.sessions]) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
    await sim.stop();
    await db.cleanup();
  }
});
