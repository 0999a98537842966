/**
 * Rate limits on sends: per principal (API key, or a token's `sub`), per destination number, and a
 * token's `max_sends` over its life. Checked after parsing and before anything goes to Genesys; a refusal
 * is 429 problem+json with Retry-After and the IETF RateLimit / RateLimit-Policy headers
 * (draft-ietf-httpapi-ratelimit-headers: `"destination";q=10;w=60` and `"destination";r=0;t=42`).
 */
import type { Clock } from "../../contract/clock.ts";
import type { OutboundMessage } from "../../contract/message.ts";
import type { Principal } from "../http/principal.ts";
import { ProblemError } from "../../contract/problem.ts";
import { windowAt, type Counter, type Decision, type Window } from "./counter.ts";

/** A configured limit: `limit` sends per `windowS` seconds. */
export interface RatePolicy {
  readonly limit: number;
  readonly windowS: number;
}

export type LimitName = "principal" | "destination" | "max_sends";

export interface RateLimits {
  readonly principal?: { readonly policy: RatePolicy; readonly counter: Counter };
  readonly destination?: { readonly policy: RatePolicy; readonly counter: Counter };
  /** Where a token's `max_sends` is counted. */
  readonly tokens: Counter;
}

const DETAIL: Record<LimitName, string> = {
  principal: "this caller sends too fast",
  destination: "too many sends to this number",
  max_sends: "the token has used all its sends (max_sends)",
};

function tooMany(name: LimitName, limit: number, w: Window, nowS: number): ProblemError {
  const resetS = Math.max(1, Math.ceil(w.end - nowS));
  const windowS = w.end - w.start;
  const detail = name === "max_sends" ? DETAIL[name] : `${DETAIL[name]}: at most ${limit} in ${windowS} s; retry after ${resetS} s`;
  return new ProblemError({ type: "rate-limited", detail, extensions: { limit: name }, headers: {
    "retry-after": String(resetS),
    "ratelimit-policy": `"${name}";q=${limit};w=${windowS}`,
    ratelimit: `"${name}";r=0;t=${resetS}`,
  } });
}

/** The hits this send makes, in order; the first refusal wins. Returns undefined when none applies (no promise). */
export function checkLimits(limits: RateLimits, clock: Clock, who: Principal | undefined, msg: OutboundMessage): void | Promise<void> {
  const nowS = clock.now() / 1000;
  const hits: { name: LimitName; counter: Counter; key: string; limit: number; w: Window }[] = [];
  if (limits.principal && who) {
    const { policy, counter } = limits.principal;
    hits.push({ name: "principal", counter, key: `p:${who.kind}:${who.id}`, limit: policy.limit, w: windowAt(nowS, policy.windowS) });
  }
  if (limits.destination) {
    const { policy, counter } = limits.destination;
    hits.push({ name: "destination", counter, key: `d:${msg.to}`, limit: policy.limit, w: windowAt(nowS, policy.windowS) });
  }
  if (who?.kind === "token" && who.scope.maxSends !== undefined) {
    hits.push({ name: "max_sends", counter: limits.tokens, key: `t:${who.tokenId}`, limit: who.scope.maxSends, w: { start: 0, end: who.exp } });
  }
  if (hits.length === 0) return undefined;
  const judge = (h: (typeof hits)[number], d: Decision) => { if (!d.ok) throw tooMany(h.name, h.limit, h.w, nowS); };
  let chain: Promise<void> | undefined;
  for (const h of hits) {
    if (chain) chain = chain.then(async () => judge(h, await h.counter.hit(h.key, h.limit, h.w)));
    else {
      const d = h.counter.hit(h.key, h.limit, h.w);
      if (d instanceof Promise) chain = d.then((x) => judge(h, x));
      else judge(h, d);
    }
  }
  return chain;
}
