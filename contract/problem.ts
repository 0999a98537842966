/**
 * The one problem+json scheme (RFC 9457) of the edge and the core. Every error answer of both apps is
 * `{ type, title, status, detail, ...extensions }` with `type` one of PROBLEM_TYPES as `/problems/<slug>`
 * (both apps serve that path: GET /problems/<slug> describes it), so a caller branches on `type`, never on
 * the wording of `detail`. docs/api.md lists them; a test checks the list and the document agree.
 */
import type { HttpAnswer } from "./http-answer.ts";
import type { Issue } from "./result.ts";

export interface ProblemTypeInfo {
  readonly status: number;
  readonly title: string;
  /** What it means and what the caller should do. */
  readonly description: string;
}

export const PROBLEM_TYPES = {
  "invalid-request": { status: 400, title: "Invalid request", description: "The body, a header or a query parameter is not valid; `issues` names every problem (`path`, `message`). Fix the request; do not resend it unchanged." },
  unauthorized: { status: 401, title: "Unauthorized", description: "The `Authorization: Bearer <key>` header is missing or its key is not valid." },
  forbidden: { status: 403, title: "Forbidden", description: "The credential is known but not allowed here: a wrong Genesys callback secret, or a server-only API key used from a browser (`Origin`)." },
  "outside-scope": { status: 403, title: "Outside the token's scope", description: "The token does not allow this sender or destination; `claim` names the claim (`senders`, `to`). Nothing was sent." },
  "not-found": { status: 404, title: "Not found", description: "No route, or no resource, for this method and path." },
  "payload-too-large": { status: 413, title: "Payload too large", description: "The body is over the configured limit." },
  "unsupported-media-type": { status: 415, title: "Unsupported media type", description: "The body's Content-Type is not one this route reads." },
  rejected: { status: 422, title: "Message rejected", description: "Genesys or the SMSC refused this message (`outcome.resultCode` / `outcome.smppStatus` say why); it was not sent. Do not resend it unchanged." },
  "destination-refused": { status: 422, title: "Destination refused", description: "The edge's destination rules refused the number before anything went to Genesys; `rule` names the rule (`invalid_number`, `country`, `number_type`). Do not resend it unchanged." },
  "not-carried": { status: 422, title: "Not carried on this path", description: "The message has a field this path cannot carry (the SMPP path: `attachments`, `appId`, `conversationId`); `field` names it. Nothing was sent: send it without the field, or over the HTTP path." },
  "id-reused": { status: 409, title: "Message id reused", description: "This message id (`Idempotency-Key` / `clientMessageId`) was already used for a different message (another `to`, `sender`, `text`, `receipt`, `priority` or `carrier`); nothing was sent. Send a new message under a new id; resend the original unchanged to ask for its outcome." },
  throttled: { status: 429, title: "Throttled", description: "Genesys or every SMSC asks to slow down; the message was not sent. Resend it, with the same id, after `Retry-After` seconds." },
  "rate-limited": { status: 429, title: "Too many requests", description: "An edge rate limit refused the send before anything went to Genesys; `limit` names it (`principal`, `destination`, `max_sends`). Retry after `Retry-After` seconds (RateLimit / RateLimit-Policy headers say more)." },
  "internal-error": { status: 500, title: "Internal error", description: "An unexpected fault; the app's log says more. The message id in `Idempotency-Key` (when present) is safe to resend." },
  "outcome-unknown": { status: 502, title: "Outcome unknown", description: "No site or bind confirmed the message, and an earlier attempt may have been taken. Resend with the same id (`Idempotency-Key`, also in `outcome.messageId`): a resend is deduplicated; never resend under a new id." },
  unavailable: { status: 503, title: "No route available", description: "No Genesys site or SMSC bind can take the message now; it was not sent. Resend it, with the same id, after `Retry-After` seconds." },
  "core-unavailable": { status: 503, title: "Core unavailable", description: "The edge could not reach the core: a Genesys callback was not stored (Genesys retries it), or a message's status could not be asked (retry after `Retry-After`)." },
  "token-keys-unavailable": { status: 503, title: "Token keys unavailable", description: "The edge could not fetch the keys (JWKS) to verify tokens; retry after `Retry-After` seconds." },
  "store-unavailable": { status: 503, title: "Store unavailable", description: "The core's store did not take the event; retry after `Retry-After` seconds." },
  "not-ready": { status: 503, title: "Not ready", description: "The core has no bound SMPP bind or its store does not answer; `detail` says which." },
  "too-many-streams": { status: 503, title: "Too many event streams", description: "As many event streams (GET /v1/events/stream) are open on this core as `http.maxStreams` allows; retry after `Retry-After` seconds, or pull with GET /v1/events." },
  misconfigured: { status: 503, title: "Misconfigured", description: "The edge's configuration is unusable; `settings` names the settings to fix (never their values)." },
  "http-error": { status: 400, title: "HTTP error", description: "Another HTTP-level failure; `status` gives its code." },
} as const satisfies Record<string, ProblemTypeInfo>;

