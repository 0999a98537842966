/**
 * Fits core/smpp's Session to the bind port: connect + bind one node, as a transceiver (default) or as a
 * transmitter + receiver pair. In pair mode the node counts as bound only while both halves are; losing
 * either drops the node, so the rebind floor applies to the node as a whole.
 */
import type { SmscNode } from "../../contract/index.ts";
import { Session, type DeliverHandler, type SessionOptions } from "../smpp/index.ts";
import type { BoundSession, NodeConnector, SubmitAnswer } from "./session-port.ts";

export interface SmppConnectorOptions {
  systemId: string;
  password: string;
  mode: "transceiver" | "pair";
  window: number;
  responseTimeoutMs: number;
  enquireLinkIdleMs: number;
  bindTimeoutMs: number;
  unbindTimeoutMs: number;
  /** How long unbind() waits for in-flight responses first. */
  drainMs: number;
  onDeliver: (node: SmscNode) => DeliverHandler;
  /** Extra session options (clock, connector, TLS CA) for tests and private CAs. */
  session?: Partial<SessionOptions>;
  tlsCa?: string;
}

class SessionBind implements BoundSession {
  readonly closed: Promise<string>;

  constructor(
    private readonly tx: Session,
    private readonly rx: Session | undefined,
    private readonly drainMs: number,
  ) {
    const gone = (s: Session) => new Promise<string>((r) => s.on("closed", (e) => r(e.detail ? `${e.reason}: ${e.detail}` : e.reason)));
    this.closed = Promise.race([gone(tx), ...(rx ? [gone(rx)] : [])]);
    // When one half of a pair goes, the other goes too: the node rebinds as a whole.
    void this.closed.then(() => {
      tx.close();
      rx?.close();
    });
  }

  get inFlight(): number {
    return this.tx.inFlight;
  }

  get window(): number {
    return this.tx.window;
  }

  /** The session's SubmitResult is a SubmitAnswer as it is (the compiler checks it here). */
  submit(sm: Parameters<Session["submit"]>[0]): Promise<SubmitAnswer> {
    return this.tx.submit(sm);
  }

  async unbind(): Promise<void> {
    await Promise.all([this.tx.unbind({ drainMs: this.drainMs }), this.rx?.unbind({ drainMs: this.drainMs })]);
  }

  close(reason: string): void {
    this.tx.close("local_close", reason);
    this.rx?.close("local_close", reason);
  }
}

/** The production connector: real sockets (Bun.connect, TLS verified when the node says tls). */
export function smppConnector(o: SmppConnectorOptions): NodeConnector {
  const open = async (node: SmscNode, bindType: "transceiver" | "transmitter" | "receiver") => {
    const s = new Session({
      endpoint: { host: node.host, port: node.port, ...(node.tls && { tls: o.tlsCa ? { ca: o.tlsCa } : true }) },
      bindType,
      systemId: o.systemId,
      password: o.password,
      window: o.window,
      responseTimeoutMs: o.responseTimeoutMs,
      enquireLinkIdleMs: o.enquireLinkIdleMs,
      bindTimeoutMs: o.bindTimeoutMs,
      unbindTimeoutMs: o.unbindTimeoutMs,
      ...(bindType !== "transmitter" && { onDeliver: o.onDeliver(node) }),
      ...o.session,
    });
    const r = await s.bind();
    if (r.kind === "bound") return { ok: true as const, session: s, systemId: r.systemId };
    // Not bound: bind() has already closed the session.
    const reason = r.kind === "rejected" ? `bind rejected: status 0x${r.status.toString(16)}` : `bind failed: ${r.reason}${r.detail ? ` (${r.detail})` : ""}`;
    return { ok: false as const, reason };
  };

  return async (node) => {
    if (o.mode === "transceiver") {
      const r = await open(node, "transceiver");
      return r.ok ? { ok: true, session: new SessionBind(r.session, undefined, o.drainMs), systemId: r.systemId } : r;
    }
    const [tx, rx] = await Promise.all([open(node, "transmitter"), open(node, "receiver")]);
    if (tx.ok && rx.ok) return { ok: true, session: new SessionBind(tx.session, rx.session, o.drainMs), systemId: tx.systemId };
    if (tx.ok) await tx.session.unbind({ drainMs: 0 });
    if (rx.ok) await rx.session.unbind({ drainMs: 0 });
    return { ok: false, reason: [tx, rx].flatMap((x) => (x.ok ? [] : [x.reason])).join("; ") };
  };
}
