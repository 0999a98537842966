/**
 * What a soak scenario (test/bench/soak/*.ts, each `export const scenario: SoakScenario`) gives the soak run
 * (test/bench/soak.ts): hostile SMSC nodes the core binds to besides the simulator's four, changes to the
 * core's config, and a `run` that attacks until the run's signal aborts. The soak run owns the real traffic
 * and the final audit; a scenario adds its own figures and failures to the report.
 */
import type { SmscNode } from "../../contract/index.ts";
import type { Simulator } from "../../sim/index.ts";

export interface SoakSetupContext {
  readonly sim: Simulator;
  /** A private temporary directory for this run. */
  readonly dir: string;
}

export interface SoakSetup {
  /** Extra SMSC nodes (hostile peers) for the core's topology; names unique, site "dc3" or "bos". */
  readonly nodes?: readonly SmscNode[];
  /** Edits the core's raw config object before it is written (e.g. shorter timeouts). */
  readonly coreConfig?: (raw: Record<string, any>) => void;
  /** Runs the core under `ulimit -n` this low (the smallest asked for wins). */
  readonly fileLimit?: number;
}

export interface SoakRunContext {
  readonly sim: Simulator;
  /** http://127.0.0.1:port of the core process under test. */
  readonly coreUrl: string;
  /** The core's bearer token. */
  readonly token: string;
  /** The core's process id (its RSS and file handles are sampled by the run). */
  readonly corePid: number;
  /** Aborts when the soak's duration is over: `run` must resolve soon after. */
  readonly signal: AbortSignal;
  /** One progress line (prefixed with the scenario's name). */
  log(line: string): void;
}

export interface SoakScenario {
  readonly name: string;
  setup?(ctx: SoakSetupContext): SoakSetup | Promise<SoakSetup>;
  /** Attacks until `ctx.signal` aborts. */
  run(ctx: SoakRunContext): Promise<void>;
  /** Destinations (`to`) of MTs this scenario's peers answered ESME_ROK: an accepted MT may have gone there. */
  acceptedTo?(): ReadonlySet<string>;
  /** Texts of MOs this scenario's peers sent and the core acknowledged (ESME_ROK): each must be stored. */
  ackedMoTexts?(): ReadonlySet<string>;
  /** Figures for the report. */
  report?(): Record<string, number | string>;
  /** What went wrong, as sentences; empty when the scenario's own checks held. */
  failures?(): string[];
  /** Frees what setup opened (servers, sockets). */
  stop?(): Promise<void>;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}
