/**
 * The store's PostgreSQL sessions run with enable_seqscan and jit off (core/store/db.ts, PLANNER_SETTINGS: why in
 * store-stale-stats.test.ts and store-plans.test.ts). They are startup parameters, which a pooler in transaction
 * mode refuses or, listed in PgBouncer's ignore_startup_parameters, drops: the sessions then run on the server's
 * defaults, and every hot statement may walk its table again at field scale, silently. Opening the store checks
 * them and logs a warning naming what is missing. PgBouncer is not installed here: a loopback proxy below drops
 * the startup parameters as it does, in front of the real PostgreSQL.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { connect, createServer, type Server, type Socket } from "node:net";
import { SQL } from "bun";
import { openDb, plannerSettingsMissing, type Db } from "../../core/store/db.ts";
import { PG_URL } from "./helpers/stores.ts";

/** Startup parameters PgBouncer passes on itself; every other one it drops (ignore_startup_parameters). */
const KEPT = new Set(["user", "database", "client_encoding", "application_name"]);
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/** A TCP proxy to `target` that answers "no" to SSL and forwards the startup packet with only the KEPT parameters. */
function startupStrippingProxy(target: URL): Promise<Server> {
  const server = createServer((client: Socket) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 8) {
        const length = buffered.readInt32BE(0);
        if (buffered.length < length) return;
        const code = buffered.readInt32BE(4);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          client.write("N");
          buffered = buffered.subarray(length);
          continue;
        }
        const fields = buffered.subarray(8, length - 1).toString("utf8").split("\0");
        const kept: string[] = [];
        for (let i = 0; i + 1 < fields.length; i += 2) if (KEPT.has(fields[i]!)) kept.push(fields[i]!, fields[i + 1]!);
        const body = Buffer.from(kept.map((f) => f + "\0").join("") + "\0", "utf8");
        const startup = Buffer.alloc(8);
        startup.writeInt32BE(8 + body.length, 0);
        startup.writeInt32BE(code, 4);
        const rest = buffered.subarray(length);
        client.off("data", onData);
        client.pause();
        const upstream = connect(Number(target.port || 5432), target.hostname, () => {
          upstream.write(Buffer.concat([startup, body, rest]));
          client.pipe(upstream).pipe(client);
          client.resume();
        });
        upstream.on("error", () => client.destroy());
        client.on("error", () => upstream.destroy());
        client.on("close", () => upstream.destroy());
        return;
      }
    };
    client.on("data", onData);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

const role = `gsh_planner_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
const admin = new SQL({ url: PG_URL, max: 1 });
let proxy: Server;
const opened: Db[] = [];

/** PG_URL through the proxy, as `user`. */
function viaProxy(user?: string): string {
  const url = new URL(PG_URL);
  url.hostname = "127.0.0.1";
  url.port = String((proxy.address() as { port: number }).port);
  if (user) url.username = user;
  return url.toString();
}

async function open(url: string): Promise<{ db: Db; warnings: { msg: string; fields: unknown }[] }> {
  const warnings: { msg: string; fields: unknown }[] = [];
  const db = await openDb(url, { max: 1, log: { warn: (msg, fields) => warnings.push({ msg, fields }) } });
  opened.push(db);
  return { db, warnings };
}

beforeAll(async () => {
  proxy = await startupStrippingProxy(new URL(PG_URL));
  await admin.unsafe(`CREATE ROLE ${role} LOGIN`);
});

afterAll(async () => {
  for (const db of opened) await db.close();
  await admin.unsafe(`DROP ROLE IF EXISTS ${role}`);
  await admin.close();
  await new Promise((resolve) => proxy.close(resolve));
});

test("the store's own sessions run with enable_seqscan and jit off, and opening warns of nothing", async () => {
  const { db, warnings } = await open(PG_URL);
  expect(await plannerSettingsMissing(db.read)).toEqual([]);
  expect(warnings).toEqual([]);
});

test("behind a pooler that drops startup parameters, opening the store warns, naming both settings", async () => {
  const { db, warnings } = await open(viaProxy());
  expect(await plannerSettingsMissing(db.read)).toEqual(["enable_seqscan", "jit"]); // the proxy really dropped them
  expect(warnings).toHaveLength(1);
  expect(warnings[0]!.msg).toContain("docs/core.md");
  expect(warnings[0]!.fields).toEqual({ missing: ["enable_seqscan", "jit"] });
});

test("the settings set on the role, as docs/core.md says, hold behind that pooler: no warning", async () => {
  await admin.unsafe(`ALTER ROLE ${role} SET enable_seqscan = off`);
  const half = await open(viaProxy(role));
  expect(half.warnings.map((w) => w.fields)).toEqual([{ missing: ["jit"] }]);
  await admin.unsafe(`ALTER ROLE ${role} SET jit = off`);
  const both = await open(viaProxy(role));
  expect(await plannerSettingsMissing(both.db.read)).toEqual([]);
  expect(both.warnings).toEqual([]);
});
