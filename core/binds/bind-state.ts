/**
 * The lifecycle of one SMSC node's bind, as data. The status page, /v1/binds and the metrics read it;
 * nothing else is kept in flags.
 */

export type BindState =
  | { readonly kind: "idle" }
  | { readonly kind: "connecting"; readonly since: number; readonly attempt: number }
  | { readonly kind: "bound"; readonly since: number; readonly systemId: string }
  | { readonly kind: "unbinding"; readonly since: number }
  | { readonly kind: "backoff"; readonly since: number; readonly nextAttemptAt: number; readonly lastError: string }
  | { readonly kind: "stopped"; readonly since: number };

/** Every state's name, for the metrics' one-series-per-state gauge; the compiler keeps it complete. */
export const BIND_STATE_KINDS = ["idle", "connecting", "bound", "unbinding", "backoff", "stopped"] as const satisfies readonly BindState["kind"][];
// Fails to compile when a kind is added to BindState and not to the list.
const _everyKind: Exclude<BindState["kind"], (typeof BIND_STATE_KINDS)[number]> extends never ? true : never = true;
void _everyKind;

/** What /v1/binds shows for one node. */
export interface NodeBindSnapshot {
  readonly node: string;
  readonly site: string;
  readonly state: BindState;
  readonly inFlight: number;
  readonly window: number;
  /** When the last connect attempt started (ms since epoch), if any. */
  readonly lastAttemptAt?: number;
  readonly attempts: number;
}
