/** Part `i` of `total` split across `parts` as evenly as whole numbers allow (the first ones get the remainder). */
export function evenShare(total: number, parts: number, i: number): number {
  return Math.floor(total / parts) + (i < total % parts ? 1 : 0);
}
