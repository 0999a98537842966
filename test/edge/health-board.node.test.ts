// The health board's layer reads: a cold isolate's concurrent first requests all wait for the first read
// (none goes to a site the shared layer knows is down), and later reads run in the background, at most
// one at a time and once per refresh period.
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../contract/clock.ts";
import { HealthBoard, type Defer } from "../../edge/health/board.ts";
import type { HealthLayer, HealthRecord } from "../../edge/health/record.ts";

/** A layer whose reads resolve only when told (stands in for the Cache API, which Node lacks). */
class SlowLayer implements HealthLayer {
  readonly name = "shared" as const;
  reads = 0;
  #pending: (() => void)[] = [];
  constructor(private readonly records: Map<string, HealthRecord>) {}
  read(): Promise<Map<string, HealthRecord>> {
    this.reads++;
    return new Promise((resolve) => this.#pending.push(() => resolve(new Map(this.records))));
  }
  async write(): Promise<void> {}
  finish(): void {
    for (const f of this.#pending.splice(0)) f();
  }
}

describe("HealthBoard.refresh", () => {
  it("makes every request of a cold isolate wait for the first read, then refreshes in the background", async () => {
    const clock = new ManualClock();
    const down: HealthRecord = { site: "dc3", state: "down", at: clock.now(), until: clock.now() + 30_000, lastError: "refused", by: "traffic" };
    const layer = new SlowLayer(new Map([["dc3", down]]));
    const board = new HealthBoard([{ name: "dc3", url: "http://dc3.invalid/" }, { name: "bos", url: "http://bos.invalid/" }], {
      clock, breaker: { cooldownMs: 30_000, threshold: 3, trialTimeoutMs: 12_000 }, shared: layer, sharedRefreshMs: 1000, globalRefreshMs: 15_000,
    });
    const deferred: Promise<unknown>[] = [];
    const defer: Defer = (p) => void deferred.push(p);

    const first = board.refresh(defer);
    const second = board.refresh(defer); // arrives while the first read is still out
    expect(first).toBeInstanceOf(Promise);
    expect(second).toBeInstanceOf(Promise);
    expect(layer.reads).toBe(1);
    layer.finish();
    await Promise.all([first, second]);
    expect(board.acquire("dc3")).toMatchObject({ allowed: false, source: "shared" });
    expect(board.acquire("bos")).toEqual({ allowed: true });

    // Warm: nothing to wait for; one background read per refresh period.
    expect(board.refresh(defer)).toBeUndefined();
    expect(layer.reads).toBe(1);
    await clock.advance(1000);
    expect(board.refresh(defer)).toBeUndefined();
    expect(board.refresh(defer)).toBeUndefined();
    expect(layer.reads).toBe(2);
    expect(deferred).toHaveLength(1);
    layer.finish();
    await Promise.all(deferred);
  });
});
