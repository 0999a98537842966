// Every fault kind on the SMSC nodes, set and undone through the control API over HTTP. The byte-level
// faults are checked with a raw socket, the rest with the `smpp` package's client.
import { connect } from "node:net";
import type { Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import smpp from "smpp";
import { SMPP_STATUS, startSimulator } from "../../sim/index.ts";
import type { Simulator } from "../../sim/index.ts";
import { bindClient, call, closed, control, destroyAll, next, sleep, until, within } from "./helpers.ts";

let sim: Simulator;
const open: smpp.Session[] = [];
const sockets: Socket[] = [];
const SUBMIT = { source_addr: "12345", destination_addr: "12025550100", short_message: "hi" };

beforeAll(async () => {
  sim = await startSimulator({ enquireLinkMs: 0 });
});
afterEach(async () => {
  destroyAll(open);
  for (const s of sockets.splice(0)) s.destroy();
  expect((await control(sim, "DELETE", "/faults")).status).toBe(204);
});
afterAll(() => sim.stop());

const node = (name: string) => sim.nodes.find((n) => n.name === name)!;

async function fault(body: Record<string, unknown>): Promise<string> {
  const r = await control(sim, "POST", "/faults", body);
  expect(r.status).toBe(201);
  return r.json.id as string;
}

async function bound(name: string): Promise<smpp.Session> {
  const n = node(name);
  const { session, status } = await bindClient(n.host, n.port);
  open.push(session);
  expect(status).toBe(0);
  return session;
}

/** A raw client, bound as transceiver, that collects every byte the SMSC sends after the bind_resp. */
async function rawBound(name: string): Promise<{ socket: Socket; bytes: () => Buffer; closed: Promise<void> }> {
  const n = node(name);
  const socket = connect(n.port, n.host);
  sockets.push(socket);
  let buf = Buffer.alloc(0);
  socket.on("data", (d: Buffer) => { buf = Buffer.concat([buf, d]); });
  const isClosed = new Promise<void>((r) => socket.on("close", () => r()));
  socket.write(new smpp.PDU("bind_transceiver", { system_id: "demo", password: "demo", sequence_number: 1 }).toBuffer());
  await until(() => buf.length >= 16 && buf.length >= buf.readUInt32BE(0));
  expect(buf.readUInt32BE(4)).toBe(0x80000009); // bind_transceiver_resp
  buf = Buffer.alloc(0);
  return { socket, bytes: () => buf, closed: isClosed };
}

const enquireLink = (seq: number): Buffer => new smpp.PDU("enquire_link", { sequence_number: seq }).toBuffer();

describe("SMPP faults via the control API", () => {
  it("down (node): new connects fail with ECONNREFUSED, open sessions are cut; DELETE reopens the same port", async () => {
    const s = await bound("smc1.dc3");
    const fid = await fault({ target: "smc1.dc3", kind: "down" });
    await closed(s);
    const n = node("smc1.dc3");
    await expect(bindClient(n.host, n.port)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    await bound("smc2.dc3"); // the other node of the site is untouched
    expect((await control(sim, "DELETE", `/faults/${fid}`)).status).toBe(204);
    await bound("smc1.dc3");
  });

  it("down (site): the site's HTTP receiver and both its nodes refuse; the other site works", async () => {
    await fault({ target: "bos", kind: "down" });
    for (const name of ["smc1.bos", "smc2.bos"]) {
      const n = node(name);
      await expect(bindClient(n.host, n.port)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    }
    await expect(fetch(sim.sites.bos.httpUrl)).rejects.toBeTruthy();
    await bound("smc1.dc3");
  });

  it("partition: the connection is accepted but the bind is never answered", async () => {
    await fault({ target: "smc2.bos", kind: "partition" });
    const n = node("smc2.bos");
    const before = sim.ledger.bindAttempts.length;
    expect(await within(bindClient(n.host, n.port).then(({ session }) => open.push(session)), 300)).toBe(false);
    await sim.ledger.waitFor((l) => l.bindAttempts.length > before);
    expect(sim.ledger.bindAttempts.slice(before)).toMatchObject([{ node: "smc2.bos", outcome: "unanswered" }]);
    expect(sim.ledger.connections.at(-1)).toMatchObject({ node: "smc2.bos" });
    expect(sim.ledger.binds.some((b) => b.node === "smc2.bos" && b.at >= Date.now() - 400)).toBe(false);
  });

  it("latency: answers come ms later", async () => {
    const s = await bound("smc1.bos");
    await fault({ target: "smc1.bos", kind: "latency", ms: 200 });
    const t0 = Date.now();
    expect((await call(s, "enquire_link")).command_status).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
  });

  it("throttle: ESME_RTHROTTLED for the next `count` submits, then normal", async () => {
    const s = await bound("smc2.dc3");
    await fault({ target: "smc2.dc3", kind: "throttle", count: 1 });
    expect((await call(s, "submit_sm", SUBMIT)).command_status).toBe(SMPP_STATUS.RTHROTTLED);
    expect((await call(s, "submit_sm", SUBMIT)).command_status).toBe(0);
  });

  it("result: submit_sm answers the given command_status (default ESME_RSYSERR)", async () => {
    const s = await bound("smc1.dc3");
    await fault({ target: "dc3", kind: "result", count: 1 });
    await fault({ target: "smc1.dc3", kind: "result", result: 0x14, count: 1 });
    expect((await call(s, "submit_sm", SUBMIT)).command_status).toBe(SMPP_STATUS.RSYSERR);
    expect((await call(s, "submit_sm", SUBMIT)).command_status).toBe(0x14);
  });

  it("unbind: the SMSC sends unbind to every session of the node, once", async () => {
    const a = await bound("smc2.bos");
    const b = await bound("smc2.bos");
    const c = await bound("smc1.bos");
    const unbinds = [next(a, "unbind"), next(b, "unbind")];
    await fault({ target: "smc2.bos", kind: "unbind" });
    for (const [i, u] of (await Promise.all(unbinds)).entries()) [a, b][i]!.send(u.response());
    await Promise.all([closed(a), closed(b)]);
    expect(c.socket.destroyed).toBe(false);
    expect(sim.ledger.unbinds.filter((u) => u.by === "smsc" && u.node === "smc2.bos")).toHaveLength(2);
    expect((await control(sim, "GET", "/faults")).json).toEqual([]);
  });

  it("malformed: the next PDU has a bad command_length (and the smpp package reports an error)", async () => {
    const raw = await rawBound("smc1.dc3");
    await fault({ target: "smc1.dc3", kind: "malformed", count: 1 });
    raw.socket.write(enquireLink(2));
    await until(() => raw.bytes().length >= 4);
    expect(raw.bytes().readUInt32BE(0)).toBeLessThan(16);

    const s = await bound("smc1.dc3");
    await fault({ target: "smc1.dc3", kind: "malformed", count: 1 });
    const err = new Promise<Error>((r) => s.once("error", r));
    s.enquire_link();
    expect(String(await err)).toMatch(/Error/);
  });

  it("partial: half a PDU, then silence on an open connection", async () => {
    const raw = await rawBound("smc2.dc3");
    await fault({ target: "smc2.dc3", kind: "partial", count: 1 });
    raw.socket.write(enquireLink(2));
    await until(() => raw.bytes().length >= 8);
    await sleep(100);
    expect(raw.bytes().length).toBe(8); // half of the 16-octet enquire_link_resp
    raw.socket.write(enquireLink(3));
    await sleep(100);
    expect(raw.bytes().length).toBe(8); // stalled for good
    expect(raw.socket.destroyed).toBe(false);
  });

  it("drop: half a PDU, then the connection is destroyed", async () => {
    const raw = await rawBound("smc1.bos");
    await fault({ target: "smc1.bos", kind: "drop", count: 1 });
    raw.socket.write(enquireLink(2));
    await raw.closed;
    expect(raw.bytes().length).toBe(8);
  });

  it("faults on one node leave the others alone, and DELETE restores normal answers", async () => {
    const s = await bound("smc2.bos");
    const fid = await fault({ target: "smc1.bos", kind: "throttle" });
    expect((await call(s, "submit_sm", SUBMIT)).command_status).toBe(0);
    const t = await bound("smc1.bos");
    expect((await call(t, "submit_sm", SUBMIT)).command_status).toBe(SMPP_STATUS.RTHROTTLED);
    expect((await control(sim, "DELETE", `/faults/${fid}`)).status).toBe(204);
    expect((await call(t, "submit_sm", SUBMIT)).command_status).toBe(0);
  });
});
