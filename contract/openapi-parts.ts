/**
 * The pieces both apps' OpenAPI documents (edge/http/openapi.ts, core/http/openapi.ts) share, as plain
 * objects around the contract's zod schemas: the problem document, error responses per problem type, and
 * POST /v1/messages' answers, read from the same tables the apps answer from (problem.ts, send-answer.ts),
 * so the documents cannot promise another status than the code gives.
 */
import { z } from "zod";
import { ClientMessageId } from "./message.ts";
import { SendOutcome } from "./outcome.ts";
import { PROBLEM_TYPES, problemTypeUri, type ProblemType } from "./problem.ts";
import { ACCEPTED_STATUS } from "./send-answer.ts";

export const ProblemDocument = z
  .object({
    type: z.enum(Object.keys(PROBLEM_TYPES).map((t) => problemTypeUri(t as ProblemType)) as [string, ...string[]]),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    outcome: SendOutcome.optional(),
  })
  .loose();

export const ProblemTypeDocument = z.object({ type: z.string(), status: z.number().int(), title: z.string(), description: z.string() });

/** Mutable, as the OpenAPI generator's own types are. */
export type HeaderDoc = {
  description: string;
  schema: { type: "string" | "integer" };
};

// Type aliases, not interfaces: the generator's OpenAPI types have index signatures, which only aliases meet.
export type ResponseDoc = {
  description: string;
  headers?: Record<string, HeaderDoc>;
  content?: Record<string, { schema: z.ZodType }>;
};

/** The handler of a route described for the documents and the typed clients only: never served. */
export const notServed = (): never => {
  throw new Error("a described route, not served");
};

/** The bearer security requirement of a route (the scheme is registered by each app, with its own description). */
export const BEARER = [{ bearer: [] }];

/** A response with a JSON body of `schema` (its type kept: the typed clients read the body's type from it). */
export const jsonResponse = <S extends z.ZodType>(description: string, schema: S) => ({ description, content: { "application/json": { schema } } });

/** An error response: a problem document. */
export type ProblemResponseDoc = {
  description: string;
  headers?: Record<string, HeaderDoc>;
  content: { "application/problem+json": { schema: typeof ProblemDocument } };
};

/** The HTTP status of each problem type, as a type. */
export type ProblemStatus<T extends ProblemType> = (typeof PROBLEM_TYPES)[T]["status"];

/** A response with a text body of the given media type (text/html, text/plain, text/event-stream). */
export const textResponse = (type: string, description: string) => ({ description, content: { [type]: { schema: z.string() } } });

const RETRY_AFTER: HeaderDoc = { description: "Seconds to wait before trying again.", schema: { type: "integer" } };
const IDEMPOTENCY_KEY: HeaderDoc = { description: "The message id: resend under it, never a new one.", schema: { type: "string" } };
const RETRYING: ReadonlySet<ProblemType> = new Set(["throttled", "unavailable", "rate-limited", "store-unavailable", "token-keys-unavailable", "core-unavailable", "too-many-streams"]);

/** Error responses for `types`, grouped by status; `send` adds the Idempotency-Key header of POST /v1/messages. */
export function problemResponses<T extends ProblemType>(types: readonly T[], send = false): Record<ProblemStatus<T>, ProblemResponseDoc> {
  const byStatus = new Map<number, ProblemType[]>();
  for (const t of types) byStatus.set(PROBLEM_TYPES[t].status, [...(byStatus.get(PROBLEM_TYPES[t].status) ?? []), t]);
  const out: Record<string, ProblemResponseDoc> = {};
  for (const [status, ts] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    const headers: Record<string, HeaderDoc> = {};
    if (ts.some((t) => RETRYING.has(t))) headers["Retry-After"] = RETRY_AFTER;
    if (ts.includes("unauthorized")) headers["WWW-Authenticate"] = { description: "The bearer challenge.", schema: { type: "string" } };
    if (send) headers["Idempotency-Key"] = IDEMPOTENCY_KEY;
    out[String(status)] = {
      description: ts.map((t) => `\`${problemTypeUri(t)}\`: ${PROBLEM_TYPES[t].description}`).join("\n\n"),
      ...(Object.keys(headers).length && { headers }),
      content: { "application/problem+json": { schema: ProblemDocument } },
    };
  }
  return out as Record<ProblemStatus<T>, ProblemResponseDoc>;
}

type Intersect<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** Merges response maps; two docs for one status keep both descriptions (e.g. 429 throttled and rate-limited). */
export function responses<M extends Record<number, ResponseDoc>[]>(...maps: M): Intersect<M[number]> {
  const out: Record<string, ResponseDoc> = {};
  for (const m of maps) {
    for (const [status, r] of Object.entries(m)) {
      const prior = out[status];
      out[status] = prior ? { ...prior, ...r, description: `${prior.description}\n\n${r.description}`, headers: { ...prior.headers, ...r.headers } } : r;
    }
  }
  return out as Intersect<M[number]>;
}

/** What POST /v1/messages answers for each SendOutcome (send-answer.ts), on both apps. */
export const SEND_RESPONSES = {
  [ACCEPTED_STATUS]: {
    description: "Accepted: Genesys or the SMSC took the message (`deduplicated: true` when an earlier attempt was taken; a resend with the same id gets this same answer).",
    headers: { "Idempotency-Key": IDEMPOTENCY_KEY },
    content: { "application/json": { schema: SendOutcome } },
  },
  ...problemResponses(["rejected", "throttled", "outcome-unknown", "unavailable"], true),
} satisfies Record<number, ResponseDoc>;

/** The Idempotency-Key request header of POST /v1/messages, as a request `headers` schema. */
export const SEND_HEADERS = z.object({ "idempotency-key": ClientMessageId.optional().describe("The message id; else the body's clientMessageId, else a fresh one.") });

/** The `{id}` path parameter of /v1/messages/{id}. */
export const MESSAGE_ID_PARAMS = z.object({ id: ClientMessageId });
