import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseOutboundMessage, newClientMessageId, describeIssues, MAX_TEXT_LENGTH, toGenesysForm, genesysFormBody } from "../../contract/index.ts";

const valid = { to: "+12025550100", sender: "12345", text: "hello" };

describe("OutboundMessage", () => {
  it("accepts E.164 and Genesys digits, normalising both to digits", () => {
    for (const to of ["+12025550100", "12025550100"]) {
      const r = parseOutboundMessage({ ...valid, to });
      expect(r.success && r.output.to).toBe("12025550100");
    }
  });

  it("defaults receipt to false and keeps optional fields", () => {
    const r = parseOutboundMessage({ ...valid, receipt: true, appId: "a1", conversationId: "c1", priority: "INTERACTIVE", carrier: "77", clientMessageId: "order-17:a" });
    expect(r.success).toBe(true);
    if (r.success) expect(r.output).toMatchObject({ receipt: true, appId: "a1", conversationId: "c1", priority: "INTERACTIVE", carrier: "77", clientMessageId: "order-17:a" });
    const d = parseOutboundMessage(valid);
    expect(d.success && d.output.receipt).toBe(false);
  });

  it("names every problem at once", () => {
    const r = parseOutboundMessage({ to: "202-555-0100", sender: "", text: "", priority: "URGENT", extra: 1 });
    expect(r.success).toBe(false);
    if (r.success) return;
    const paths = r.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["to", "sender", "text", "priority"]));
    expect(describeIssues(r.issues)).toMatch(/to: must be an international number/);
    expect(r.issues.some((i) => /extra/.test(i.message))).toBe(true);
  });

  it("rejects numbers of a length their country does not use (libphonenumber), in the fast path and in zod alike", () => {
    // All of these passed the old 7-15-digit pattern.
    for (const to of ["+1202555010", "+120255501001", "+4420794600000", "+99912345678", "4412"]) {
      const r = parseOutboundMessage({ ...valid, to });
      expect(r.success, to).toBe(false);
      if (!r.success) expect(describeIssues(r.issues)).toMatch(/^to: .*length its country uses/);
    }
    for (const to of ["+447911123456", "4520123456", "+33612345678", "+19005550100"]) expect(parseOutboundMessage({ ...valid, to }).success, to).toBe(true);
  });

  it("rejects numbers that are not international digits", () => {
    for (const to of ["+0123456789", "12 02 555 0100", "+1", "abc", "+1234567890123456"]) {
      expect(parseOutboundMessage({ ...valid, to }).success, to).toBe(false);
    }
  });

  it("limits text length and message ids", () => {
    expect(parseOutboundMessage({ ...valid, text: "x".repeat(MAX_TEXT_LENGTH) }).success).toBe(true);
    expect(parseOutboundMessage({ ...valid, text: "x".repeat(MAX_TEXT_LENGTH + 1) }).success).toBe(false);
    expect(parseOutboundMessage({ ...valid, clientMessageId: "has space" }).success).toBe(false);
    expect(parseOutboundMessage({ ...valid, clientMessageId: "x".repeat(65) }).success).toBe(false);
  });

  it("validates attachments", () => {
    expect(parseOutboundMessage({ ...valid, attachments: [{ contentType: "image/png", content: "aGk=" }] }).success).toBe(true);
    const r = parseOutboundMessage({ ...valid, attachments: [{ contentType: "png", content: "not base64!" }] });
    expect(r.success).toBe(false);
    if (!r.success) expect(r.issues.map((i) => i.path)).toEqual(["attachments.0.contentType", "attachments.0.content"]);
  });

  it("generates unique, Genesys-safe ids", () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newClientMessageId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(parseOutboundMessage({ ...valid, clientMessageId: id }).success).toBe(true);
  });
});

describe("toGenesysForm", () => {
  it("maps every field to the Genesys parameter names", () => {
    const r = parseOutboundMessage({ ...valid, text: "héllo ✓", receipt: true, appId: "a", conversationId: "c", priority: "BULK", carrier: "9", attachments: [{ contentType: "image/png", content: "aGk=" }] });
    if (!r.success) throw new Error("fixture invalid");
    const f = toGenesysForm(r.output, "mid-1", { login: "L", password: "P" });
    expect(Object.fromEntries(f)).toEqual({
      login: "L", password: "P", phone_number: "12025550100", sender: "12345", message: "héllo ✓", message_id: "mid-1",
      receipt: "TRUE", carrier: "9", app_id: "a", conversation_id: "c", priority: "BULK",
      "mms_attachment[0].content_type": "image/png", "mms_attachment[0].content": "aGk=",
    });
    // UTF-8, form-encoded, as Genesys expects.
    expect(f.toString()).toContain("message=h%C3%A9llo+%E2%9C%93");
  });

  it("genesysFormBody is byte for byte the URLSearchParams encoding", () => {
    const texts = ["hello", "a b+c&d=e", "héllo ✓ 😀", "!'()~*-._%", "tab\tnew\nline\r", "lone \ud800 surrogate", "\udfff"];
    for (const text of texts) {
      const r = parseOutboundMessage({ ...valid, text, receipt: true, appId: "a b", conversationId: "c/d", priority: "BULK", carrier: "9", attachments: [{ contentType: "image/png", content: "aGk+/w==" }] });
      if (!r.success) throw new Error(`fixture invalid: ${text}`);
      const creds = { login: "L ogin", password: "p@ss&word=" };
      expect(genesysFormBody(r.output, "mid:1.x", creds)).toBe(toGenesysForm(r.output, "mid:1.x", creds).toString());
    }
  });

  it("genesysFormBody equals the URLSearchParams encoding for any strings (property)", () => {
    const str = fc.oneof(fc.string({ unit: "binary", maxLength: 40 }), fc.string({ unit: "grapheme", maxLength: 20 }), fc.string({ maxLength: 40 }));
    fc.assert(
      fc.property(str.filter((t) => t.length > 0), str, str, str, (text, login, password, id) => {
        const r = parseOutboundMessage({ ...valid, text: text.slice(0, 1600) });
        if (!r.success) return;
        const creds = { login, password };
        expect(genesysFormBody(r.output, id, creds)).toBe(toGenesysForm(r.output, id, creds).toString());
      }),
      { numRuns: 3000 },
    );
  });

  it("sends FALSE when no receipt is asked for and omits absent optionals", () => {
    const r = parseOutboundMessage(valid);
    if (!r.success) throw new Error("fixture invalid");
    const f = toGenesysForm(r.output, "x", { login: "L", password: "P" });
    expect(f.get("receipt")).toBe("FALSE");
    expect(f.has("carrier") || f.has("app_id") || f.has("priority")).toBe(false);
  });
});
