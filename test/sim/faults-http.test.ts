// Every fault kind on an HTTP receiver, set and undone through the control API over HTTP.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSimulator } from "../../sim/index.ts";
import type { Simulator } from "../../sim/index.ts";
import { MT, control, httpSend } from "./helpers.ts";

let sim: Simulator;
let n = 0;
const id = (): string => `fh-${++n}`;
const send = (site: "dc3" | "bos", extra: Record<string, string> = {}, timeoutMs?: number) =>
  httpSend(sim.sites[site].httpUrl, { ...MT, message_id: id(), ...extra }, timeoutMs ? { timeoutMs } : {});
const accepted = (mid: string): boolean => sim.ledger.mtAccepted.some((m) => m.message_id === mid);

async function fault(body: Record<string, unknown>): Promise<string> {
  const r = await control(sim, "POST", "/faults", body);
  expect(r.status).toBe(201);
  return r.json.id as string;
}

beforeAll(async () => {
  sim = await startSimulator();
});
afterEach(async () => {
  expect((await control(sim, "DELETE", "/faults")).status).toBe(204);
});
afterAll(() => sim.stop());

describe("HTTP faults via the control API", () => {
  it("down: connections are refused (ECONNREFUSED) at that site only, until DELETE /faults/:id", async () => {
    const fid = await fault({ target: "dc3", kind: "down" });
    await expect(send("dc3")).rejects.toMatchObject({ code: "ECONNREFUSED" });
    expect((await send("bos")).body).toBe("result=0");
    expect((await control(sim, "DELETE", `/faults/${fid}`)).status).toBe(204);
    expect((await send("dc3")).body).toBe("result=0");
    expect((await control(sim, "DELETE", `/faults/${fid}`)).status).toBe(404);
  });

  it("partition: the connection is accepted but never answered, and the MT is not taken", async () => {
    await fault({ target: "bos", kind: "partition" });
    const mid = id();
    const t0 = Date.now();
    await expect(httpSend(sim.sites.bos.httpUrl, { ...MT, message_id: mid }, { timeoutMs: 300 })).rejects.toMatchObject({ code: "ETIMEDOUT" });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(accepted(mid)).toBe(false);
  });

  it("latency: the answer comes ms later; the MT is taken at once", async () => {
    await fault({ target: "dc3", kind: "latency", ms: 250 });
    const t0 = Date.now();
    expect((await send("dc3")).body).toBe("result=0");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(240);
  });

  it("http_error: answers the given status (default 503) without taking the MT", async () => {
    await fault({ target: "dc3", kind: "http_error", status: 502, count: 1 });
    await fault({ target: "dc3", kind: "http_error", count: 1 });
    const mid = id();
    expect((await httpSend(sim.sites.dc3.httpUrl, { ...MT, message_id: mid })).status).toBe(502);
    expect((await httpSend(sim.sites.dc3.httpUrl, { ...MT, message_id: mid })).status).toBe(503);
    expect(accepted(mid)).toBe(false);
    expect((await httpSend(sim.sites.dc3.httpUrl, { ...MT, message_id: mid })).body).toBe("result=0");
  });

  it("result: answers the given Genesys result code (98)", async () => {
    await fault({ target: "bos", kind: "result", result: 98 });
    expect((await send("bos")).body).toBe("result=98");
    expect((await send("bos")).body).toBe("result=98");
    expect(sim.ledger.mtRejected.at(-1)).toMatchObject({ site: "bos", result: 98 });
  });

  it("throttle: result=6 for the next `count` requests, then the fault expires", async () => {
    await fault({ target: "dc3", kind: "throttle", count: 2 });
    expect((await send("dc3")).body).toBe("result=6");
    expect((await send("dc3")).body).toBe("result=6");
    expect((await send("dc3")).body).toBe("result=0");
    expect((await control(sim, "GET", "/faults")).json).toEqual([]);
  });

  it("malformed: a body without '=', though the MT was taken (a resend answers 7)", async () => {
    await fault({ target: "dc3", kind: "malformed", count: 1 });
    const mid = id();
    const r = await httpSend(sim.sites.dc3.httpUrl, { ...MT, message_id: mid });
    expect(r.status).toBe(200);
    expect(r.body).not.toContain("=");
    expect(accepted(mid)).toBe(true);
    expect((await httpSend(sim.sites.bos.httpUrl, { ...MT, message_id: mid })).body).toBe("result=7");
  });

  it("partial: half an answer, then silence", async () => {
    await fault({ target: "bos", kind: "partial", count: 1 });
    const mid = id();
    await expect(httpSend(sim.sites.bos.httpUrl, { ...MT, message_id: mid }, { timeoutMs: 300 })).rejects.toBeTruthy();
    expect(accepted(mid)).toBe(true);
  });

  it("drop: the connection is destroyed mid-answer", async () => {
    await fault({ target: "dc3", kind: "drop", count: 1 });
    const mid = id();
    await expect(httpSend(sim.sites.dc3.httpUrl, { ...MT, message_id: mid })).rejects.toMatchObject({ code: expect.stringMatching(/ECONNRESET|ERR_STREAM_PREMATURE_CLOSE/) });
    expect(accepted(mid)).toBe(true);
  });

  it("DELETE /faults undoes every fault at once, including down", async () => {
    await fault({ target: "dc3", kind: "down" });
    await fault({ target: "bos", kind: "throttle" });
    expect((await control(sim, "GET", "/faults")).json).toHaveLength(2);
    expect((await control(sim, "DELETE", "/faults")).status).toBe(204);
    expect((await send("dc3")).body).toBe("result=0");
    expect((await send("bos")).body).toBe("result=0");
  });
});
