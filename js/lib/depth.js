// The depth chart's pure parts: cumulative depth from the packed book, axis ranges that do not
// jitter with every update, and the depth under the pointer.

/** Cumulative depth of a decoded book ({bids, asks} best first): prices and running totals per side. */
export function depthCurves(book) {
  const side = (levels) => {
    const prices = new Float64Array(levels.length);
    const totals = new Float64Array(levels.length);
    let sum = 0;
    for (let i = 0; i < levels.length; i++) {
      prices[i] = levels[i][0];
      sum += levels[i][1];
      totals[i] = sum;
    }
    return { prices, totals, total: sum };
  };
  const bids = side(book.bids);
  const asks = side(book.asks);
  const mid = bids.prices.length && asks.prices.length ? (bids.prices[0] + asks.prices[0]) / 2 : null;
  return { bids, asks, mid, levels: bids.prices.length + asks.prices.length };
}

/** Half the x range: the farther side's last level from the mid (at least one `tick`). */
export function halfSpan(curves, tick = 0) {
  const { bids, asks, mid } = curves;
  if (mid === null) return 0;
  const low = bids.prices.length ? mid - bids.prices[bids.prices.length - 1] : 0;
  const high = asks.prices.length ? asks.prices[asks.prices.length - 1] - mid : 0;
  return Math.max(low, high, tick);
}

/**
 * A range shown that follows `wanted` without jitter: it grows at once, and shrinks only when
 * `wanted` fell below `shrinkBelow` of it (then to `wanted`).
 */
export function steady(shown, wanted, shrinkBelow = 0.7) {
  if (!(wanted > 0)) return shown > 0 ? shown : 0;
  if (!(shown > 0) || wanted > shown || wanted < shown * shrinkBelow) return wanted;
  return shown;
}

/** The cumulative depth at `price`: {side: "bid" | "ask" | null, total}; between the touches, nothing. */
export function depthAt(curves, price) {
  const { bids, asks } = curves;
  if (bids.prices.length && price <= bids.prices[0]) {
    let i = 0;
    while (i + 1 < bids.prices.length && bids.prices[i + 1] >= price) i++;
    return { side: "bid", total: bids.totals[i] };
  }
  if (asks.prices.length && price >= asks.prices[0]) {
    let i = 0;
    while (i + 1 < asks.prices.length && asks.prices[i + 1] <= price) i++;
    return { side: "ask", total: asks.totals[i] };
  }
  return { side: null, total: 0 };
}

/** The kernel's open orders ([[price, side (+1 buy, -1 sell), qty, orders], ...]) as objects. */
export function ownOrders(own) {
  if (!Array.isArray(own)) return [];
  return own.filter((o) => Array.isArray(o) && o.length >= 4).map(([price, side, qty, count]) => ({ price: Number(price), side: Number(side) > 0 ? 1 : -1, qty: Number(qty), count: Number(count) }));
}
