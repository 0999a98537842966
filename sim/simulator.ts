// Wires the simulator together: two HTTP receivers, four SMSC nodes, the control API, and the state
// they share. Listeners follow the "down" faults: closed while one is in force, reopened on the same port.
import { CallbackSender } from "./callbacks.ts";
import { IdMaker } from "./context.ts";
import type { SimConfig, SimContext } from "./context.ts";
import { controlServer } from "./control-api.ts";
import { Dispatcher } from "./deliveries.ts";
import { FaultBook, hits } from "./faults.ts";
import { HttpReceiver, RECEIVER_PATH } from "./http-receiver.ts";
import { Ledger } from "./ledger.ts";
import { SwitchableListener } from "./listener.ts";
import { moPartFields } from "./mo-parts.ts";
import { MtDedup } from "./mt-dedup.ts";
import { SmscNode } from "./smsc-node.ts";
import { TimerSet } from "./timers.ts";
import { DEFAULT_RECEIPTS } from "./receipt-fate.ts";
import { NODES, SITES } from "./types.ts";
import type { ConfigPatch, Fault, MoInjection, SimOptions, Simulator, SiteName } from "./types.ts";

/** Genesys' RetryStrategy page: retried every 10 minutes, 25 times (after the first attempt: 26 in all). */
export const GENESYS_CALLBACK_RETRY = Object.freeze({ intervalMs: 10 * 60_000, retries: 25 });

