// One client connection to a simulated SMSC node: bind and auth, submit_sm, enquire_link, unbind,
// generic_nack for what Genesys does not support, and deliver_sm for the dispatcher. Every PDU leaves
// through #write, where the byte-level faults (malformed, partial, drop) replace the package's own send.
import smpp from "smpp";
import type { SimContext } from "./context.ts";
import type { DeliverySink, Dispatcher } from "./deliveries.ts";
import type { Component } from "./faults.ts";
import type { BindType } from "./ledger.ts";
import { captureRawPdus, readSubmitSm } from "./pdu-text.ts";
import { smppReceipts } from "./receipts.ts";
import { MAX_TEXT, isPhone, senderResult, textLength } from "./rules.ts";
import type { NodeName, SiteName } from "./types.ts";

/** SMPP 3.4 command_status values the simulator answers. */
export const STATUS = {
  ROK: 0x00, RINVMSGLEN: 0x01, RINVCMDLEN: 0x02, RINVCMDID: 0x03, RINVBNDSTS: 0x04, RALYBND: 0x05,
  RSYSERR: 0x08, RINVSRCADR: 0x0a, RINVDSTADR: 0x0b, RBINDFAIL: 0x0d, RTHROTTLED: 0x58,
} as const;

/** A command_length below the 16-octet header: no SMPP parser can make sense of it. */
const GARBAGE = Buffer.from([0x00, 0x00, 0x00, 0x09, 0xde, 0xad, 0xbe, 0xef, 0xff, 0xff, 0xff, 0xff, 0x00, 0x01, 0x02, 0x03]);
/** How long an SMSC-initiated unbind waits for unbind_resp before closing anyway. */
const UNBIND_GRACE_MS = 2000;
/** An early receipt goes out at least this long before the submit_sm_resp, so it wins across sockets too. */
const EARLY_LEAD_MS = 20;

let nextSessionId = 1;

/** The node a session belongs to, as the session sees it. */
export interface SessionOwner {
  readonly name: NodeName;
  readonly site: SiteName;
  readonly component: Component;
}

/** One client connection to a node. */
export class SmscSession implements DeliverySink {
  readonly id = nextSessionId++;
  readonly node: NodeName;
  readonly site: SiteName;
  bound: { type: BindType; systemId: string; since: number } | undefined;
  readonly #ctx: SimContext;
  readonly #dispatcher: Dispatcher;
  readonly #owner: SessionOwner;
  readonly #session: smpp.Session;
  readonly #raw: () => Buffer | undefined;
  #stalled = false;
  #closed = false;
  #unbinding = false;
  #enquire: ReturnType<typeof setTimeout> | undefined;

