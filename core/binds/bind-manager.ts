/**
 * One bind per configured SMSC node, as the Genesys HA guide asks ("create one SMPP connection per SMSC
 * node"), each with its own lifecycle. The manager only starts, stops and lists them; routing reads
 * `active()`.
 */
import { Emitter, type Clock, type Disposable, type SmscNode } from "../../contract/index.ts";
import { NodeBind, type AttemptLog, type NodeBindEvents } from "./node-bind.ts";
import type { NodeBindSnapshot } from "./bind-state.ts";
import type { RebindPolicy } from "./rebind-policy.ts";
import type { NodeConnector } from "./session-port.ts";

export interface BindManagerOptions {
  nodes: readonly SmscNode[];
  connector: NodeConnector;
  policy: RebindPolicy;
  clock: Clock;
  random?: () => number;
  /** Keeps each node's last attempt across restarts (the store). */
  attemptLog?: AttemptLog;
  onAttemptLogError?: (e: unknown) => void;
}

export class BindManager {
  readonly binds: readonly NodeBind[];
  readonly #events = new Emitter<NodeBindEvents>();

  constructor(opts: BindManagerOptions) {
    this.binds = opts.nodes.map((n) => new NodeBind(n, opts.connector, opts.policy, opts.clock, opts.random ?? Math.random, this.#events, opts.attemptLog, opts.onAttemptLogError));
  }

  /** Every node's bind state changes and connect attempts. */
  on<K extends keyof NodeBindEvents>(name: K, fn: (event: NodeBindEvents[K]) => void): Disposable {
    return this.#events.on(name, fn);
  }

  start(): void {
    for (const b of this.binds) b.start();
  }

  /** Unbinds every node, in parallel. */
  async stop(): Promise<void> {
    await Promise.all(this.binds.map((b) => b.stop()));
  }

  /** Binds that are bound right now. */
  active(): NodeBind[] {
    return this.binds.filter((b) => b.session !== undefined);
  }

  list(): NodeBindSnapshot[] {
    return this.binds.map((b) => b.snapshot());
  }
}
