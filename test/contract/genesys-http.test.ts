import { describe, expect, it } from "vitest";
import { parseResultBody, parseCallback, resultCodeInfo, RESULT_CODES, Event } from "../../contract/index.ts";

const at = new Date("2026-11-24T12:00:00Z");
const src = { channel: "http", site: "dc3" } as const;

describe("result codes", () => {
  it("classifies the whole table", () => {
    const byClass = (c: string) => [...RESULT_CODES.values()].filter((i) => i.class === c).map((i) => i.code);
    expect(byClass("accepted")).toEqual([0]);
    expect(byClass("client_error")).toEqual([1, 2, 3, 4, 5, 8]);
    expect(byClass("throttled")).toEqual([6]);
    expect(byClass("duplicate")).toEqual([7]);
    expect(byClass("retryable")).toEqual([98]);
    expect(byClass("unmapped")).toEqual([99]);
  });

  it("treats an undocumented code as ambiguous", () => {
    expect(resultCodeInfo(42)).toMatchObject({ code: 42, class: "retryable" });
  });

  it("reads the number after the last '='", () => {
    for (const [body, code] of [["result=0", 0], ["status=ok&result=7", 7], ["RESULT = 98\n", 98], ["a=b=6", 6]] as const) {
      const r = parseResultBody(body);
      expect(r.success && r.output.code, body).toBe(code);
    }
  });

  it("fails clearly on an answer without a code", () => {
    for (const body of ["", "<html>502 Bad Gateway</html>", "result=", "result=abc"]) {
      const r = parseResultBody(body);
      expect(r.success, body).toBe(false);
      if (!r.success) expect(r.issues[0].message).toMatch(/no result code/);
    }
  });
});

describe("callbacks", () => {
  it("turns a receipt into a message.status event", async () => {
    const form = new URLSearchParams({ type: "receipt", message_id: "m-1", message_state: "2", result_code: "0", app_id: "app", conversation_id: "conv" });
    const r = await parseCallback(form, src, at);
    expect(r.success).toBe(true);
    if (!r.success) return;
    expect(Event.parse(r.output)).toEqual(r.output);
    expect(r.output).toMatchObject({
      type: "message.status",
      receivedAt: "2026-11-24T12:00:00.000Z",
      source: src,
      data: { clientMessageId: "m-1", state: "DELIVERED", stateCode: 2, resultCode: 0, appId: "app", conversationId: "conv" },
    });
  });

  it("turns an MO into a message.received event, with attachments", async () => {
    const form = new URLSearchParams({
      type: "MO", message_id: "g-9", shortcode: "12345", phone_number: "12025550100", carrier: "7", message: "STOP",
      "mms_attachment[0].content_type": "image/jpeg", "mms_attachment[0].content": "aGk=",
    });
    const r = await parseCallback(form, src, at);
    expect(r.success).toBe(true);
    if (!r.success) return;
    expect(Event.parse(r.output)).toEqual(r.output);
    expect(r.output).toMatchObject({
      type: "message.received",
      data: { from: "+12025550100", to: "12345", text: "STOP", carrier: "7", genesysMessageId: "g-9", attachments: [{ contentType: "image/jpeg", content: "aGk=" }] },
    });
  });

  it("gives a retried callback the same event id, and a different receipt a new one", async () => {
    const f = (state: string) => new URLSearchParams({ type: "receipt", message_id: "m-1", message_state: state });
    const a = await parseCallback(f("2"), src, at);
    const b = await parseCallback(f("2"), { channel: "http", site: "bos" }, new Date());
    const c = await parseCallback(f("1"), src, at);
    if (!a.success || !b.success || !c.success) throw new Error("parse failed");
    expect(a.output.id).toBe(b.output.id);
    expect(a.output.id).not.toBe(c.output.id);
    expect(a.output.id).toMatch(/^evt_[0-9a-f]{32}$/);
  });

  it("names every problem in a bad callback", async () => {
    const r = await parseCallback(new URLSearchParams({ type: "receipt", message_state: "12", result_code: "x" }), src, at);
    expect(r.success).toBe(false);
    if (!r.success) expect(r.issues.map((i) => i.path)).toEqual(["message_id", "message_state", "result_code"]);
    const mo = await parseCallback(new URLSearchParams({ type: "MO", message_id: "1", phone_number: "abc", "mms_attachment[0].content": "!!" }), src, at);
    expect(mo.success).toBe(false);
    if (!mo.success) expect(mo.issues.map((i) => i.path)).toEqual(expect.arrayContaining(["shortcode", "phone_number", "mms_attachment[0].content_type", "mms_attachment[0].content"]));
    const unknown = await parseCallback(new URLSearchParams({ type: "hello", message_id: "1" }), src, at);
    expect(!unknown.success && unknown.issues[0].path).toBe("type");
  });
});
