import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { smscMessageIdForms, eventIdFor, eventIdWith, dedupKeys, makeEvent, makeEventWith, Event, messageStateName, messageStateFromStat, messageStateCode, isFinalState, MESSAGE_STATES } from "../../contract/index.ts";

describe("SMSC message id forms", () => {
  const meet = (a: string, b: string) => smscMessageIdForms(a).some((x) => smscMessageIdForms(b).includes(x));

  it("correlates hex and decimal renderings of one id", () => {
    expect(meet("0A1B2C", "a1b2c")).toBe(true); // case and leading zero
    expect(meet("a1b2c", String(0xa1b2c))).toBe(true); // hex submit, decimal receipt
    expect(meet(String(0x1234), "1234")).toBe(true); // decimal submit, hex receipt (all-digit hex)
    expect(meet("0x00ff", "255")).toBe(true);
  });

  it("does not correlate different ids", () => {
    expect(meet("a1b2c", "a1b2d")).toBe(false);
    expect(meet("1000", "1001")).toBe(false);
  });

  it("keeps non-numeric ids as they are and ignores empty ones", () => {
    expect(smscMessageIdForms("msg-42")).toEqual(["msg-42"]);
    expect(smscMessageIdForms("  ")).toEqual([]);
  });
});

describe("events", () => {
  it("derives a stable id from the dedup key", async () => {
    const k = dedupKeys.moById("g-1");
    expect(await eventIdFor(k)).toBe(await eventIdFor(k));
    expect(await eventIdFor(k)).not.toBe(await eventIdFor(dedupKeys.moById("g-2")));
    // SHA-256("abc") is a published test vector: pinned so every runtime must agree.
    expect(await eventIdFor("abc")).toBe("evt_ba7816bf8f01cfea414140de5dae2223");
  });

  it("eventIdWith and makeEventWith give the same id and event with any correct synchronous SHA-256", async () => {
    const sha = (t: string) => createHash("sha256").update(t, "utf8").digest("hex");
    expect(eventIdWith(sha, "abc")).toBe("evt_ba7816bf8f01cfea414140de5dae2223");
    for (const k of [dedupKeys.moById("g-1"), dedupKeys.moByContent("ab", 7), "dr:smsc:1f:2:héllo €"]) expect(eventIdWith(sha, k)).toBe(await eventIdFor(k));
    const args = ["message.received", dedupKeys.moByContent("ab", 7), { from: "+1202", to: "1", text: "hi" }, { channel: "smpp", site: "bos", node: "smc1.bos" }, new Date(0)] as const;
    expect(makeEventWith(sha, ...args)).toEqual(await makeEvent(...args));
  });

  it("builds events that satisfy the schema", async () => {
    const e = await makeEvent("message.received", dedupKeys.moByContent("ab", 7), { from: "+1202", to: "1", text: "hi" }, { channel: "smpp", site: "bos", node: "smc1.bos" }, new Date(0));
    expect(Event.safeParse(e).success).toBe(true);
    expect(e.dedupKey).toBe("mo:sum:7:ab");
    expect(Event.safeParse({ ...e, id: "nope" }).success).toBe(false);
  });
});

describe("message states", () => {
  it("maps codes, names and receipt stat words", () => {
    expect(Object.keys(MESSAGE_STATES)).toHaveLength(8);
    for (const [code, name] of Object.entries(MESSAGE_STATES)) {
      expect(messageStateName(Number(code))).toBe(name);
      expect(messageStateCode(name)).toBe(Number(code));
    }
    expect(messageStateName(9)).toBeUndefined();
    expect(messageStateFromStat("DELIVRD")).toBe("DELIVERED");
    expect(messageStateFromStat("undeliv")).toBe("UNDELIVERABLE");
    expect(messageStateFromStat("WHAT")).toBeUndefined();
    expect(isFinalState("DELIVERED") && isFinalState("REJECTED") && !isFinalState("ENROUTE")).toBe(true);
  });
});
