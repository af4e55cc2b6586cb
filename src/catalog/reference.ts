/**
 * Reference data of the simulated store: categories, countries and their regions,
 * tax and shipping rules, customer segments. Shared by the catalog and the event engine.
 */

export interface CategorySpec {
  name: string;
  /** Share of the catalog (relative weight). */
  weight: number;
  minPrice: number;
  maxPrice: number;
  nouns: readonly string[];
}

export const categories: readonly CategorySpec[] = [
  { name: 'Electronics', weight: 18, minPrice: 15, maxPrice: 2000, nouns: ['Headphones', 'Laptop', 'Smartphone', 'Monitor', 'Speaker', 'Camera', 'Tablet', 'Charger', 'Keyboard', 'Smartwatch'] },
  { name: 'Clothing', weight: 16, minPrice: 8, maxPrice: 250, nouns: ['T-Shirt', 'Jacket', 'Jeans', 'Sneakers', 'Dress', 'Hoodie', 'Scarf', 'Boots', 'Shirt', 'Socks'] },
  { name: 'Home & Garden', weight: 12, minPrice: 10, maxPrice: 900, nouns: ['Lamp', 'Chair', 'Rug', 'Planter', 'Cookware Set', 'Pillow', 'Table', 'Shelf', 'Vase', 'Hose'] },
  { name: 'Sports & Outdoors', weight: 10, minPrice: 10, maxPrice: 700, nouns: ['Yoga Mat', 'Tent', 'Bicycle Helmet', 'Backpack', 'Dumbbell Set', 'Running Shorts', 'Water Bottle', 'Sleeping Bag'] },
  { name: 'Books', weight: 10, minPrice: 5, maxPrice: 60, nouns: ['Novel', 'Cookbook', 'Biography', 'Guide', 'Atlas', 'Textbook', 'Poetry Collection', 'Graphic Novel'] },
  { name: 'Beauty', weight: 9, minPrice: 4, maxPrice: 150, nouns: ['Moisturizer', 'Lipstick', 'Shampoo', 'Perfume', 'Serum', 'Face Mask', 'Nail Polish', 'Sunscreen'] },
  { name: 'Toys & Games', weight: 8, minPrice: 5, maxPrice: 200, nouns: ['Puzzle', 'Board Game', 'Action Figure', 'Building Set', 'Plush Toy', 'Card Game', 'Remote Car'] },
  { name: 'Food & Grocery', weight: 7, minPrice: 2, maxPrice: 80, nouns: ['Coffee Beans', 'Olive Oil', 'Tea Sampler', 'Chocolate Box', 'Granola', 'Spice Kit', 'Honey'] },
  { name: 'Automotive', weight: 5, minPrice: 8, maxPrice: 900, nouns: ['Car Cover', 'Floor Mats', 'Dash Cam', 'Tire Inflator', 'Seat Cushion', 'Jump Starter'] },
  { name: 'Health', weight: 5, minPrice: 4, maxPrice: 160, nouns: ['Vitamins', 'Thermometer', 'First Aid Kit', 'Protein Powder', 'Massage Gun', 'Blood Pressure Monitor'] },
];

export const categoryNames = categories.map((c) => c.name) as readonly string[];

export interface CountrySpec {
  code: string;
  name: string;
  weight: number;
  /** Sales tax / VAT applied to (subtotal - discount). */
  taxRate: number;
  /** Flat shipping in cents below the free-shipping threshold. */
  shippingCents: number;
  /** Order subtotal (cents) from which shipping is free. */
  freeShippingFromCents: number;
  regions: readonly string[];
}

