// Genesys callbacks from a hostile or broken sender, against the real edge (Deno; the fuzz also on workerd)
// and a real stand-in core: thousands of malformed bodies never get a 5xx; a core's definite refusal is passed
// on as 400, not "retry later"; the callback secret never reaches a log line; CALLBACK_ALLOWED_IPS refuses
// other sources.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rng } from "../rng.ts";
import { CALLBACK_SECRET, edgeEnv, startDenoEdge, startFakeCore, startWorkerdEdge, type DenoEdge, type FakeCore, type RunningEdge } from "./harness.ts";

const SITES = { dc3: "http://127.0.0.1:9/httpapi/receiver", bos: "http://127.0.0.1:9/httpapi/receiver" };


/** One malformed (or merely odd) callback: broken multipart, junk forms, odd content types. */
function malformed(r: () => number, i: number): { type: string; body: Uint8Array<ArrayBuffer> | string } {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const junk = (n: number) => new Uint8Array(n).map(() => Math.floor(r() * 256));
  const b = `b${i}`;
  const part = (name: string, v: string) => `--${b}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${v}\r\n`;
  const good = part("type", "receipt") + part("message_id", `m${i}`) + part("message_state", "2");
  switch (i % 10) {
    case 0: return { type: `multipart/form-data; boundary=${b}`, body: good }; // no closing boundary
    case 1: return { type: "multipart/form-data", body: good + `--${b}--\r\n` }; // no boundary parameter
    case 2: return { type: `multipart/form-data; boundary=other`, body: good + `--${b}--\r\n` }; // wrong boundary
    case 3: return { type: `multipart/form-data; boundary=${b}`, body: good.slice(0, Math.floor(r() * good.length)) }; // truncated
    case 4: return { type: `multipart/form-data; boundary=${b}`, body: junk(1 + Math.floor(r() * 400)) };
    case 5: return { type: `multipart/form-data; boundary=${b}`, body: `--${b}\r\nContent-Disposition: form-data\r\n\r\nx\r\n--${b}--\r\n` }; // part without a name
    case 6: return { type: "application/x-www-form-urlencoded", body: junk(1 + Math.floor(r() * 400)) };
    case 7: return { type: "application/x-www-form-urlencoded", body: pick(["%", "%zz=1", "type=receipt&message_id=%E0%A4%A", "=&&==", "type=MO&" + "a=b&".repeat(200), "message_state=99&type=receipt&message_id="]) };
    case 8: return { type: pick(["multipart/form-data; boundary=", "multipart/form-data; boundary=\"unterminated", "multipart/mixed; boundary=x", "text/plain", "application/json"]), body: good };
    default: return { type: `multipart/form-data; boundary=${b}`, body: `--${b}\r\nContent-Disposition: form-data; name="type"\r\nContent-Type: application/octet-stream\r\n\r\n` + "\u0000".repeat(Math.floor(r() * 50)) + `\r\n--${b}--\r\n` };
  }
}

async function fuzz(edge: RunningEdge, count: number): Promise<Map<number, number>> {
  const r = rng(15);
  const statuses = new Map<number, number>();
  for (let i = 0; i < count; i += 50) {
    const batch = Array.from({ length: Math.min(50, count - i) }, (_, j) => malformed(r, i + j));
    const got = await Promise.all(batch.map(async (m) => {
      const res = await fetch(`${edge.url}/v1/genesys/callback/${CALLBACK_SECRET}`, { method: "POST", headers: { "content-type": m.type }, body: m.body });
      await res.body?.cancel();
      return res.status;
    }));
    for (const s of got) statuses.set(s, (statuses.get(s) ?? 0) + 1);
  }
  return statuses;
}

const fivexx = (m: Map<number, number>) => [...m].filter(([s]) => s >= 500);

describe("hostile Genesys callbacks", () => {
  let core: FakeCore;
  let deno: DenoEdge;
  beforeAll(async () => {
    core = await startFakeCore();
    deno = await startDenoEdge(await edgeEnv(SITES, core.url, { CORE_TIMEOUT_MS: "300" }));
  });
  afterAll(async () => {
    await deno?.stop();
    await core?.close();
  });

  it("3,000 malformed bodies on Deno: none gets a 5xx", async () => {
    const statuses = await fuzz(deno, 3_000);
    expect(fivexx(statuses)).toEqual([]);
    expect(statuses.get(400)).toBeGreaterThan(1_000);
  }, 60_000);

  it("1,000 malformed bodies on workerd: none gets a 5xx", async () => {
    const edge = await startWorkerdEdge(await edgeEnv(SITES, core.url));
    try {
      expect(fivexx(await fuzz(edge, 1_000))).toEqual([]);
    } finally {
      await edge.stop();
    }
  }, 60_000);

  const receipt = (id: string) => fetch(`${deno.url}/v1/genesys/callback/${CALLBACK_SECRET}`, {
    method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `type=receipt&message_id=${id}&message_state=2&result_code=0`,
  });

  it("the core's definite refusal (400, 409, 422) is a 400; its fault or our token's refusal stays a 503 to retry", async () => {
    try {
      for (const [coreStatus, edgeStatus] of [[400, 400], [409, 400], [422, 400], [401, 503], [500, 503], [503, 503]] as const) {
        core.mode = coreStatus;
        const res = await receipt(`refused-${coreStatus}`);
        const body = await res.json();
        expect([coreStatus, res.status, body.type]).toEqual([coreStatus, edgeStatus, edgeStatus === 400 ? "/problems/invalid-request" : "/problems/core-unavailable"]);
      }
    } finally {
      core.mode = 201;
    }
  });

  it("no log line holds the callback secret, whatever fails", async () => {
    core.mode = "hang"; // the core times out: 503, logged
    try {
      expect((await receipt("logged")).status).toBe(503);
    } finally {
      core.mode = 201;
    }
    await new Promise((r) => setTimeout(r, 100));
    const failed = deno.logs.filter((l) => l.includes("request failed"));
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.join("\n")).toContain("/v1/genesys/callback/:secret");
    expect(deno.logs.join("\n")).not.toContain(CALLBACK_SECRET);
  });

  it("CALLBACK_ALLOWED_IPS: a source outside the ranges gets 403; inside, the callback is stored", async () => {
    for (const [ranges, status] of [["10.0.0.0/8,192.0.2.7", 403], ["10.0.0.0/8,127.0.0.0/8", 200], ["::1,127.0.0.1", 200]] as const) {
      const edge = await startDenoEdge(await edgeEnv(SITES, core.url, { CALLBACK_ALLOWED_IPS: ranges }));
      try {
        const res = await fetch(`${edge.url}/v1/genesys/callback/${CALLBACK_SECRET}`, {
          method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `type=receipt&message_id=ip-${status}&message_state=2&result_code=0`,
        });
        expect([ranges, res.status]).toEqual([ranges, status]);
      } finally {
        await edge.stop();
      }
    }
    const bad = await startDenoEdge(await edgeEnv(SITES, core.url, { CALLBACK_ALLOWED_IPS: "10.0.0.0/33" }));
    try {
      expect((await (await fetch(`${bad.url}/v1/health`)).json()).settings).toEqual(["CALLBACK_ALLOWED_IPS"]);
    } finally {
      await bad.stop();
    }
  }, 30_000);
});
