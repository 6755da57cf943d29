import type { Repository } from './storage/repository';

/** Runs left `initialized` past the expiry (a CI job that died without reset) are marked `expired` periodically. */
export class RunExpirySweeper {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repository: Repository,
    private readonly expiryMs: number,
  ) {}

  async sweep(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.expiryMs).toISOString();
    return this.repository.expireRuns(cutoff, now.toISOString());
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
