// The edge's send reports to the core (edge/send/send-report.ts) against a real HTTP server on port 0: retried on
// 5xx and network errors, dropped on a 4xx, and a report whose tries all failed is sent again with the next one.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../contract/clock.ts";
import type { SendRecord } from "../../contract/message-status.ts";
import { SendReports } from "../../edge/send/send-report.ts";
import type { QueuedReport, ReportQueue } from "../../edge/send/report-queue.ts";

let server: Server;
let url: string;
let answers: number[] = [];
const got: { id: string; principal: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      got.push({ id: decodeURIComponent(req.url!.split("/").pop()!), principal: req.headers["gsh-principal"] as string | undefined });
      res.writeHead(answers.shift() ?? 204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const a = server.address();
  url = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const rec: SendRecord = { path: "http", principal: "key:abc", send: { status: "accepted", at: new Date(0).toISOString(), attempts: [] } };

describe("send reports", () => {
  it("a 5xx is retried; tries that all fail keep the report for the next one; a 4xx is not retried", async () => {
    const logs: string[] = [];
    const reports = new SendReports({ coreUrl: url, coreToken: "t", timeoutMs: 1000, clock: systemClock, fetch, backoffMs: [1, 1], log: (e) => logs.push(e.msg) });
    const run = (id: string) => new Promise<void>((done) => reports.report(id, rec, (p) => void p.then(() => done())));
    answers = [503, 204];
    await run("r-1");
    expect(got.map((g) => g.id)).toEqual(["r-1", "r-1"]);
    answers = [503, 502, 500];
    await run("r-2");
    expect(reports.kept).toBe(1);
    expect(logs.at(-1)).toMatch(/kept for the next request/);
    got.length = 0;
    await run("r-3"); // the next report carries the kept one along
    expect(got.map((g) => g.id).sort()).toEqual(["r-2", "r-3"]);
    expect(reports.kept).toBe(0);
    got.length = 0;
    answers = [400];
    await run("r-4");
    expect(got.map((g) => g.id)).toEqual(["r-4"]);
    expect(reports.kept).toBe(0);
    expect(got.every((g) => g.principal === "key:abc")).toBe(true);
  });

  it("with a durable queue, a report the core does not take is queued after one try (not kept); a failing queue falls back to memory", async () => {
    const queued: QueuedReport[] = [];
    let queueUp = true;
    const queue: ReportQueue = { kind: "test", enqueue: async (r) => { if (!queueUp) throw new Error("queue down"); queued.push(r); } };
    const reports = new SendReports({ coreUrl: url, coreToken: "t", timeoutMs: 1000, clock: systemClock, fetch, backoffMs: [1, 1], queue });
    const run = (id: string) => new Promise<void>((done) => reports.report(id, rec, (p) => void p.then(() => done())));
    got.length = 0;
    answers = [503];
    await run("q-1");
    expect(got.map((g) => g.id)).toEqual(["q-1"]);
    expect(queued).toEqual([{ messageId: "q-1", record: rec }]);
    expect(reports.kept).toBe(0);
    queueUp = false;
    answers = [503, 503, 503];
    await run("q-2");
    expect(reports.kept).toBe(1);
  });
});
