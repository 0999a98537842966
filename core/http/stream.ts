/**
 * GET /v1/events/stream: server-sent events from a cursor (`?after=`, or the Last-Event-ID a reconnecting
 * client sends, which wins). Each event is `id: <cursor>`, `event: <type>`, `data: <Event JSON>`. Woken when
 * this core stores events; polls the store otherwise (events stored by other cores); a comment heartbeat
 * keeps idle connections open. A store error ends the stream: the client reconnects with Last-Event-ID.
 * At most `maxStreams` are open at once (default 100): one more gets 503 too-many-streams with Retry-After.
 * With a Gsh-Principal header (the edge, for a browser or app following its own messages) the stream is that
 * caller's feed: the receipts of its messages only, and the ids are positions in that feed, not event cursors.
 */
import type { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { PRINCIPAL_HEADER, systemClock } from "../../contract/index.ts";
import { parseCursor } from "./events.ts";
import { ProblemError } from "./problem.ts";
import type { ServerTimeouts } from "./serve.ts";
import type { CoreAppDeps } from "./types.ts";

const PAGE = 200;

export function streamRoutes(app: Hono, deps: CoreAppDeps): void {
  const pollMs = deps.streamPollMs ?? 1_000;
  const heartbeatMs = deps.streamHeartbeatMs ?? 15_000;
  const clock = deps.clock ?? systemClock;
  const maxStreams = deps.maxStreams ?? 100;
  let open = 0;
  app.get("/v1/events/stream", (c) => {
    const lastId = c.req.header("Last-Event-ID");
    let cursor = lastId !== undefined && lastId !== "" ? parseCursor(lastId, "Last-Event-ID") : parseCursor(c.req.query("after"), "after");
    if (open >= maxStreams) {
      throw new ProblemError({
        type: "too-many-streams", detail: `${maxStreams} event streams are open on this core; retry later, or pull with GET /v1/events`, headers: { "Retry-After": "5" },
      });
    }
    // A stream is idle between events by design: the server's idle timeout is not for it (see serve.ts).
    (c.env as Partial<ServerTimeouts> | undefined)?.timeout?.(c.req.raw, 0);
    open++;
    // Scoped to one caller (the edge names it): only the receipts of its own messages, by its feed's seq.
    const principal = c.req.header(PRINCIPAL_HEADER);
    const read = principal ? (after: number, n: number) => deps.store.feedAfter(principal, after, n) : (after: number, n: number) => deps.store.eventsAfter(after, n);
    return streamSSE(c, async (stream) => {
      let closed = false;
      let dirty = false;
      let wake: (() => void) | undefined;
      const woken = deps.wakeup?.on("stored", () => {
        dirty = true;
        wake?.();
      });
      stream.onAbort(() => {
        closed = true;
        wake?.();
      });
      let lastWrite = clock.monotonic();
      try {
        await stream.write("retry: 2000\n\n");
        while (!closed) {
          dirty = false;
          const page = await read(cursor, PAGE);
          for (const s of page) {
            await stream.writeSSE({ id: String(s.cursor), event: s.event.type, data: JSON.stringify(s.event) });
            cursor = s.cursor;
            lastWrite = clock.monotonic();
          }
          if (page.length === PAGE || dirty) continue;
          if (clock.monotonic() - lastWrite >= heartbeatMs) {
            await stream.write(": keep-alive\n\n");
            lastWrite = clock.monotonic();
          }
          await new Promise<void>((resolve) => {
            const t = clock.setTimeout(() => resolve(), Math.min(pollMs, heartbeatMs));
            wake = () => {
              clock.clearTimeout(t);
              resolve();
            };
          });
          wake = undefined;
        }
      } catch (err) {
        deps.log?.warn("event stream ended", { err });
      } finally {
        woken?.dispose();
        open--;
      }
    });
  });
}
