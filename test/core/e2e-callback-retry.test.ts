/**
 * Genesys retries an HTTP callback it thinks failed, and "a network error may redeliver one that was
 * processed": the same MO (or receipt) form arrives at the edge twice, seconds apart. Through the real edge
 * (workerd) and the real core, it must become ONE event, delivered ONCE to the customer's webhook: the event's
 * dedup key and id come from the Genesys message_id, never from when it was received.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { CALLBACK_SECRET } from "../edge/harness.ts";
import { startStack, type Stack } from "../e2e/stack.ts";
import { allEvents } from "./helpers/sim-core.ts";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ edge: "workerd", binds: { enquireLinkMs: 0 } });
});

afterAll(async () => {
  await stack?.stop();
});

const post = (form: Record<string, string>) =>
  fetch(`${stack.edge.url}/v1/genesys/callback/${CALLBACK_SECRET}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
  });

/** Posts `form` twice, `gapMs` apart, as Genesys' retry would; both answers must be 2xx. */
async function twice(form: Record<string, string>, gapMs: number): Promise<void> {
  for (let i = 0; i < 2; i++) {
    if (i) await Bun.sleep(gapMs);
    const r = await post(form);
    expect(r.status).toBeLessThan(300);
    await r.body?.cancel();
  }
}

describe("a Genesys HTTP callback retried", () => {
  test("the same MO posted twice, 1.1 s apart: one event in the core, one webhook delivery", async () => {
    const moId = `MO-retry-${crypto.randomUUID().slice(0, 8)}`;
    await twice({ type: "MO", message_id: moId, shortcode: "12345", phone_number: "12025550123", carrier: "att", message: "retried MO" }, 1_100);
    const mine = () => [...stack.receiver.events.values()].filter((e) => (e.event.data as { genesysMessageId?: string }).genesysMessageId === moId);
    const end = Date.now() + 5_000;
    while (mine().length === 0 && Date.now() < end) await Bun.sleep(20);
    await Bun.sleep(500); // a second event or delivery would show now
    expect(mine()).toHaveLength(1);
    expect(mine()[0]!.deliveries).toBe(1);
    const stored = (await allEvents(stack.core)).filter((e) => e.type === "message.received" && e.data.genesysMessageId === moId);
    expect(stored).toHaveLength(1);
  }, 20_000);

  test("the same receipt posted twice: one event, one delivery", async () => {
    const mt = `mt-retry-${crypto.randomUUID().slice(0, 8)}`;
    await twice({ type: "receipt", message_id: mt, message_state: "2", result_code: "0" }, 1_100);
    const mine = () => [...stack.receiver.events.values()].filter((e) => (e.event.data as { clientMessageId?: string }).clientMessageId === mt);
    const end = Date.now() + 5_000;
    while (mine().length === 0 && Date.now() < end) await Bun.sleep(20);
    await Bun.sleep(500);
    expect(mine()).toHaveLength(1);
    expect(mine()[0]!.deliveries).toBe(1);
  }, 20_000);
});
