// Which HTTP message_ids a site knows were taken, so that a repeat answers 7. Genesys documents that a
// message_id must be unique and that a repeat gets 7; it does not say whether the OTHER site sees the ids the
// first one took, nor how soon, nor during an outage. So the simulator models each reading:
//   "shared"                  one set for both sites: an id taken anywhere is a duplicate everywhere at once
//   "per-site"                each site knows only its own ids: the other site takes a repeat again
//   { replicationDelayMs }    shared, but an id taken at one site reaches the other only after the delay
import type { SiteName } from "./types.ts";

export type MtDedupModel = "shared" | "per-site" | { replicationDelayMs: number };

/** A model from outside (control API), or a problem sentence. */
export function parseMtDedupModel(v: unknown): MtDedupModel | string {
  if (v === "shared" || v === "per-site") return v;
  if (typeof v === "object" && v !== null) {
    const d = (v as { replicationDelayMs?: unknown }).replicationDelayMs;
    if (typeof d === "number" && Number.isInteger(d) && d >= 0) return { replicationDelayMs: d };
  }
  return `mtDedup must be "shared", "per-site" or { "replicationDelayMs": <non-negative integer> }`;
}

export class MtDedup {
  /** message_id → when each site took it. */
  readonly #taken = new Map<string, Map<SiteName, number>>();

  constructor(public model: MtDedupModel, private readonly now: () => number) {}

  /** Whether `site` answers 7 for `id` now. */
  seen(site: SiteName, id: string): boolean {
    const at = this.#taken.get(id);
    if (!at) return false;
    if (at.has(site) || this.model === "shared") return true;
    if (this.model === "per-site") return false;
    const visibleAfter = this.model.replicationDelayMs;
    const t = this.now();
    for (const taken of at.values()) if (t >= taken + visibleAfter) return true;
    return false;
  }

  take(site: SiteName, id: string): void {
    const at = this.#taken.get(id) ?? new Map<SiteName, number>();
    if (!at.has(site)) at.set(site, this.now());
    this.#taken.set(id, at);
  }
}
