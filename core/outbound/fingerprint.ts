/**
 * A message's fingerprint: SHA-256 over the canonical form of what an SMPP send makes of it (to, sender, text,
 * receipt, priority, carrier; never the id). Recorded with the MT, so a repeat of the id with the same message
 * is told from a reuse of the id for another one, which is refused (409 `id-reused`), as Stripe refuses an
 * idempotency key reused with another body. Synchronous (node:crypto, in Bun), so SendOnce checks its
 * in-progress map in the same turn it is called.
 */
import { createHash } from "node:crypto";
import type { OutboundMessage } from "../../contract/index.ts";

export function messageFingerprint(msg: OutboundMessage): string {
  const canonical = JSON.stringify(["v1", msg.to, msg.sender, msg.text, msg.receipt === true, msg.priority ?? null, msg.carrier ?? null]);
  return createHash("sha256").update(canonical, "utf8").digest("hex");
}
