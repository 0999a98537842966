/**
 * GET /v1/messages/:id: a message's state and timeline (contract MessageStatus), asked of the core on the
 * caller's behalf: the core answers only for messages this caller sent (its principal, named in Gsh-Principal),
 * whichever path sent them; anything else is the core's 404. The core's answer is passed on as it is; a core
 * that cannot be reached is a 503 (retry).
 */
import type { Context } from "hono";
import type { Clock } from "../../contract/clock.ts";
import { isClientMessageId } from "../../contract/message.ts";
import { PRINCIPAL_HEADER } from "../../contract/message-status.ts";
import type { EdgeConfig } from "../config.ts";
import { timerPerDeadline } from "../send/deadlines.ts";
import { principalOf, principalName } from "./principal.ts";
import { ProblemError } from "../../contract/problem.ts";

export interface MessageStatusDeps {
  readonly config: EdgeConfig;
  readonly clock: Clock;
  readonly fetch: typeof fetch;
}

export function messageStatusHandler(d: MessageStatusDeps) {
  return async (c: Context): Promise<Response> => {
    const id = c.req.param("id") ?? "";
    const p = principalOf(c);
    if (!p) throw new ProblemError({ type: "unauthorized", detail: "no caller" });
    if (!isClientMessageId(id)) throw new ProblemError({ type: "not-found", detail: `no message '${id.slice(0, 64)}' sent by this caller` });
    const ac = new AbortController();
    const cancel = timerPerDeadline(d.clock).after(d.config.core.timeoutMs, () => ac.abort());
    try {
      const res = await d.fetch(`${d.config.core.url}/v1/messages/${encodeURIComponent(id)}`, {
        headers: { authorization: `Bearer ${d.config.core.token}`, [PRINCIPAL_HEADER]: principalName(p) },
        signal: ac.signal,
      });
      const body = await res.text();
      if (res.status !== 200 && res.status !== 404) throw new Error(`core answered ${res.status}`);
      return new Response(body, { status: res.status, headers: { "content-type": res.headers.get("content-type") ?? "application/json", "cache-control": "no-store" } });
    } catch {
      throw new ProblemError({ type: "core-unavailable", detail: "the core could not be asked about this message; retry", headers: { "retry-after": "1" } });
    } finally {
      cancel();
    }
  };
}
