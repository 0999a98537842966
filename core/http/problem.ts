/**
 * The core's error answers, in one place: routes throw the contract's `ProblemError` (or return
 * `problemResponse(...)`); `onError` maps Hono's HTTPException to its status and anything else to a 500
 * that leaks no internals. The scheme itself (types, titles, body) is the contract's (contract/problem.ts).
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { ProblemError, problemAnswer, problemForStatus, toResponse, type Issue, type Problem } from "../../contract/index.ts";
import type { Logger } from "../platform/log.ts";

export { ProblemError };

export const problemResponse = (p: Problem): Response => toResponse(problemAnswer(p));

export const badRequest = (detail: string, issues?: readonly Issue[]): ProblemError =>
  new ProblemError({ type: "invalid-request", detail, ...(issues && { issues }) });

/** The app's onError: ProblemError → its problem; Hono's HTTPException → its status; anything else → 500. */
export function onError(log?: Logger) {
  return (err: Error, c: Context): Response => {
    if (err instanceof ProblemError) return problemResponse(err.problem);
    if (err instanceof HTTPException) {
      const challenge = err.res?.headers.get("www-authenticate");
      return problemResponse(problemForStatus(err.status, err.message || `HTTP ${err.status}`, challenge ? { "www-authenticate": challenge } : undefined));
    }
    log?.error("unhandled error in HTTP route", { path: c.req.path, err });
    return problemResponse({ type: "internal-error", detail: "an unexpected error; see the core's log" });
  };
}

export const notFound = (c: Context): Response =>
  problemResponse({ type: "not-found", detail: `no route for ${c.req.method} ${c.req.path}` });
