import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OutboundMessage, parseOutboundMessage } from "../../contract/message.ts";
import { validate as matchesOutboundSchema } from "../../contract/outbound-message.check.ts";
import { CHECK_PATH, outboundCheckSource } from "../../tools/codegen/outbound-check.ts";

// Values near every edge of the schema: valid and invalid numbers and senders, whitespace around them,
// lengths at and past each limit, UTF-16 pairs (one character, two code units), wrong types.
const padded = (s: fc.Arbitrary<string>) => fc.tuple(fc.constantFrom("", " ", "\t", "\u00a0", "  "), s, fc.constantFrom("", " ", "\n", "\ufeff")).map(([a, b, c]) => a + b + c);
const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`));
const phone = fc.oneof(
  fc.tuple(fc.constantFrom("", "+", "++"), digits(5, 17)).map(([p, d]) => p + d),
  padded(fc.constantFrom("+12025550100", "12025550100", "0123456789")),
  fc.constantFrom("+1202555010a", "", "+", "１２０２５５５０１００"),
);
const sender = fc.oneof(
  phone,
  fc.stringMatching(/^[A-Za-z0-9 ._+-]{0,13}$/),
  padded(fc.constantFrom("ACME", "Acme Co", "A")),
  fc.constantFrom(" ", "   ", "ÀCME", "12"),
);
const text = fc.oneof(
  fc.string({ minLength: 0, maxLength: 5 }),
  fc.constantFrom("", "x".repeat(1600), "x".repeat(1601), "😀".repeat(800), "😀".repeat(801), "é".repeat(1600)),
);
const shortString = (max: number) => fc.oneof(fc.string({ maxLength: 3 }), fc.constantFrom("x".repeat(max), "x".repeat(max + 1), "😀".repeat(max / 2 + 1)));
const wrongType = fc.constantFrom<unknown>(null, 1, true, [], {}, undefined);
const attachment = fc.record({
  contentType: fc.oneof(fc.constantFrom("image/png", "text/plain", "image", "a b/c", ""), wrongType),
  content: fc.oneof(fc.constantFrom("", "aGVsbG8=", "aGVsbG8", "a=b", "!!"), wrongType),
  extra: fc.oneof(fc.string({ maxLength: 2 }), wrongType),
}, { requiredKeys: [] });

// Mostly well-formed messages (each field usually valid, else drawn from its edge cases), and anything at all.
const usually = (good: fc.Arbitrary<unknown>, edgy: fc.Arbitrary<unknown>) => fc.oneof({ arbitrary: good, weight: 6 }, { arbitrary: edgy, weight: 1 });
const nearValid = fc.record({
  to: usually(fc.tuple(fc.constantFrom("", "+"), fc.stringMatching(/^[1-9][0-9]{6,14}$/)).map(([p, d]) => p + d), phone),
  sender: usually(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,9}[A-Za-z0-9]$/), sender),
  text: usually(fc.string({ minLength: 1, maxLength: 20 }), text),
  clientMessageId: usually(fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/), fc.stringMatching(/^[A-Za-z0-9._:!-]{0,66}$/)),
  receipt: fc.oneof(fc.boolean(), fc.constant(undefined)),
  appId: shortString(128),
  priority: fc.constantFrom("BULK_LOW", "BULK", "INTERACTIVE_LOW", "INTERACTIVE", "URGENT"),
  carrier: shortString(64),
  attachments: usually(fc.array(fc.record({ contentType: fc.constantFrom("image/png", "text/plain"), content: fc.base64String({ maxLength: 12 }) }), { maxLength: 3 }), fc.array(attachment, { maxLength: 11 })),
}, { requiredKeys: ["to", "sender", "text"] });

const wild = fc.record({
  to: fc.oneof(phone, wrongType),
  sender: fc.oneof(sender, wrongType),
  text: fc.oneof(text, wrongType),
  clientMessageId: fc.oneof(fc.stringMatching(/^[A-Za-z0-9._:!-]{0,66}$/), wrongType),
  receipt: fc.oneof(fc.boolean(), wrongType),
  appId: fc.oneof(shortString(128), wrongType),
  conversationId: shortString(128),
  priority: fc.oneof(fc.constantFrom("BULK_LOW", "BULK", "INTERACTIVE_LOW", "INTERACTIVE", "URGENT", "bulk"), wrongType),
  carrier: shortString(64),
  attachments: fc.oneof(fc.array(attachment, { maxLength: 11 }), wrongType),
  unknown: fc.string({ maxLength: 2 }),
}, { requiredKeys: [] });
const candidate = fc.oneof(nearValid, wild);

describe("the generated OutboundMessage check (fast path of parseOutboundMessage)", () => {
  it("is what the generator makes of the schema today (run `npm run generate` after changing it)", () => {
    expect(readFileSync(CHECK_PATH, "utf8")).toBe(outboundCheckSource());
  });

  it("accepts the usual messages, so the fast path is really taken", () => {
    for (const m of [
      { to: "+12025550100", sender: "12345", text: "hello" },
      { to: "12025550100", sender: "Acme Co", text: "😀", clientMessageId: "order-17:a", receipt: true, priority: "INTERACTIVE" },
      { to: "+12025550100", sender: "+4915110000000", text: "x".repeat(1600), attachments: [{ contentType: "image/png", content: "aGVsbG8=" }] },
    ]) expect(matchesOutboundSchema(m)).toBe(true);
  });

  it("gives exactly zod's answer for every input it accepts, and leaves the rest to zod", () => {
    let fast = 0;
    fc.assert(fc.property(candidate, (input) => {
      const viaZod = OutboundMessage.safeParse(input);
      const got = parseOutboundMessage(input);
      expect(got.success).toBe(viaZod.success);
      if (got.success && viaZod.success) expect(got.output).toStrictEqual(viaZod.data);
      if (matchesOutboundSchema(input)) fast++;
    }), { numRuns: 20_000 });
    // The generators reach both sides: otherwise the property above would hold vacuously.
    expect(fast).toBeGreaterThan(200);
  });
});
