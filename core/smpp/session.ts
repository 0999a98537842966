/**
 * One SMPP session (one TCP/TLS connection, one bind) on Bun's sockets: bind, windowed submit with
 * per-request timeouts, idle keepalive with dead-peer detection, answers to the SMSC's
 * enquire_link/unbind, inbound deliver_sm acknowledged only after the handler commits, and
 * generic_nack rules. A Session is used once: after `closed`, make a new one to rebind.
 */
import { systemClock, type Clock, type TimerId } from "../../contract/clock.ts";
import { decodePdu } from "./codec.ts";
import { CommandId, isResponseId } from "./commands.ts";
import { Emitter, type Disposable } from "../../contract/emitter.ts";
import { Framer } from "./framer.ts";
import { InFlight, type Outcome, type Pending } from "./inflight.ts";
import { smFields, type DeliverSmPdu, type Pdu, type SmInput, type SmRespPdu } from "./pdu.ts";
import type {
  BindResult, CloseReason, DeliverHandler, SessionEvents, SessionOptions, SessionState, SubmitResult, UnbindResult,
} from "./session-types.ts";
import { Status } from "./status.ts";
import { bunConnector, type SmppSocket } from "./transport.ts";
import { PduWriter } from "./writer.ts";

export type * from "./session-types.ts";

const MAX_SEQUENCE = 0x7fffffff;
const WINDOW_FULL: SubmitResult = Object.freeze({ kind: "window_full" });

export class Session {
  readonly #o: SessionOptions;
  readonly #clock: Clock;
  readonly #events = new Emitter<SessionEvents>();
  readonly #framer: Framer;
  readonly #inFlight: InFlight;
  readonly #window: number;
  readonly #timeoutMs: number;
  readonly #idleMs: number;
  #state: SessionState = "idle";
  #closeReason: CloseReason | undefined;
  #writer: PduWriter | undefined;
  #seq: number;
  #lastRx = 0;
  #idleTimer: TimerId | undefined;
  #keepalivePending = false;
  #deliversPending = 0;
  #drainWaiter: (() => void) | undefined;
  readonly #maxSubmitTimeouts: number;
  #submitTimeouts = 0;
  readonly #maxDelivers: number;
  readonly #maxBacklog: number;
  /** deliver_sm read while the window of unanswered ones was full, in order; reading is paused meanwhile. */
  readonly #held: Uint8Array[] = [];
  #heldBytes = 0;
  #paused = false;
  #socket: SmppSocket | undefined;
  readonly #onDeliver: DeliverHandler | undefined;
  /** Data that arrived between the socket opening and bind() taking it over. */
  #early: Uint8Array[] | undefined;
  readonly #onFrame = (frame: Uint8Array) => this.#frame(frame);

  constructor(options: SessionOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#framer = new Framer(options.maxPduLength);
    this.#inFlight = new InFlight(this.#clock, (p) => this.#expired(p));
    this.#window = options.window ?? 10;
    this.#timeoutMs = options.responseTimeoutMs ?? 30_000;
    this.#idleMs = options.enquireLinkIdleMs ?? 30_000;
    this.#onDeliver = options.onDeliver;
    this.#maxSubmitTimeouts = options.maxSubmitTimeouts ?? 3;
    this.#maxDelivers = options.maxUnansweredDelivers ?? 1000;
    this.#maxBacklog = options.maxBacklogBytes ?? 1 << 20;
    const first = options.initialSequence ?? 1;
    if (!(first >= 1 && first <= MAX_SEQUENCE)) throw new RangeError(`initialSequence ${first} not in 1..0x7FFFFFFF`);
    this.#seq = first;
  }

  /** Current lifecycle state. */
  get state(): SessionState {
    return this.#state;
  }

  /** Why the session closed, once it has. */
  get closeReason(): CloseReason | undefined {
    return this.#closeReason;
  }

  /** submit_sm sent and not yet answered. */
  get inFlight(): number {
    return this.#inFlight.windowed;
  }

  /** Configured max in-flight submit_sm. */
  get window(): number {
    return this.#window;
  }

  /** Free window slots; 0 unless bound. The router's "least in-flight" pick reads this. */
  get available(): number {
    return this.#state === "bound" && this.#o.bindType !== "receiver" ? this.#window - this.#inFlight.windowed : 0;
  }

