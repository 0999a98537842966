/**
 * The Genesys HTTP API on the wire: an MT to form parameters, the receiver's answer to a result code, and
 * Genesys' form callbacks (receipts, MOs) to contract events. Bad input yields every problem named, never
 * an exception.
 */
import { BASE64, type OutboundMessage } from "./message.ts";
import { resultCodeInfo, type ResultCodeInfo } from "./result-codes.ts";
import { dedupKeys, makeEvent, type Event, type EventSource } from "./events.ts";
import { messageStateName } from "./message-state.ts";
import { toE164 } from "./phone.ts";
import { fail, ok, type Issue, type Result } from "./result.ts";

export interface GenesysCredentials {
  readonly login: string;
  readonly password: string;
}

/** The send-MT parameters, in order, as name/value pairs: the one mapping both encodings below use. */
function genesysFields(msg: OutboundMessage, messageId: string, creds: GenesysCredentials): [string, string][] {
  const f: [string, string][] = [
    ["login", creds.login],
    ["password", creds.password],
    ["phone_number", msg.to],
    ["sender", msg.sender],
    ["message", msg.text],
    ["message_id", messageId],
    ["receipt", msg.receipt ? "TRUE" : "FALSE"],
  ];
  if (msg.carrier !== undefined) f.push(["carrier", msg.carrier]);
  if (msg.appId !== undefined) f.push(["app_id", msg.appId]);
  if (msg.conversationId !== undefined) f.push(["conversation_id", msg.conversationId]);
  if (msg.priority !== undefined) f.push(["priority", msg.priority]);
  msg.attachments?.forEach((a, n) => {
    f.push([`mms_attachment[${n}].content_type`, a.contentType]);
    f.push([`mms_attachment[${n}].content`, a.content]);
  });
  return f;
}

/** The form of a send-MT request. `message_id` is the one id reused on every attempt and site. */
export function toGenesysForm(msg: OutboundMessage, messageId: string, creds: GenesysCredentials): URLSearchParams {
  return new URLSearchParams(genesysFields(msg, messageId, creds));
}

/**
 * The same form as request body text, byte for byte what `toGenesysForm(...).toString()` gives, without
 * building a URLSearchParams (a call into the runtime per field: measurable on the edge's hot path).
 */
export function genesysFormBody(msg: OutboundMessage, messageId: string, creds: GenesysCredentials): string {
  let s = "";
  for (const [k, v] of genesysFields(msg, messageId, creds)) s += `${s ? "&" : ""}${formEncode(k)}=${formEncode(v)}`;
  return s;
}

const FORM_SAFE = /^[A-Za-z0-9*._-]*$/;
const URI_EXTRA = /[!'()~]/g;

/** application/x-www-form-urlencoded as URLSearchParams writes it (WHATWG URL): `*-._` kept, space as `+`. */
function formEncode(v: string): string {
  if (FORM_SAFE.test(v)) return v;
  let e: string;
  try {
    e = encodeURIComponent(v); // keeps !'()~ too, writes space as %20
  } catch {
    return new URLSearchParams([["", v]]).toString().slice(1); // lone surrogate: U+FFFD, as URLSearchParams does
  }
  return e.replace(URI_EXTRA, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, "+");
}

/**
 * The receiver's answer: a short text ending in `=<code>`. The key before `=` is not published, so only the
 * number after the last `=` is read.
 */
export function parseResultBody(body: string): Result<ResultCodeInfo> {
  const m = /=\s*(-?\d{1,4})\s*$/.exec(body.trim());
  if (!m) return fail({ path: "", message: `no result code in the answer (${JSON.stringify(body.slice(0, 80))})` });
  return ok(resultCodeInfo(Number(m[1])));
}

function field(form: URLSearchParams, name: string, issues: Issue[], required: boolean): string | undefined {
  const v = form.get(name)?.trim();
  if (v === undefined || v === "") {
    if (required) issues.push({ path: name, message: "is required" });
    return undefined;
  }
  return v;
}

function attachments(form: URLSearchParams, issues: Issue[]) {
  const out: { contentType: string; content: string }[] = [];
  for (let n = 0; form.has(`mms_attachment[${n}].content`) || form.has(`mms_attachment[${n}].content_type`); n++) {
    const contentType = form.get(`mms_attachment[${n}].content_type`) ?? "";
    const content = (form.get(`mms_attachment[${n}].content`) ?? "").replace(/\s+/g, "");
    if (!contentType) issues.push({ path: `mms_attachment[${n}].content_type`, message: "is required with content" });
    if (!BASE64.test(content)) issues.push({ path: `mms_attachment[${n}].content`, message: "must be base64" });
    out.push({ contentType, content });
  }
  return out.length ? out : undefined;
}

/**
 * One Genesys HTTP callback (form fields) as a contract event. `type=receipt` → `message.status`,
 * `type=MO` → `message.received`. The dedup key makes Genesys' retries of the same callback one event.
 */
export async function parseCallback(form: URLSearchParams, source: EventSource, receivedAt: Date): Promise<Result<Event>> {
  const issues: Issue[] = [];
  const type = field(form, "type", issues, true);
  const messageId = field(form, "message_id", issues, true);
  if (type !== undefined && !/^(receipt|mo)$/i.test(type)) issues.push({ path: "type", message: `must be 'receipt' or 'MO', got '${type.slice(0, 20)}'` });

  if (type?.toLowerCase() === "receipt") {
    const stateRaw = field(form, "message_state", issues, true);
    const stateCode = Number(stateRaw);
    const state = messageStateName(stateCode);
    if (stateRaw !== undefined && state === undefined) issues.push({ path: "message_state", message: "must be 1-8 (SMPP 3.4 message_state)" });
    const resultRaw = field(form, "result_code", issues, false);
    if (resultRaw !== undefined && !/^\d+$/.test(resultRaw)) issues.push({ path: "result_code", message: "must be a number" });
    if (issues.length || state === undefined || messageId === undefined) return fail(...(issues as [Issue, ...Issue[]]));
    const resultCode = resultRaw === undefined ? undefined : Number(resultRaw);
    const data = {
      clientMessageId: messageId,
      state,
      stateCode,
      ...(resultCode !== undefined && { resultCode }),
      ...(form.get("app_id") && { appId: form.get("app_id")! }),
      ...(form.get("conversation_id") && { conversationId: form.get("conversation_id")! }),
    };
    const key = dedupKeys.receipt(`http:${messageId}`, stateCode, String(resultCode ?? ""));
    return ok(await makeEvent("message.status", key, data, source, receivedAt));
  }

  const phone = field(form, "phone_number", issues, true);
  const shortcode = field(form, "shortcode", issues, true);
  const text = form.get("message") ?? "";
  const atts = attachments(form, issues);
  if (phone !== undefined && !/^\+?\d{3,15}$/.test(phone)) issues.push({ path: "phone_number", message: "must be digits" });
  if (issues.length || messageId === undefined || phone === undefined || shortcode === undefined) return fail(...(issues as [Issue, ...Issue[]]));
  const data = {
    from: toE164(phone),
    to: shortcode,
    text,
    genesysMessageId: messageId,
    ...(form.get("carrier") && { carrier: form.get("carrier")! }),
    ...(atts && { attachments: atts }),
  };
  return ok(await makeEvent("message.received", dedupKeys.moById(messageId), data, source, receivedAt));
}
