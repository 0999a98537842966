/**
 * Checks of an app's OpenAPI document, shared by the edge's (vitest) and the core's (bun) tests: valid
 * OpenAPI 3.1 by an independent validator (@seriousme/openapi-schema-validator, the official JSON schemas),
 * every route the Hono app answers documented, and every operation with its problem+json error answers.
 */
import { Validator } from "@seriousme/openapi-schema-validator";

interface RoutedApp { readonly routes: readonly { readonly method: string; readonly path: string }[] }
type Doc = { openapi?: string; paths?: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>> };

/** "GET /v1/messages/{id}" for each route the app answers (middleware, `ALL` on a wildcard, is not a route). */
export function answeredRoutes(app: RoutedApp): string[] {
  const out = new Set<string>();
  for (const r of app.routes) {
    if (r.method === "ALL" && r.path.includes("*")) continue;
    out.add(`${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
  }
  return [...out].sort();
}

export function documentedRoutes(doc: unknown): string[] {
  const paths = (doc as Doc).paths ?? {};
  return Object.entries(paths).flatMap(([path, ops]) => Object.keys(ops).filter((m) => m !== "parameters").map((m) => `${m.toUpperCase()} ${path}`)).sort();
}

/** The validator's errors (none: valid OpenAPI 3.1). */
export async function openApiErrors(doc: unknown): Promise<unknown[]> {
  if ((doc as Doc).openapi?.startsWith("3.1") !== true) return [`not OpenAPI 3.1: ${(doc as Doc).openapi}`];
  const r = await new Validator().validate(structuredClone(doc) as Parameters<Validator["validate"]>[0]);
  return r.valid ? [] : (Array.isArray(r.errors) ? r.errors : [r.errors]);
}

/** The operations of `doc` whose responses lack one of `statuses` as application/problem+json. */
export function missingErrors(doc: unknown, route: string, statuses: readonly number[]): number[] {
  const [method, path] = route.split(" ") as [string, string];
  const responses = (doc as Doc).paths?.[path]?.[method.toLowerCase()]?.responses ?? {};
  return statuses.filter((s) => !responses[String(s)]?.content?.["application/problem+json"]);
}

/** Operations with no problem+json error response at all. */
export function operationsWithoutErrors(doc: unknown): string[] {
  return documentedRoutes(doc).filter((route) => {
    const [method, path] = route.split(" ") as [string, string];
    const responses = (doc as Doc).paths?.[path]?.[method.toLowerCase()]?.responses ?? {};
    return !Object.entries(responses).some(([s, r]) => Number(s) >= 400 && r.content?.["application/problem+json"]);
  });
}
