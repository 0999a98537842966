/**
 * One POST of an already-encoded form to one Genesys receiver, classified. The timer covers the whole
 * exchange, body included (a partitioned site may send headers and then nothing). Network errors whose
 * text says the request never left (refused, DNS, TLS) are `refused`; any other network error may have
 * reached Genesys, so it is ambiguous (`http_error`). workerd reports a refused connection as "Network
 * connection lost", so there it is classed ambiguous too: safe, since failover reuses the same message_id.
 */
import type { Clock } from "../../contract/clock.ts";
import { parseResultBody } from "../../contract/genesys-http.ts";
import type { AttemptOutcome } from "../../contract/outcome.ts";
import { timerPerDeadline, type Deadlines } from "./deadlines.ts";

export type AttemptResult = {
  readonly outcome: AttemptOutcome;
  readonly ms: number;
  readonly httpStatus?: number;
  readonly resultCode?: number;
  /** For breaker and health: what went wrong, no secrets. */
  readonly error?: string;
};

const NEVER_SENT = /refused|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|getaddrinfo|dns|name (or service )?not known|certificate|tls|ssl|handshake|invalid url/i;

export interface AttemptInput {
  readonly url: string;
  readonly body: string;
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
  readonly clock: Clock;
  /** How the timeout is timed (default: a clock timer per attempt). */
  readonly deadlines?: Deadlines;
}

const TIMEOUT = Symbol("timeout");
const FORM_HEADERS = { "content-type": "application/x-www-form-urlencoded; charset=utf-8" } as const;

export async function attempt(i: AttemptInput): Promise<AttemptResult> {
  const t0 = i.clock.now();
  const ac = new AbortController();
  let timedOut = false;
  const cancel = (i.deadlines ?? timerPerDeadline(i.clock)).after(i.timeoutMs, () => { timedOut = true; ac.abort(TIMEOUT); });
  const ms = () => Math.max(0, i.clock.now() - t0);
  try {
    const res = await i.fetch(i.url, {
      method: "POST",
      body: i.body,
      headers: FORM_HEADERS,
      signal: ac.signal,
    });
    // The body is read whatever the status: the answer's form is not published, and a result code in it
    // (a 400 with result=1) is Genesys' definite word, not an ambiguous failure to fail over on.
    const text = await res.text();
    const parsed = parseResultBody(text);
    if (!parsed.success) return { outcome: "http_error", ms: ms(), httpStatus: res.status, error: res.status >= 300 ? `HTTP ${res.status}` : "unreadable answer" };
    const code = parsed.output;
    const base = { ms: ms(), httpStatus: res.status, resultCode: code.code };
    switch (code.class) {
      case "accepted": return { ...base, outcome: "accepted" };
      case "duplicate": return { ...base, outcome: "duplicate" };
      case "client_error": return { ...base, outcome: "rejected", error: `result ${code.code} ${code.name}` };
      case "unmapped": return { ...base, outcome: "rejected", error: `result ${code.code} ${code.description}` };
      case "throttled": return { ...base, outcome: "throttled" };
      case "retryable": return { ...base, outcome: "internal_error", error: `result ${code.code} ${code.name}` };
    }
  } catch (e) {
    if (timedOut) return { outcome: "timeout", ms: ms(), error: `no answer in ${i.timeoutMs} ms` };
    const msg = errorText(e);
    return NEVER_SENT.test(msg) ? { outcome: "refused", ms: ms(), error: msg } : { outcome: "http_error", ms: ms(), error: msg };
  } finally {
    cancel();
  }
}

/** The error and its causes, flattened to one short line (no URLs with credentials: the body is not in it). */
function errorText(e: unknown): string {
  const parts: string[] = [];
  for (let x: unknown = e, n = 0; x && n < 4; n++) {
    if (x instanceof Error) {
      const code = (x as Error & { code?: unknown }).code;
      parts.push(typeof code === "string" ? `${x.message} (${code})` : x.message);
      x = x.cause;
    } else { parts.push(String(x)); break; }
  }
  return parts.join(": ").slice(0, 200) || "network error";
}
