/**
 * A stand-in for the customer's application: the webhook the core delivers events to. It checks each
 * delivery's signature as a customer should (core/webhook.ts verifyWebhook), counts every event id, and
 * says what it saw: `GET /events` (summary + recent; `?all=1` every event in full), so the demo and the chaos test can prove each MO and
 * receipt arrived once. Run alone with `bun tools/demo/receiver.ts` (port 8090), or import it.
 */
import type { Event } from "../../contract/index.ts";
import { verifyWebhook } from "../../core/delivery/webhook.ts";

export interface ReceivedEvent {
  readonly event: Event;
  /** How many deliveries carried this id (a retry after a lost 2xx makes it 2: at-least-once). */
  deliveries: number;
  readonly firstAt: number;
}

export interface Receiver {
  readonly url: string;
  readonly events: ReadonlyMap<string, ReceivedEvent>;
  readonly badSignatures: number;
  /** Answer the next `n` deliveries with this status (to exercise the core's retries). */
  failNext(n: number, status?: number): void;
  summary(): { events: number; deliveries: number; redelivered: number; badSignatures: number; byType: Record<string, number> };
  stop(): Promise<void>;
}

export function startReceiver(opts: { port?: number; secret?: string; hostname?: string } = {}): Receiver {
  const secret = opts.secret ?? "dev-webhook";
  const events = new Map<string, ReceivedEvent>();
  let badSignatures = 0;
  let failing = 0;
  let failStatus = 500;

  const summary = () => {
    const byType: Record<string, number> = {};
    let deliveries = 0;
    let redelivered = 0;
    for (const e of events.values()) {
      byType[e.event.type] = (byType[e.event.type] ?? 0) + 1;
      deliveries += e.deliveries;
      if (e.deliveries > 1) redelivered++;
    }
    return { events: events.size, deliveries, redelivered, badSignatures, byType };
  };

  const server = Bun.serve({
    hostname: opts.hostname ?? "127.0.0.1",
    port: opts.port ?? 8090,
    async fetch(req) {
      const url = new URL(req.url);
      if (req.method === "GET" && url.pathname === "/health") return new Response("ok");
      if (req.method === "GET" && url.pathname === "/events") {
        // ?all=1: every event in full, for the demo's lost/doubled audit (a local stand-in; a real app keeps its own).
        if (url.searchParams.get("all") === "1") return Response.json({ ...summary(), events: [...events.values()].map((e) => ({ ...e.event, deliveries: e.deliveries })) });
        const recent = [...events.values()].slice(-50).map((e) => ({ id: e.event.id, type: e.event.type, deliveries: e.deliveries, source: e.event.source }));
        return Response.json({ ...summary(), recent });
      }
      if (req.method === "POST" && url.pathname === "/webhook") {
        const body = await req.text();
        const ok = await verifyWebhook(secret, { signature: req.headers.get("x-signature"), timestamp: req.headers.get("x-signature-timestamp") }, body, Date.now());
        if (!ok) {
          badSignatures++;
          return new Response("bad signature", { status: 401 });
        }
        if (failing > 0) {
          failing--;
          return new Response("try later", { status: failStatus });
        }
        const event = JSON.parse(body) as Event;
        const seen = events.get(event.id);
        if (seen) seen.deliveries++;
        else events.set(event.id, { event, deliveries: 1, firstAt: Date.now() });
        return new Response(null, { status: 204 });
      }
      return new Response("not found", { status: 404 });
    },
  });

  return {
    url: `http://${server.hostname}:${server.port}/webhook`,
    events,
    get badSignatures() {
      return badSignatures;
    },
    failNext(n, status = 500) {
      failing = n;
      failStatus = status;
    },
    summary,
    stop: async () => {
      await server.stop(true);
    },
  };
}

if (import.meta.main) {
  const r = startReceiver({ port: Number(process.env.PORT ?? 8090) });
  console.log(`demo webhook receiver on ${r.url} (GET /events for what arrived)`);
  const stop = () => void r.stop().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
