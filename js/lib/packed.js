// Readers of the packed binary traits the kernel sends (little-endian float64 arrays):
// the order book (see bybit_widgets/widgets/levels.py), trades and sparkline points.

/** A Float64Array over a DataView / ArrayBuffer / typed array, copying only when misaligned. */
export function toFloat64(data) {
  if (!data) return new Float64Array(0);
  if (data instanceof Float64Array) return data;
  let buffer;
  let offset = 0;
  let length;
  if (data instanceof ArrayBuffer) {
    buffer = data;
    length = data.byteLength;
  } else if (ArrayBuffer.isView(data)) {
    buffer = data.buffer;
    offset = data.byteOffset;
    length = data.byteLength;
  } else {
    return new Float64Array(0);
  }
  const count = Math.floor(length / 8);
  if (offset % 8 === 0) return new Float64Array(buffer, offset, count);
  return new Float64Array(buffer.slice(offset, offset + count * 8));
}

/** The ladder: {u, ts, bids: [[price, size], ...], asks: [...]}, best first. */
export function decodeBook(data) {
  const v = toFloat64(data);
  if (v.length < 4) return { u: 0, ts: 0, bids: [], asks: [] };
  const nb = v[2] | 0;
  const na = v[3] | 0;
  if (v.length < 4 + 2 * (nb + na)) throw new Error(`book buffer too short: ${v.length} for ${nb}+${na} levels`);
  const bids = new Array(nb);
  const asks = new Array(na);
  let at = 4;
  for (let i = 0; i < nb; i++) bids[i] = [v[at + i], v[at + nb + i]];
  at += 2 * nb;
  for (let i = 0; i < na; i++) asks[i] = [v[at + i], v[at + na + i]];
  return { u: v[0], ts: v[1], bids, asks };
}

/** Trades, newest first: [{time, price, size, side: "Buy" | "Sell"}]. */
export function decodeTrades(data) {
  const v = toFloat64(data);
  const out = [];
  for (let i = 0; i + 3 < v.length; i += 4) {
    out.push({ time: v[i], price: v[i + 1], size: v[i + 2], side: v[i + 3] > 0 ? "Buy" : "Sell" });
  }
  return out;
}
