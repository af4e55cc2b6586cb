/** The one list of the store's collections, in the order reports and set-up use. */

export const catalogCollections = ['products', 'users'] as const;
export const eventCollections = ['product_views', 'cart_events', 'transactions', 'user_activities', 'inventory_updates', 'order_events', 'price_changes', 'reviews', 'user_changes'] as const;
/** The event collections of the living store (issue 23): what `--lifecycle off` does not write. */
export const lifecycleCollections = ['order_events', 'price_changes', 'reviews', 'user_changes'] as const;
/** The tool's own bookkeeping: rejected records and run records. */
export const bookkeepingCollections = ['dead_letters', 'etl_runs'] as const;

export type EventCollection = (typeof eventCollections)[number];
