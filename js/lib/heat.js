// The liquidity heatmap's pure parts: the kernel's binary frame (layout in
// bybit_widgets/widgets/heatcols.py), the view's ring of columns and how a frame merges into it
// (whole, relative, stale or a gap that needs a rebuild), the colour scale (square root of the
// size, clipped at a high percentile kept in a log-binned histogram), the colour ramp, and the
// geometry that maps time and price to canvas pixels. Also the canvas helpers the depth chart
// shares: theme colours read once, and nice axis ticks.

export const LAYOUT = 1;
const HEADER = 16;
const COLUMN_HEAD = 6;
const BUBBLE = 5;
const FILL = 5;
const OWN = 4;

/** An ArrayBuffer slice of a DataView / typed array / ArrayBuffer, 8-byte aligned (copied only when it is not). */
export function alignedBytes(data) {
  if (!data) return { buffer: new ArrayBuffer(0), offset: 0, length: 0 };
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
    return { buffer: new ArrayBuffer(0), offset: 0, length: 0 };
  }
  if (offset % 8 !== 0) {
    buffer = buffer.slice(offset, offset + length);
    offset = 0;
  }
  return { buffer, offset, length };
}

/** One frame: {version, base, levels, step, columnMs, capacity, now, bubbleFrom, bid, ask, columns, bubbles, fills, own}; null when empty. */
export function decodeHeat(data) {
  const { buffer, offset, length } = alignedBytes(data);
  if (length === 0) return null;
  if (length < HEADER * 8) throw new Error(`heatmap frame too short: ${length} bytes`);
  const h = new Float64Array(buffer, offset, HEADER);
  if (h[0] !== LAYOUT) throw new Error(`heatmap frame of layout ${h[0]}, this view reads layout ${LAYOUT}`);
  const levels = h[3] | 0;
  const rows = 2 * levels;
  const [nc, nb, nf, no] = [h[7] | 0, h[8] | 0, h[9] | 0, h[10] | 0];
  const need = HEADER * 8 + nc * (COLUMN_HEAD * 8 + rows * 4) + 8 * (nb * BUBBLE + nf * FILL + no * OWN);
  if (length !== need) throw new Error(`heatmap frame of ${length} bytes, its header says ${need}`);
  let at = offset + HEADER * 8;
  const heads = new Float64Array(buffer, at, nc * COLUMN_HEAD);
  at += nc * COLUMN_HEAD * 8;
  const sizes = new Float32Array(buffer, at, nc * rows);
  at += nc * rows * 4;
  const tail = new Float64Array(buffer, at, nb * BUBBLE + nf * FILL + no * OWN);
  const columns = new Array(nc);
  for (let i = 0; i < nc; i++) {
    const j = i * COLUMN_HEAD;
    // a copy: the ring outlives the frame, and must not keep a whole rebuild's buffer alive
    columns[i] = { c: heads[j], n: heads[j + 1], ts: heads[j + 2], p0: heads[j + 3], bid: heads[j + 4], ask: heads[j + 5], sizes: sizes.slice(i * rows, (i + 1) * rows) };
  }
  let t = 0;
  const bubbles = new Array(nb);
  for (let i = 0; i < nb; i++, t += BUBBLE) bubbles[i] = { n: tail[t], side: tail[t + 1], price: tail[t + 2], qty: tail[t + 3], count: tail[t + 4] };
  const fills = new Array(nf);
  for (let i = 0; i < nf; i++, t += FILL) fills[i] = { k: tail[t], ts: tail[t + 1], price: tail[t + 2], qty: tail[t + 3], side: tail[t + 4] };
  const own = new Array(no);
  for (let i = 0; i < no; i++, t += OWN) own[i] = { price: tail[t], side: tail[t + 1], qty: tail[t + 2], count: tail[t + 3] };
  return { version: h[1], base: h[2], levels, step: h[4], columnMs: h[5], capacity: h[6] | 0, now: h[11], bubbleFrom: h[12], bid: h[13], ask: h[14], columns, bubbles, fills, own };
}

/** What a view has: the window's columns (oldest first), bubbles (by slot), fills, open orders. */
export function newHeatState() {
  return { have: 0, levels: 0, step: 0, columnMs: 0, capacity: 0, now: 0, bid: 0, ask: 0, columns: [], bubbles: [], fills: [], own: [], wholes: 0, gaps: 0 };
}

