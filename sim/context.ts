// The state every part of the simulator shares: configuration (mutable through configure()), the
// ledger, the faults, timers, randomness, and the registry of accepted HTTP message_ids (mt-dedup.ts).
import type { FaultBook } from "./faults.ts";
import type { Ledger } from "./ledger.ts";
import type { TimerSet } from "./timers.ts";
import type { MtDedup } from "./mt-dedup.ts";
import type { LongMo, ReceiptShares } from "./types.ts";

export interface SimConfig {
  account: { login: string; password: string };
  callbackUrl: string | undefined;
  callbackRetry: { intervalMs: number; retries: number };
  receipts: Required<ReceiptShares>;
  deliverAckTimeoutMs: number;
  enquireLinkMs: number;
  longMo: LongMo;
}

export interface SimContext {
  host: string;
  config: SimConfig;
  ledger: Ledger;
  faults: FaultBook;
  timers: TimerSet;
  random: () => number;
  now: () => number;
  /** HTTP message_ids accepted, per the configured dedup model: a repeat a site knows of answers 7. */
  mtDedup: MtDedup;
  ids: IdMaker;
}

/** Makes the ids Genesys would: SMSC message ids (10 hex chars, unique across nodes), carrier ids, MO ids. */
export class IdMaker {
  #n = 0;
  readonly #prefix: string;

  constructor(random: () => number) {
    // A per-run prefix so two simulator runs rarely hand out the same ids to a persistent client store. It is
    // 0x10 or more, so every SMSC id has 10 significant hex digits, as Genesys' do: with a 00 prefix an id
    // such as 0000000044 also reads as decimal 44 = 0x2C, another id of the run (1 run in 256 failed so).
    this.#prefix = (0x10 + Math.floor(random() * 0xf0)).toString(16);
  }

  smsc(): string {
    return (this.#prefix + (++this.#n).toString(16).padStart(8, "0")).toUpperCase();
  }

  carrier(): string {
    return String(4_000_000_000 + ++this.#n);
  }

  mo(): string {
    return `MO${this.#prefix}${(++this.#n).toString(16).padStart(12, "0")}`.toUpperCase();
  }

  delivery(): string {
    return `d${++this.#n}`;
  }
}
