// The faults in force, and the one rule for which component a fault hits: a site-level fault hits the
// site's HTTP receiver and both its SMSC nodes; a node-level fault hits that node only. A fault with a
// count is consumed by whichever component uses it first, and expires when the count reaches 0.
import { EventEmitter } from "node:events";
import { FAULT_KINDS, NODES, SITES } from "./types.ts";
import type { ActiveFault, Fault, FaultKind, NodeName, SiteName } from "./types.ts";

/** What a fault is matched against: a site's HTTP receiver (no node) or an SMSC node. */
export interface Component {
  site: SiteName;
  node?: NodeName;
}

const TARGETS: readonly string[] = [...SITES, ...NODES.map((n) => n.name)];

/** Checks a fault from outside (the control API); answers the problems, empty when valid. */
export function faultProblems(f: unknown): string[] {
  if (typeof f !== "object" || f === null) return ["body must be a JSON object"];
  const o = f as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof o.target !== "string" || !TARGETS.includes(o.target)) problems.push(`target must be one of ${TARGETS.join(", ")}`);
  if (typeof o.kind !== "string" || !(FAULT_KINDS as readonly string[]).includes(o.kind)) {
    problems.push(`kind must be one of ${FAULT_KINDS.join(", ")}`);
  }
  for (const k of ["ms", "status", "result", "count", "skip"] as const) {
    if (o[k] !== undefined && (typeof o[k] !== "number" || !Number.isInteger(o[k]) || (o[k] as number) < 0)) {
      problems.push(`${k} must be a non-negative integer`);
    }
  }
  if (o.count === 0) problems.push("count must be at least 1 (omit it for a fault until removed)");
  if (o.kind === "latency" && o.ms === undefined) problems.push("latency needs ms");
  return problems;
}

/** Holds the active faults; emits "change" whenever the set changes. */
export class FaultBook extends EventEmitter {
  readonly #faults = new Map<string, ActiveFault>();
  #next = 1;

  add(f: Fault): string {
    const problems = faultProblems(f);
    if (problems.length) throw new TypeError(`invalid fault: ${problems.join("; ")}`);
    const id = `f${this.#next++}`;
    const copy: ActiveFault = { id, target: f.target, kind: f.kind };
    for (const k of ["ms", "status", "result", "count", "skip"] as const) if (f[k] !== undefined) copy[k] = f[k];
    this.#faults.set(id, copy);
    this.emit("change");
    return id;
  }

  remove(id: string): boolean {
    const had = this.#faults.delete(id);
    if (had) this.emit("change");
    return had;
  }

  clear(): void {
    if (this.#faults.size === 0) return;
    this.#faults.clear();
    this.emit("change");
  }

  list(): ActiveFault[] {
    return [...this.#faults.values()].map((f) => ({ ...f }));
  }

  /** The first matching fault of `kind`, without using it up (for states such as "down"). */
  peek(kind: FaultKind, c: Component): ActiveFault | undefined {
    for (const f of this.#faults.values()) if (f.kind === kind && hits(f, c)) return f;
    return undefined;
  }

  /** The first matching fault of `kind`, using up one of its count (or, while it has some, one of its skips). */
  take(kind: FaultKind, c: Component): ActiveFault | undefined {
    const f = this.peek(kind, c);
    if (!f) return undefined;
    if (f.skip !== undefined && f.skip > 0) {
      f.skip -= 1;
      return undefined;
    }
    const used = { ...f };
    if (f.count !== undefined) {
      f.count -= 1;
      if (f.count <= 0) this.remove(f.id);
    }
    return used;
  }

  /** The first matching fault of the first of `kinds` that has one, using up one of its count (the others are untouched). */
  takeFirst(kinds: readonly FaultKind[], c: Component): ActiveFault | undefined {
    for (const kind of kinds) {
      const f = this.take(kind, c);
      if (f) return f;
    }
    return undefined;
  }
}

/** Whether fault `f` acts on component `c`. */
export function hits(f: Fault, c: Component): boolean {
  return f.target === c.site || (c.node !== undefined && f.target === c.node);
}
