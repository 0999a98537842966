// Session faults over loopback: idle keepalive, dead-peer detection, malformed input closing one
// session while another stays fine, unknown commands, and TLS with certificate verification.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Session } from "../../core/smpp/session.ts";
import { Status } from "../../core/smpp/status.ts";
import { acceptBinds, ManualClock, optionsFor, smpp, scriptedSmsc, until, type PkgPdu, type PkgSession } from "./smpp-helpers.ts";

const msg = { destinationAddr: "4512345678", shortMessage: new TextEncoder().encode("hello") };
const hex = (s: string) => Uint8Array.from(s.replace(/\s/g, "").match(/../g)!.map((h) => parseInt(h, 16)));

/** One SMSC for the file; each test installs its behaviour for the next accepted connection. */
const smsc = await scriptedSmsc();
afterAll(() => smsc.close());
const lastPeer = smsc.lastPeer;

describe("keepalive", () => {
  test("enquire_link sent when idle, answered → stays bound (real timers, short interval)", async () => {
    smsc.behave = acceptBinds;
    const session = new Session(optionsFor(smsc.port, { enquireLinkIdleMs: 25, responseTimeoutMs: 500 }));
    const sent: number[] = [];
    session.on("keepalive", (e) => sent.push(e.sequence));
    await session.bind();
    await until(() => lastPeer().seen.filter((p) => p.command === "enquire_link").length >= 3);
    expect(session.state).toBe("bound");
    expect(sent.length).toBeGreaterThanOrEqual(3);
    session.close();
  });

  test("no enquire_link while traffic flows (injected clock)", async () => {
    smsc.behave = (s) => { acceptBinds(s); s.on("submit_sm", (p: PkgPdu) => s.send(p.response({ message_id: "x" }))); };
    const clock = new ManualClock();
    const session = new Session(optionsFor(smsc.port, { clock, enquireLinkIdleMs: 1_000 }));
    await session.bind();
    for (let i = 0; i < 5; i++) {
      clock.advance(600);
      expect((await session.submit(msg)).kind).toBe("resp");
    }
    expect(lastPeer().seen.some((p) => p.command === "enquire_link")).toBe(false);
    session.close();
  });

  test("dead peer: enquire_link unanswered → closed with dead_peer (injected clock)", async () => {
    smsc.behave = (s) => s.on("bind_transceiver", (p: PkgPdu) => s.send(p.response({ system_id: "SMSC" }))); // ignores enquire_link
    const clock = new ManualClock();
    const session = new Session(optionsFor(smsc.port, { clock, enquireLinkIdleMs: 30_000, responseTimeoutMs: 10_000 }));
    await session.bind();
    clock.advance(30_000);
    await until(() => lastPeer().seen.some((p) => p.command === "enquire_link"));
    expect(session.state).toBe("bound");
    clock.advance(10_000);
    expect(session.state).toBe("closed");
    expect(session.closeReason).toBe("dead_peer");
  });
});

