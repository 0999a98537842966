/**
 * The edge's one error type and its wire form. Handlers throw `HttpProblem` for anything a caller must be
 * told; `app.onError` turns it (and any other fault) into `application/problem+json` in one place.
 */

/** Extra members of a problem document (RFC 9457 allows them), e.g. the send outcome. */
export type ProblemExtras = Record<string, unknown>;

/** An error with an HTTP status, a human `detail`, optional extra members and headers (Retry-After). */
export class HttpProblem extends Error {
  override readonly name = "HttpProblem";
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly extras: ProblemExtras = {},
    readonly headers: Record<string, string> = {},
    options?: { cause?: unknown },
  ) {
    super(detail, options);
  }
}

/** The problem+json response for a problem. `type` names the status, so callers can branch on it. */
export function problemResponse(p: HttpProblem, headers?: Record<string, string>): Response {
  const body = { type: `about:blank`, title: p.title, status: p.status, detail: p.detail, ...p.extras };
  return new Response(JSON.stringify(body), {
    status: p.status,
    headers: { "content-type": "application/problem+json", ...p.headers, ...headers },
  });
}
