// What the simulated account accepts. Genesys publishes the result codes, not the rules behind them,
// so these rules are the simulator's own, chosen so that every code can be produced on purpose:
//
//   2  login/password differ from the account (checked first)
//   1  phone_number, sender, message or message_id missing or empty; phone_number not 6-15 digits
//      (a leading "+" is refused: Genesys wants digits only); receipt not TRUE/FALSE; priority not one of
//      BULK_LOW, BULK, INTERACTIVE_LOW, INTERACTIVE; message_id longer than 64; an mms_attachment[n]
//      with content but no content_type
//   3  carrier "unknown" (any case)
//   4  sender not on the account: anything but 3-15 digits or 1-11 letters/digits, or starting with "0"
//   5  sender "99999" (a short code not approved on the carrier)
//   8  message longer than 1600 characters (Unicode code points)
//   7  message_id already accepted at EITHER site (only accepted ids count: a client may retry after 6/98)
//
// Over SMPP the same sender and length rules answer ESME_RINVSRCADR (0x0A) and ESME_RINVMSGLEN (0x01);
// a destination that is not 6-15 digits answers ESME_RINVDSTADR (0x0B).

export const MAX_TEXT = 1600;
export const PRIORITIES = ["BULK_LOW", "BULK", "INTERACTIVE_LOW", "INTERACTIVE"] as const;

/** Outcome of checking an HTTP MT, before dedup. */
export type MtCheck =
  | { ok: true; mt: HttpMt }
  | { ok: false; result: number; reason: string };

export interface HttpMt {
  to: string;
  sender: string;
  text: string;
  messageId: string;
  receipt: boolean;
  carrier?: string;
  priority: string;
  appId: string;
  conversationId: string;
  /** Length of `text` in Unicode code points. */
  textLength: number;
}

export function isPhone(s: string): boolean {
  return /^\d{6,15}$/.test(s);
}

/** 0 when the sender is usable, else the Genesys result code (4 or 5). */
export function senderResult(sender: string): 0 | 4 | 5 {
  if (!/^(\d{3,15}|[A-Za-z0-9]{1,11})$/.test(sender) || sender.startsWith("0")) return 4;
  if (sender === "99999") return 5;
  return 0;
}

export function textLength(text: string): number {
  return [...text].length;
}

/** Applies the rules above to the HTTP parameters (GET query or POST form, merged). */
export function checkHttpMt(p: URLSearchParams, account: { login: string; password: string }): MtCheck {
  if (p.get("login") !== account.login || p.get("password") !== account.password) {
    return { ok: false, result: 2, reason: "authentication failed" };
  }
  const missing = ["phone_number", "sender", "message", "message_id"].filter((k) => !p.get(k));
  if (missing.length) return { ok: false, result: 1, reason: `missing ${missing.join(", ")}` };
  const to = p.get("phone_number") ?? "";
  const sender = p.get("sender") ?? "";
  const text = p.get("message") ?? "";
  const messageId = p.get("message_id") ?? "";
  if (!isPhone(to)) return { ok: false, result: 1, reason: "phone_number must be 6-15 digits" };
  if (messageId.length > 64) return { ok: false, result: 1, reason: "message_id too long" };
  const receiptRaw = (p.get("receipt") ?? "FALSE").toUpperCase();
  if (receiptRaw !== "TRUE" && receiptRaw !== "FALSE") return { ok: false, result: 1, reason: "receipt must be TRUE or FALSE" };
  const priority = p.get("priority") ?? "BULK";
  if (!(PRIORITIES as readonly string[]).includes(priority)) return { ok: false, result: 1, reason: "unknown priority" };
  for (const key of p.keys()) {
    const m = /^mms_attachment\[(\d+)\]\.content$/.exec(key);
    if (m && !p.get(`mms_attachment[${m[1]}].content_type`)) return { ok: false, result: 1, reason: "attachment without content_type" };
  }
  const carrier = p.get("carrier") ?? undefined;
  if (carrier !== undefined && carrier.toLowerCase() === "unknown") return { ok: false, result: 3, reason: "unknown carrier" };
  const s = senderResult(sender);
  if (s !== 0) return { ok: false, result: s, reason: s === 4 ? "invalid short code" : "short code not approved" };
  const length = textLength(text);
  if (length > MAX_TEXT) return { ok: false, result: 8, reason: "message too long" };
  const mt: HttpMt = {
    to, sender, text, messageId, receipt: receiptRaw === "TRUE", priority,
    appId: p.get("app_id") ?? "", conversationId: p.get("conversation_id") ?? "", textLength: length,
  };
  if (carrier !== undefined) mt.carrier = carrier;
  return { ok: true, mt };
}
