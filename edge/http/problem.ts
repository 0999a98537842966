/**
 * The edge's error answers: handlers and middleware throw the contract's `ProblemError` for anything a
 * caller must be told; `app.onError` (app.ts) turns it, Hono's HTTPException and any other fault into the
 * one problem+json scheme (contract/problem.ts) here.
 */
import { HTTPException } from "hono/http-exception";
import { toResponse } from "../../contract/http-answer.ts";
import { ProblemError, problemAnswer, problemForStatus, type Problem } from "../../contract/problem.ts";

/** The problem an error stands for: its own, an HTTPException's status, else a 500 that leaks nothing. */
export function problemOf(err: unknown): Problem {
  if (err instanceof ProblemError) return err.problem;
  if (err instanceof HTTPException) {
    const challenge = err.res?.headers.get("www-authenticate");
    return problemForStatus(err.status, err.message || `HTTP ${err.status}`, challenge ? { "www-authenticate": challenge } : undefined);
  }
  return { type: "internal-error", detail: "the edge failed to handle the request" };
}

export function problemResponse(p: Problem, headers?: Record<string, string>): Response {
  return toResponse(problemAnswer(p), headers);
}
