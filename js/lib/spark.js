// Sparkline geometry: an SVG path through the points, scaled into a width x height box.

/** SVG path `d` for `values` (oldest first) in a box; "" for fewer than two finite points. */
export function sparkPath(values, width, height, pad = 1) {
  const points = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) points.push(values[i]);
  if (points.length < 2) return "";
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of points) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi - lo || 1;
  const dx = (width - 2 * pad) / (points.length - 1);
  const h = height - 2 * pad;
  let d = "";
  for (let i = 0; i < points.length; i++) {
    const x = pad + i * dx;
    const y = pad + (hi === lo ? h / 2 : h - ((points[i] - lo) / span) * h);
    d += `${i ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`;
  }
  return d;
}

/** +1 when the series ends above where it started, -1 below, 0 flat or too short. */
export function sparkTrend(values) {
  if (values.length < 2) return 0;
  const first = values[0];
  const last = values[values.length - 1];
  return last > first ? 1 : last < first ? -1 : 0;
}
