// Public types of the Genesys simulator. Deliberately independent of contract/: the simulator is a
// second, separate reading of the Genesys documentation, so that it can catch the contract's mistakes.
import type { Ledger } from "./ledger.ts";
import type { MtDedupModel } from "./mt-dedup.ts";

export type { MtDedupModel };

/** The two Genesys datacenters. */
export type SiteName = "dc3" | "bos";
/** The four SMSC nodes of the HA/DR text. */
export type NodeName = "smc1.dc3" | "smc2.dc3" | "smc1.bos" | "smc2.bos";

export const SITES: readonly SiteName[] = ["dc3", "bos"];
export const NODES: readonly { name: NodeName; site: SiteName }[] = [
  { name: "smc1.dc3", site: "dc3" },
  { name: "smc2.dc3", site: "dc3" },
  { name: "smc1.bos", site: "bos" },
  { name: "smc2.bos", site: "bos" },
];

/** Receipt misbehaviour, each a probability in [0, 1]; all 0 is a well-behaved service. */
export interface ReceiptShares {
  /** Share of receipts that come from the other site's nodes (or, for HTTP, are attributed to the other site). */
  otherSiteShare?: number;
  /** Share of receipts delivered twice. */
  duplicateShare?: number;
  /** Share of SMPP receipts sent before the submit_sm_resp (HTTP: callback before the HTTP answer). */
  earlyShare?: number;
  /** Delay before a (non-early) receipt is emitted. */
  delayMs?: number;
  /** Weights of the final states the carrier reports (default all DELIVERED); see receipt-fate.ts. */
  mix?: Partial<Record<FinalState, number>>;
  /** Share of MTs with an ENROUTE receipt before the final one. */
  enrouteShare?: number;
  /** Share of those ENROUTE receipts sent after the final one instead (out of order). */
  lateEnrouteShare?: number;
  /** Share of SMPP receipts whose text is the carrier's free text, not `id:… stat:…` (the TLVs still say it). */
  freeTextShare?: number;
}

/** The final states the simulated carriers report. */
export type FinalState = (typeof FINAL_STATES)[number];
export const FINAL_STATES = ["DELIVERED", "UNDELIVERABLE", "EXPIRED", "REJECTED"] as const;

/**
 * How an MO longer than 140 octets is delivered: in the message_payload TLV (one deliver_sm), or as several
 * deliver_sm parts marked by a UDH with an 8-bit (IE 0x00) or 16-bit (IE 0x08) reference, or by SAR TLVs.
 */
export type LongMo = (typeof LONG_MO)[number];
export const LONG_MO = ["payload", "udh8", "udh16", "sar"] as const;

export interface SimOptions {
  /** Listen address; loopback only. Default 127.0.0.1. */
  host?: string;
  /** Control API port: 0 in tests, 8700 for `npm run sim`. */
  controlPort?: number;
  /** HTTP receiver port per site (8701/8702 for `npm run sim`); 0 or absent = any free port. */
  httpPorts?: Partial<Record<SiteName, number>>;
  /** SMSC port per node (2775..2778 for `npm run sim`); 0 or absent = any free port. */
  smscPorts?: Partial<Record<NodeName, number>>;
  /** The one account: HTTP login/password and SMPP system_id/password. Default demo/demo. */
  account?: { login: string; password: string };
  /** Where HTTP callbacks (receipts for HTTP MTs, MOs sent via http) are POSTed. */
  callbackUrl?: string;
  /**
   * Genesys retries a failed callback every 10 min, 25 times after the first attempt (26 attempts in all);
   * tests scale it down. `retries` counts the attempts AFTER the first.
   */
  callbackRetry?: { intervalMs: number; retries: number };
  receipts?: ReceiptShares;
  /** An unacknowledged deliver_sm is delivered again on another active bind after this. Default 10 000. */
  deliverAckTimeoutMs?: number;
  /** The SMSC sends enquire_link on every bound session at this period. Default 30 000; 0 = never. */
  enquireLinkMs?: number;
  /** How MOs over 140 octets are delivered. Default "payload" (message_payload TLV). */
  longMo?: LongMo;
  /**
   * Which site sees which HTTP message_ids (a repeat it knows answers 7): "shared" (default, one set),
   * "per-site", or shared with a replication delay. See mt-dedup.ts.
   */
  mtDedup?: MtDedupModel;
  /** Injectable randomness (receipt shares, bind choice) for deterministic tests. */
  random?: () => number;
  /** Injectable clock for the ledger's `at` times (ms). Default Date.now. */
  now?: () => number;
}

export type FaultKind = (typeof FAULT_KINDS)[number];
export const FAULT_KINDS = [
  "down", "partition", "latency", "http_error", "result", "throttle", "unbind", "malformed", "partial", "drop",
] as const;

/**
 * A fault on a site (its HTTP receiver and both its SMSC nodes) or on one node.
 * `count` = apply to the next N requests/PDUs, then expire; absent = until removed ("down" ignores
 * count: it lasts until removed; "unbind" acts once, at once). `skip` = let the first N it would hit pass
 * first (the second segment of a long MT: `skip: 1, count: 1`).
 */
export interface Fault {
  target: SiteName | NodeName;
  kind: FaultKind;
  /** latency: added delay. */
  ms?: number;
  /** http_error: HTTP status (default 503); result (HTTP): the status the result code comes with (default 200). */
  status?: number;
  /** result: the Genesys result code over HTTP (default 98); the command_status over SMPP (default 0x08). */
  result?: number;
  count?: number;
  skip?: number;
}

/** A fault as the simulator holds it. */
export interface ActiveFault extends Fault {
  id: string;
}

export interface MoInjection {
  from: string;
  to: string;
  text: string;
  /** Default "smpp". */
  via?: "smpp" | "http";
  /** First delivery attempt on a bind of this node (when one is active). */
  node?: NodeName;
  /** Overrides the simulator's `longMo` for this MO. */
  longMo?: LongMo;
  /** Split MOs: the concatenation reference (default: the next one of a per-simulator counter). */
  concatRef?: number;
  /** Split MOs: the order the parts are sent in, as 1-based seqs (default 1..n); a seq may repeat (a duplicate). */
  partOrder?: number[];
  /** Split MOs: the node for the first attempt of each part, by seq - 1 (default `node`). */
  partNodes?: NodeName[];
}

export type ConfigPatch = Partial<Pick<SimOptions, "callbackUrl" | "receipts" | "deliverAckTimeoutMs" | "longMo" | "mtDedup">>;

export interface Simulator {
  /** http://127.0.0.1:port of the control API. */
  controlUrl: string;
  /** Each site's full receiver URL, including /httpapi/receiver. */
  sites: Record<SiteName, { httpUrl: string }>;
  nodes: { name: NodeName; site: SiteName; host: string; port: number }[];
  /** Adds a fault and answers its id. An "unbind" fault acts at once and is not kept. */
  addFault(f: Fault): string;
  removeFault(id: string): boolean;
  clearFaults(): void;
  /** Faults in force. */
  listFaults(): ActiveFault[];
  /** Resolves when every listener matches the fault state (a removed "down" has reopened its port). */
  settled(): Promise<void>;
  ledger: Ledger;
  /** Injects an MO; answers the Genesys message_id. */
  injectMo(mo: MoInjection): string;
  configure(patch: ConfigPatch): void;
  stop(): Promise<void>;
}
