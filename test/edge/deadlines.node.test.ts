// Attempt timeouts: the shared timer fires each deadline on time, in order, never a cancelled one, and
// keeps one clock timer however many attempts are in flight; the per-attempt one is the plain clock timer.
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../contract/clock.ts";
import { sharedDeadlines, timerPerDeadline } from "../../edge/send/deadlines.ts";

describe("sharedDeadlines", () => {
  it("fires each deadline when due, in order, with one clock timer for all", async () => {
    const clock = new ManualClock();
    const d = sharedDeadlines(clock);
    const fired: string[] = [];
    d.after(5000, () => fired.push("a"));
    await clock.advance(1000);
    d.after(5000, () => fired.push("b")); // due at 6000
    d.after(2000, () => fired.push("c")); // due at 3000: earlier than the armed timer, re-arms it
    for (let i = 0; i < 100; i++) d.after(5000, () => undefined)();
    expect(clock.pending).toBe(1);
    await clock.advance(1999);
    expect(fired).toEqual([]);
    await clock.advance(1);
    expect(fired).toEqual(["c"]);
    await clock.advance(2000);
    expect(fired).toEqual(["c", "a"]);
    await clock.advance(999);
    expect(fired).toEqual(["c", "a"]);
    await clock.advance(1);
    expect(fired).toEqual(["c", "a", "b"]);
    expect(clock.pending).toBe(0);
  });

  it("never fires a cancelled deadline, and one that throws does not stop the others", async () => {
    const clock = new ManualClock();
    const d = sharedDeadlines(clock);
    const fired: string[] = [];
    const cancel = d.after(1000, () => fired.push("cancelled"));
    d.after(1000, () => { throw new Error("boom"); });
    d.after(1000, () => fired.push("kept"));
    cancel();
    await clock.advance(1000);
    expect(fired).toEqual(["kept"]);
    // Re-arms from idle.
    d.after(10, () => fired.push("later"));
    await clock.advance(10);
    expect(fired).toEqual(["kept", "later"]);
  });
});

describe("timerPerDeadline", () => {
  it("is one clock timer per deadline, cleared by cancel", async () => {
    const clock = new ManualClock();
    const d = timerPerDeadline(clock);
    const fired: number[] = [];
    d.after(100, () => fired.push(1));
    const cancel = d.after(100, () => fired.push(2));
    expect(clock.pending).toBe(2);
    cancel();
    await clock.advance(100);
    expect(fired).toEqual([1]);
  });
});
