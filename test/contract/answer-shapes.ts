/**
 * What a caller sees for each send outcome, written once and checked against every app that sends: the
 * edge in workerd and Deno (test/edge/scenarios.ts) and the core (test/core/http-api.test.ts). Each test
 * reduces a real HTTP answer to its shape and compares it with EXPECTED_ANSWERS, so the same outcome has
 * the same status, headers and body members on both.
 */
import { SendOutcome } from "../../contract/outcome.ts";

export type OutcomeCase = "accepted" | "deduplicated" | "throttled" | "unavailable" | "permanent" | "unknown";

export interface AnswerShape {
  readonly status: number;
  readonly contentType: string;
  /** The Idempotency-Key header is the outcome's messageId. */
  readonly idempotencyKey: boolean;
  readonly retryAfter: boolean;
  /** The problem type, or "" for a 2xx. */
  readonly type: string;
  /** Top-level members of the body: the outcome's for a 2xx, the problem's otherwise. */
  readonly members: readonly string[];
  /** The SendOutcome in the body (itself, or its `outcome` member): `status/kind`, and whether it parses. */
  readonly outcome: string;
  readonly outcomeValid: boolean;
}

const PROBLEM_MEMBERS = ["detail", "outcome", "status", "title", "type"];
const problem = (status: number, type: string, outcome: string, retryAfter: boolean): AnswerShape => ({
  status, contentType: "application/problem+json", idempotencyKey: true, retryAfter, type: `/problems/${type}`, members: PROBLEM_MEMBERS, outcome, outcomeValid: true,
});

export const EXPECTED_ANSWERS: Record<OutcomeCase, AnswerShape> = {
  accepted: { status: 202, contentType: "application/json", idempotencyKey: true, retryAfter: false, type: "", members: ["accepted"], outcome: "accepted/false", outcomeValid: true },
  deduplicated: { status: 202, contentType: "application/json", idempotencyKey: true, retryAfter: false, type: "", members: ["accepted"], outcome: "accepted/true", outcomeValid: true },
  throttled: problem(429, "throttled", "rejected/throttled", true),
  unavailable: problem(503, "unavailable", "rejected/unavailable", true),
  permanent: problem(422, "rejected", "rejected/permanent", false),
  unknown: problem(502, "outcome-unknown", "unknown/-", false),
};

/** The shape of one answer to POST /v1/messages. */
export function answerShape(status: number, headers: Headers, body: any): AnswerShape {
  const problemish = typeof body?.type === "string";
  const o = problemish ? body.outcome : body;
  const parsed = SendOutcome.safeParse(o);
  const detail = o?.status === "accepted" ? String(o.deduplicated) : o?.status === "rejected" ? o.kind : "-";
  return {
    status,
    contentType: (headers.get("content-type") ?? "").split(";")[0]!.trim(),
    idempotencyKey: o?.messageId !== undefined && headers.get("idempotency-key") === o.messageId,
    retryAfter: headers.has("retry-after"),
    type: problemish ? body.type : "",
    // A 2xx body is a SendOutcome (its members vary by path: the SMPP path adds node, smscMessageIds).
    members: problemish ? Object.keys(body).sort() : [o?.status],
    outcome: `${o?.status}/${detail}`,
    outcomeValid: parsed.success,
  };
}

/** The problem+json members every error answer of both apps has, and its type. */
export function problemShape(status: number, headers: Headers, body: any): { status: number; contentType: string; type: string; members: boolean } {
  return {
    status,
    contentType: (headers.get("content-type") ?? "").split(";")[0]!.trim(),
    type: body?.type,
    members: body?.status === status && typeof body?.title === "string" && typeof body?.detail === "string",
  };
}

/** What problemShape gives for an error answer of `type` with `status`. */
export const expectedProblem = (status: number, type: string) => ({ status, contentType: "application/problem+json", type: `/problems/${type}`, members: true });