  /** Subscribes to an event; dispose() the result to unsubscribe. */
  on<K extends keyof SessionEvents>(name: K, fn: (event: SessionEvents[K]) => void): Disposable {
    return this.#events.on(name, fn);
  }

  /** Connects and binds. Resolves with the outcome; on anything but `bound` the session is closed. */
  async bind(): Promise<BindResult> {
    if (this.#state !== "idle") return { kind: "failed", reason: "already_used" };
    this.#setState("connecting");
    const timeoutMs = this.#o.bindTimeoutMs ?? 10_000;
    let timedOut = false;
    const timer = this.#clock.setTimeout(() => {
      timedOut = true;
      this.close("bind_timeout");
    }, timeoutMs);
    try {
      const connector = this.#o.connector ?? bunConnector;
      const r = await connector(this.#o.endpoint, {
        data: (chunk) => this.#data(chunk),
        drain: () => this.#writer?.drain(),
        closed: (error) => this.#close("peer_closed", error),
      });
      if (this.#isClosed()) {
        if (r.ok) r.socket.end();
        return { kind: "failed", reason: timedOut ? "timeout" : "closed" };
      }
      if (!r.ok) {
        this.#close("connect_failed", r.error);
        return { kind: "failed", reason: "connect_failed", detail: r.error };
      }
      this.#socket = r.socket;
      this.#writer = new PduWriter(r.socket, this.#maxBacklog, () => this.#close("write_backlog", `more than ${this.#maxBacklog} octets unread by the peer`));
      this.#setState("binding");
      const early = this.#early;
      this.#early = undefined;
      if (early) for (const chunk of early) this.#data(chunk);
      if (this.#isClosed()) return { kind: "failed", reason: "closed", detail: this.#closeReason! };
      const outcome = await this.#bindRequest();
      // The bind_resp and a fatal fault (bad length, malformed PDU, peer unbind or close) can arrive in one
      // chunk: the session is closed by the time this continuation runs, and must not come back as bound.
      if (this.#isClosed()) return timedOut ? { kind: "failed", reason: "timeout" } : { kind: "failed", reason: "closed", detail: this.#closeReason! };
      if (outcome.kind === "resp" && outcome.status === Status.ESME_ROK) {
        const resp = outcome.pdu as Extract<Pdu, { command: `bind_${string}_resp` }>;
        this.#lastRx = this.#clock.monotonic();
        this.#setState("bound");
        this.#armKeepalive(this.#idleMs);
        this.#events.emit("bound", { systemId: resp.systemId });
        const sc = resp.tlvs?.scInterfaceVersion;
        return sc === undefined ? { kind: "bound", systemId: resp.systemId } : { kind: "bound", systemId: resp.systemId, scInterfaceVersion: sc };
      }
      if (outcome.kind === "resp" || outcome.kind === "nack") {
        this.#close("bind_rejected", `status 0x${outcome.status.toString(16)}`);
        return { kind: "rejected", status: outcome.status };
      }
      return { kind: "failed", reason: timedOut ? "timeout" : "closed" };
    } finally {
      this.#clock.clearTimeout(timer);
    }
  }

