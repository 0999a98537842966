/**
 * Results as data: `{ success: true, output } | { success: false, issues }`, the shape zod's safeParse
 * gives, so schema failures and codec failures read the same way and every problem is named at once.
 */
import type { z } from "zod";

/** One problem with an input: where (a dotted path, "" for the whole input) and what. */
export interface Issue {
  readonly path: string;
  readonly message: string;
}

export type Result<T> =
  | { readonly success: true; readonly output: T }
  | { readonly success: false; readonly issues: readonly [Issue, ...Issue[]] };

export function ok<T>(output: T): Result<T> {
  return { success: true, output };
}

export function fail<T = never>(first: Issue, ...rest: Issue[]): Result<T> {
  return { success: false, issues: [first, ...rest] };
}

/** zod's safeParse result, as a Result with flat, readable issues. */
export function fromZod<T>(r: z.ZodSafeParseResult<T>): Result<T> {
  if (r.success) return ok(r.data);
  const issues = r.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
  return fail(issues[0] ?? { path: "", message: "invalid input" }, ...issues.slice(1));
}

/** One line for logs and problem details: `to: must be …; text: too long`. */
export function describeIssues(issues: readonly Issue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
}
