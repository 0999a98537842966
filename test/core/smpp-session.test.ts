// Session against the npm `smpp` package's server (an independent peer) over loopback sockets:
// bind, submit, window, timeouts, generic_nack, SMSC unbind, deliver_sm acking, sequence wrap.
import { afterAll, describe, expect, test } from "bun:test";
import { Session, type SessionEvents } from "../../core/smpp/session.ts";
import { Status } from "../../core/smpp/status.ts";
import { acceptBinds, ManualClock, optionsFor, smpp, scriptedSmsc, until, type PkgPdu, type PkgSession } from "./smpp-helpers.ts";

const text = (s: string) => new TextEncoder().encode(s);
const msg = { destinationAddr: "4512345678", shortMessage: text("hello") };

/** One SMSC for the file; each test installs its behaviour for the next accepted connection. */
const smsc = await scriptedSmsc();
afterAll(() => smsc.close());
const lastPeer = smsc.lastPeer;
const answerSubmits = (s: PkgSession) => {
  acceptBinds(s);
  s.on("submit_sm", (p: PkgPdu) => s.send(p.response({ message_id: `id-${p.sequence_number}` })));
};

describe("bind", () => {
  test("bound with the SMSC's system_id; states reported as events", async () => {
    smsc.behave = acceptBinds;
    const session = new Session(optionsFor(smsc.port));
    const states: string[] = [];
    session.on("state", (e) => states.push(e.to));
    expect(await session.bind()).toEqual({ kind: "bound", systemId: "SMSC" });
    expect(states).toEqual(["connecting", "binding", "bound"]);
    const bind = lastPeer().seen[0]!;
    expect([bind.command, bind.system_id, bind.password, bind.interface_version]).toEqual(["bind_transceiver", "esme", "pw", 0x34]);
    expect(await session.unbind()).toEqual({ kind: "unbound" });
    expect(session.closeReason).toBe("unbound");
  });

  test("rejected with the status; the session is closed", async () => {
    smsc.behave = (s) => s.on("bind_transmitter", (p: PkgPdu) => s.send(p.response({ command_status: Status.ESME_RBINDFAIL })));
    const session = new Session(optionsFor(smsc.port, { bindType: "transmitter" }));
    expect(await session.bind()).toEqual({ kind: "rejected", status: Status.ESME_RBINDFAIL });
    expect(session.state).toBe("closed");
    expect(session.closeReason).toBe("bind_rejected");
  });

  test("an SMSC that speaks first (enquire_link on connect) is answered, and the bind still works", async () => {
    let resp: PkgPdu | undefined;
    smsc.behave = (s) => { acceptBinds(s); s.send(new smpp.PDU("enquire_link", { sequence_number: 5 }), (p: PkgPdu) => (resp = p)); };
    const session = new Session(optionsFor(smsc.port));
    expect((await session.bind()).kind).toBe("bound");
    await until(() => resp !== undefined);
    expect([resp!.command, resp!.sequence_number]).toEqual(["enquire_link_resp", 5]);
    session.close();
  });

  test("connection refused → failed, no throw", async () => {
    const free = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const port = free.port;
    free.stop(true);
    const r = await new Session(optionsFor(port)).bind();
    expect(r.kind === "failed" && r.reason).toBe("connect_failed");
  });

  test("an SMSC that never answers the bind → failed timeout (injected clock)", async () => {
    smsc.behave = () => {};
    const clock = new ManualClock();
    const session = new Session(optionsFor(smsc.port, { clock, bindTimeoutMs: 10_000 }));
    const result = session.bind();
    await until(() => lastPeer().seen.length === 1);
    clock.advance(10_000);
    expect(await result).toEqual({ kind: "failed", reason: "timeout" });
    expect(session.closeReason).toBe("bind_timeout");
  });
});

