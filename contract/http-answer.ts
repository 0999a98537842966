/**
 * An HTTP answer as data: status, headers and a serialised body. The contract decides what a caller is told
 * (problem.ts, send-answer.ts); each app turns it into its runtime's Response with `new Response(a.body, a)`.
 */

export interface HttpAnswer {
  readonly status: number;
  /** A fresh object per answer: an app may add its own headers (Vary, CORS) before responding. */
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The Fetch-standard Response of an answer (every runtime here has one), with an app's own headers added. */
export function toResponse(a: HttpAnswer, extraHeaders?: Record<string, string>): Response {
  if (extraHeaders) Object.assign(a.headers, extraHeaders);
  return new Response(a.body, a);
}