  constructor(ctx: SimContext, dispatcher: Dispatcher, owner: SessionOwner, session: smpp.Session) {
    this.#ctx = ctx;
    this.#dispatcher = dispatcher;
    this.#owner = owner;
    this.#session = session;
    this.node = owner.name;
    this.site = owner.site;
    this.#raw = captureRawPdus(session.socket);
    ctx.ledger.record("connections", { node: this.node, sessionId: this.id, at: ctx.now() });
    session.on("pdu", (pdu: smpp.PDU) => this.#handle(pdu));
    // The package stops reading after a parse error; answer generic_nack and drop the connection.
    session.on("error", () => {
      if (this.#closed) return;
      this.#write(new smpp.PDU("generic_nack", { command_status: STATUS.RINVCMDLEN }));
      session.socket.destroy();
    });
    session.socket.on("close", () => this.#onClose());
  }

  canReceive(): boolean {
    const b = this.bound;
    return !!b && b.type !== "transmitter" && !this.#closed && !this.#stalled && !this.#unbinding &&
      this.#session.socket.writable && !this.#ctx.faults.peek("partition", this.#owner.component);
  }

  sendDeliver(fields: Record<string, unknown>): number | undefined {
    return this.#write(new smpp.PDU("deliver_sm", fields));
  }

  /** Sends unbind if this session is bound. */
  smscUnbind(): void {
    if (!this.bound || this.#closed) return;
    this.#ctx.ledger.record("unbinds", { node: this.node, sessionId: this.id, by: "smsc", at: this.#ctx.now() });
    this.#unbinding = true;
    this.#write(new smpp.PDU("unbind", {}));
    this.#ctx.timers.after(UNBIND_GRACE_MS, () => this.#session.socket.destroy());
  }

  #handle(pdu: smpp.PDU): void {
    if (this.#closed) return;
    const { faults } = this.#ctx;
    const c = this.#owner.component;
    if (faults.take("partition", c)) {
      // Swallowed: a partition never answers. Bind attempts are still recorded, for rebind-interval checks.
      if (pdu.command.startsWith("bind_")) {
        this.#ctx.ledger.record("bindAttempts", {
          node: this.node, system_id: String(pdu.system_id ?? ""), bindType: pdu.command.slice(5) as BindType, outcome: "unanswered", at: this.#ctx.now(),
        });
      }
      return;
    }
    const latency = faults.take("latency", c)?.ms ?? 0;
    switch (pdu.command) {
      case "bind_transmitter":
      case "bind_receiver":
      case "bind_transceiver":
        return this.#bind(pdu, latency);
      case "submit_sm":
        return this.#submit(pdu, latency);
      case "enquire_link":
        return this.#reply(pdu.response(), latency);
      case "unbind":
        this.#ctx.ledger.record("unbinds", { node: this.node, sessionId: this.id, by: "client", at: this.#ctx.now() });
        this.#unbinding = true;
        return this.#reply(pdu.response(), latency, () => this.#session.close());
      case "unbind_resp":
        if (this.#unbinding) this.#session.close();
        return;
      case "deliver_sm_resp":
        return this.#dispatcher.onResponse(this, pdu.sequence_number, pdu.command_status);
      case "generic_nack":
        return this.#dispatcher.onResponse(this, pdu.sequence_number, pdu.command_status || STATUS.RINVCMDID);
      default:
        if (pdu.isResponse()) return; // enquire_link_resp and the like
        // query_sm, submit_multi, cancel_sm, replace_sm, data_sm and unknown commands: Genesys does not support them.
        return this.#reply(new smpp.PDU("generic_nack", { sequence_number: pdu.sequence_number, command_status: STATUS.RINVCMDID }), latency);
    }
  }

  #bind(pdu: smpp.PDU, latency: number): void {
    const { ledger, now, config } = this.#ctx;
    const type = pdu.command.slice("bind_".length) as BindType;
    const systemId = String(pdu.system_id ?? "");
    const attempt = { node: this.node, system_id: systemId, bindType: type, at: now() };
    if (this.bound) {
      ledger.record("bindAttempts", { ...attempt, outcome: "already_bound" });
      return this.#reply(pdu.response({ command_status: STATUS.RALYBND }), latency);
    }
    if (systemId !== config.account.login || pdu.password !== config.account.password) {
      ledger.record("bindAttempts", { ...attempt, outcome: "auth_failed" });
      return this.#reply(pdu.response({ command_status: STATUS.RBINDFAIL }), latency);
    }
    ledger.record("bindAttempts", { ...attempt, outcome: "ok" });
    this.#reply(pdu.response({ system_id: "GENESYS" }), latency, () => {
      if (this.#closed) return;
      this.bound = { type, systemId, since: now() };
      ledger.record("binds", { node: this.node, site: this.site, system_id: systemId, bindType: type, sessionId: this.id, at: now() });
      this.#scheduleEnquire();
      if (type !== "transmitter") this.#dispatcher.onBound();
    });
  }

  #submit(pdu: smpp.PDU, latency: number): void {
    const { ledger, now, faults } = this.#ctx;
    const c = this.#owner.component;
    const reject = (status: number, reason: string): void => {
      ledger.record("mtRejected", { via: "smpp", site: this.site, node: this.node, result: status, reason, at: now() });
      this.#reply(pdu.response({ command_status: status }), latency);
    };
    if (!this.bound || this.bound.type === "receiver") return reject(STATUS.RINVBNDSTS, "not bound for transmit");
    const forced = faults.takeFirst(["throttle", "result"], c);
    if (forced?.kind === "throttle") return reject(STATUS.RTHROTTLED, "throttled (fault)");
    if (forced) return reject(forced.result ?? STATUS.RSYSERR, "forced result (fault)");
    const raw = this.#raw();
    const m = raw ? readSubmitSm(raw) : undefined;
    if (!m) return reject(STATUS.RSYSERR, "unreadable submit_sm");
    if (!isPhone(m.destinationAddr)) return reject(STATUS.RINVDSTADR, "destination_addr must be 6-15 digits");
    if (senderResult(m.sourceAddr) !== 0) return reject(STATUS.RINVSRCADR, "source_addr not allowed");
    const length = textLength(m.text);
    if (length > MAX_TEXT) return reject(STATUS.RINVMSGLEN, "message too long");
    const messageId = this.#ctx.ids.smsc();
    const receipt = (m.registeredDelivery & 1) === 1;
    ledger.record("mtAccepted", {
      via: "smpp", site: this.site, node: this.node, message_id: messageId, to: m.destinationAddr, sender: m.sourceAddr,
      textLength: length, receipt, dataCoding: m.dataCoding, at: now(), ...(m.segment ? { segment: m.segment } : {}),
    });
    const early = receipt && smppReceipts(this.#ctx, this.#dispatcher, {
      messageId, site: this.site, node: this.node, session: this, to: m.destinationAddr, sender: m.sourceAddr,
      text: m.text, submittedAt: now(),
    });
    this.#reply(pdu.response({ message_id: messageId }), early ? Math.max(latency, EARLY_LEAD_MS) : latency);
  }

  /** Writes a response now or after `latency` ms, then runs `after`. */
  #reply(resp: smpp.PDU, latency: number, after?: () => void): void {
    const go = (): void => {
      this.#write(resp);
      after?.();
    };
    if (latency > 0) this.#ctx.timers.after(latency, go);
    else go();
  }

  /** The one place PDUs leave: applies malformed/partial/drop. Answers the sequence_number, or undefined if not sent. */
  #write(pdu: smpp.PDU): number | undefined {
    const socket = this.#session.socket;
    if (this.#closed || this.#stalled || !socket.writable) return undefined;
    const { faults } = this.#ctx;
    const c = this.#owner.component;
    if (faults.peek("partition", c)) return undefined;
    if (!pdu.isResponse() && !pdu.sequence_number) {
      if (this.#session.sequence >= 0x7fffffff) this.#session.sequence = 0;
      pdu.sequence_number = ++this.#session.sequence;
    }
    const seq = pdu.sequence_number;
    const broken = faults.takeFirst(["malformed", "partial", "drop"], c);
    if (broken?.kind === "malformed") {
      socket.write(GARBAGE);
      return seq;
    }
    if (broken) {
      const buf = pdu.toBuffer();
      const half = buf.subarray(0, Math.max(1, Math.floor(buf.length / 2)));
      if (broken.kind === "partial") {
        // Half a PDU, then silence: the client's parser waits for bytes that never come.
        this.#stalled = true;
        socket.write(half);
      } else {
        socket.write(half, () => socket.destroy());
      }
      return seq;
    }
    this.#session.send(pdu);
    return seq;
  }

  #scheduleEnquire(): void {
    const every = this.#ctx.config.enquireLinkMs;
    if (every <= 0) return;
    this.#enquire = this.#ctx.timers.after(every, () => {
      if (this.#closed) return;
      this.#write(new smpp.PDU("enquire_link", {}));
      this.#scheduleEnquire();
    });
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ctx.timers.cancel(this.#enquire);
    const wasBound = this.bound !== undefined;
    this.bound = undefined;
    this.#dispatcher.onClosed(this);
    if (wasBound) this.#ctx.ledger.touch();
  }
}
