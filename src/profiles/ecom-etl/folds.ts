import type { OrderEvent, PriceChange, Review, UserChange } from '../../events/schemas.js';
import type { Fold } from '../profile.js';

/** The stream a record id belongs to (`k3-0.2-1a` → `k3_0_2`: seed and partition), as a field name. */
const streamOf = (id: string) => id.slice(0, id.lastIndexOf('-')).replace(/[.-]/g, '_');

/**
 * ecom-etl's living store in MongoDB: the order, product and user documents follow their
 * change logs. Every update applies only while the document has not seen it (a lower version,
 * an earlier change, a review of the partition not yet counted), so a replayed or resumed
 * update matches nothing and counts as a duplicate; the stored documents are the fold of the
 * stored change logs, whatever the order partitions write them in.
 */
export const ecomEtlFolds: Readonly<Record<string, Fold>> = {
  order_events: {
    into: 'transactions',
    update(doc) {
      const e = doc as unknown as OrderEvent;
      // The placement is the order's insert (version 1, status placed).
      if (e.version === 1) return null;
      return {
        source: e._id,
        target: e.order_id,
        when: { version: { $lt: e.version } },
        update: {
          $set: { status: e.to_status, version: e.version, updated_at: e.timestamp, ...e.changes },
          $push: { status_history: { status: e.to_status, at: e.timestamp } },
        },
      };
    },
  },
  price_changes: {
    into: 'products',
    update(doc) {
      const c = doc as unknown as PriceChange;
      return { source: c._id, target: c.product_id, when: { price_updated_at: { $not: { $gte: c.timestamp } } }, update: { $set: { price: c.new_price, price_updated_at: c.timestamp } } };
    },
  },
  reviews: {
    into: 'products',
    update(doc, seq) {
      const r = doc as unknown as Review;
      // Reviews of one product come from every partition of every run: each stream's (seed and
      // partition, as its ids begin) are counted in its sequence order (review_seq), and the
      // rating is computed from sums, so it is the same whichever arrives first.
      const mark = `review_seq.${streamOf(r._id)}`;
      return {
        source: r._id,
        target: r.product_id,
        when: { [mark]: { $not: { $gte: seq } } },
        update: [
          {
            $set: {
              rating_base: { $ifNull: ['$rating_base', { rating: '$rating', count: '$review_count' }] },
              review_stars: { $add: [{ $ifNull: ['$review_stars', 0] }, r.rating] },
              review_count: { $add: ['$review_count', 1] },
              [mark]: seq,
            },
          },
          { $set: { rating: { $round: [{ $divide: [{ $add: [{ $multiply: ['$rating_base.rating', '$rating_base.count'] }, '$review_stars'] }, '$review_count'] }, 2] } } },
        ],
      };
    },
  },
  user_changes: {
    into: 'users',
    update(doc) {
      const u = doc as unknown as UserChange;
      return {
        source: u._id,
        target: u.user_id,
        when: { updated_at: { $not: { $gte: u.timestamp } } },
        // What the user was seeded as stays beside (`seeded`): the engine reads a catalog as seeded.
        update: [
          {
            $set: {
              seeded: { $ifNull: ['$seeded', { customer_segment: '$customer_segment', is_active: '$is_active' }] },
              customer_segment: u.customer_segment,
              is_active: u.is_active,
              updated_at: u.timestamp,
            },
          },
        ],
      };
    },
  },
};