  #bindRequest(): Promise<Outcome> {
    const o = this.#o;
    const command = o.bindType === "transmitter" ? "bind_transmitter" : o.bindType === "receiver" ? "bind_receiver" : "bind_transceiver";
    return new Promise<Outcome>((done) => {
      const sequence = this.#nextSequence();
      this.#inFlight.add({ sequence, expect: CommandId[`${command}_resp`], deadline: Infinity, windowed: false, done });
      this.#writer!.write({
        command, status: 0, sequence, systemId: o.systemId, password: o.password, systemType: o.systemType ?? "",
        interfaceVersion: o.interfaceVersion ?? 0x34, addrTon: o.addrTon ?? 0, addrNpi: o.addrNpi ?? 0, addressRange: o.addressRange ?? "",
      });
    });
  }

  /**
   * Sends a submit_sm. Never queues: answers `window_full` / `not_bound` at once (nothing sent),
   * else resolves with the response, a generic_nack, `timeout` or `closed`.
   * Throws RangeError only for a PDU that cannot be encoded (e.g. short_message > 255 octets).
   */
  submit(message: SmInput): Promise<SubmitResult> {
    if (this.#state !== "bound") return Promise.resolve({ kind: "not_bound", state: this.#state });
    if (this.#inFlight.windowed >= this.#window) return Promise.resolve(WINDOW_FULL);
    const sequence = this.#nextSequence();
    const fields = smFields(message);
    // Encode before registering, so an encoding fault leaves no orphan in-flight entry.
    this.#writer!.write({ command: "submit_sm", status: 0, sequence, ...fields });
    return new Promise<SubmitResult>((done) => {
      this.#inFlight.add({
        sequence, expect: CommandId.submit_sm_resp, deadline: this.#clock.monotonic() + this.#timeoutMs, windowed: true,
        done: done as (o: Outcome) => void,
      });
    });
  }

  /**
   * Unbinds: stops new submits, waits up to `drainMs` (default 0) for in-flight submits and
   * deliver handlers, sends unbind, waits for unbind_resp (bounded), then closes.
   */
  async unbind(options: { drainMs?: number } = {}): Promise<UnbindResult> {
    if (this.#state !== "bound") return { kind: "not_bound", state: this.#state };
    this.#setState("unbinding");
    this.#stopKeepalive();
    const drainMs = options.drainMs ?? 0;
    if (drainMs > 0 && !this.#drained()) {
      await new Promise<void>((resolve) => {
        const t = this.#clock.setTimeout(() => { this.#drainWaiter = undefined; resolve(); }, drainMs);
        this.#drainWaiter = () => { this.#clock.clearTimeout(t); resolve(); };
      });
      this.#drainWaiter = undefined;
    }
    if (this.#isClosed()) return { kind: "closed", reason: this.#closeReason! };
    const outcome = await new Promise<Outcome>((done) => {
      const sequence = this.#nextSequence();
      const t = this.#clock.setTimeout(() => { this.#inFlight.take(sequence); done({ kind: "timeout", sequence }); }, this.#o.unbindTimeoutMs ?? 5_000);
      this.#inFlight.add({ sequence, expect: CommandId.unbind_resp, deadline: Infinity, windowed: false, done: (o) => { this.#clock.clearTimeout(t); done(o); } });
      this.#writer!.write({ command: "unbind", status: 0, sequence });
    });
    if (outcome.kind === "closed") return { kind: "closed", reason: this.#closeReason! };
    this.close(outcome.kind === "timeout" ? "unbind_timeout" : "unbound");
    return outcome.kind === "timeout" ? { kind: "timeout" } : { kind: "unbound" };
  }

  /** Closes now: flushes what is batched, ends the socket, fails every in-flight request with `closed`. */
  close(reason: CloseReason = "local_close", detail?: string): void {
    this.#close(reason, detail);
  }

  #close(reason: CloseReason, detail?: string): void {
    if (this.#state === "closed") return;
    this.#closeReason = reason;
    this.#setState("closed");
    this.#stopKeepalive();
    this.#writer?.end();
    const failedInFlight = this.#inFlight.closeAll(reason);
    this.#drainWaiter?.();
    this.#events.emit("closed", detail === undefined ? { reason, failedInFlight } : { reason, detail, failedInFlight });
  }

  /** A method, not a field test, so TypeScript does not carry narrowing across awaits/callbacks. */
  #isClosed(): boolean {
    return this.#state === "closed";
  }

  #setState(to: SessionState): void {
    const from = this.#state;
    this.#state = to;
    this.#events.emit("state", { from, to });
  }

  #nextSequence(): number {
    let s = this.#seq;
    // After a wrap, skip a number still awaiting its response (a very old, very slow request).
    while (this.#inFlight.has(s)) s = s === MAX_SEQUENCE ? 1 : s + 1;
    this.#seq = s === MAX_SEQUENCE ? 1 : s + 1;
    return s;
  }

  #data(chunk: Uint8Array): void {
    if (this.#state === "closed") return;
    if (this.#writer === undefined) {
      // The peer spoke before our connect promise settled; replay once we can answer.
      (this.#early ??= []).push(chunk);
      return;
    }
    const error = this.#framer.push(chunk, this.#onFrame);
    if (error !== undefined && !this.#isClosed()) {
      this.#writer?.write({ command: "generic_nack", status: Status.ESME_RINVCMDLEN, sequence: error.sequence ?? 0 });
      this.#close("bad_length", `command_length ${error.length}`);
    }
  }

  #frame(frame: Uint8Array): void {
    if (this.#state === "closed") return;
    // Liveness is a whole PDU, not any byte: a peer dripping bytes never completes one.
    this.#lastRx = this.#clock.monotonic();
    if (this.#isDeliverSm(frame) && (this.#held.length > 0 || this.#deliversPending >= this.#maxDelivers)) return this.#hold(frame);
    this.#process(frame);
  }

  #isDeliverSm(frame: Uint8Array): boolean {
    return frame[4] === 0 && frame[5] === 0 && frame[6] === 0 && frame[7] === CommandId.deliver_sm;
  }

  /** The window of unanswered deliver_sm is full: keep this one (in order) and stop reading. */
  #hold(frame: Uint8Array): void {
    this.#held.push(frame);
    this.#heldBytes += frame.length;
    if (this.#heldBytes > this.#maxBacklog) return this.#close("inbound_overload", `more than ${this.#maxBacklog} octets of deliver_sm held while reading was paused`);
    if (!this.#paused) {
      this.#paused = true;
      this.#socket?.pause?.();
    }
  }

  /** Answers freed the window: process held deliver_sm while it has room; resume reading once none is held. */
  #release(): void {
    while (this.#held.length > 0 && this.#deliversPending < this.#maxDelivers && !this.#isClosed()) {
      const frame = this.#held.shift()!;
      this.#heldBytes -= frame.length;
      this.#process(frame);
    }
    if (this.#held.length === 0 && this.#paused && !this.#isClosed()) {
      this.#paused = false;
      this.#socket?.resume?.();
    }
  }

  #process(frame: Uint8Array): void {
    const r = decodePdu(frame);
    if (!r.ok) {
      const request = !isResponseId(r.commandId);
      if (request) this.#writer?.write({ command: "generic_nack", status: r.status, sequence: r.sequence });
      if (r.reason === "unknown_command") {
        // A well-framed PDU we do not speak: a request was nacked, a response is ignored; stream is in sync.
        if (!request) this.#events.emit("ignored", { reason: "unknown_command", command: `0x${r.commandId.toString(16)}`, sequence: r.sequence });
        return;
      }
      return this.#close("malformed_pdu", `${r.reason} in command 0x${r.commandId.toString(16)}`);
    }
    const pdu = r.pdu;
    switch (pdu.command) {
      case "submit_sm_resp":
      case "enquire_link_resp":
      case "unbind_resp":
      case "bind_transceiver_resp":
      case "bind_transmitter_resp":
      case "bind_receiver_resp":
      case "deliver_sm_resp":
        return this.#response(pdu);
      case "generic_nack": {
        const p = this.#inFlight.take(pdu.sequence);
        if (p === undefined) return this.#close("lost_sync", `generic_nack 0x${pdu.status.toString(16)} for unknown sequence ${pdu.sequence}`);
        if (p.windowed) this.#submitTimeouts = 0;
        return this.#settle(p, { kind: "nack", sequence: pdu.sequence, status: pdu.status });
      }
      case "enquire_link":
        return this.#writer!.write({ command: "enquire_link_resp", status: 0, sequence: pdu.sequence });
      case "unbind":
        this.#writer!.write({ command: "unbind_resp", status: 0, sequence: pdu.sequence });
        return this.#close("peer_unbind");
      case "deliver_sm":
        return this.#deliver(pdu);
      default:
        // bind_* or submit_sm from the SMSC: not valid in this direction.
        this.#writer!.write({ command: "generic_nack", status: Status.ESME_RINVCMDID, sequence: pdu.sequence });
    }
  }

  #response(pdu: Pdu): void {
    const p = this.#inFlight.get(pdu.sequence);
    if (p === undefined || p.expect !== CommandId[pdu.command]) {
      // A response after its timeout, or of the wrong type: the request (if any) stays pending, in place.
      this.#events.emit("ignored", { reason: p === undefined ? "unknown_sequence" : "unexpected_response", command: pdu.command, sequence: pdu.sequence });
      return;
    }
    this.#inFlight.take(pdu.sequence);
    if (pdu.command === "submit_sm_resp") {
      this.#submitTimeouts = 0;
      const r: SubmitResult = { kind: "resp", sequence: pdu.sequence, status: pdu.status, messageId: pdu.messageId, pdu: pdu as SmRespPdu };
      return this.#settle(p, r as Outcome);
    }
    this.#settle(p, { kind: "resp", sequence: pdu.sequence, status: pdu.status, pdu });
  }

  #settle(p: Pending, outcome: Outcome): void {
    p.done(outcome);
    if (this.#drained()) this.#drainWaiter?.();
  }

  /** Nothing for an unbind to wait for: no submit_sm in flight, no deliver_sm handler running. */
  #drained(): boolean {
    return this.#inFlight.windowed === 0 && this.#deliversPending === 0;
  }

  #expired(p: Pending): void {
    if (p.expect === CommandId.enquire_link_resp) {
      p.done({ kind: "timeout", sequence: p.sequence });
      return this.#close("dead_peer", `no enquire_link_resp in ${this.#timeoutMs} ms`);
    }
    this.#settle(p, { kind: "timeout", sequence: p.sequence });
    // Outlier detection: an SMSC that keeps the link up but answers no submit must not keep getting MTs.
    if (p.windowed && ++this.#submitTimeouts === this.#maxSubmitTimeouts && !this.#isClosed()) {
      this.#close("submit_timeouts", `${this.#submitTimeouts} submit_sm in a row unanswered in ${this.#timeoutMs} ms`);
    }
  }

  #deliver(pdu: DeliverSmPdu): void {
    const sequence = pdu.sequence;
    if (this.#o.bindType === "transmitter") {
      this.#writer!.write({ command: "deliver_sm_resp", status: Status.ESME_RINVBNDSTS, sequence, messageId: "" });
      return;
    }
    const handler = this.#onDeliver;
    if (handler === undefined) {
      this.#writer!.write({ command: "deliver_sm_resp", status: Status.ESME_RX_T_APPN, sequence, messageId: "" });
      return;
    }
    this.#deliversPending++;
    const answer = (status: number) => {
      this.#deliversPending--;
      // Closed meanwhile: no response; the SMSC redelivers, and the handler is told so that it knows the copy.
      const written = this.#state !== "closed";
      if (written) this.#writer!.write({ command: "deliver_sm_resp", status, sequence, messageId: "" });
      handler.answered?.(pdu, status, written);
      if (this.#held.length > 0) this.#release();
      if (this.#drained()) this.#drainWaiter?.();
    };
    const failed = (error: unknown) => {
      this.#events.emit("handler_error", { error, sequence });
      answer(Status.ESME_RX_T_APPN);
    };
    try {
      Promise.resolve(handler(pdu)).then(answer, failed);
    } catch (error) {
      failed(error);
    }
  }

  #armKeepalive(ms: number): void {
    if (this.#idleMs <= 0) return;
    this.#idleTimer = this.#clock.setTimeout(() => this.#keepaliveTick(), ms);
  }

  #stopKeepalive(): void {
    if (this.#idleTimer !== undefined) this.#clock.clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  #keepaliveTick(): void {
    this.#idleTimer = undefined;
    if (this.#state !== "bound") return;
    const idle = this.#clock.monotonic() - this.#lastRx;
    if (idle < this.#idleMs) return this.#armKeepalive(this.#idleMs - idle);
    if (!this.#keepalivePending) {
      this.#keepalivePending = true;
      const sequence = this.#nextSequence();
      this.#inFlight.add({
        sequence, expect: CommandId.enquire_link_resp, deadline: this.#clock.monotonic() + this.#timeoutMs, windowed: false,
        done: (o) => {
          // Only an enquire_link_resp clears it (a generic_nack does not); timeout and close end the session.
          if (o.kind === "resp") this.#keepalivePending = false;
        },
      });
      this.#writer!.write({ command: "enquire_link", status: 0, sequence });
      this.#events.emit("keepalive", { sequence });
    }
    this.#armKeepalive(this.#idleMs);
  }
}
