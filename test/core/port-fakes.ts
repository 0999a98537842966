/**
 * Stand-ins for the small session port (core/binds/session-port.ts), for state-machine and routing logic
 * only: the protocol itself is tested over real sockets in smpp-*.test.ts and against the simulator in
 * core-sim*.test.ts.
 */
import type { BoundSession, NodeConnectResult, SubmitAnswer } from "../../core/binds/session-port.ts";
import type { SmInput } from "../../core/smpp/pdu.ts";

export class FakeSession implements BoundSession {
  inFlight = 0;
  submits: SmInput[] = [];
  unbound = false;
  #close!: (reason: string) => void;
  readonly closed = new Promise<string>((r) => (this.#close = r));

  constructor(
    readonly window: number,
    public answer: (sm: SmInput, n: number) => SubmitAnswer | Promise<SubmitAnswer> = (_, n) => ({ kind: "resp", status: 0, messageId: `id${n}` }),
  ) {}

  async submit(sm: SmInput): Promise<SubmitAnswer> {
    if (this.inFlight >= this.window) return { kind: "window_full" };
    this.submits.push(sm);
    this.inFlight++;
    try {
      return await this.answer(sm, this.submits.length);
    } finally {
      this.inFlight--;
    }
  }

  async unbind(): Promise<void> {
    this.unbound = true;
    this.#close("unbound");
  }

  close(reason: string): void {
    this.#close(reason);
  }
}

export function bound(session: BoundSession): NodeConnectResult {
  return { ok: true, session, systemId: "sim" };
}
