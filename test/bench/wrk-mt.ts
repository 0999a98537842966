/**
 * wrk against the core's POST /v1/messages, a new client message id per request (so each one also takes and
 * ends a claim). Shared by core-mt-http.ts and field-scale.ts. Needs wrk (apt-get install wrk).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AUTH } from "../core/helpers/sim-core.ts";

/** The wrk script; `run` prefixes every id, since wrk's Lua `math.random` is unseeded and repeats across processes. */
const script = (run: string) => `wrk.method = "POST"
${Object.entries(AUTH).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`).join("\n")}
local n = 0
local tid = "t"
function setup(thread) thread:set("tid", "${run}-" .. tostring(math.random(1, 1000000000))) end
function request()
  n = n + 1
  return wrk.format(nil, nil, nil, '{"to":"4512345678","sender":"12345","text":"bench","clientMessageId":"' .. tid .. "-" .. n .. '"}')
end`;

/** One wrk run of `seconds` at 16 connections on `url`. */
export function wrkMt(url: string, seconds: number): Promise<{ rps: number; p50: string; non2xx: number }> {
  const lua = join(mkdtempSync(join(tmpdir(), "gsh-mt-")), "mt.lua");
  writeFileSync(lua, script(crypto.randomUUID().slice(0, 8)));
  return new Promise((resolve, reject) => {
    const c = spawn("wrk", ["-t2", "-c16", `-d${seconds}s`, "--latency", "-s", lua, url]);
    c.on("error", (e) => reject(new Error(`wrk could not start (apt-get install wrk): ${e.message}`)));
    let o = "";
    c.stdout.on("data", (d: Buffer) => (o += d.toString()));
    c.on("exit", () => resolve({
      rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(o)?.[1] ?? NaN),
      p50: /\s50%\s+(\S+)/.exec(o)?.[1] ?? "?",
      non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(o)?.[1] ?? 0),
    }));
  });
}
