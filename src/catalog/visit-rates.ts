import type { CustomerSegment } from './reference.js';

/**
 * Visits per user per month by customer segment: real stores see a few visits a month from
 * most customers and more from their best ones.
 */
export const visitsPerMonth: Record<CustomerSegment, number> = { new: 2, regular: 4, premium: 6, vip: 10 };