export const countries: readonly CountrySpec[] = [
  { code: 'US', name: 'United States', weight: 34, taxRate: 0.07, shippingCents: 599, freeShippingFromCents: 5000, regions: ['California', 'Texas', 'New York', 'Florida', 'Illinois', 'Washington', 'Georgia', 'Ohio'] },
  { code: 'GB', name: 'United Kingdom', weight: 10, taxRate: 0.2, shippingCents: 499, freeShippingFromCents: 4000, regions: ['England', 'Scotland', 'Wales', 'Northern Ireland'] },
  { code: 'DE', name: 'Germany', weight: 9, taxRate: 0.19, shippingCents: 499, freeShippingFromCents: 3000, regions: ['Bavaria', 'Berlin', 'Hamburg', 'Hesse', 'Saxony', 'North Rhine-Westphalia'] },
  { code: 'FR', name: 'France', weight: 7, taxRate: 0.2, shippingCents: 599, freeShippingFromCents: 3500, regions: ['Île-de-France', 'Provence-Alpes-Côte d’Azur', 'Occitanie', 'Brittany', 'Auvergne-Rhône-Alpes'] },
  { code: 'CA', name: 'Canada', weight: 7, taxRate: 0.13, shippingCents: 799, freeShippingFromCents: 7500, regions: ['Ontario', 'Quebec', 'British Columbia', 'Alberta', 'Manitoba'] },
  { code: 'IN', name: 'India', weight: 8, taxRate: 0.18, shippingCents: 299, freeShippingFromCents: 2500, regions: ['Maharashtra', 'Karnataka', 'Delhi', 'Tamil Nadu', 'Gujarat', 'West Bengal'] },
  { code: 'BR', name: 'Brazil', weight: 6, taxRate: 0.17, shippingCents: 899, freeShippingFromCents: 10000, regions: ['São Paulo', 'Rio de Janeiro', 'Minas Gerais', 'Bahia', 'Paraná'] },
  { code: 'JP', name: 'Japan', weight: 6, taxRate: 0.1, shippingCents: 699, freeShippingFromCents: 5000, regions: ['Tokyo', 'Osaka', 'Kanagawa', 'Aichi', 'Hokkaido', 'Fukuoka'] },
  { code: 'AU', name: 'Australia', weight: 5, taxRate: 0.1, shippingCents: 999, freeShippingFromCents: 8000, regions: ['New South Wales', 'Victoria', 'Queensland', 'Western Australia', 'South Australia'] },
  { code: 'ES', name: 'Spain', weight: 4, taxRate: 0.21, shippingCents: 599, freeShippingFromCents: 3500, regions: ['Madrid', 'Catalonia', 'Andalusia', 'Valencia', 'Basque Country'] },
  { code: 'MX', name: 'Mexico', weight: 4, taxRate: 0.16, shippingCents: 799, freeShippingFromCents: 9000, regions: ['Mexico City', 'Jalisco', 'Nuevo León', 'Puebla', 'Yucatán'] },
];

export const countryCodes = countries.map((c) => c.code) as readonly string[];
export const countryByCode: ReadonlyMap<string, CountrySpec> = new Map(countries.map((c) => [c.code, c]));

export const customerSegments = ['new', 'regular', 'premium', 'vip'] as const;
export type CustomerSegment = (typeof customerSegments)[number];
export const segmentWeights: Record<CustomerSegment, number> = { new: 25, regular: 45, premium: 22, vip: 8 };

export const genders = ['female', 'male', 'non_binary', 'undisclosed'] as const;
export const genderWeights = [48, 48, 2, 2];

export const emailDomains = ['gmail.com', 'yahoo.com', 'outlook.com', 'icloud.com', 'hotmail.com', 'proton.me', 'aol.com', 'gmx.net'] as const;

/** Catalog dates are drawn from a fixed window so the same seed gives the same documents on any day. */
export const catalogWindow = { from: new Date('2021-01-01T00:00:00Z'), to: new Date('2025-12-31T23:59:59Z') } as const;

export const productIdWidth = 6;
export const userIdWidth = 7;

export function productId(n: number): string {
  return `PRD_${String(n).padStart(productIdWidth, '0')}`;
}

export function userId(n: number): string {
  return `USR_${String(n).padStart(userIdWidth, '0')}`;
}
