/**
 * Was anything lost or doubled? Compares what the API answered (Traffic records) with what the simulated
 * Genesys recorded (its ledger) and what reached the customer's webhook (the demo receiver). Pure: the demo
 * feeds it over HTTP, the chaos test in-process. Each claim is a named check with its evidence, so a failure
 * says which message went wrong, not just that a count differs.
 */
import { smscMessageIdForms, stateRank, type MessageStateName } from "../../contract/index.ts";
import type { LedgerSnapshot } from "../../sim/index.ts";
import { failedOver, type MoRecord, type MtRecord, type StatusView } from "./traffic.ts";

/** An event as the receiver holds it (`GET /events?all=1`). */
export interface SeenEvent {
  id: string;
  type: string;
  deliveries: number;
  data: { clientMessageId?: string; smscMessageId?: string; genesysMessageId?: string; text?: string; state?: string };
}



export interface AuditInput {
  mts: readonly MtRecord[];
  mos: readonly MoRecord[];
  ledger: LedgerSnapshot;
  events: readonly SeenEvent[];
  receiver: { redelivered: number; badSignatures: number };
  /** Ledger entries before this time (ms) belong to earlier runs and are ignored. */
  since: number;
  /** The core's rebind floor; consecutive connections to one node must be at least this far apart. */
  rebindFloorMs: number;
  /** Clock skew between the core's attempt and the simulator's accept (same machine: a few ms). */
  toleranceMs?: number;
  /** The IDs prefix of this run's HTTP MTs (receipts of other runs' MTs are ignored). */
  runId: string;
  /** GET /v1/messages/:id of each accepted MT, by its id (edge MTs asked through the edge, core MTs of the core). */
  statuses: ReadonlyMap<string, StatusView | undefined>;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface AuditReport {
  ok: boolean;
  checks: Check[];
  /** MOs and receipts the simulator emitted that have not reached the webhook (yet), and MTs not in their final state yet. */
  missing: number;
  figures: Record<string, number>;
}

const RINVBNDSTS = 0x04;
const sample = (xs: readonly string[]) => (xs.length ? `: ${xs.slice(0, 5).join(", ")}${xs.length > 5 ? ", …" : ""}` : "");

export function audit(a: AuditInput): AuditReport {
  const L = a.ledger;
  const inRun = <T extends { at: number }>(xs: readonly T[]) => xs.filter((x) => x.at >= a.since);
  const checks: Check[] = [];
  const check = (name: string, bad: readonly string[], okDetail: string) =>
    checks.push({ name, ok: bad.length === 0, detail: bad.length ? `${bad.length} wrong${sample(bad)}` : okDetail });

  // ── MTs ──
  const unclear = a.mts.filter((m) => m.answer.kind === "unclear");
  check("every MT got a clear answer (accepted, rejected or unknown)", unclear.map((m) => `${m.id} (${m.answer.kind === "unclear" ? m.answer.error : ""})`), `${a.mts.length} answered`);

  const httpTaken = new Map<string, number>();
  for (const e of L.mtAccepted) if (e.via === "http") httpTaken.set(e.message_id, (httpTaken.get(e.message_id) ?? 0) + 1);
  const edge = a.mts.filter((m) => m.path === "edge" && m.answer.kind === "clear");
  const status = (m: MtRecord) => (m.answer.kind === "clear" ? m.answer.outcome.status : "unclear");
  const edgeAccepted = edge.filter((m) => status(m) === "accepted");
  check("edge: every accepted MT taken by Genesys exactly once", edgeAccepted.filter((m) => httpTaken.get(m.id) !== 1).map((m) => `${m.id}×${httpTaken.get(m.id) ?? 0}`), `${edgeAccepted.length} MTs, each once`);
  check("edge: no rejected MT taken by Genesys", edge.filter((m) => status(m) === "rejected" && httpTaken.has(m.id)).map((m) => m.id), `${edge.filter((m) => status(m) === "rejected").length} rejected, none taken`);
  check("edge: no unknown MT taken twice", edge.filter((m) => status(m) === "unknown" && (httpTaken.get(m.id) ?? 0) > 1).map((m) => m.id), "none");

  const smppTaken = new Map<string, number>();
  const smppRun = inRun(L.mtAccepted).filter((e) => e.via === "smpp");
  for (const e of smppRun) for (const f of smscMessageIdForms(e.message_id)) smppTaken.set(f, (smppTaken.get(f) ?? 0) + 1);
  const core = a.mts.filter((m) => m.path === "core" && m.answer.kind === "clear");
  const coreAccepted = core.filter((m) => status(m) === "accepted");
  const segIds = coreAccepted.flatMap((m) => (m.answer.kind === "clear" ? (m.answer.outcome.smscMessageIds ?? []) : []));
  const segCount = (id: string) => Math.max(...smscMessageIdForms(id).map((f) => smppTaken.get(f) ?? 0));
  check("core: every accepted MT taken by Genesys exactly once", segIds.filter((id) => segCount(id) !== 1).map((id) => `${id}×${segCount(id)}`), `${coreAccepted.length} MTs (${segIds.length} segments), each once`);
  const coreUnknown = core.filter((m) => status(m) === "unknown").length;
  const extra = smppRun.length - segIds.length;
  check("core: nothing taken beyond the accepted MTs and the unknown ones", extra < 0 || extra > coreUnknown ? [`${smppRun.length} taken for ${segIds.length} accepted + ${coreUnknown} unknown`] : [], `${smppRun.length} taken = ${segIds.length} accepted + ${extra} of ${coreUnknown} unknown`);

  const unboundSubmits = inRun(L.mtRejected).filter((e) => e.via === "smpp" && e.result === RINVBNDSTS);
  const firstBind = new Map<string, number>();
  for (const b of L.binds) if (!firstBind.has(b.node)) firstBind.set(b.node, b.at);
  const beforeBind = smppRun.filter((e) => e.node && !(firstBind.get(e.node)! <= e.at));
  check("no MT handed to a node that was not bound", [...unboundSubmits.map((e) => `${e.node} answered ESME_RINVBNDSTS`), ...beforeBind.map((e) => `${e.message_id} on ${e.node} before its bind`)], `${smppRun.length} submits, all on bound sessions`);

  // ── Rebinds ──
  const tol = a.toleranceMs ?? 100;
  const byNode = new Map<string, number[]>();
  for (const c of L.connections) byNode.set(c.node, [...(byNode.get(c.node) ?? []), c.at]);
  let minGap = Infinity;
  const early: string[] = [];
  for (const [node, ts] of byNode) {
    ts.sort((x, y) => x - y);
    for (let i = 1; i < ts.length; i++) {
      if (ts[i]! < a.since) continue;
      const gap = ts[i]! - ts[i - 1]!;
      minGap = Math.min(minGap, gap);
      if (gap < a.rebindFloorMs - tol) early.push(`${node} after ${gap} ms`);
    }
  }
  check(`no node rebound sooner than the floor (${a.rebindFloorMs} ms) after its last attempt`, early, Number.isFinite(minGap) ? `closest: ${minGap} ms apart` : "no rebinds");

  // ── MOs and receipts to the webhook ──
  const byText = new Map<string, Set<string>>();
  const byGenesysId = new Map<string, Set<string>>();
  const byClientId = new Map<string, Set<string>>();
  const bySmscForm = new Map<string, Set<string>>();
  const add = (m: Map<string, Set<string>>, k: string | undefined, id: string) => k !== undefined && m.set(k, (m.get(k) ?? new Set()).add(id));
  const stateOf = new Map<string, string | undefined>();
  for (const e of a.events) {
    stateOf.set(e.id, e.data.state);
    if (e.type === "message.received") {
      add(byText, e.data.text, e.id);
      add(byGenesysId, e.data.genesysMessageId, e.id);
    } else {
      add(byClientId, e.data.clientMessageId, e.id);
      for (const f of e.data.smscMessageId ? smscMessageIdForms(e.data.smscMessageId) : []) add(bySmscForm, f, e.id);
    }
  }
  const injected = a.mos.filter((m) => m.messageId);
  const moEvents = (m: MoRecord) => new Set([...(byText.get(m.text) ?? []), ...(m.via === "http" ? (byGenesysId.get(m.messageId!) ?? []) : [])]);
  const moLost = injected.filter((m) => moEvents(m).size === 0);
  const moDoubled = injected.filter((m) => moEvents(m).size > 1);
  check("every MO reached the webhook", moLost.map((m) => m.messageId!), `${injected.length} MOs`);
  check("no MO became two events", moDoubled.map((m) => m.messageId!), "none");

  // Distinct receipts: one per message id and state (copies are duplicates; an HTTP MT's segments, reported alike,
  // are one event by Genesys' dedup key), against events by message id and state.
  const receipts = new Map<string, { via: string; copies: number }>();
  for (const r of inRun(L.receiptsEmitted)) {
    if (r.via === "http" && !r.message_id.startsWith(a.runId)) continue;
    const key = `${r.via}|${r.message_id}|${r.state ?? ""}`;
    receipts.set(key, { via: r.via, copies: (receipts.get(key)?.copies ?? 0) + 1 });
  }
  const receiptEvents = (key: string) => {
    const [via, id, state] = key.split("|") as [string, string, string];
    const ofState = (ids: Iterable<string>) => [...ids].filter((eid) => state === "" || stateOf.get(eid) === state);
    if (via === "http") return ofState(byClientId.get(id) ?? []).length;
    return new Set(smscMessageIdForms(id).flatMap((f) => ofState(bySmscForm.get(f) ?? []))).size;
  };
  const rLost = [...receipts.keys()].filter((k) => receiptEvents(k) === 0);
  const rDoubled = [...receipts.keys()].filter((k) => receiptEvents(k) > 1);
  check("every receipt reached the webhook", rLost, `${receipts.size} receipts (${[...receipts.values()].reduce((s, r) => s + r.copies, 0)} deliveries incl. duplicates)`);
  check("no receipt became two events", rDoubled, "none");

  // ── Final states at GET /v1/messages/:id against what the simulator decided ──
  const httpFate = new Map<string, string>();
  const smppFate = new Map<string, string>();
  for (const f of inRun(L.receiptFates)) {
    if (f.via === "http") httpFate.set(f.message_id, f.final);
    else for (const form of smscMessageIdForms(f.message_id)) smppFate.set(form, f.final);
  }
  /** The state the message must end in: its segments' worst final (the contract's rank), when every one has a fate. */
  const expectedFinal = (m: MtRecord): string | undefined => {
    if (m.path === "edge") return httpFate.get(m.id);
    const ids = m.answer.kind === "clear" ? (m.answer.outcome.smscMessageIds ?? []) : [];
    const finals = ids.map((id) => smscMessageIdForms(id).map((f) => smppFate.get(f)).find((x) => x !== undefined));
    if (finals.length === 0 || finals.some((x) => x === undefined)) return undefined;
    return (finals as MessageStateName[]).reduce((w, x) => (stateRank(x) > stateRank(w) ? x : w));
  };
  const judged = [...edgeAccepted, ...coreAccepted].flatMap((m) => {
    const want = expectedFinal(m);
    return want === undefined ? [] : [{ m, want, got: a.statuses.get(m.id)?.finalState }];
  });
  const wrongFinal = judged.filter((j) => j.got !== j.want);
  check("every accepted MT's final state at GET /v1/messages/:id is the one the simulator decided (both paths)",
    wrongFinal.map((j) => `${j.m.path} ${j.m.id}: ${j.got ?? (a.statuses.get(j.m.id) ? "not final" : "no record")} ≠ ${j.want}`),
    `${judged.length} MTs (${judged.filter((j) => j.want !== "DELIVERED").length} not delivered)`);
  check("no event id delivered twice to the webhook", a.receiver.redelivered ? [`${a.receiver.redelivered} ids delivered more than once`] : [], `${a.events.length} distinct ids`);
  check("every webhook delivery correctly signed", a.receiver.badSignatures ? [`${a.receiver.badSignatures} bad signatures`] : [], "all");

  const edgeMs = a.mts.filter((m) => m.path === "edge").map((m) => m.ms).sort((x, y) => x - y);
  const pct = (q: number) => (edgeMs.length ? edgeMs[Math.min(edgeMs.length - 1, Math.floor(q * edgeMs.length))]! : -1);
  const mtSite = new Map(L.mtAccepted.map((e) => [`${e.via}:${e.message_id}`, e.site] as const));
  const rRun = inRun(L.receiptsEmitted);
  const figures: Record<string, number> = {
    mtEdgeSent: a.mts.filter((m) => m.path === "edge").length,
    mtEdgeAccepted: edgeAccepted.length,
    mtEdgeRejected: edge.filter((m) => status(m) === "rejected").length,
    mtEdgeUnknown: edge.filter((m) => status(m) === "unknown").length,
    mtEdgeFailedOver: edgeAccepted.filter((m) => m.answer.kind === "clear" && failedOver(m.answer.outcome)).length,
    mtEdgeDeduplicated: edgeAccepted.filter((m) => m.answer.kind === "clear" && m.answer.outcome.deduplicated).length,
    mtEdgeTakenTwice: a.mts.filter((m) => m.path === "edge" && (httpTaken.get(m.id) ?? 0) > 1).length,
    mtEdgeMsP50: pct(0.5),
    mtEdgeMsP99: pct(0.99),
    mtEdgeMsMax: edgeMs.at(-1) ?? -1,
    mtCoreSent: a.mts.filter((m) => m.path === "core").length,
    mtCoreAccepted: coreAccepted.length,
    mtCoreRejected: core.filter((m) => status(m) === "rejected").length,
    mtCoreUnknown: coreUnknown,
    mtUnclear: unclear.length,
    mtResent: a.mts.filter((m) => m.resent).length,
    mosInjected: injected.length,
    receiptDeliveries: rRun.length,
    receiptsDuplicated: rRun.filter((r) => r.duplicate).length,
    receiptsEarly: rRun.filter((r) => r.early).length,
    receiptsOtherSite: rRun.filter((r) => { const s = mtSite.get(`${r.via}:${r.message_id}`); return s !== undefined && s !== r.site; }).length,
    deliverRedeliveries: inRun(L.redeliveries).length,
    deliverAbandoned: inRun(L.abandoned).length,
    smscUnbinds: inRun(L.unbinds).filter((u) => u.by === "smsc").length,
    throttledSubmits: inRun(L.mtRejected).filter((e) => (e.via === "smpp" && (e.result === 0x58 || e.result === 0x14)) || (e.via === "http" && e.result === 6)).length,
    webhookEvents: a.events.length,
    receiptsDistinct: receipts.size,
    mtFinalsChecked: judged.length,
    mtFinalsNotDelivered: judged.filter((j) => j.want !== "DELIVERED").length,
    receiptsEnrouteLate: inRun(L.receiptFates).filter((f) => f.enroute === "after").length,
    minRebindGapMs: Number.isFinite(minGap) ? minGap : -1,
  };
  return { ok: checks.every((c) => c.ok), checks, missing: moLost.length + rLost.length + wrongFinal.length, figures };
}

const LABELS: Record<string, string> = {
  mtEdgeSent: "MTs sent through the edge", mtEdgeAccepted: "  accepted", mtEdgeRejected: "  rejected", mtEdgeUnknown: "  unknown",
  mtEdgeFailedOver: "  accepted after another site failed or was skipped", mtEdgeDeduplicated: "  accepted as a duplicate (result 7)",
  mtEdgeTakenTwice: "  taken by Genesys twice (any answer)", mtEdgeMsP50: "  send latency p50 (ms)", mtEdgeMsP99: "  send latency p99 (ms)", mtEdgeMsMax: "  send latency max (ms)",
  mtCoreSent: "MTs sent through the core", mtCoreAccepted: "  accepted", mtCoreRejected: "  rejected", mtCoreUnknown: "  unknown",
  mtUnclear: "MTs without a clear answer", mtResent: "MTs resent (same id) after a connection reset", mosInjected: "MOs injected", receiptDeliveries: "receipt deliveries by the simulator",
  receiptsDuplicated: "  duplicated", receiptsEarly: "  ahead of their submit_sm_resp / HTTP answer", receiptsOtherSite: "  from the other site",
  deliverRedeliveries: "deliver_sm redelivered (unacknowledged)", deliverAbandoned: "deliver_sm abandoned", smscUnbinds: "SMSC-initiated unbinds",
  throttledSubmits: "MTs throttled by Genesys", webhookEvents: "distinct events at the webhook",
  receiptsDistinct: "distinct receipts the simulator sent", mtFinalsChecked: "MTs whose final state was checked at GET /v1/messages/:id",
  mtFinalsNotDelivered: "  of them not delivered (undeliverable, expired, rejected)", receiptsEnrouteLate: "ENROUTE receipts sent after the final one", minRebindGapMs: "closest rebind to the last attempt (ms)",
};

/** The report as terminal lines: ✓/✗ per check, then the figures. */
export function formatReport(r: AuditReport): string[] {
  return [
    ...r.checks.map((c) => `${c.ok ? "✓" : "✗"} ${c.name}: ${c.detail}`),
    "",
    ...Object.entries(r.figures).map(([k, v]) => `  ${(LABELS[k] ?? k).padEnd(52)} ${k === "minRebindGapMs" && v < 0 ? "no rebind" : v}`),
  ];
}
