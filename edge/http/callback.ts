/**
 * POST /v1/genesys/callback/:secret: Genesys' form callbacks (receipts, MOs) → a contract Event → the
 * core's POST /v1/events. Genesys retries anything but a 2xx (every 10 min, 25 times), so a 2xx goes back
 * only once the core answered 2xx; a core that is down gives 503 and Genesys tries again. A core that
 * refuses the event itself (400, 409, 413, 415, 422) gives 400, as does a body that cannot be read: Genesys
 * retries any non-2xx, but the answer says truthfully that a retry will not help. The event id is derived
 * from Genesys' ids, so retries are one event at the core.
 */
import type { Context } from "hono";
import type { Clock } from "../../contract/clock.ts";
import { parseCallback } from "../../contract/genesys-http.ts";
import { describeIssues } from "../../contract/result.ts";
import type { EdgeConfig } from "../config.ts";
import { sha256 } from "../../contract/digest.ts";
import { timerPerDeadline } from "../send/deadlines.ts";
import { ProblemError } from "../../contract/problem.ts";
import { timingSafeEqual } from "./secrets.ts";

/** The core's answers that refuse the event itself; any other non-2xx (401/403: our token, 5xx) may pass on a retry. */
const DEFINITE_REFUSALS = new Set([400, 409, 413, 415, 422]);

/** The callback route; its last segment is the secret, so a log names the route, never the path. */
export const CALLBACK_ROUTE = "/v1/genesys/callback/:secret";

/** A request path fit for a log: a callback path's secret replaced by `:secret`. */
export const loggablePath = (path: string): string => (path.startsWith("/v1/genesys/callback/") ? CALLBACK_ROUTE : path);

export interface CallbackDeps {
  readonly config: EdgeConfig;
  readonly clock: Clock;
  readonly fetch: typeof fetch;
}

async function readForm(c: Context): Promise<URLSearchParams> {
  const type = c.req.header("content-type") ?? "";
  if (/^multipart\/form-data/i.test(type)) {
    let fd: FormData;
    try {
      fd = await c.req.formData();
    } catch {
      throw new ProblemError({ type: "invalid-request", detail: "the multipart/form-data body cannot be read (boundary or parts malformed)" });
    }
    const form = new URLSearchParams();
    fd.forEach((v, k) => { if (typeof v === "string") form.append(k, v); });
    return form;
  }
  if (/^application\/x-www-form-urlencoded/i.test(type) || type === "") return new URLSearchParams(await c.req.text());
  throw new ProblemError({ type: "unsupported-media-type", detail: "send the callback as application/x-www-form-urlencoded or multipart/form-data" });
}

export function callbackHandler(d: CallbackDeps) {
  const expected = sha256(d.config.callbackSecret);
  const eventsUrl = `${d.config.core.url}/v1/events`;
  return async (c: Context): Promise<Response> => {
    if (!timingSafeEqual(await sha256(c.req.param("secret") ?? ""), await expected)) {
      throw new ProblemError({ type: "forbidden", detail: "unknown callback secret" });
    }
    const parsed = await parseCallback(await readForm(c), { channel: "http" }, new Date(d.clock.now()));
    if (!parsed.success) throw new ProblemError({ type: "invalid-request", detail: describeIssues(parsed.issues), issues: parsed.issues });
    const event = parsed.output;

    const ac = new AbortController();
    const cancel = timerPerDeadline(d.clock).after(d.config.core.timeoutMs, () => ac.abort());
    const retry = { "retry-after": "60" };
    let res: Response;
    let answer: { duplicate?: unknown };
    try {
      res = await d.fetch(eventsUrl, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${d.config.core.token}` },
        body: JSON.stringify(event),
        signal: ac.signal,
      });
      answer = (await res.json().catch(() => ({}))) as { duplicate?: unknown };
    } catch {
      throw new ProblemError({ type: "core-unavailable", detail: "the core could not be reached; the callback was not stored (retry)", extensions: { eventId: event.id }, headers: retry });
    } finally {
      cancel();
    }
    if (DEFINITE_REFUSALS.has(res.status)) {
      // The core will never store this event: say so (400), not "try again later" (503).
      throw new ProblemError({ type: "invalid-request", detail: `the core refused the event (HTTP ${res.status}); it was not stored`, extensions: { eventId: event.id, coreStatus: res.status } });
    }
    if (res.status < 200 || res.status >= 300) {
      throw new ProblemError({ type: "core-unavailable", detail: `the core answered HTTP ${res.status}; the callback was not stored (retry)`, extensions: { eventId: event.id }, headers: retry });
    }
    return c.json({ stored: true, eventId: event.id, type: event.type, duplicate: answer.duplicate === true });
  };
}
