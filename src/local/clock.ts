/**
 * Simulated time. The handler takes `Date.now` for leases and `getRemainingTimeInMillis` for
 * its deadlines; a local run replaces `Date.now` in this process with wall clock + skipped
 * milliseconds. Time still flows in real time while anything runs; the driver skips ahead only
 * when every live invocation has returned and the next event (a message becoming visible, a
 * stalled invocation's timeout) lies in the future. Timers (`setTimeout`, the lock backoff,
 * `performance.now`) stay real.
 */
export class SimClock {
  private skippedMs = 0;
  private readonly realNow: () => number;
  private installed = false;

  constructor() {
    this.realNow = Date.now;
  }

  now(): number {
    return this.realNow() + this.skippedMs;
  }

  /** Total time skipped so far, in ms. */
  get skipped(): number {
    return this.skippedMs;
  }

  /** Moves simulated time forward to `epochMs` (no-op if it is not in the future). */
  advanceTo(epochMs: number): void {
    const ahead = epochMs - this.now();
    if (ahead > 0) this.skippedMs += ahead;
  }

  install(): void {
    if (this.installed) return;
    Date.now = () => this.now();
    this.installed = true;
  }

  uninstall(): void {
    if (!this.installed) return;
    Date.now = this.realNow;
    this.installed = false;
  }
}