describe("submit", () => {
  test("round trip: fields reach the SMSC, the response carries its message_id", async () => {
    smsc.behave = answerSubmits;
    const session = new Session(optionsFor(smsc.port));
    await session.bind();
    const r = await session.submit({ ...msg, sourceAddr: "Genesys", registeredDelivery: 1, tlvs: { sarMsgRefNum: 7, sarTotalSegments: 2, sarSegmentSeqnum: 1 } });
    expect(r.kind === "resp" && [r.status, r.messageId]).toEqual([0, `id-${r.kind === "resp" ? r.sequence : 0}`]);
    const seen = lastPeer().seen.find((p) => p.command === "submit_sm")!;
    expect([seen.destination_addr, seen.source_addr, seen.registered_delivery, seen.sar_msg_ref_num, seen.sar_total_segments]).toEqual(["4512345678", "Genesys", 1, 7, 2]);
    expect(session.inFlight).toBe(0);
    session.close();
  });

  test("window full → window_full at once, nothing sent; a slot frees when a response arrives", async () => {
    const held: PkgPdu[] = [];
    smsc.behave = (s) => { acceptBinds(s); s.on("submit_sm", (p: PkgPdu) => held.push(p)); };
    const session = new Session(optionsFor(smsc.port, { window: 2 }));
    await session.bind();
    const a = session.submit(msg);
    const b = session.submit(msg);
    expect(await session.submit(msg)).toEqual({ kind: "window_full" });
    expect(session.available).toBe(0);
    await until(() => held.length === 2);
    await Bun.sleep(20);
    expect(lastPeer().seen.filter((p) => p.command === "submit_sm").length).toBe(2);
    lastPeer().s.send(held[0]!.response({ message_id: "first" }));
    expect((await a).kind).toBe("resp");
    expect(session.available).toBe(1);
    session.close();
    expect(await b).toEqual({ kind: "closed", sequence: held[1]!.sequence_number, reason: "local_close" });
  });

  test("no response → timeout after responseTimeoutMs (injected clock); the session stays bound", async () => {
    smsc.behave = acceptBinds; // submit_sm never answered
    const clock = new ManualClock();
    const session = new Session(optionsFor(smsc.port, { clock, responseTimeoutMs: 30_000 }));
    await session.bind();
    const r = session.submit(msg);
    await until(() => lastPeer().seen.some((p) => p.command === "submit_sm"));
    clock.advance(29_999);
    expect(session.inFlight).toBe(1);
    clock.advance(1);
    expect((await r).kind).toBe("timeout");
    expect(session.inFlight).toBe(0);
    expect(session.state).toBe("bound");
    session.close();
  });

  test("generic_nack for a known sequence fails that request only", async () => {
    smsc.behave = (s) => { acceptBinds(s); s.on("submit_sm", (p: PkgPdu) => s.send(new smpp.PDU("generic_nack", { command_status: Status.ESME_RINVCMDLEN, sequence_number: p.sequence_number }))); };
    const session = new Session(optionsFor(smsc.port));
    await session.bind();
    const r = await session.submit(msg);
    expect(r.kind === "nack" && r.status).toBe(Status.ESME_RINVCMDLEN);
    expect(session.state).toBe("bound");
    session.close();
  });

  test("generic_nack for an unknown sequence → stream lost sync → closed, in-flight failed", async () => {
    smsc.behave = (s) => { acceptBinds(s); s.on("submit_sm", () => s.send(new smpp.PDU("generic_nack", { command_status: Status.ESME_RINVCMDLEN, sequence_number: 999_999 }))); };
    const session = new Session(optionsFor(smsc.port));
    const closed: SessionEvents["closed"][] = [];
    session.on("closed", (e) => closed.push(e));
    await session.bind();
    const r = await session.submit(msg);
    expect(r.kind === "closed" && r.reason).toBe("lost_sync");
    expect(closed[0]?.reason).toBe("lost_sync");
    expect(closed[0]?.failedInFlight).toBe(1);
  });

  test("submit when not bound → not_bound", async () => {
    const session = new Session(optionsFor(smsc.port));
    expect(await session.submit(msg)).toEqual({ kind: "not_bound", state: "idle" });
  });

  test("sequence numbers wrap from 0x7FFFFFFF to 1", async () => {
    smsc.behave = answerSubmits;
    const session = new Session(optionsFor(smsc.port, { initialSequence: 0x7ffffffe }));
    await session.bind(); // uses 0x7FFFFFFE
    const rs = [await session.submit(msg), await session.submit(msg), await session.submit(msg)];
    expect(rs.map((r) => r.kind === "resp" && r.sequence)).toEqual([0x7fffffff, 1, 2]);
    expect(lastPeer().seen.map((p) => p.sequence_number)).toEqual([0x7ffffffe, 0x7fffffff, 1, 2]);
    session.close();
  });
});

