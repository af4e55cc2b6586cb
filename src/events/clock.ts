/**
 * Store activity by local hour of day and day of week: quiet nights, a lunch peak and an
 * evening peak, busier weekends. The mean over a day is about 1.
 */
export const hourCurve = [
  0.25, 0.18, 0.14, 0.12, 0.13, 0.2, 0.38, 0.62, 0.85, 1.0, 1.1, 1.25, 1.45, 1.4, 1.2, 1.1, 1.1, 1.2, 1.45, 1.7, 1.8, 1.6, 1.1, 0.55,
];
export const weekendFactor = 1.25;
