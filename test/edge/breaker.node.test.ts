// The site breaker as a state machine: transitions, the single half-open trial, and serialisation.
import { describe, expect, it } from "vitest";
import { Breaker, type Transition } from "../../edge/health/breaker.ts";

const opts = { cooldownMs: 30_000, threshold: 3, trialTimeoutMs: 10_000 };

/** A breaker and the transitions it emits; `last()` is the latest one (undefined when the last call made none). */
function breaker() {
  const b = new Breaker(opts);
  const seen: Transition[] = [];
  let mark = 0;
  b.on("transition", (t) => seen.push(t));
  /** The transition made since the previous call of `last`, if any. */
  const last = () => {
    const t = seen.length > mark ? seen.at(-1) : undefined;
    mark = seen.length;
    return t;
  };
  return { b, last };
}

describe("Breaker", () => {
  it("opens at once on a hard failure and refuses until the cool-down ends", () => {
    const { b, last } = breaker();
    expect(b.tryAcquire(0).allowed).toBe(true);
    b.failure(1000, "hard", "refused");
    expect(last()).toMatchObject({ from: "closed", to: { kind: "open", until: 31_000 } });
    expect(b.tryAcquire(30_999).allowed).toBe(false);
    expect(b.retryAt(2000)).toBe(31_000);
  });

  it("opens on the Nth consecutive soft failure; a success in between resets the count", () => {
    const { b, last } = breaker();
    b.failure(0, "soft", "98");
    b.failure(1, "soft", "98");
    b.success(2);
    b.failure(3, "soft", "98");
    b.failure(4, "soft", "98");
    expect(b.state.kind).toBe("closed");
    last();
    b.failure(5, "soft", "98");
    expect(last()?.to.kind).toBe("open");
  });

  it("lets exactly one trial through after the cool-down; its success closes the breaker", () => {
    const { b, last } = breaker();
    b.failure(0, "hard", "refused");
    last();
    const trial = b.tryAcquire(30_000);
    expect({ ...trial, transition: last() }).toMatchObject({ allowed: true, transition: { from: "open", to: { kind: "half_open" } } });
    expect(b.tryAcquire(30_001).allowed).toBe(false);
    b.success(30_050);
    expect(last()).toMatchObject({ from: "half_open", to: { kind: "closed", since: 30_050 } });
    expect(b.tryAcquire(30_051).allowed).toBe(true);
  });

  it("a failed trial reopens for a full cool-down; a trial that never reports frees the slot later", () => {
    const { b, last } = breaker();
    b.failure(0, "hard", "refused");
    b.tryAcquire(30_000);
    last();
    b.failure(30_010, "soft", "503");
    expect(last()?.to).toMatchObject({ kind: "open", until: 60_010 });
    b.tryAcquire(60_010);
    expect(b.tryAcquire(69_999).allowed).toBe(false);
    expect(b.tryAcquire(70_010).allowed).toBe(true);
  });

  it("serialises to JSON and back, keeping its state; unreadable state gives a closed breaker", () => {
    const b = new Breaker(opts);
    b.failure(5, "hard", "timeout");
    const copy = Breaker.from(JSON.parse(JSON.stringify(b)), opts);
    expect(copy.state).toEqual({ kind: "open", since: 5, until: 30_005, lastError: "timeout" });
    expect(copy.tryAcquire(10).allowed).toBe(false);
    expect(Breaker.from({ kind: "open" }, opts).state.kind).toBe("closed");
  });
});
