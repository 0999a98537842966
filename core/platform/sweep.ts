/**
 * A periodic sweep on an injected clock: `sweep` runs `firstMs` after start (default `everyMs`), then `everyMs`
 * after the previous run settled (its errors ignored).
 */
import type { Clock, TimerId } from "../../contract/index.ts";

export class PeriodicSweep {
  #timer: TimerId | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly everyMs: number,
    private readonly sweep: () => Promise<unknown>,
    private readonly firstMs: number = everyMs,
  ) {}

  /** Sweeps `firstMs` from now, then every `everyMs`, until stopped (a no-op while running). */
  start(): void {
    if (this.#timer === undefined) this.#tick(this.firstMs);
  }

  stop(): void {
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #tick(ms: number): void {
    this.#timer = this.clock.setTimeout(() => void this.sweep().catch(() => undefined).finally(() => this.#timer !== undefined && this.#tick(this.everyMs)), ms);
  }
}
