/**
 * What a parsed message must pass before anything goes to Genesys: the token's scope (403). Run by the
 * messages handler between parsing and sending; nothing is sent for a refused message. For an API key
 * with no rule that applies, it does nothing and costs nothing (no promise).
 */
import type { Context } from "hono";
import type { OutboundMessage } from "../../contract/message.ts";
import { principalOf } from "./principal.ts";
import { checkScope } from "./token-scope.ts";

export type Admission = (c: Context, msg: OutboundMessage) => void | Promise<void>;

export function admission(): Admission {
  return (c, msg) => {
    const p = principalOf(c);
    if (p?.kind === "token") checkScope(p.scope, msg);
  };
}