/**
 * Merge `frame` into `state`. Returns {kind, added, evicted}: "whole" (state replaced; `added` is
 * every column), "merge" (the new columns added and the old ones evicted), "stale" (already
 * applied) or "gap" (the frame needs something this view never got: ask for a rebuild; only the
 * open orders and the clock are taken, the picture waits for the whole frame).
 */
export function mergeHeat(state, frame) {
  if (!frame) return { kind: "stale", added: [], evicted: [] };
  if (frame.version <= state.have) return { kind: "stale", added: [], evicted: [] }; // (a repaint reads the same frame again)
  state.own = frame.own;
  state.now = Math.max(state.now, frame.now);
  const sameShape = frame.levels === state.levels && frame.step === state.step && frame.capacity === state.capacity && frame.columnMs === state.columnMs;
  if (frame.base !== 0 && (frame.base > state.have || !sameShape)) {
    state.gaps += 1;
    return { kind: "gap", added: [], evicted: [] };
  }
  const whole = frame.base === 0;
  const evicted = whole ? state.columns : [];
  if (whole) {
    Object.assign(state, { levels: frame.levels, step: frame.step, columnMs: frame.columnMs, capacity: frame.capacity, now: frame.now, columns: [], bubbles: [], fills: [] });
    state.wholes += 1;
  }
  const added = [];
  const lastC = state.columns.length ? state.columns[state.columns.length - 1].c : 0;
  for (const col of frame.columns) {
    if (col.c > lastC) {
      state.columns.push(col);
      added.push(col);
    }
  }
  const bubbles = state.bubbles;
  while (bubbles.length && bubbles[bubbles.length - 1].n >= frame.bubbleFrom) bubbles.pop();
  for (const b of frame.bubbles) bubbles.push(b);
  const lastK = state.fills.length ? state.fills[state.fills.length - 1].k : 0;
  for (const f of frame.fills) if (f.k > lastK) state.fills.push(f);
  state.bid = frame.bid;
  state.ask = frame.ask;
  state.have = frame.version;
  evicted.push(...trimHeat(state));
  return { kind: whole ? "whole" : "merge", added, evicted };
}

/** Drop what left the window (older than the newest slot minus the capacity); returns the evicted columns. */
export function trimHeat(state) {
  const newest = Math.max(newestSlot(state), Math.floor(state.now / (state.columnMs || 1)));
  const oldest = newest - state.capacity + 1;
  let i = 0;
  while (i < state.columns.length && state.columns[i].n < oldest) i++;
  const evicted = i ? state.columns.splice(0, i) : [];
  let b = 0;
  while (b < state.bubbles.length && state.bubbles[b].n < oldest) b++;
  if (b) state.bubbles.splice(0, b);
  let f = 0;
  while (f < state.fills.length && Math.floor(state.fills[f].ts / state.columnMs) < oldest) f++;
  if (f) state.fills.splice(0, f);
  return evicted;
}

function newestSlot(state) {
  const c = state.columns.length ? state.columns[state.columns.length - 1].n : -Infinity;
  const b = state.bubbles.length ? state.bubbles[state.bubbles.length - 1].n : -Infinity;
  return Math.max(c, b);
}

// -- colour scale -----------------------------------------------------------------------------

const BINS_PER_OCTAVE = 4;
const LOW_OCTAVE = -40; // 2^-40 .. 2^40: any quantity a venue quotes
const BINS = 80 * BINS_PER_OCTAVE;

/** A log-binned histogram of the window's non-empty cells (add a column's sizes, remove an evicted one's). */
export function newHistogram() {
  return { counts: new Float64Array(BINS), total: 0 };
}

function binOf(v) {
  const b = Math.floor((Math.log2(v) - LOW_OCTAVE) * BINS_PER_OCTAVE);
  return b < 0 ? 0 : b >= BINS ? BINS - 1 : b;
}

export function histogramAdd(hist, sizes, sign = 1) {
  const counts = hist.counts;
  for (let i = 0; i < sizes.length; i++) {
    const v = sizes[i];
    if (v > 0) {
      counts[binOf(v)] += sign;
      hist.total += sign;
    }
  }
}

/** The size below which a share `q` of the cells lie (the upper edge of its bin); 0 when empty. */
export function histogramQuantile(hist, q) {
  if (hist.total <= 0) return 0;
  const want = (1 - q) * hist.total;
  let above = 0;
  for (let b = BINS - 1; b >= 0; b--) {
    above += hist.counts[b];
    if (above > want) return 2 ** ((b + 1) / BINS_PER_OCTAVE + LOW_OCTAVE);
  }
  return 2 ** (1 / BINS_PER_OCTAVE + LOW_OCTAVE);
}

