import type { LogSink } from './log-sink';
import type { Repository } from './storage/repository';

/**
 * Runs left `initialized` past the expiry (a CI job that died without reset) are marked `expired` periodically. Every
 * replica sweeps; on PostgreSQL one at a time (the repository's advisory lock), and each run is expired by one sweep,
 * which logs how many it expired.
 */
export class RunExpirySweeper {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repository: Repository,
    private readonly expiryMs: number,
    private readonly log?: LogSink,
  ) {}

  async sweep(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.expiryMs).toISOString();
    const expired = await this.repository.expireRuns(cutoff, now.toISOString());
    if (expired > 0) {
      this.log?.write('INF', `run expiry: ${expired} run(s) still initialized since before ${cutoff} marked expired`);
    }
    return expired;
  }

  start(): void {
    const interval = Math.max(100, Math.min(this.expiryMs / 2, 60_000));
    const tick = () => {
      this.sweep().catch(() => {
        // The next tick retries; a closed database during shutdown lands here too.
      });
    };
    tick();
    this.timer = setInterval(tick, interval);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
