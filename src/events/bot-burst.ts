import type { StoreCatalog } from '../catalog/store-catalog.js';
import type { Partition } from '../config/values.js';
import type { ScenarioWindow } from '../scenarios/spec.js';
import { Rng, mixSeed } from '../shared/rng.js';
import type { EventRenderer, RenderOutput, RenderedDoc, Visit } from './facts.js';

/**
 * Bots of a `bot-burst`: a few users on a few IP addresses viewing product after product, as a
 * Poisson process of `rate` views a second (shared among partitions), never buying. A side
 * process of the engine: it says when its next view is and makes it.
 */
export class BotBurst<D extends RenderedDoc> {
  private readonly rng: Rng;
  private next: number;
  private readonly visits: Visit[];
  private readonly perMs: number;

  constructor(
    private readonly w: ScenarioWindow,
    catalog: StoreCatalog,
    seed: number,
    partition: Partition,
    idPrefix: string,
    /** What the bots pick and what it costs (the engine's shelf). */
    private readonly shelf: { popular(): number; priceCents(product: number, sessions: number, at: number): number },
    private readonly host: { renderer(): EventRenderer<D>; readonly out: RenderOutput<D> },
    from: number,
  ) {
    this.rng = new Rng(mixSeed(seed, partition.index, partition.count, 0xb0));
    const bots = Number(w.params.bots);
    const ips = Array.from({ length: Number(w.params.ips) }, (_, i) => `${45 + (mixSeed(seed, i, 0xb1) % 150)}.${mixSeed(seed, i, 0xb2) % 256}.${mixSeed(seed, i, 0xb3) % 256}.${1 + (mixSeed(seed, i, 0xb4) % 254)}`);
    // Session ids of their own range (2^51 + bot), never one of the partition's numbered visits.
    this.visits = Array.from({ length: bots }, (_, i) => ({
      id: `SES-${idPrefix}${(2 ** 51 + i).toString(36)}`,
      user: mixSeed(seed, i, 0xb5) % catalog.userCount,
      device: 'desktop' as const,
      browser: 'chrome' as const,
      source: 'direct' as const,
      ip: ips[i % ips.length],
      startedAt: w.fromMs,
      bot: true,
    }));
    this.perMs = Number(w.params.rate) / partition.count / 1000;
    this.next = Math.max(from, w.fromMs) + this.rng.exp(1 / this.perMs);
  }

  get nextAt(): number {
    return this.next < this.w.toMs ? this.next : Number.POSITIVE_INFINITY;
  }

  step(sim: number, at: number): void {
    const visit = this.visits[this.rng.int(this.visits.length)];
    const product = this.shelf.popular();
    const priceCents = this.shelf.priceCents(product, 0, at);
    this.host.renderer().productViewed({ visit, kind: 'view', product, priceCents, searchQuery: null, compared: null, seconds: 1 + this.rng.int(2), at, sim }, this.host.out);
    this.next = sim + this.rng.exp(1 / this.perMs);
  }
}