/** True when the painted clip is too far (a quarter) from the wanted one: recolour everything. */
export function clipMoved(painted, wanted) {
  if (!(painted > 0)) return wanted > 0;
  return wanted > painted * 1.25 || wanted < painted / 1.25;
}

/** Colour index 1..255 of a size (square root, clipped at `clip`); 0 for an empty cell. */
export function shade(size, clip) {
  if (!(size > 0) || !(clip > 0)) return 0;
  const t = Math.sqrt(size / clip);
  return t >= 1 ? 255 : 1 + Math.floor(t * 254);
}

/** [r, g, b, a] (0..255) of a CSS colour in hex or rgb()/rgba() form; null when it is something else. */
export function parseColor(text) {
  const s = String(text ?? "").trim().toLowerCase();
  let m = /^#([0-9a-f]{3,8})$/.exec(s);
  if (m) {
    let hex = m[1];
    if (hex.length === 3 || hex.length === 4) hex = [...hex].map((c) => c + c).join("");
    if (hex.length !== 6 && hex.length !== 8) return null;
    const v = [0, 2, 4, 6].map((i) => (i < hex.length ? parseInt(hex.slice(i, i + 2), 16) : 255));
    return v;
  }
  m = /^rgba?\(([^)]*)\)$/.exec(s);
  if (!m) return null;
  const parts = m[1].split(/[\s,/]+/).filter(Boolean);
  if (parts.length < 3) return null;
  const channel = (p) => (p.endsWith("%") ? (parseFloat(p) * 255) / 100 : parseFloat(p));
  const alpha = parts.length > 3 ? (parts[3].endsWith("%") ? parseFloat(parts[3]) / 100 : parseFloat(parts[3])) : 1;
  const v = [channel(parts[0]), channel(parts[1]), channel(parts[2]), alpha * 255].map((x) => Math.max(0, Math.min(255, Math.round(x))));
  return v.some(Number.isNaN) ? null : v;
}

/**
 * A 256-entry colour table (Uint32, the bytes of canvas ImageData on a little-endian machine:
 * r, g, b, a) running through `stops` ([r, g, b] each); entry 0 is transparent (an empty cell
 * shows the background), the faintest entries fade in.
 */
export function makeRamp(stops) {
  const lut = new Uint32Array(256);
  const n = stops.length - 1;
  for (let i = 1; i < 256; i++) {
    const t = (i - 1) / 254;
    const x = Math.min(n - 1e-9, t * n);
    const k = Math.floor(x);
    const f = x - k;
    const [a, b] = [stops[k], stops[k + 1]];
    const c = [0, 1, 2].map((j) => Math.round(a[j] + (b[j] - a[j]) * f));
    const alpha = Math.round(255 * Math.min(1, 0.35 + t * 3));
    lut[i] = ((alpha << 24) | (c[2] << 16) | (c[1] << 8) | c[0]) >>> 0;
  }
  return lut;
}

// -- geometry ---------------------------------------------------------------------------------

/**
 * Paint one column into `pixels` (Uint32, row-major, `stride` pixels a row, `height` rows; the
 * lowest price at the bottom) at pixel column `x`: row i of the column is at axis row
 * (p0 - axisP0) / step + i. Cells outside the image are left out; the rest of the column is cleared.
 */
export function paintColumn(pixels, stride, height, x, col, axisP0, step, lut, clip) {
  for (let y = 0; y < height; y++) pixels[y * stride + x] = 0;
  if (!col) return;
  const offset = Math.round((col.p0 - axisP0) / step);
  const sizes = col.sizes;
  const from = Math.max(0, -offset);
  const to = Math.min(sizes.length, height - offset);
  for (let i = from; i < to; i++) {
    const v = sizes[i];
    if (v > 0) pixels[(height - 1 - (offset + i)) * stride + x] = lut[shade(v, clip)];
  }
}

/** Where the ring's image is read from: slots [a, capacity) hold the older columns, [0, a) the newer. */
export function ringPieces(newestN, capacity) {
  const a = (((newestN + 1) % capacity) + capacity) % capacity;
  const pieces = [];
  if (capacity - a > 0) pieces.push({ sx: a, sw: capacity - a, n0: newestN - capacity + 1 });
  if (a > 0) pieces.push({ sx: 0, sw: a, n0: newestN - a + 1 });
  return pieces;
}

/** The centre price of the rows shown: kept until the mid is more than a quarter of the rows a side away. */
export function recentre(centre, mid, levels, step) {
  if (!(mid > 0) || !(step > 0)) return centre;
  if (centre > 0 && Math.abs(mid - centre) <= (levels * step) / 4) return centre;
  return Math.round(mid / step) * step;
}

