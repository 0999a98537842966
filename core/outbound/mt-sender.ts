/**
 * The core's MtSender (what POST /v1/messages calls): SendOnce decides whether an id is sent, the router
 * routes it. Once closed (the core is stopping) it takes no more MTs; every outcome is an event.
 */
import { Emitter, type Disposable, type OutboundMessage, type SendOutcome } from "../../contract/index.ts";
import type { MtSender } from "../http/types.ts";
import type { MtRouter } from "./mt-router.ts";
import type { SendOnce } from "./send-once.ts";

export interface MtSenderEvents {
  sent: SendOutcome;
}

export class CoreMtSender implements MtSender {
  readonly #events = new Emitter<MtSenderEvents>();
  #closed = false;

  constructor(private readonly o: { readonly once: SendOnce; readonly router: Pick<MtRouter, "route"> }) {}

  on<K extends keyof MtSenderEvents>(name: K, fn: (event: MtSenderEvents[K]) => void): Disposable {
    return this.#events.on(name, fn);
  }

  /** Takes no more MTs (those in progress finish). */
  close(): void {
    this.#closed = true;
  }

  async send(msg: OutboundMessage, messageId: string): Promise<SendOutcome> {
    if (this.#closed) return { status: "rejected", kind: "unavailable", messageId, attempts: [], reason: "the core is shutting down", retryAfterSeconds: 5 };
    const o = await this.o.once.send(msg, messageId, (record, resume) => this.o.router.route(msg, messageId, record, resume));
    this.#events.emit("sent", o);
    return o;
  }
}
