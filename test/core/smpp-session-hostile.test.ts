// Hostile SMSC peers over raw loopback sockets (node:net, hand-framed PDUs: none of the project's SMPP code on
// the peer's side): a node that keeps the link up but answers no submit, one that drips bytes, one that never
// reads its socket, and one that floods deliver_sm without waiting. Each must cost one bind, bounded, never the
// process.
import { afterEach, describe, expect, test } from "bun:test";
import { Session } from "../../core/smpp/session.ts";
import { Cmd, deliverSm, hostilePeer, pdu, submitResp, type HostilePeer } from "./helpers/raw-smsc.ts";
import { ManualClock, optionsFor, until } from "./smpp-helpers.ts";

const msg = { destinationAddr: "4512345678", shortMessage: new TextEncoder().encode("hello") };

const peers: HostilePeer[] = [];
const sessions: Session[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) s.close();
  for (const p of peers.splice(0)) await p.close();
});
const rawSmsc = async (o: Parameters<typeof hostilePeer>[0]) => {
  const p = await hostilePeer(o);
  peers.push(p);
  return p;
};
const session = (port: number, extra: Parameters<typeof optionsFor>[1]) => {
  const s = new Session(optionsFor(port, extra));
  sessions.push(s);
  return s;
};

describe("a black-holed submit path", () => {
  test("answers enquire_link, never a submit: closed after 3 submit timeouts in a row (injected clock)", async () => {
    const smsc = await rawSmsc({});
    const clock = new ManualClock();
    const s = session(smsc.port, { clock, responseTimeoutMs: 1_000, enquireLinkIdleMs: 300 });
    const seen = () => smsc.conns[0]!.seen;
    expect((await s.bind()).kind).toBe("bound");
    const results = [s.submit(msg), s.submit(msg), s.submit(msg)];
    // enquire_link answered all along: the link is alive, only the submit path is dead
    for (let t = 0; t < 900; t += 300) {
      clock.advance(300);
      await until(() => seen().filter(([c]) => c === Cmd.enquire_link).length >= t / 300 + 1);
      await Bun.sleep(5); // its enquire_link_resp read
    }
    expect(s.state).toBe("bound");
    clock.advance(200);
    expect((await Promise.all(results)).map((r) => r.kind)).toEqual(["timeout", "timeout", "timeout"]);
    expect(s.state).toBe("closed");
    expect(s.closeReason).toBe("submit_timeouts");
  });

  test("an answer between timeouts resets the count: 2 timeouts, 1 answer, 2 timeouts → still bound", async () => {
    let answer = false;
    const smsc = await rawSmsc({
      onPdu: (c, p) => {
        if (answer && p.command === Cmd.submit_sm) c.write(submitResp(p.sequence, "id1"));
      },
    });
    const clock = new ManualClock();
    const s = session(smsc.port, { clock, responseTimeoutMs: 1_000 });
    await s.bind();
    const two = [s.submit(msg), s.submit(msg)];
    clock.advance(1_000);
    await Promise.all(two);
    answer = true;
    const r = await s.submit(msg);
    expect([r.kind, s.closeReason]).toEqual(["resp", undefined]);
    answer = false;
    const two2 = [s.submit(msg), s.submit(msg)];
    clock.advance(1_000);
    await Promise.all(two2);
    expect(s.state).toBe("bound");
  });

  test("a peer dripping one byte at a time is not alive: enquire_link goes out and, unanswered, closes it", async () => {
    const smsc = await rawSmsc({ answerEnquireLink: false });
    const clock = new ManualClock();
    const s = session(smsc.port, { clock, enquireLinkIdleMs: 1_000, responseTimeoutMs: 500 });
    await s.bind();
    const drip = Buffer.alloc(60, 0); // never a whole PDU: command_length 0x00000000 is never completed
    drip.writeUInt32BE(200, 0);
    for (let i = 0; i < 30 && s.state === "bound"; i++) {
      smsc.conns[0]!.socket.write(drip.subarray(i, i + 1));
      await Bun.sleep(3);
      clock.advance(100);
    }
    expect(smsc.conns[0]!.seen.some(([c]) => c === Cmd.enquire_link)).toBe(true);
    expect(s.closeReason).toBe("dead_peer");
  });
});

