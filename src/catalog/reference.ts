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
  /** Regions (state, province, nation), each with its IANA time zone and real cities. */
  regions: readonly RegionSpec[];
}

export interface RegionSpec {
  name: string;
  /** Where users of this region live: the hour curve applies in this zone. */
  timeZone: string;
  cities: readonly string[];
}

export const countries: readonly CountrySpec[] = [
  { code: 'US', name: 'United States', weight: 34, taxRate: 0.07, shippingCents: 599, freeShippingFromCents: 5000, regions: [
      { name: 'California', timeZone: 'America/Los_Angeles', cities: ['Los Angeles', 'San Francisco', 'San Diego'] },
      { name: 'Texas', timeZone: 'America/Chicago', cities: ['Houston', 'Austin', 'Dallas'] },
      { name: 'New York', timeZone: 'America/New_York', cities: ['New York City', 'Buffalo', 'Rochester'] },
      { name: 'Florida', timeZone: 'America/New_York', cities: ['Miami', 'Orlando', 'Tampa'] },
      { name: 'Illinois', timeZone: 'America/Chicago', cities: ['Chicago', 'Springfield', 'Naperville'] },
      { name: 'Washington', timeZone: 'America/Los_Angeles', cities: ['Seattle', 'Spokane', 'Tacoma'] },
      { name: 'Georgia', timeZone: 'America/New_York', cities: ['Atlanta', 'Savannah', 'Augusta'] },
      { name: 'Ohio', timeZone: 'America/New_York', cities: ['Columbus', 'Cleveland', 'Cincinnati'] },
    ] },
  { code: 'GB', name: 'United Kingdom', weight: 10, taxRate: 0.2, shippingCents: 499, freeShippingFromCents: 4000, regions: [
      { name: 'England', timeZone: 'Europe/London', cities: ['London', 'Manchester', 'Birmingham'] },
      { name: 'Scotland', timeZone: 'Europe/London', cities: ['Edinburgh', 'Glasgow', 'Aberdeen'] },
      { name: 'Wales', timeZone: 'Europe/London', cities: ['Cardiff', 'Swansea', 'Newport'] },
      { name: 'Northern Ireland', timeZone: 'Europe/London', cities: ['Belfast', 'Derry', 'Lisburn'] },
    ] },
  { code: 'DE', name: 'Germany', weight: 9, taxRate: 0.19, shippingCents: 499, freeShippingFromCents: 3000, regions: [
      { name: 'Bavaria', timeZone: 'Europe/Berlin', cities: ['Munich', 'Nuremberg', 'Augsburg'] },
      { name: 'Berlin', timeZone: 'Europe/Berlin', cities: ['Berlin'] },
      { name: 'Hamburg', timeZone: 'Europe/Berlin', cities: ['Hamburg'] },
      { name: 'Hesse', timeZone: 'Europe/Berlin', cities: ['Frankfurt', 'Wiesbaden', 'Kassel'] },
      { name: 'Saxony', timeZone: 'Europe/Berlin', cities: ['Dresden', 'Leipzig', 'Chemnitz'] },
      { name: 'North Rhine-Westphalia', timeZone: 'Europe/Berlin', cities: ['Cologne', 'Düsseldorf', 'Dortmund'] },
    ] },
  { code: 'FR', name: 'France', weight: 7, taxRate: 0.2, shippingCents: 599, freeShippingFromCents: 3500, regions: [
      { name: 'Île-de-France', timeZone: 'Europe/Paris', cities: ['Paris', 'Versailles', 'Boulogne-Billancourt'] },
      { name: 'Provence-Alpes-Côte d’Azur', timeZone: 'Europe/Paris', cities: ['Marseille', 'Nice', 'Toulon'] },
      { name: 'Occitanie', timeZone: 'Europe/Paris', cities: ['Toulouse', 'Montpellier', 'Nîmes'] },
      { name: 'Brittany', timeZone: 'Europe/Paris', cities: ['Rennes', 'Brest', 'Quimper'] },
      { name: 'Auvergne-Rhône-Alpes', timeZone: 'Europe/Paris', cities: ['Lyon', 'Grenoble', 'Saint-Étienne'] },
    ] },
  { code: 'CA', name: 'Canada', weight: 7, taxRate: 0.13, shippingCents: 799, freeShippingFromCents: 7500, regions: [
      { name: 'Ontario', timeZone: 'America/Toronto', cities: ['Toronto', 'Ottawa', 'Hamilton'] },
      { name: 'Quebec', timeZone: 'America/Toronto', cities: ['Montreal', 'Quebec City', 'Laval'] },
      { name: 'British Columbia', timeZone: 'America/Vancouver', cities: ['Vancouver', 'Victoria', 'Surrey'] },
      { name: 'Alberta', timeZone: 'America/Edmonton', cities: ['Calgary', 'Edmonton', 'Red Deer'] },
      { name: 'Manitoba', timeZone: 'America/Winnipeg', cities: ['Winnipeg', 'Brandon', 'Steinbach'] },
    ] },
  { code: 'IN', name: 'India', weight: 8, taxRate: 0.18, shippingCents: 299, freeShippingFromCents: 2500, regions: [
      { name: 'Maharashtra', timeZone: 'Asia/Kolkata', cities: ['Mumbai', 'Pune', 'Nagpur'] },
      { name: 'Karnataka', timeZone: 'Asia/Kolkata', cities: ['Bengaluru', 'Mysuru', 'Mangaluru'] },
      { name: 'Delhi', timeZone: 'Asia/Kolkata', cities: ['New Delhi'] },
      { name: 'Tamil Nadu', timeZone: 'Asia/Kolkata', cities: ['Chennai', 'Coimbatore', 'Madurai'] },
      { name: 'Gujarat', timeZone: 'Asia/Kolkata', cities: ['Ahmedabad', 'Surat', 'Vadodara'] },
      { name: 'West Bengal', timeZone: 'Asia/Kolkata', cities: ['Kolkata', 'Howrah', 'Durgapur'] },
    ] },
  { code: 'BR', name: 'Brazil', weight: 6, taxRate: 0.17, shippingCents: 899, freeShippingFromCents: 10000, regions: [
      { name: 'São Paulo', timeZone: 'America/Sao_Paulo', cities: ['São Paulo', 'Campinas', 'Santos'] },
      { name: 'Rio de Janeiro', timeZone: 'America/Sao_Paulo', cities: ['Rio de Janeiro', 'Niterói', 'Petrópolis'] },
      { name: 'Minas Gerais', timeZone: 'America/Sao_Paulo', cities: ['Belo Horizonte', 'Uberlândia', 'Juiz de Fora'] },
      { name: 'Bahia', timeZone: 'America/Bahia', cities: ['Salvador', 'Feira de Santana', 'Ilhéus'] },
      { name: 'Paraná', timeZone: 'America/Sao_Paulo', cities: ['Curitiba', 'Londrina', 'Maringá'] },
    ] },
  { code: 'JP', name: 'Japan', weight: 6, taxRate: 0.1, shippingCents: 699, freeShippingFromCents: 5000, regions: [
      { name: 'Tokyo', timeZone: 'Asia/Tokyo', cities: ['Shinjuku', 'Shibuya', 'Hachiōji'] },
      { name: 'Osaka', timeZone: 'Asia/Tokyo', cities: ['Osaka', 'Sakai', 'Higashiōsaka'] },
      { name: 'Kanagawa', timeZone: 'Asia/Tokyo', cities: ['Yokohama', 'Kawasaki', 'Sagamihara'] },
      { name: 'Aichi', timeZone: 'Asia/Tokyo', cities: ['Nagoya', 'Toyota', 'Okazaki'] },
      { name: 'Hokkaido', timeZone: 'Asia/Tokyo', cities: ['Sapporo', 'Asahikawa', 'Hakodate'] },
      { name: 'Fukuoka', timeZone: 'Asia/Tokyo', cities: ['Fukuoka', 'Kitakyushu', 'Kurume'] },
    ] },
  { code: 'AU', name: 'Australia', weight: 5, taxRate: 0.1, shippingCents: 999, freeShippingFromCents: 8000, regions: [
      { name: 'New South Wales', timeZone: 'Australia/Sydney', cities: ['Sydney', 'Newcastle', 'Wollongong'] },
      { name: 'Victoria', timeZone: 'Australia/Melbourne', cities: ['Melbourne', 'Geelong', 'Ballarat'] },
      { name: 'Queensland', timeZone: 'Australia/Brisbane', cities: ['Brisbane', 'Gold Coast', 'Cairns'] },
      { name: 'Western Australia', timeZone: 'Australia/Perth', cities: ['Perth', 'Bunbury', 'Mandurah'] },
      { name: 'South Australia', timeZone: 'Australia/Adelaide', cities: ['Adelaide', 'Mount Gambier', 'Whyalla'] },
    ] },
  { code: 'ES', name: 'Spain', weight: 4, taxRate: 0.21, shippingCents: 599, freeShippingFromCents: 3500, regions: [
      { name: 'Madrid', timeZone: 'Europe/Madrid', cities: ['Madrid', 'Alcalá de Henares', 'Getafe'] },
      { name: 'Catalonia', timeZone: 'Europe/Madrid', cities: ['Barcelona', 'Girona', 'Tarragona'] },
      { name: 'Andalusia', timeZone: 'Europe/Madrid', cities: ['Seville', 'Málaga', 'Granada'] },
      { name: 'Valencia', timeZone: 'Europe/Madrid', cities: ['Valencia', 'Alicante', 'Elche'] },
      { name: 'Basque Country', timeZone: 'Europe/Madrid', cities: ['Bilbao', 'San Sebastián', 'Vitoria-Gasteiz'] },
    ] },
  { code: 'MX', name: 'Mexico', weight: 4, taxRate: 0.16, shippingCents: 799, freeShippingFromCents: 9000, regions: [
      { name: 'Mexico City', timeZone: 'America/Mexico_City', cities: ['Mexico City'] },
      { name: 'Jalisco', timeZone: 'America/Mexico_City', cities: ['Guadalajara', 'Zapopan', 'Puerto Vallarta'] },
      { name: 'Nuevo León', timeZone: 'America/Monterrey', cities: ['Monterrey', 'San Nicolás de los Garza', 'Guadalupe'] },
      { name: 'Puebla', timeZone: 'America/Mexico_City', cities: ['Puebla', 'Tehuacán', 'Cholula'] },
      { name: 'Yucatán', timeZone: 'America/Merida', cities: ['Mérida', 'Valladolid', 'Progreso'] },
    ] },
  // The Middle East and Africa (the adaptive-bi profile's world regions have users in each).
  { code: 'AE', name: 'United Arab Emirates', weight: 2, taxRate: 0.05, shippingCents: 799, freeShippingFromCents: 7500, regions: [
      { name: 'Dubai', timeZone: 'Asia/Dubai', cities: ['Dubai', 'Jebel Ali', 'Hatta'] },
      { name: 'Abu Dhabi', timeZone: 'Asia/Dubai', cities: ['Abu Dhabi', 'Al Ain', 'Ruwais'] },
      { name: 'Sharjah', timeZone: 'Asia/Dubai', cities: ['Sharjah', 'Khor Fakkan', 'Kalba'] },
    ] },
  { code: 'SA', name: 'Saudi Arabia', weight: 2, taxRate: 0.15, shippingCents: 899, freeShippingFromCents: 8000, regions: [
      { name: 'Riyadh', timeZone: 'Asia/Riyadh', cities: ['Riyadh', 'Al Kharj', 'Diriyah'] },
      { name: 'Makkah', timeZone: 'Asia/Riyadh', cities: ['Jeddah', 'Mecca', 'Taif'] },
      { name: 'Eastern Province', timeZone: 'Asia/Riyadh', cities: ['Dammam', 'Khobar', 'Dhahran'] },
    ] },
  { code: 'ZA', name: 'South Africa', weight: 2, taxRate: 0.15, shippingCents: 999, freeShippingFromCents: 10000, regions: [
      { name: 'Gauteng', timeZone: 'Africa/Johannesburg', cities: ['Johannesburg', 'Pretoria', 'Soweto'] },
      { name: 'Western Cape', timeZone: 'Africa/Johannesburg', cities: ['Cape Town', 'Stellenbosch', 'Paarl'] },
      { name: 'KwaZulu-Natal', timeZone: 'Africa/Johannesburg', cities: ['Durban', 'Pietermaritzburg', 'Richards Bay'] },
    ] },
  { code: 'NG', name: 'Nigeria', weight: 1, taxRate: 0.075, shippingCents: 999, freeShippingFromCents: 12000, regions: [
      { name: 'Lagos', timeZone: 'Africa/Lagos', cities: ['Lagos', 'Ikeja', 'Lekki'] },
      { name: 'Federal Capital Territory', timeZone: 'Africa/Lagos', cities: ['Abuja', 'Gwagwalada', 'Kuje'] },
      { name: 'Rivers', timeZone: 'Africa/Lagos', cities: ['Port Harcourt', 'Bonny', 'Obio-Akpor'] },
    ] },
  { code: 'EG', name: 'Egypt', weight: 1, taxRate: 0.14, shippingCents: 899, freeShippingFromCents: 10000, regions: [
      { name: 'Cairo', timeZone: 'Africa/Cairo', cities: ['Cairo', 'New Cairo', 'Helwan'] },
      { name: 'Alexandria', timeZone: 'Africa/Cairo', cities: ['Alexandria', 'Borg El Arab', 'Abu Qir'] },
      { name: 'Giza', timeZone: 'Africa/Cairo', cities: ['Giza', '6th of October City', 'Sheikh Zayed City'] },
    ] },
  { code: 'KE', name: 'Kenya', weight: 1, taxRate: 0.16, shippingCents: 999, freeShippingFromCents: 12000, regions: [
      { name: 'Nairobi', timeZone: 'Africa/Nairobi', cities: ['Nairobi', 'Westlands', 'Karen'] },
      { name: 'Mombasa', timeZone: 'Africa/Nairobi', cities: ['Mombasa', 'Likoni', 'Nyali'] },
      { name: 'Kisumu', timeZone: 'Africa/Nairobi', cities: ['Kisumu', 'Maseno', 'Ahero'] },
    ] },
  // Not drawn for the default catalog (weight 0): the adaptive-bi profile's users live here too.
  { code: 'CN', name: 'China', weight: 0, taxRate: 0.13, shippingCents: 499, freeShippingFromCents: 9900, regions: [
      { name: 'Beijing', timeZone: 'Asia/Shanghai', cities: ['Beijing'] },
      { name: 'Shanghai', timeZone: 'Asia/Shanghai', cities: ['Shanghai'] },
      { name: 'Guangdong', timeZone: 'Asia/Shanghai', cities: ['Guangzhou', 'Shenzhen', 'Dongguan'] },
      { name: 'Zhejiang', timeZone: 'Asia/Shanghai', cities: ['Hangzhou', 'Ningbo', 'Wenzhou'] },
      { name: 'Sichuan', timeZone: 'Asia/Shanghai', cities: ['Chengdu', 'Mianyang', 'Leshan'] },
    ] },
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

/** The number of an id written by `format` (`PRD_000042` → 42 with productId), or -1 when `format` did not write it. */
export function idNumber(id: unknown, prefix: string, format: (n: number) => string): number {
  if (typeof id !== 'string' || !id.startsWith(prefix)) return -1;
  const n = Number(id.slice(prefix.length));
  return Number.isInteger(n) && n >= 0 && n < 2 ** 31 && format(n) === id ? n : -1;
}
