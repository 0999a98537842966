/**
 * What a parsed message must pass before anything goes to Genesys, in order: the token's scope (403),
 * the destination rules (422), then the rate limits (429), so a refused number uses up no one's budget. Run by
 * the messages handler between parsing and sending; nothing is sent for a refused message. Each refusal is one
 * warn log line naming the caller as `key:<digest prefix>` or `token:<hash of sub>` (never the sub, the
 * credential or the number) and the rule. With no rule that applies (an API key, no limits) it costs nothing
 * (no promise).
 */
import type { Context } from "hono";
import type { Clock } from "../../contract/clock.ts";
import type { OutboundMessage } from "../../contract/message.ts";
import { checkLimits, type RateLimits } from "../limits/rate-limits.ts";
import { checkDestination, type DestinationRules } from "../limits/destinations.ts";
import { isProblemError } from "../../contract/problem.ts";
import { principalOf, type Principal } from "./principal.ts";
import { checkScope } from "./token-scope.ts";

export type Admission = (c: Context, msg: OutboundMessage) => void | Promise<void>;

export type AdmissionLog = (e: { level: "warn"; msg: string } & Record<string, unknown>) => void;

export function admission(destinations: DestinationRules, limits: RateLimits, clock: Clock, log: AdmissionLog = () => undefined): Admission {
  const limited = limits.principal !== undefined || limits.destination !== undefined;
  const refused = (p: Principal | undefined, err: unknown): never => {
    if (isProblemError(err)) {
      const x = err.problem.extensions ?? {};
      log({ level: "warn", msg: "send refused", problem: err.problem.type, rule: x.rule ?? x.limit ?? x.claim, caller: p ? `${p.kind}:${p.id}` : undefined });
    }
    throw err;
  };
  return (c, msg) => {
    const p = principalOf(c);
    try {
      if (p?.kind === "token") checkScope(p.scope, msg);
      checkDestination(destinations, msg.to);
      const counted = limited || p?.kind === "token" ? checkLimits(limits, clock, p, msg) : undefined;
      return counted?.catch((err: unknown) => refused(p, err));
    } catch (err) {
      return refused(p, err);
    }
  };
}
