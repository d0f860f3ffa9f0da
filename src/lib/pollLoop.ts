import { type Sleep, timerSleep } from './sleep.js';

/**
 * Calls `tick` every `intervalMs`, never two at once. stop() ends the wait at once and waits only
 * for a tick in progress.
 */
export class PollLoop {
  private abort: AbortController | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly tick: () => Promise<void>,
    private readonly onError: (e: unknown) => void,
    private readonly sleep: Sleep = timerSleep,
  ) {}

  start(): void {
    if (this.abort) return;
    const abort = new AbortController();
    this.abort = abort;
    this.running = this.run(abort.signal);
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    this.abort = undefined;
    await this.running;
    this.running = undefined;
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.sleep(this.intervalMs, signal);
      if (signal.aborted) return;
      try {
        await this.tick();
      } catch (e) {
        try {
          this.onError(e);
        } catch {
          // Whoever is told of a failure must not stop the loop.
        }
      }
    }
  }
}
