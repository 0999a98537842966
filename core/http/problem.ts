/**
 * Errors to HTTP callers as RFC 9457 application/problem+json, in one place: routes throw `ProblemError`
 * (or return `problem(...)`), `onError` maps everything else to a 500 without leaking internals.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Issue } from "../../contract/index.ts";
import type { Logger } from "../platform/log.ts";

export interface Problem {
  readonly status: number;
  /** Short slug: the `type` URI ends with it. */
  readonly type: string;
  readonly title: string;
  readonly detail?: string;
  readonly issues?: readonly Issue[];
  readonly headers?: Record<string, string>;
  /** Extension members (e.g. the SendOutcome of a rejected MT). */
  readonly extra?: Record<string, unknown>;
}

/** Thrown by routes for an expected failure that ends the request. */
export class ProblemError extends Error {
  override readonly name = "ProblemError";
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
}

export function problemResponse(p: Problem): Response {
  const body = {
    type: `/problems/${p.type}`,
    title: p.title,
    status: p.status,
    ...(p.detail !== undefined && { detail: p.detail }),
    ...(p.issues && { issues: p.issues }),
    ...p.extra,
  };
  return new Response(JSON.stringify(body), {
    status: p.status,
    headers: { "Content-Type": "application/problem+json", ...p.headers },
  });
}

export const badRequest = (detail: string, issues?: readonly Issue[]): ProblemError =>
  new ProblemError({ status: 400, type: "invalid-request", title: "Invalid request", detail, ...(issues && { issues }) });

/** The app's onError: ProblemError → its problem; Hono's HTTPException → its status; anything else → 500. */
export function onError(log?: Logger) {
  return (err: Error, c: Context): Response => {
    if (err instanceof ProblemError) return problemResponse(err.problem);
    if (err instanceof HTTPException) {
      const status = err.status;
      return problemResponse({ status, type: "http-error", title: err.message || `HTTP ${status}` });
    }
    log?.error("unhandled error in HTTP route", { path: c.req.path, err });
    return problemResponse({ status: 500, type: "internal-error", title: "Internal error", detail: "an unexpected error; see the core's log" });
  };
}

export const notFound = (c: Context): Response =>
  problemResponse({ status: 404, type: "not-found", title: "Not found", detail: `no route for ${c.req.method} ${c.req.path}` });