describe("bounded memory from a peer", () => {
  test("a peer that never reads: its enquire_link answers pile up → that session closes at the backlog limit", async () => {
    let flood: (() => void) | undefined;
    const smsc = await rawSmsc({
      onBound: (c) => {
        c.socket.pause(); // never reads again
        const block = Buffer.concat(Array.from({ length: 4096 }, (_, i) => pdu(Cmd.enquire_link, 0, i + 10)));
        flood = () => {
          if (!c.socket.destroyed) c.socket.write(block, () => setImmediate(() => flood?.()));
        };
        flood();
      },
    });
    const s = session(smsc.port, { maxBacklogBytes: 256 * 1024 });
    const healthySmsc = await rawSmsc({});
    const healthy = session(healthySmsc.port, {});
    await healthy.bind();
    await s.bind();
    await until(() => s.state === "closed", 20_000);
    flood = undefined;
    expect(s.closeReason).toBe("write_backlog");
    expect(healthy.state).toBe("bound"); // one bind only
  });

  test("a deliver_sm flood without waiting: at most the window is unanswered at once, reading pauses, nothing is lost", async () => {
    const N = 20_000;
    const smsc = await rawSmsc({
      onBound: (c) => {
        for (let i = 0; i < N; i += 1000) c.write(Buffer.concat(Array.from({ length: 1000 }, (_, j) => deliverSm(i + j + 100, "4512345678", "12345", `mo ${i + j}`))));
      },
    });
    const acks = () => smsc.conns[0]!.seen.filter(([c]) => c === Cmd.deliver_sm_resp).length;
    const held: (() => void)[] = [];
    let peak = 0;
    let handled = 0;
    const s = session(smsc.port, {
      maxUnansweredDelivers: 50,
      onDeliver: () =>
        new Promise<number>((resolve) => {
          handled++;
          held.push(() => resolve(0));
          peak = Math.max(peak, held.length);
        }),
    });
    await s.bind();
    await until(() => held.length === 50);
    await Bun.sleep(100); // the peer keeps writing; the session must not take more
    expect(handled).toBe(50);
    // Answer in batches, as a store commits: each batch frees the window for the next.
    while (acks() < N) {
      for (const f of held.splice(0)) f();
      await Bun.sleep(1);
      if (s.state !== "bound") break;
    }
    await until(() => acks() === N, 10_000);
    expect(peak).toBe(50);
    expect(handled).toBe(N);
    expect(s.state).toBe("bound");
  });
});

describe("the deliver handler is told whether its answer went out", () => {
  test("answered in time → written; the peer gone before the commit → not written (the SMSC must deliver it again)", async () => {
    const smsc = await rawSmsc({ onBound: (c) => c.write(deliverSm(7, "4512345678", "12345", "first")) });
    const told: [number, number, boolean][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    const handler = Object.assign(async () => (++calls === 2 ? (await gate, 0) : 0), {
      answered: (pdu: { sequence: number }, status: number, written: boolean) => void told.push([pdu.sequence, status, written]),
    });
    const s = session(smsc.port, { onDeliver: handler });
    await s.bind();
    await until(() => told.length === 1);
    expect(told[0]).toEqual([7, 0, true]);
    smsc.conns[0]!.write(deliverSm(8, "4512345678", "12345", "second"));
    await until(() => calls === 2);
    smsc.conns[0]!.socket.destroy(); // gone while the handler commits
    await until(() => s.state === "closed");
    release();
    await until(() => told.length === 2);
    expect(told[1]).toEqual([8, 0, false]);
  });
});
