/**
 * A token's scope against the message it is used for: its `senders` and `to` claims (normalised by
 * token-auth.ts to Genesys digits, as a parsed message is). A send outside them is 403, naming the claim.
 */
import type { OutboundMessage } from "../../contract/message.ts";
import type { TokenScope } from "./principal.ts";
import { ProblemError } from "../../contract/problem.ts";

const forbidden = (claim: string, detail: string) => new ProblemError({ type: "outside-scope", detail, extensions: { claim } });

export function checkScope(scope: TokenScope, msg: OutboundMessage): void {
  if (scope.senders && !scope.senders.has(msg.sender)) throw forbidden("senders", "the token does not allow this sender");
  const to = scope.to;
  if (to && !to.exact.has(msg.to) && !to.prefixes.some((p) => msg.to.startsWith(p))) throw forbidden("to", "the token does not allow this destination");
}