describe("SMSC-initiated", () => {
  test("unbind → unbind_resp, then closed with peer_unbind; in-flight fail with closed", async () => {
    smsc.behave = (s) => { acceptBinds(s); s.on("submit_sm", () => s.send(new smpp.PDU("unbind", { sequence_number: 77 }))); };
    const session = new Session(optionsFor(smsc.port));
    await session.bind();
    const r = await session.submit(msg);
    expect(r.kind === "closed" && r.reason).toBe("peer_unbind");
    await until(() => lastPeer().seen.some((p) => p.command === "unbind_resp"));
    expect(lastPeer().seen.find((p) => p.command === "unbind_resp")!.sequence_number).toBe(77);
    expect(session.closeReason).toBe("peer_unbind");
  });

  test("enquire_link is answered", async () => {
    smsc.behave = acceptBinds;
    const session = new Session(optionsFor(smsc.port));
    await session.bind();
    const resp = await new Promise<PkgPdu>((r) => lastPeer().s.send(new smpp.PDU("enquire_link", {}), r));
    expect([resp.command, resp.command_status]).toEqual(["enquire_link_resp", 0]);
    session.close();
  });

  test("deliver_sm is acknowledged only after the handler resolves, with its status", async () => {
    smsc.behave = acceptBinds;
    let commit!: (status: number) => void;
    const got: string[] = [];
    const session = new Session(optionsFor(smsc.port, {
      onDeliver: (pdu) => {
        got.push(new TextDecoder().decode(pdu.shortMessage), pdu.tlvs?.receiptedMessageId ?? "");
        return new Promise<number>((r) => (commit = r));
      },
    }));
    await session.bind();
    let resp: PkgPdu | undefined;
    lastPeer().s.send(new smpp.PDU("deliver_sm", { source_addr: "4512345678", short_message: "id:1 stat:DELIVRD", esm_class: 4, receipted_message_id: "abc", message_state: 2 }), (p: PkgPdu) => (resp = p));
    await until(() => got.length > 0);
    expect(got).toEqual(["id:1 stat:DELIVRD", "abc"]);
    await Bun.sleep(30);
    expect(resp).toBeUndefined(); // not before the commit
    commit(Status.ESME_ROK);
    await until(() => resp !== undefined);
    expect([resp!.command, resp!.command_status]).toEqual(["deliver_sm_resp", 0]);
    session.close();
  });

  test("a failing handler answers ESME_RX_T_APPN so the SMSC delivers again", async () => {
    smsc.behave = acceptBinds;
    const session = new Session(optionsFor(smsc.port, { onDeliver: () => Promise.reject(new Error("store down")) }));
    const errors: unknown[] = [];
    session.on("handler_error", (e) => errors.push(e.error));
    await session.bind();
    const resp = await new Promise<PkgPdu>((r) => lastPeer().s.send(new smpp.PDU("deliver_sm", { short_message: "x" }), r));
    expect(resp.command_status).toBe(Status.ESME_RX_T_APPN);
    expect(errors.length).toBe(1);
    session.close();
  });
});
