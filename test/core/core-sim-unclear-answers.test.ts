/**
 * Answers that look like an acceptance and are not one, from raw-socket SMSCs: a generic_nack with status 0,
 * and a submit_sm_resp ESME_ROK with an empty message_id. Neither may be reported `accepted` (no receipt could
 * ever be matched to it, and the SMSC may or may not have the message): both are `unknown`.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startSimulator, type Simulator } from "../../sim/index.ts";
import { Cmd, hostilePeer, pdu, submitResp, type HostilePeer } from "./helpers/raw-smsc.ts";
import { postMt, simConfig, startSimCore, until, type SimCore } from "./helpers/sim-core.ts";
import { backend } from "./helpers/stores.ts";

const db = backend("sqlite");
let sim: Simulator;
let peer: HostilePeer;
let core: SimCore;
let answer: (seq: number) => Uint8Array;

beforeAll(async () => {
  sim = await startSimulator({ enquireLinkMs: 0 });
  peer = await hostilePeer({ onPdu: (c, p) => p.command === Cmd.submit_sm && c.write(answer(p.sequence)) });
  const cfg = simConfig(sim, { storeUrl: db.url, simNodes: false, extraNodes: [{ name: "odd.dc3", site: "dc3", host: "127.0.0.1", port: peer.port }] });
  core = await startSimCore(cfg);
  await until(() => core.gateway.binds.list().every((b) => b.state.kind === "bound"), 3_000, "bound");
});
afterAll(async () => {
  await core?.stop();
  await peer?.close();
  await sim?.stop();
  await db.cleanup();
});

const mt = { to: "+4512345678", sender: "12345", text: "unclear" };

test("a generic_nack with status 0 is unknown, not accepted", async () => {
  answer = (seq) => pdu(Cmd.generic_nack, 0, seq);
  const r = await postMt(core, mt);
  expect(r.json.outcome?.status ?? r.json.status).toBe("unknown");
  expect(JSON.stringify(r.json)).toContain("generic_nack with status 0");
});

test("a submit_sm_resp ESME_ROK with an empty message_id is unknown, not accepted", async () => {
  answer = (seq) => submitResp(seq, "");
  const r = await postMt(core, mt);
  expect(r.json.outcome?.status ?? r.json.status).toBe("unknown");
  expect(JSON.stringify(r.json)).toContain("empty message_id");
});

test("the same peer with a real id: accepted (the test can tell)", async () => {
  answer = (seq) => submitResp(seq, "0a1b2c");
  const r = await postMt(core, mt);
  expect(r.json.status).toBe("accepted");
  expect(r.json.smscMessageIds).toEqual(["0a1b2c"]);
});
