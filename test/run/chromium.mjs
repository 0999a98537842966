// The status-page test drives Debian's chromium (playwright-core with executablePath; no browser download
// works here), so `npm test` on a fresh machine installs it first: from Debian when run as root, else it
// stops with one line saying what to run. Split into a pure decision (tested) and its execution.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export const CHROMIUM = "/usr/bin/chromium";
export const INSTALL = "apt-get update && apt-get install -y chromium";

/**
 * What to do before the tests: `ready` (chromium is there), `install` (root with apt-get: install it), or
 * `stop` with the one line to print.
 */
export function chromiumStep({ present, root, aptGet }) {
  if (present) return { kind: "ready" };
  if (root && aptGet) return { kind: "install", command: INSTALL };
  return {
    kind: "stop",
    line: `npm test needs Debian's chromium at ${CHROMIUM} (the status-page test drives it): run \`sudo sh -c '${INSTALL}'\`, then npm test again`,
  };
}

/** Makes sure chromium is installed; answers false (after printing why) when it is not and cannot be. */
export function ensureChromium() {
  const has = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
  const step = chromiumStep({ present: existsSync(CHROMIUM), root: process.getuid?.() === 0, aptGet: has("apt-get") });
  if (step.kind === "ready") return true;
  if (step.kind === "stop") {
    console.error(step.line);
    return false;
  }
  console.log(`\n━━ chromium: ${CHROMIUM} missing; installing it from Debian (${step.command})`);
  const r = spawnSync("sh", ["-c", step.command], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  if (r.status === 0 && existsSync(CHROMIUM)) return true;
  console.error(`chromium could not be installed (${step.command} exited ${r.status}): install it, then run npm test again`);
  return false;
}