export type ProblemType = keyof typeof PROBLEM_TYPES;

/** The `type` member of a problem: a relative URI that both apps answer with the type's description. */
export const problemTypeUri = (type: ProblemType): string => `/problems/${type}`;

export interface Problem {
  readonly type: ProblemType;
  readonly detail: string;
  /** Only for `http-error`, whose status varies; every other type has its own. */
  readonly status?: number;
  /** The validation issues of an `invalid-request`. */
  readonly issues?: readonly Issue[];
  /** Extension members (RFC 9457 §3.2), e.g. the SendOutcome as `outcome`. */
  readonly extensions?: Record<string, unknown>;
  /** Retry-After, WWW-Authenticate, Idempotency-Key. */
  readonly headers?: Record<string, string>;
}

/** Thrown by handlers and middleware for an expected failure that ends the request; each app's onError answers it. */
export class ProblemError extends Error {
  override readonly name = "ProblemError";
  constructor(readonly problem: Problem, options?: { cause?: unknown }) {
    super(problem.detail, options);
  }
}

export const isProblemError = (e: unknown): e is ProblemError => e instanceof ProblemError;

export const problemStatus = (p: Problem): number => p.status ?? PROBLEM_TYPES[p.type].status;

/** The problem+json document of a problem. */
export function problemBody(p: Problem): Record<string, unknown> {
  const t = PROBLEM_TYPES[p.type];
  return {
    type: problemTypeUri(p.type),
    title: t.title,
    status: problemStatus(p),
    detail: p.detail,
    ...(p.issues && { issues: p.issues }),
    ...p.extensions,
  };
}

export function problemAnswer(p: Problem): HttpAnswer {
  return {
    status: problemStatus(p),
    headers: { "content-type": "application/problem+json", ...p.headers },
    body: JSON.stringify(problemBody(p)),
  };
}

const BY_STATUS: Readonly<Record<number, ProblemType>> = {
  400: "invalid-request", 401: "unauthorized", 403: "forbidden", 404: "not-found", 413: "payload-too-large", 415: "unsupported-media-type", 500: "internal-error",
};

/** The problem for an HTTP status raised outside the app's handlers (Hono's HTTPException, a middleware). */
export function problemForStatus(status: number, detail: string, headers?: Record<string, string>): Problem {
  const type = BY_STATUS[status];
  return type ? { type, detail, ...(headers && { headers }) } : { type: "http-error", status, detail, ...(headers && { headers }) };
}

const isProblemType = (s: string): s is ProblemType => Object.hasOwn(PROBLEM_TYPES, s);

/**
 * GET /problems/<slug> on both apps: the answer a `type` URI dereferences to (the type's status, title and
 * what to do), or a not-found problem for a slug that is no type.
 */
export function problemTypeAnswer(slug: string): HttpAnswer {
  if (!isProblemType(slug)) return problemAnswer({ type: "not-found", detail: `no problem type ${JSON.stringify(slug)}` });
  return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ type: problemTypeUri(slug), ...PROBLEM_TYPES[slug] }) };
}
