/**
 * One SMSC node's bind: connect, bind, stay bound, and when lost or refused, wait out the rebind floor and
 * try again. Exactly one attempt at a time per node; the state is data (bind-state.ts) and every change is
 * an event.
 */
import type { Clock, Emitter, SmscNode } from "../../contract/index.ts";
import type { NodeBindSnapshot, BindState } from "./bind-state.ts";
import { nextAttemptAt, type RebindPolicy } from "./rebind-policy.ts";
import type { BoundSession, NodeConnector } from "./session-port.ts";

export interface NodeBindEvents {
  /** The bind moved from `previous` to `state`. */
  state: { readonly node: SmscNode; readonly state: BindState; readonly previous: BindState };
  /** A connect attempt is starting (the chaos test checks the floor against these). */
  attempt: { readonly node: SmscNode; readonly at: number; readonly attempt: number };
}

export class NodeBind {
  #state: BindState = { kind: "idle" };
  #session: BoundSession | undefined;
  #timer: unknown;
  #lastAttemptAt: number | undefined;
  #attempts = 0;

  constructor(
    readonly node: SmscNode,
    private readonly connector: NodeConnector,
    private readonly policy: RebindPolicy,
    private readonly clock: Clock,
    private readonly random: () => number,
    /** The bind manager's: every node's bind reports into it. */
    private readonly events: Emitter<NodeBindEvents>,
  ) {}

  get state(): BindState {
    return this.#state;
  }

  /** The live session, only while bound. */
  get session(): BoundSession | undefined {
    return this.#state.kind === "bound" ? this.#session : undefined;
  }

  snapshot(): NodeBindSnapshot {
    return {
      node: this.node.name,
      site: this.node.site,
      state: this.#state,
      inFlight: this.session?.inFlight ?? 0,
      window: this.#session?.window ?? 0,
      attempts: this.#attempts,
      ...(this.#lastAttemptAt !== undefined && { lastAttemptAt: this.#lastAttemptAt }),
    };
  }

  /** Starts the first attempt now. */
  start(): void {
    if (this.#state.kind === "idle") void this.#attempt();
  }

  /** Unbinds (if bound) and stops for good. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    const session = this.#session;
    if (this.#state.kind === "bound" && session) {
      this.#set({ kind: "unbinding", since: this.clock.now() });
      await session.unbind();
    }
    this.#set({ kind: "stopped", since: this.clock.now() });
  }

  #set(next: BindState): void {
    const previous = this.#state;
    this.#state = next;
    this.events.emit("state", { node: this.node, state: next, previous });
  }

  async #attempt(): Promise<void> {
    this.#timer = undefined;
    if (this.#state.kind === "stopped" || this.#state.kind === "unbinding") return;
    const at = this.clock.now();
    this.#lastAttemptAt = at;
    this.#attempts++;
    this.events.emit("attempt", { node: this.node, at, attempt: this.#attempts });
    this.#set({ kind: "connecting", since: at, attempt: this.#attempts });
    const r = await this.connector(this.node);
    if (this.#state.kind !== "connecting") {
      // Stopped while connecting: do not keep a bind nobody asked for.
      if (r.ok) await r.session.unbind();
      return;
    }
    if (!r.ok) return this.#backoff(r.reason);
    this.#session = r.session;
    this.#set({ kind: "bound", since: this.clock.now(), systemId: r.systemId });
    void r.session.closed.then((reason) => {
      if (this.#session !== r.session) return;
      this.#session = undefined;
      if (this.#state.kind === "bound") this.#backoff(`bind lost: ${reason}`);
    });
  }

  #backoff(reason: string): void {
    const now = this.clock.now();
    const at = nextAttemptAt(this.policy, this.#lastAttemptAt, now, this.random);
    this.#set({ kind: "backoff", since: now, nextAttemptAt: at, lastError: reason });
    this.#timer = this.clock.setTimeout(() => void this.#attempt(), at - now);
  }
}
