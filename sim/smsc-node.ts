// One simulated SMSC node: an SMPP 3.4 server built on the npm `smpp` package (an implementation
// independent of the core's) behind a listener that "down" can close. Sessions live in smsc-session.ts.
import smpp from "smpp";
import type { SimContext } from "./context.ts";
import type { DeliverySink, Dispatcher } from "./deliveries.ts";
import type { Component } from "./faults.ts";
import type { ActiveBind } from "./ledger.ts";
import { SwitchableListener } from "./listener.ts";
import { SmscSession } from "./smsc-session.ts";
import type { SessionOwner } from "./smsc-session.ts";
import type { NodeName, SiteName } from "./types.ts";

/** One SMSC node: its listener and its sessions. */
export class SmscNode implements SessionOwner {
  readonly name: NodeName;
  readonly site: SiteName;
  readonly listener: SwitchableListener;
  readonly sessions = new Set<SmscSession>();

  constructor(ctx: SimContext, dispatcher: Dispatcher, name: NodeName, site: SiteName, port: number) {
    this.name = name;
    this.site = site;
    this.listener = new SwitchableListener(
      () => smpp.createServer((session) => {
        const s = new SmscSession(ctx, dispatcher, this, session);
        this.sessions.add(s);
        session.socket.on("close", () => this.sessions.delete(s));
      }),
      ctx.host,
      port,
    );
  }

  get component(): Component {
    return { site: this.site, node: this.name };
  }

  /** The SMSC unbinds every session (the "unbind" fault). */
  unbindAll(): void {
    for (const s of this.sessions) s.smscUnbind();
  }

  activeBinds(): ActiveBind[] {
    return [...this.sessions].flatMap((s) => s.bound
      ? [{ node: this.name, site: this.site, system_id: s.bound.systemId, bindType: s.bound.type, sessionId: s.id, since: s.bound.since }]
      : []);
  }

  /** For the dispatcher: sessions able to take a deliver_sm. */
  sinks(): DeliverySink[] {
    return [...this.sessions];
  }
}