/** x of exchange time `t` (ms) in a plot whose right edge is `now` and which spans `spanMs`. */
export function timeX(t, now, spanMs, plot) {
  return plot.x + (plot.w * (t - (now - spanMs))) / spanMs;
}

/** y of `price` in a plot showing `rows` rows of `step` from `lo` (the lowest row's price) up; row centres. */
export function priceY(price, lo, step, rows, plot) {
  return plot.y + ((rows - 0.5 - (price - lo) / step) * plot.h) / rows;
}

/** A bubble's radius: area by quantity against a reference quantity (drawn at `ref` px), within [min, max]. */
export function bubbleRadius(qty, refQty, ref, min = 1.5, max = 14) {
  if (!(qty > 0) || !(refQty > 0)) return min;
  return Math.max(min, Math.min(max, ref * Math.sqrt(qty / refQty)));
}

/** The `q` quantile of a few numbers (a copy is sorted); 0 for none. */
export function quantile(values, q) {
  if (!values.length) return 0;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}

/** Round numbers between lo and hi, about `count` of them (steps of 1, 2 or 5 times a power of ten). */
export function niceTicks(lo, hi, count = 5) {
  if (!(hi > lo) || !(count > 0)) return [];
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) || 10 * power;
  const out = [];
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toFixed(digits)));
  return out;
}

// -- canvas helpers (browser only) -------------------------------------------------------------

/**
 * A canvas that fills `box` at the device's pixel ratio: `onSize()` runs after each resize
 * (a ResizeObserver, so nothing reads layout in the frame path). Returns {canvas, ctx, size, stop};
 * `size` is {w, h, dpr} in device pixels (0 until the first observation).
 */
export function fitCanvas(box, canvas, onSize) {
  const ctx = canvas.getContext("2d", { alpha: false });
  const size = { w: 0, h: 0, dpr: 1, cssW: 0, cssH: 0 };
  const observer = new ResizeObserver((entries) => {
    const entry = entries[entries.length - 1];
    const dpr = globalThis.devicePixelRatio || 1;
    const cssW = entry.contentRect.width;
    const cssH = entry.contentRect.height;
    const device = entry.devicePixelContentBoxSize && entry.devicePixelContentBoxSize[0];
    const w = Math.max(1, device ? device.inlineSize : Math.round(cssW * dpr));
    const h = Math.max(1, device ? device.blockSize : Math.round(cssH * dpr));
    if (w === size.w && h === size.h) return;
    Object.assign(size, { w, h, dpr, cssW, cssH });
    canvas.width = w;
    canvas.height = h;
    onSize();
  });
  observer.observe(box);
  return { ctx, size, stop: () => observer.disconnect() };
}

/** The theme colours every canvas view reads (readColors' [key, custom property, fallback] rows). */
export const THEME_COLORS = [
  ["bg", "--bw-bg", "#ffffff"],
  ["fg", "--bw-fg", "#1f2328"],
  ["dim", "--bw-fg-dim", "#656d76"],
  ["up", "--bw-up", "#0b9f6e"],
  ["down", "--bw-down", "#e0364d"],
];

/** Read the theme's colours (CSS custom properties of `el`) as canvas-ready strings and [r, g, b, a]. */
export function readColors(el, ctx, names) {
  const style = getComputedStyle(el);
  const out = {};
  for (const [key, prop, fallback] of names) {
    const value = style.getPropertyValue(prop).trim() || fallback;
    ctx.fillStyle = fallback;
    ctx.fillStyle = value; // the canvas normalises any CSS colour to #rrggbb or rgba()
    const css = ctx.fillStyle;
    out[key] = { css, rgba: parseColor(css) || parseColor(fallback) || [128, 128, 128, 255] };
  }
  return out;
}

/** Call `onChange()` when JupyterLab switches theme (and once more after its stylesheet settled). */
export function onThemeChange(onChange) {
  const body = globalThis.document && document.body;
  if (!body || typeof MutationObserver === "undefined") return () => {};
  let timer = 0;
  const observer = new MutationObserver(() => {
    onChange();
    clearTimeout(timer);
    timer = setTimeout(onChange, 400); // the new theme's variables may land after the attribute
  });
  observer.observe(body, { attributes: true, attributeFilter: ["data-jp-theme-name", "data-jp-theme-light"] });
  return () => {
    observer.disconnect();
    clearTimeout(timer);
  };
}
