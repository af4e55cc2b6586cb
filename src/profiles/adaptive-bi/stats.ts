import { type ShapedFigures, type StatsPlan, inWindow, pipelines } from '../../reporting/stats.js';

/** The order a transaction belongs to: its `order_id`; one the original service wrote has none and is an order of one line. */
const orderKey = { $ifNull: ['$order_id', '$transaction_id'] };

/**
 * The same figures over the adaptive-bi profile's documents: one transaction per order line
 * (orders are distinct `order_id`s), views and cart changes in `user_activities`.
 */
const abiPipelines: ShapedFigures = {
  sales(from, to) {
    return [
      inWindow(from, to),
      { $group: { _id: orderKey, total: { $sum: '$final_amount' }, units: { $sum: '$quantity' }, returned: { $max: { $cond: ['$is_returned', 1, 0] } } } },
      { $group: { _id: null, orders: { $sum: 1 }, revenue: { $sum: '$total' }, units: { $sum: '$units' }, returned: { $sum: '$returned' } } },
    ];
  },
  revenueByCategory(from, to) {
    return [inWindow(from, to), { $group: { _id: '$category', revenue: { $sum: '$total_amount' }, units: { $sum: '$quantity' } } }, { $sort: { revenue: -1, _id: 1 } }];
  },
  revenueByCountry(from, to) {
    return [
      inWindow(from, to),
      { $group: { _id: '$user_info.country', revenue: { $sum: '$final_amount' }, orderIds: { $addToSet: orderKey } } },
      { $project: { revenue: 1, orders: { $size: '$orderIds' } } },
      { $sort: { revenue: -1, _id: 1 } },
    ];
  },
  topProducts(from, to, by) {
    return [
      inWindow(from, to),
      { $group: { _id: '$product_id', name: { $first: '$product_name' }, revenue: { $sum: '$total_amount' }, units: { $sum: '$quantity' } } },
      { $sort: { [by]: -1, _id: 1 } },
      { $limit: 10 },
    ];
  },
  buyers(from, to) {
    return [
      inWindow(from, to),
      { $group: { _id: '$user_id', orderIds: { $addToSet: orderKey } } },
      { $group: { _id: null, buyers: { $sum: 1 }, orders: { $sum: { $size: '$orderIds' } } } },
    ];
  },
  trending(from, to) {
    const before = new Date(from.getTime() - (to.getTime() - from.getTime()));
    return [
      { $match: { timestamp: { $gte: before, $lt: to }, activity_type: { $in: ['page_view', 'search'] }, product_id: { $ne: null } } },
      ...pipelines.trending(from, to).slice(1),
    ];
  },
  fraudByType(from, to) {
    return [
      pipelines.fraudByType(from, to)[0],
      { $group: { _id: { $ifNull: ['$anomaly_type', 'unlabelled'] }, orderIds: { $addToSet: orderKey }, amount: { $sum: '$final_amount' } } },
      { $project: { orders: { $size: '$orderIds' }, amount: 1 } },
      { $sort: { orders: -1, _id: 1 } },
    ];
  },
};

/**
 * Its documents: views and cart changes are user activities, an order is its transactions (one
 * per line). The funnel counts visits in user_activities alone, checkouts by their checkout page:
 * it holds a sample of the visits (whole ones), where transactions hold every order.
 */
export const abiStatsPlan: StatsPlan = {
  figures: abiPipelines,
  viewed: ['user_activities', { activity_type: { $in: ['page_view', 'search'] }, product_id: { $ne: null } }],
  carted: ['user_activities', { activity_type: 'add_to_cart' }],
  checkedOut: ['user_activities', { activity_type: 'page_view', page_url: /\/checkout$/ }],
  views: 'user_activities',
  cartOutcomes: false,
};
