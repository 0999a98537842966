// `npm test` on a fresh machine: the runner installs Debian's chromium (the status-page test drives it) when
// it is missing and it runs as root, else stops with one line naming the command. The decision is tested
// here; installing for real is what .ci/run's fresh machines do.
import { describe, expect, it } from "vitest";
import { chromiumStep, CHROMIUM, INSTALL } from "../run/chromium.mjs";

describe("the test runner's chromium step", () => {
  it("does nothing when chromium is there", () => {
    for (const root of [true, false]) expect(chromiumStep({ present: true, root, aptGet: true })).toEqual({ kind: "ready" });
  });

  it("installs it from Debian when missing and root", () => {
    expect(chromiumStep({ present: false, root: true, aptGet: true })).toEqual({ kind: "install", command: "apt-get update && apt-get install -y chromium" });
    expect(INSTALL).toBe("apt-get update && apt-get install -y chromium");
  });

  it("otherwise stops with one line saying what to run", () => {
    for (const o of [{ root: false, aptGet: true }, { root: true, aptGet: false }]) {
      const step = chromiumStep({ present: false, ...o });
      expect(step.kind).toBe("stop");
      if (step.kind !== "stop") return;
      expect(step.line).not.toContain("\n");
      expect(step.line).toContain(CHROMIUM);
      expect(step.line).toContain(INSTALL);
    }
  });
});
