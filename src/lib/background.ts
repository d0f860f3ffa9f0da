/**
 * Work started and not awaited (a look at AWS, a deploy after its reply): each failure is told to
 * `onError`, and settled() waits for whatever is still running, so stopping loses nothing.
 */
export class BackgroundWork {
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly onError: (e: unknown) => void) {}

  readonly run = (work: Promise<unknown>): void => {
    const tracked: Promise<unknown> = work
      .catch((e: unknown) => this.onError(e))
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  };

  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }
}
