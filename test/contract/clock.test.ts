import { describe, expect, it } from "vitest";
import { ManualClock, sleep } from "../../contract/index.ts";

describe("ManualClock", () => {
  it("fires timers in time order, only when time passes them", async () => {
    const c = new ManualClock(1000);
    const fired: string[] = [];
    c.setTimeout(() => fired.push("b"), 30_000);
    c.setTimeout(() => fired.push("a"), 10);
    const cancelled = c.setTimeout(() => fired.push("x"), 20);
    c.clearTimeout(cancelled);
    await c.advance(29_999);
    expect(fired).toEqual(["a"]);
    expect(c.now()).toBe(1000 + 29_999);
    await c.advance(1);
    expect(fired).toEqual(["a", "b"]);
    expect(c.pending).toBe(0);
  });

  it("fires timers set by timers inside the same advance, and settles their promises", async () => {
    const c = new ManualClock(0);
    const seen: number[] = [];
    void (async () => {
      await sleep(c, 100);
      seen.push(c.now());
      await sleep(c, 100);
      seen.push(c.now());
    })();
    await c.advance(250);
    expect(seen).toEqual([100, 200]);
  });
});
