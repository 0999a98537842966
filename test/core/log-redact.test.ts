/** The JSON logger never writes message bodies or secrets. */
import { expect, test } from "bun:test";
import { createLogger } from "../../core/platform/log.ts";

test("redacts bodies and secrets at any depth; keeps the rest; one JSON object per line", () => {
  const lines: string[] = [];
  const log = createLogger({ write: (l) => lines.push(l), now: () => 0 });
  log.info("mo stored", {
    eventId: "evt_1",
    text: "my pin is 1234",
    message: "body",
    nested: { password: "p", webhookSecret: "s", authorization: "Bearer t", coreToken: "x", node: "smc1.dc3" },
    err: new Error("boom"),
  });
  log.debug("hidden");
  expect(lines).toHaveLength(1);
  const o = JSON.parse(lines[0]!);
  expect(o).toMatchObject({ level: "info", msg: "mo stored", eventId: "evt_1", text: "[redacted]", message: "[redacted]" });
  expect(o.nested).toEqual({ password: "[redacted]", webhookSecret: "[redacted]", authorization: "[redacted]", coreToken: "[redacted]", node: "smc1.dc3" });
  expect(o.err).toEqual({ name: "Error", error: "boom" });
  for (const secret of ["1234", "Bearer t", '"p"', '"s"']) expect(lines[0]).not.toContain(secret);
});

test("child loggers carry fields; levels filter", () => {
  const lines: string[] = [];
  const log = createLogger({ level: "warn", write: (l) => lines.push(l) }).child({ node: "smc2.bos" });
  log.info("no");
  log.warn("yes");
  expect(lines.map((l) => JSON.parse(l))).toMatchObject([{ level: "warn", msg: "yes", node: "smc2.bos" }]);
});
