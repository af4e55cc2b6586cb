import { type CountrySpec, categories, countries } from '../catalog/reference.js';
import { type Rng, mixSeed } from '../shared/rng.js';
import type { AnomalyType, LineItem } from './schemas.js';
import { type StoreCatalog, productIdOf } from '../catalog/store-catalog.js';

/** A line of a cart: what the shopper will pay for it was fixed when it was added. */
export interface CartLine {
  product: number;
  qty: number;
  unitCents: number;
}

/**
 * Fits a cart to the stock there is now (another shopper may have bought the last units since
 * a line was added): a line with nothing left is removed (`changed(line)`), one with too few
 * units is cut to them (`changed(line, quantity before)`).
 */
export function fitToStock(cart: CartLine[], level: (product: number) => number, changed: (line: CartLine, before?: number) => void): void {
  for (let i = cart.length - 1; i >= 0; i--) {
    const line = cart[i];
    const available = level(line.product);
    if (available >= line.qty) continue;
    if (available === 0) {
      cart.splice(i, 1);
      changed(line);
    } else {
      const before = line.qty;
      line.qty = available;
      changed(line, before);
    }
  }
}

/**
 * Adds up to `wanted` units of a product to a cart, within the `available` stock (a new line
 * is priced by `price()` now; a line already there keeps its price): what was added, if anything.
 */
export function addToCart(cart: CartLine[], product: number, wanted: number, available: number, price: () => number): { added: number; unitCents: number } | undefined {
  if (available === 0) return undefined;
  const qty = Math.max(1, Math.min(wanted, available));
  const existing = cart.find((l) => l.product === product);
  if (!existing) {
    const line = { product, qty, unitCents: price() };
    cart.push(line);
    return { added: qty, unitCents: line.unitCents };
  }
  // The cart may hold every unit there is already: the event says what was added, if anything.
  const added = Math.min(existing.qty + qty, available) - existing.qty;
  if (added <= 0) return undefined;
  existing.qty += added;
  return { added, unitCents: existing.unitCents };
}

/** Units and value of a cart. */
export function cartTotals(lines: readonly CartLine[]): { items: number; valueCents: number } {
  let items = 0;
  let valueCents = 0;
  for (const l of lines) {
    items += l.qty;
    valueCents += l.qty * l.unitCents;
  }
  return { items, valueCents };
}

/** Extra discount by customer segment (new, regular, premium, vip). */
export const segmentDiscount = [0, 0, 0.05, 0.1];

/**
 * Dynamic price within ±20 % of base: the same for everyone during a price epoch
 * (a few hundred sessions), derived from (seed, product, epoch) so it repeats.
 */
export function dynamicPriceCents(seed: number, baseCents: number, product: number, epoch: number): number {
  const f = 0.8 + 0.4 * (mixSeed(seed, product, epoch) / 4294967296);
  return Math.max(1, Math.round(baseCents * f));
}

/** Countries the default store sells to (a fraud's elsewhere is one of them). */
const sellingTo = countries.filter((c) => c.weight > 0);

/** The money of one order, in cents, and the countries it involves. */
export interface PricedOrder {
  items: LineItem[];
  itemCount: number;
  subtotal: number;
  discount: number;
  tax: number;
  shipping: number;
  /** subtotal − discount + tax + shipping, exactly. */
  total: number;
  home: CountrySpec;
  shipTo: CountrySpec;
  billTo: CountrySpec;
  ipFrom: CountrySpec;
}

/**
 * Prices a checkout: line totals, the segment discount (or an occasional 15 % coupon), tax
 * and shipping by the shipping country. A `country_mismatch` fraud ships, bills and
 * connects from elsewhere than the user's home.
 */
export function priceOrder(lines: readonly CartLine[], user: number, catalog: StoreCatalog, anomaly: AnomalyType | null, rng: Rng, couponShare = 0.1): PricedOrder {
  const c = catalog;
  const home = countries[c.userCountry[user]];
  let subtotal = 0;
  let itemCount = 0;
  const items: LineItem[] = lines.map((l) => {
    subtotal += l.qty * l.unitCents;
    itemCount += l.qty;
    return {
      product_id: productIdOf(c, l.product),
      product_name: c.productNames[l.product],
      category: categories[c.productCategory[l.product]].name,
      brand: c.productBrands[l.product],
      base_price: c.basePriceCents[l.product] / 100,
      quantity: l.qty,
      unit_price: l.unitCents / 100,
      line_total: (l.qty * l.unitCents) / 100,
    };
  });
  const rate = segmentDiscount[c.userSegment[user]] || (rng.chance(couponShare) ? 0.15 : 0);
  const discount = Math.round(subtotal * rate);
  let shipTo = home;
  let billTo = home;
  let ipFrom = home;
  if (anomaly === 'country_mismatch') {
    const elsewhere = () => {
      let x = sellingTo[rng.int(sellingTo.length)];
      while (x === home) x = sellingTo[rng.int(sellingTo.length)];
      return x;
    };
    shipTo = elsewhere();
    billTo = rng.chance(0.5) ? home : elsewhere();
    ipFrom = elsewhere();
  }
  const tax = Math.round((subtotal - discount) * shipTo.taxRate);
  const shipping = subtotal >= shipTo.freeShippingFromCents ? 0 : shipTo.shippingCents;
  return { items, itemCount, subtotal, discount, tax, shipping, total: subtotal - discount + tax + shipping, home, shipTo, billTo, ipFrom };
}
