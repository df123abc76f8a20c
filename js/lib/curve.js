// Equity-curve geometry: SVG paths for a line of (time, value) points and the fills marked on it.
// Pure (no DOM), so node tests check it; the view sets three path elements' `d` (no node churn).

/** Value of the curve at time `t` (linear between samples, clamped at the ends); NaN if empty. */
export function valueAt(points, t) {
  const n = points.length / 2;
  if (!n) return NaN;
  if (t <= points[0]) return points[1];
  if (t >= points[2 * (n - 1)]) return points[2 * n - 1];
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (points[2 * mid] <= t) lo = mid;
    else hi = mid;
  }
  const t0 = points[2 * lo];
  const t1 = points[2 * hi];
  const v0 = points[2 * lo + 1];
  const v1 = points[2 * hi + 1];
  return t1 === t0 ? v1 : v0 + ((v1 - v0) * (t - t0)) / (t1 - t0);
}

/**
 * Paths for `points` ([t0, v0, t1, v1, ...]) in a width x height box, and for `fills`
 * ([t, +1 buy / -1 sell, ...]) as small circles on the line at their time.
 * Returns {line, buys, sells, lo, hi}; empty paths for fewer than two points.
 */
export function curvePaths(points, fills, width, height, pad = 4) {
  const n = points.length / 2;
  const out = { line: "", buys: "", sells: "", lo: NaN, hi: NaN };
  if (n < 2) return out;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 1; i < points.length; i += 2) {
    if (points[i] < lo) lo = points[i];
    if (points[i] > hi) hi = points[i];
  }
  const t0 = points[0];
  const span = points[2 * (n - 1)] - t0 || 1;
  const range = hi - lo || 1;
  const x = (t) => pad + ((t - t0) / span) * (width - 2 * pad);
  const y = (v) => (hi === lo ? height / 2 : pad + (1 - (v - lo) / range) * (height - 2 * pad));
  let line = "";
  for (let i = 0; i < n; i++) line += `${i ? "L" : "M"}${x(points[2 * i]).toFixed(1)},${y(points[2 * i + 1]).toFixed(1)}`;
  let buys = "";
  let sells = "";
  for (let i = 0; i + 1 < fills.length; i += 2) {
    const t = fills[i];
    if (t < t0) continue;
    const cx = x(Math.min(t, t0 + span));
    const cy = y(valueAt(points, t));
    const dot = `M${(cx - 3).toFixed(1)},${cy.toFixed(1)}a3,3 0 1,0 6,0a3,3 0 1,0 -6,0`;
    if (fills[i + 1] > 0) buys += dot;
    else sells += dot;
  }
  return { line, buys, sells, lo, hi };
}
