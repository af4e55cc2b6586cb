import { z } from 'zod';
import { categoryNames, countries, countryByCode, customerSegments, genders } from './reference.js';

/** An amount of money: never negative, whole cents. */
export const money = z.number().nonnegative().multipleOf(0.01);

export const productSchema = z
  .strictObject({
    _id: z.string().regex(/^PRD_\d{6,}$/),
    product_id: z.string().regex(/^PRD_\d{6,}$/),
    name: z.string().min(1),
    category: z.enum(categoryNames as [string, ...string[]]),
    brand: z.string().min(1),
    base_price: money.positive(),
    cost: money.positive(),
    stock_quantity: z.number().int().nonnegative(),
    rating: z.number().min(1).max(5),
    review_count: z.number().int().nonnegative(),
    created_at: z.date(),
    is_active: z.boolean(),
    // The living store keeps these current in MongoDB (price_changes and reviews; absent until then).
    price: money.positive().optional(),
    price_updated_at: z.date().optional(),
    rating_base: z.strictObject({ rating: z.number().min(1).max(5), count: z.number().int().nonnegative() }).optional(),
    review_stars: z.number().int().nonnegative().optional(),
    review_seq: z.record(z.string(), z.number().int().nonnegative()).optional(),
  })
  .refine((p) => p._id === p.product_id, { message: '_id must equal product_id', path: ['_id'] })
  .refine((p) => p.cost < p.base_price, { message: 'cost must be below base_price', path: ['cost'] });

export type Product = z.infer<typeof productSchema>;

export const userSchema = z
  .strictObject({
    _id: z.string().regex(/^USR_\d{7,}$/),
    user_id: z.string().regex(/^USR_\d{7,}$/),
    email: z.email(),
    first_name: z.string().min(1),
    last_name: z.string().min(1),
    age: z.number().int().min(18).max(80),
    gender: z.enum(genders),
    country: z.enum(countries.map((c) => c.code) as [string, ...string[]]),
    region: z.string().min(1),
    city: z.string().min(1),
    signup_date: z.date(),
    customer_segment: z.enum(customerSegments),
    preferred_category: z.enum(categoryNames as [string, ...string[]]),
    is_active: z.boolean(),
    /** The living store: when user_changes last changed the user (absent until then), and what it was seeded as. */
    updated_at: z.date().optional(),
    seeded: z.strictObject({ customer_segment: z.enum(customerSegments), is_active: z.boolean() }).optional(),
  })
  .refine((u) => u._id === u.user_id, { message: '_id must equal user_id', path: ['_id'] })
  .refine((u) => countryByCode.get(u.country)?.regions.some((r) => r.name === u.region) ?? false, {
    message: 'region must belong to country',
    path: ['region'],
  });

export type User = z.infer<typeof userSchema>;
