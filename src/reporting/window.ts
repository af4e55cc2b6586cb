/** The events of [from, to): the first stage of every windowed figure, on the collections' time index. */
export const inWindow = (from: Date, to: Date) => ({ $match: { timestamp: { $gte: from, $lt: to } } });
