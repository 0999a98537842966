/**
 * What a parsed message must pass before anything goes to Genesys, in order: the token's scope (403),
 * the destination rules (422), then the rate limits (429), so a refused number uses up no one's budget. Run by the messages handler between parsing and sending; nothing is sent for
 * a refused message. With no rule that applies (an API key, no limits) it costs nothing (no promise).
 */
import type { Context } from "hono";
import type { Clock } from "../../contract/clock.ts";
import type { OutboundMessage } from "../../contract/message.ts";
import { checkLimits, type RateLimits } from "../limits/rate-limits.ts";
import { checkDestination, type DestinationRules } from "../limits/destinations.ts";
import { principalOf } from "./principal.ts";
import { checkScope } from "./token-scope.ts";

export type Admission = (c: Context, msg: OutboundMessage) => void | Promise<void>;

export function admission(destinations: DestinationRules, limits: RateLimits, clock: Clock): Admission {
  const limited = limits.principal !== undefined || limits.destination !== undefined;
  return (c, msg) => {
    const p = principalOf(c);
    if (p?.kind === "token") checkScope(p.scope, msg);
    checkDestination(destinations, msg.to);
    return limited || p?.kind === "token" ? checkLimits(limits, clock, p, msg) : undefined;
  };
}
