import { type Deployment, isTerminal } from '../../domain/deployment.js';

/**
 * The rollouts the poll loop follows. Use cases add to it (a started deploy, a resumed one); the
 * poll loop takes from it. It exists before either, so neither needs the other to be built first.
 */
export class Watchlist {
  private readonly items = new Map<string, Deployment>();

  add(d: Deployment): void {
    if (!isTerminal(d.state) && d.tracking) this.items.set(d.id, d);
  }

  /** Keeps checking a rollout whose outcome could not be read in time, so the truth can replace "unknown". */
  keep(d: Deployment): void {
    if (d.tracking) this.items.set(d.id, d);
  }

  set(d: Deployment): void {
    if (this.items.has(d.id)) this.items.set(d.id, d);
  }

  get(id: string): Deployment | undefined {
    return this.items.get(id);
  }

  has(id: string): boolean {
    return this.items.has(id);
  }

  remove(id: string): void {
    this.items.delete(id);
  }

  get size(): number {
    return this.items.size;
  }

  values(): IterableIterator<Deployment> {
    return this.items.values();
  }
}