/** Starts a simulator; every port defaults to 0 (any free port). */
export async function startSimulator(opts: SimOptions = {}): Promise<Simulator> {
  const host = opts.host ?? "127.0.0.1";
  const random = opts.random ?? Math.random;
  const config: SimConfig = {
    account: opts.account ?? { login: "demo", password: "demo" },
    callbackUrl: opts.callbackUrl,
    callbackRetry: opts.callbackRetry ?? { ...GENESYS_CALLBACK_RETRY },
    receipts: { ...DEFAULT_RECEIPTS, ...opts.receipts },
    deliverAckTimeoutMs: opts.deliverAckTimeoutMs ?? 10_000,
    enquireLinkMs: opts.enquireLinkMs ?? 30_000,
    longMo: opts.longMo ?? "payload",
  };
  const now = opts.now ?? Date.now;
  const ctx: SimContext = {
    host, config, random, now, ledger: new Ledger(), faults: new FaultBook(),
    timers: new TimerSet(), mtDedup: new MtDedup(opts.mtDedup ?? "shared", now), ids: new IdMaker(random),
  };
  const callbacks = new CallbackSender(ctx);
  const nodes: SmscNode[] = [];
  const dispatcher = new Dispatcher(ctx, () => nodes.flatMap((n) => n.sinks()));
  for (const n of NODES) nodes.push(new SmscNode(ctx, dispatcher, n.name, n.site, opts.smscPorts?.[n.name] ?? 0));
  const receivers = SITES.map((s) => new HttpReceiver(ctx, callbacks, s, opts.httpPorts?.[s] ?? 0));
  ctx.ledger.setActiveBindsSource(() => nodes.flatMap((n) => n.activeBinds()));

  let sim: Simulator | undefined;
  const control = new SwitchableListener(() => controlServer(() => sim as Simulator, () => publicConfig(config, ctx.mtDedup)), host, opts.controlPort ?? 0);
  const listeners = [control, ...receivers.map((r) => r.listener), ...nodes.map((n) => n.listener)];
  try {
    await Promise.all(listeners.map((l) => l.open()));
  } catch (e) {
    await Promise.all(listeners.map((l) => l.close()));
    throw e;
  }

  // Follow "down" faults. Closing is synchronous enough (new connects are refused at once); reopening is
  // async, which settled() waits for.
  let sync: Promise<unknown> = Promise.resolve();
  let stopped = false;
  ctx.faults.on("change", () => {
    if (stopped) return;
    const moves = [
      ...receivers.map((r) => r.listener.setDown(!!ctx.faults.peek("down", r.component))),
      ...nodes.map((n) => n.listener.setDown(!!ctx.faults.peek("down", n.component))),
    ];
    sync = Promise.all([sync, ...moves]).catch(() => undefined);
  });

  let nextRef = Math.floor(random() * 0x100);
  const url = (port: number): string => `http://${host}:${port}`;
  sim = {
    controlUrl: url(control.port),
    sites: Object.fromEntries(receivers.map((r) => [r.site, { httpUrl: url(r.listener.port) + RECEIVER_PATH }])) as Simulator["sites"],
    nodes: nodes.map((n) => ({ name: n.name, site: n.site, host, port: n.listener.port })),
    ledger: ctx.ledger,
    addFault(f: Fault): string {
      const id = ctx.faults.add(f);
      if (f.kind === "unbind") {
        // One-shot: the SMSC(s) unbind every session now; nothing stays in force.
        for (const n of nodes) if (hits(f, n.component)) n.unbindAll();
        ctx.faults.remove(id);
      }
      return id;
    },
    removeFault: (id) => ctx.faults.remove(id),
    clearFaults: () => ctx.faults.clear(),
    listFaults: () => ctx.faults.list(),
    settled: async () => {
      await sync;
      await Promise.all(listeners.map((l) => l.settled()));
    },
    injectMo(mo: MoInjection): string {
      const id = ctx.ids.mo();
      if (mo.via === "http") {
        const site: SiteName = mo.node ? (NODES.find((n) => n.name === mo.node)?.site ?? "dc3") : (SITES[Math.floor(random() * 2)] ?? "dc3");
        void callbacks.send({
          type: "MO", site, message_id: id, duplicate: false,
          fields: { type: "MO", message_id: id, shortcode: mo.to, phone_number: mo.from, carrier: "", message: mo.text },
        });
      } else {
        // A reference per split MO, as a handset numbers its concatenated messages.
        const parts = moPartFields(mo.text, mo.longMo ?? config.longMo, mo.concatRef ?? nextRef++);
        const order = parts.length > 1 && mo.partOrder ? mo.partOrder : parts.map((_, i) => i + 1);
        for (const seq of order) {
          const fields = parts[seq - 1];
          if (!fields) throw new Error(`partOrder names part ${seq} of ${parts.length}`);
          const node = (parts.length > 1 ? mo.partNodes?.[seq - 1] : undefined) ?? mo.node;
          dispatcher.deliver({
            kind: "mo", messageId: id, duplicate: false, ...(node ? { preferNode: node } : {}), ...(parts.length > 1 ? { part: seq } : {}),
            fields: { source_addr: mo.from, destination_addr: mo.to, esm_class: 0, ...fields },
          });
        }
      }
      return id;
    },
    configure(patch: ConfigPatch): void {
      if ("callbackUrl" in patch) config.callbackUrl = patch.callbackUrl;
      if (patch.receipts) config.receipts = { ...config.receipts, ...patch.receipts };
      if (patch.deliverAckTimeoutMs !== undefined) config.deliverAckTimeoutMs = patch.deliverAckTimeoutMs;
      if (patch.longMo !== undefined) config.longMo = patch.longMo;
      if (patch.mtDedup !== undefined) ctx.mtDedup.model = patch.mtDedup;
    },
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      ctx.timers.stop();
      callbacks.stop();
      for (const r of receivers) r.stop();
      await Promise.all(listeners.map((l) => l.close()));
    },
  };
  return sim;
}

function publicConfig(c: SimConfig, dedup: MtDedup): unknown {
  // The account password is never echoed.
  return { callbackUrl: c.callbackUrl ?? null, callbackRetry: c.callbackRetry, receipts: c.receipts, deliverAckTimeoutMs: c.deliverAckTimeoutMs, longMo: c.longMo, mtDedup: dedup.model };
}