describe("malformed input closes that session only", () => {
  test("bad command_length → generic_nack ESME_RINVCMDLEN, closed; the other session keeps working", async () => {
    smsc.behave = (s) => {
      acceptBinds(s);
      s.on("submit_sm", (p: PkgPdu) => {
        if (p.destination_addr === "victim") s.socket.write(hex("00000008 80000004 00000000 00000009")); // length 8 < 16
        else s.send(p.response({ message_id: "fine" }));
      });
    };
    const victim = new Session(optionsFor(smsc.port));
    const healthy = new Session(optionsFor(smsc.port));
    await victim.bind();
    const victimPeer = lastPeer();
    await healthy.bind();
    const r = await victim.submit({ ...msg, destinationAddr: "victim" });
    expect(r.kind === "closed" && r.reason).toBe("bad_length");
    expect(victim.closeReason).toBe("bad_length");
    await until(() => victimPeer.seen.some((p) => p.command === "generic_nack"));
    expect(victimPeer.seen.find((p) => p.command === "generic_nack")!.command_status).toBe(Status.ESME_RINVCMDLEN);
    for (let i = 0; i < 20; i++) expect((await healthy.submit(msg)).kind).toBe("resp");
    expect(healthy.state).toBe("bound");
    healthy.close();
  });

  test("a response whose body cannot be decoded → closed with malformed_pdu", async () => {
    smsc.behave = (s) => {
      acceptBinds(s);
      // submit_sm_resp whose message_id has no NUL terminator.
      s.on("submit_sm", (p: PkgPdu) => s.socket.write(hex(`00000014 80000004 00000000 ${p.sequence_number.toString(16).padStart(8, "0")} 41424344`)));
    };
    const session = new Session(optionsFor(smsc.port));
    const closed: string[] = [];
    session.on("closed", (e) => closed.push(`${e.reason}: ${e.detail}`));
    await session.bind();
    const r = await session.submit(msg);
    expect(r.kind === "closed" && r.reason).toBe("malformed_pdu");
    expect(closed).toEqual(["malformed_pdu: unterminated_c_string in command 0x80000004"]);
  });

  test("bind_resp and a bad length in one chunk → bind() fails, the session stays closed (not a zombie 'bound')", async () => {
    smsc.behave = (s) =>
      s.on("bind_transceiver", (p: PkgPdu) => {
        const resp = p.response({ system_id: "SMSC" }).toBuffer();
        s.socket.write(new Uint8Array([...resp, ...hex("00000009 deadbeef ffffffff 00010203")]));
      });
    const session = new Session(optionsFor(smsc.port));
    const states: string[] = [];
    session.on("state", (e) => states.push(e.to));
    const r = await session.bind();
    expect(r).toEqual({ kind: "failed", reason: "closed", detail: "bad_length" });
    expect(session.state).toBe("closed");
    expect(session.closeReason).toBe("bad_length");
    expect(states).not.toContain("bound");
    expect((await session.submit(msg)).kind).not.toBe("resp");
  });

  test("an unknown command → generic_nack ESME_RINVCMDID, the session stays bound", async () => {
    smsc.behave = acceptBinds;
    const session = new Session(optionsFor(smsc.port));
    await session.bind();
    lastPeer().s.socket.write(hex("00000010 00000103 00000000 00000042")); // data_sm: not supported
    await until(() => lastPeer().seen.some((p) => p.command === "generic_nack"));
    const nack = lastPeer().seen.find((p) => p.command === "generic_nack")!;
    expect([nack.command_status, nack.sequence_number]).toEqual([Status.ESME_RINVCMDID, 0x42]);
    expect(session.state).toBe("bound");
    session.close();
  });
});

describe("TLS", () => {
  const dir = mkdtempSync(join(tmpdir(), "smpp-tls-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const gen = Bun.spawnSync(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
    "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]);
  const key = gen.exitCode === 0 ? readFileSync(join(dir, "key.pem"), "utf8") : "";
  const cert = gen.exitCode === 0 ? readFileSync(join(dir, "cert.pem"), "utf8") : "";

  test("binds over TLS when the certificate verifies, refuses an untrusted one", async () => {
    expect(gen.exitCode).toBe(0);
    const binds: string[] = [];
    const server = smpp.createServer({ key, cert }, (s) => {
      s.on("error", () => {});
      s.on("pdu", (p: PkgPdu) => binds.push(p.command));
      acceptBinds(s);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = server.address().port;
    try {
      const trusted = new Session(optionsFor(port, { endpoint: { host: "127.0.0.1", port, tls: { ca: cert, serverName: "localhost" } } }));
      expect(await trusted.bind()).toEqual({ kind: "bound", systemId: "SMSC" });
      trusted.close();
      const untrusted = new Session(optionsFor(port, { endpoint: { host: "127.0.0.1", port, tls: true } }));
      const r = await untrusted.bind();
      expect(r.kind === "failed" && [r.reason, r.detail?.startsWith("TLS verification failed")]).toEqual(["connect_failed", true]);
      const wrongName = new Session(optionsFor(port, { endpoint: { host: "127.0.0.1", port, tls: { ca: cert, serverName: "smc1.dc3.example" } } }));
      expect((await wrongName.bind()).kind).toBe("failed");
      // Only the verified connection sent a bind: no password went to an unverified peer.
      expect(binds.filter((c) => c.startsWith("bind_"))).toEqual(["bind_transceiver"]);
    } finally {
      for (const s of [...server.sessions]) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
