/**
 * One SMSC node's bind: connect, bind, stay bound, and when lost or refused, wait out the rebind floor and
 * try again. Exactly one attempt at a time per node; the state is data (bind-state.ts) and every change is
 * an event.
 */
import type { Clock, Emitter, SmscNode } from "../../contract/index.ts";
import type { NodeBindSnapshot, BindState } from "./bind-state.ts";
import { earliestAfter, nextAttemptAt, type RebindPolicy } from "./rebind-policy.ts";
import type { BoundSession, NodeConnector } from "./session-port.ts";

export interface NodeBindEvents {
  /** The bind moved from `previous` to `state`. */
  state: { readonly node: SmscNode; readonly state: BindState; readonly previous: BindState };
  /** A connect attempt is starting (the chaos test checks the floor against these). */
  attempt: { readonly node: SmscNode; readonly at: number; readonly attempt: number };
}

/**
 * Where each node's last attempt is kept beyond this process (the store), so a restarted core keeps the floor
 * from the previous process's attempt. `record` resolves once the attempt is durable; it runs before connecting,
 * and again when the attempt ends (the later time wins).
 */
export interface AttemptLog {
  last(node: string): Promise<number | undefined>;
  record(node: string, at: number): Promise<void>;
}

export class NodeBind {
  #state: BindState = { kind: "idle" };
  #session: BoundSession | undefined;
  #timer: unknown;
  #lastAttemptAt: number | undefined;
  #attempts = 0;
  #started = false;

  constructor(
    readonly node: SmscNode,
    private readonly connector: NodeConnector,
    private readonly policy: RebindPolicy,
    private readonly clock: Clock,
    private readonly random: () => number,
    /** The bind manager's: every node's bind reports into it. */
    private readonly events: Emitter<NodeBindEvents>,
    private readonly attemptLog?: AttemptLog,
    /** Told when the attempt log fails (the attempt goes ahead: the floor in memory still holds). */
    private readonly onLogError: (e: unknown) => void = () => undefined,
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

  /** Starts the first attempt: now, or once the floor from the last recorded attempt (a previous process's) is past. */
  start(): void {
    if (this.#state.kind !== "idle" || this.#started) return;
    this.#started = true;
    void this.#begin();
  }

  async #begin(): Promise<void> {
    const last = await this.attemptLog?.last(this.node.name).catch((e: unknown) => (this.onLogError(e), undefined));
    if (this.#state.kind !== "idle") return; // stopped meanwhile
    if (last === undefined || this.clock.now() >= earliestAfter(this.policy, last)) return this.#attempt();
    this.#lastAttemptAt = last;
    this.#backoff("waiting out the rebind floor from the last recorded attempt");
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

  /** Read afresh (after an await, not narrowed by an earlier check). */
  #stopping(): boolean {
    const kind: BindState["kind"] = this.#state.kind;
    return kind === "stopped" || kind === "unbinding";
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
    // A timer may fire a little early: never start within the floor.
    if (this.#lastAttemptAt !== undefined && at < earliestAfter(this.policy, this.#lastAttemptAt)) {
      this.#timer = this.clock.setTimeout(() => void this.#attempt(), earliestAfter(this.policy, this.#lastAttemptAt) - at);
      return;
    }
    this.#lastAttemptAt = at;
    await this.attemptLog?.record(this.node.name, at).catch((e: unknown) => this.onLogError(e));
    if (this.#stopping()) return; // stopped while the attempt was being recorded
    this.#attempts++;
    this.events.emit("attempt", { node: this.node, at, attempt: this.#attempts });
    this.#set({ kind: "connecting", since: at, attempt: this.#attempts });
    const r = await this.connector(this.node);
    // The floor counts from the attempt's end (its answer or its failure), not its start: the SMSC saw the bind
    // somewhere between the two, so a slow connect or a slow record cannot bring the next bind within the floor.
    this.#attemptEnded(this.clock.now());
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

  #attemptEnded(at: number): void {
    if (this.#lastAttemptAt !== undefined && at <= this.#lastAttemptAt) return;
    this.#lastAttemptAt = at;
    void this.attemptLog?.record(this.node.name, at).catch((e: unknown) => this.onLogError(e));
  }

  #backoff(reason: string): void {
    const now = this.clock.now();
    const at = nextAttemptAt(this.policy, this.#lastAttemptAt, now, this.random);
    this.#set({ kind: "backoff", since: now, nextAttemptAt: at, lastError: reason });
    this.#timer = this.clock.setTimeout(() => void this.#attempt(), at - now);
  }
}
