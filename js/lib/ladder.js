// The order-book ladder's numbers, without the DOM: bar widths (by level or cumulative size),
// spread and mid, which levels changed since the last frame, and where the user's orders sit.

/**
 * Rows of both sides, best first, each {price, size, total, frac}: `total` is the cumulative
 * size from the touch, `frac` the bar width in [0, 1] relative to the largest bar shown on
 * either side (so both sides share one scale and can be compared by eye).
 */
export function ladderRows(book, cumulative = false) {
  const build = (levels) => {
    let total = 0;
    return levels.map(([price, size]) => {
      total += size;
      return { price, size, total, frac: 0 };
    });
  };
  const bids = build(book.bids);
  const asks = build(book.asks);
  let max = 0;
  for (const row of bids) max = Math.max(max, cumulative ? row.total : row.size);
  for (const row of asks) max = Math.max(max, cumulative ? row.total : row.size);
  if (max > 0) {
    for (const row of bids) row.frac = (cumulative ? row.total : row.size) / max;
    for (const row of asks) row.frac = (cumulative ? row.total : row.size) / max;
  }
  return { bids, asks };
}

/** Mid, spread and spread in basis points of the mid; nulls when a side is empty. */
export function spreadOf(book) {
  if (!book.bids.length || !book.asks.length) return { mid: null, spread: null, bps: null };
  const bid = book.bids[0][0];
  const ask = book.asks[0][0];
  const mid = (bid + ask) / 2;
  return { mid, spread: ask - bid, bps: mid > 0 ? ((ask - bid) / mid) * 1e4 : null };
}

/**
 * Levels whose size moved noticeably since `previous` (a Map price -> size of the last frame):
 * new levels, and changes of at least `threshold` of the larger of the two sizes (a busy book
 * nudges most levels every frame; flashing all of them would flash nothing in particular).
 * Returns {changed: Map price -> +1 (grew or new) / -1 (shrank), sizes: Map for the next call}.
 * The first frame (empty `previous`) reports nothing, so a fresh view does not flash every row.
 */
export function changedLevels(previous, levels, threshold = 0.25) {
  const sizes = new Map();
  const changed = new Map();
  for (const [price, size] of levels) {
    sizes.set(price, size);
    if (!previous.size) continue;
    const before = previous.get(price);
    if (before === undefined) changed.set(price, 1);
    else if (Math.abs(size - before) >= threshold * Math.max(size, before)) changed.set(price, size > before ? 1 : -1);
  }
  return { changed, sizes };
}

/**
 * The user's own orders by side and displayed price: Map "bid:88000.5" -> {qty, count, orders, key},
 * `orders` each {id, linkId, price, qty} and `key` a string that changes only when they do (so a
 * row rebuilds its markers only then, never per frame).
 */
export function ownByLevel(own) {
  const map = new Map();
  for (const entry of own || []) {
    const [price, side, qty, count, list = []] = entry;
    const orders = list.map(([id, linkId, orderPrice, orderQty]) => ({ id, linkId, price: orderPrice, qty: orderQty }));
    const key = orders.length ? orders.map((o) => `${o.id}@${o.price}x${o.qty}`).join(",") : `${count}x${qty}`;
    map.set(`${side}:${price}`, { qty, count, orders, key });
  }
  return map;
}

/**
 * What a gesture on a ladder row asks, from the event's facts alone: "cancel" (on a marker's ×),
 * "place" (shift-click: a one-click order, if armed), or "pick" (the row's price into the ticket);
 * null when the click was not on a row.
 */
export function rowGesture({ onRow, onCancel, shift }) {
  if (onCancel) return "cancel";
  if (!onRow) return null;
  return shift ? "place" : "pick";
}

/** A dragged order dropped on `toPrice`: the amend to send, or null (same row, no row, no order). */
export function dropAmend(drag, toPrice) {
  if (!drag || !drag.orderId || toPrice === null || toPrice === undefined || toPrice === "") return null;
  if (String(toPrice) === String(drag.rowPrice)) return null; // back on the row it left: no change
  return { type: "amend", order_id: drag.orderId, from_price: drag.orderPrice, price: String(toPrice) };
}

/** A ladder row's height in CSS px (the CSS's `.bw-book .bw-row` height: the canvas draws on the same grid). */
export const RUNG_PX = 18;

/**
 * Where a row's cells sit, in CSS px from the row's left edge, for a row `width` wide whose marker
 * column is `ownWidth`: the CSS's flex row (padding 0 4px, gap 6px, the marker column, then
 * price, size and total sharing the rest equally). Each {left, width}; text is right-aligned.
 */
export function rungColumns(width, ownWidth, pad = 4, gap = 6) {
  const cell = Math.max(0, (width - 2 * pad - ownWidth - 3 * gap) / 3);
  const price = pad + ownWidth + gap;
  return {
    price: { left: price, width: cell },
    size: { left: price + cell + gap, width: cell },
    total: { left: price + 2 * (cell + gap), width: cell },
  };
}

/** The top, in CSS px, of row `index` (0 = best) of a side of `count` rows: asks stack up from the spread. */
export function rungTop(side, index, count) {
  return (side === "ask" ? count - 1 - index : index) * RUNG_PX;
}

/**
 * The ticket side a hotkey picks ("b" / "s", any case), "disarm" for Escape, else null. A key
 * pressed with Ctrl, Meta or Alt is someone else's shortcut (Ctrl+S saves the notebook).
 */
export function hotkey(key, { ctrlKey = false, metaKey = false, altKey = false } = {}) {
  if (ctrlKey || metaKey || altKey) return null;
  if (key === "b" || key === "B") return "Buy";
  if (key === "s" || key === "S") return "Sell";
  if (key === "Escape") return "disarm";
  return null;
}

/** True when bids fall strictly and asks rise strictly and the best bid is below the best ask. */
export function isSane(book) {
  for (let i = 1; i < book.bids.length; i++) if (!(book.bids[i][0] < book.bids[i - 1][0])) return false;
  for (let i = 1; i < book.asks.length; i++) if (!(book.asks[i][0] > book.asks[i - 1][0])) return false;
  if (book.bids.length && book.asks.length && !(book.bids[0][0] < book.asks[0][0])) return false;
  return true;
}

/** Grouping choices offered for a tick size: multiples that give round numbers. */
export function groupingChoices(tickSize) {
  const choices = [1, 2, 5, 10, 20, 50, 100, 250, 500, 1000];
  if (!(tickSize > 0)) return [1];
  return choices.filter((m) => m * tickSize <= 1000);
}
