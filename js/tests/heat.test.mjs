import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  decodeHeat,
  newHeatState,
  mergeHeat,
  newHistogram,
  histogramAdd,
  histogramQuantile,
  clipMoved,
  shade,
  parseColor,
  makeRamp,
  paintColumn,
  ringPieces,
  recentre,
  timeX,
  priceY,
  bubbleRadius,
  quantile,
  niceTicks,
} from "../lib/heat.js";
import { depthCurves, halfSpan, steady, depthAt, ownOrders } from "../lib/depth.js";

const T0 = 1700000000000;

/** A frame in the kernel's layout (bybit_widgets/widgets/heatcols.py), for the merge tests. */
function encode({ version, base, levels = 2, step = 1, columnMs = 100, capacity = 4, now = 0, bubbleFrom = 0, columns = [], bubbles = [], fills = [], own = [] }) {
  const rows = 2 * levels;
  const head = [1, version, base, levels, step, columnMs, capacity, columns.length, bubbles.length, fills.length, own.length, now, bubbleFrom, 0, 0, 0];
  const heads = columns.flatMap((c) => [c.c, c.n, c.n * columnMs, c.p0 ?? 0, c.bid ?? 0, c.ask ?? 0]);
  const sizes = new Float32Array(columns.length * rows);
  columns.forEach((c, i) => sizes.set(c.sizes ?? new Array(rows).fill(c.c), i * rows));
  const tail = [...bubbles.flatMap((b) => [b.n, b.side, b.price, b.qty, b.count ?? 1]), ...fills.flatMap((f) => [f.k, f.ts, f.price, f.qty, f.side]), ...own.flatMap((o) => [o.price, o.side, o.qty, o.count])];
  const out = new Uint8Array(8 * (head.length + heads.length + tail.length) + sizes.byteLength);
  let at = 0;
  for (const part of [new Float64Array([...head, ...heads]), sizes, new Float64Array(tail)]) {
    out.set(new Uint8Array(part.buffer), at);
    at += part.byteLength;
  }
  return decodeHeat(new DataView(out.buffer));
}

const col = (c, n = c) => ({ c, n });
const cs = (state) => state.columns.map((c) => c.c);

test("decodes the kernel's frame (fixture written by heatcols.HeatRing)", () => {
  const bytes = readFileSync(new URL("./fixtures/heat.bin", import.meta.url));
  const frame = decodeHeat(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  assert.deepEqual([frame.version, frame.base, frame.levels, frame.step, frame.columnMs, frame.capacity], [1, 0, 2, 0.5, 100, 100]);
  assert.deepEqual([frame.now, frame.bid, frame.ask], [T0 + 80, 100, 100.5]);
  assert.equal(frame.columns.length, 1);
  const [c] = frame.columns;
  assert.deepEqual([c.c, c.n, c.ts, c.p0], [1, Math.floor((T0 + 50) / 100), T0 + 50, 99.5]);
  assert.deepEqual(Array.from(c.sizes), [2, 1.5, 0.25, 0]);
  assert.deepEqual(frame.bubbles, [
    { n: T0 / 100, side: 1, price: 100.875, qty: 2, count: 2 },
    { n: T0 / 100, side: -1, price: 100, qty: 2, count: 1 },
  ]);
  assert.deepEqual(frame.fills, [{ k: 1, ts: T0 + 90, price: 100, qty: 0.25, side: 1 }]);
  assert.deepEqual(frame.own, [{ price: 99.5, side: 1, qty: 0.25, count: 1 }]);
});

test("a misaligned frame is copied, an empty one is nothing, a cut or foreign one is an error", () => {
  const bytes = readFileSync(new URL("./fixtures/heat.bin", import.meta.url));
  const raw = new Uint8Array(bytes.byteLength + 3);
  raw.set(bytes, 3);
  assert.equal(decodeHeat(new DataView(raw.buffer, 3, bytes.byteLength)).columns[0].p0, 99.5);
  assert.equal(decodeHeat(null), null);
  assert.equal(decodeHeat(new DataView(new ArrayBuffer(0))), null);
  assert.throws(() => decodeHeat(new DataView(raw.buffer, 3, bytes.byteLength - 8)), /header says/);
  const foreign = new Float64Array(16);
  foreign[0] = 2;
  assert.throws(() => decodeHeat(foreign), /layout 2/);
});

test("a view that misses frames still ends up with every column: each frame carries all since its base", () => {
  const state = newHeatState();
  assert.equal(mergeHeat(state, encode({ version: 1, base: 0, columns: [col(1), col(2)] })).kind, "whole");
  // frame 2 (base 1: column 3) was coalesced away before a paint; frame 3 (base 1) carries 3 and 4
  const r = mergeHeat(state, encode({ version: 3, base: 1, columns: [col(3), col(4)] }));
  assert.equal(r.kind, "merge");
  assert.deepEqual(cs(state), [1, 2, 3, 4]);
  assert.deepEqual(r.added.map((c) => c.c), [3, 4]);
  // overlap is harmless (base 1 again: column 3 and 4 are known)
  mergeHeat(state, encode({ version: 4, base: 1, columns: [col(3), col(4), col(5)] }));
  assert.deepEqual(cs(state), [2, 3, 4, 5], "capacity 4: the oldest left");
  assert.equal(mergeHeat(state, encode({ version: 4, base: 1, columns: [col(9)] })).kind, "stale", "a repaint of the same frame");
  assert.equal(state.have, 4);
});

test("a frame whose base this view never got is a gap: nothing merges until the whole ring comes", () => {
  const state = newHeatState();
  mergeHeat(state, encode({ version: 5, base: 0, columns: [col(1)] }));
  const gap = mergeHeat(state, encode({ version: 9, base: 7, columns: [col(3)], own: [{ price: 1, side: 1, qty: 1, count: 1 }] }));
  assert.equal(gap.kind, "gap");
  assert.deepEqual(cs(state), [1]);
  assert.equal(state.own.length, 1, "the open orders are whole in every frame: taken anyway");
  assert.equal(mergeHeat(newHeatState(), encode({ version: 2, base: 1, columns: [col(1)] })).kind, "gap", "a fresh view has nothing");
  assert.equal(mergeHeat(state, encode({ version: 10, base: 5, levels: 3, columns: [col(2)] })).kind, "gap", "another shape needs a whole frame");
  const whole = mergeHeat(state, encode({ version: 11, base: 0, columns: [col(7), col(8)] }));
  assert.equal(whole.kind, "whole");
  assert.deepEqual(cs(state), [7, 8]);
  assert.deepEqual([state.wholes, state.gaps], [2, 2]);
});

test("bubbles from the frame's first slot on are replaced, older ones kept, the window trimmed", () => {
  const state = newHeatState();
  mergeHeat(state, encode({ version: 1, base: 0, columns: [col(1, 10)], bubbles: [{ n: 9, side: 1, price: 5, qty: 1 }, { n: 10, side: 1, price: 5, qty: 1 }] }));
  mergeHeat(state, encode({ version: 2, base: 1, bubbleFrom: 10, bubbles: [{ n: 10, side: 1, price: 5, qty: 3 }, { n: 11, side: -1, price: 4, qty: 1 }] }));
  assert.deepEqual(state.bubbles.map((b) => [b.n, b.qty]), [[9, 1], [10, 3], [11, 1]]);
  mergeHeat(state, encode({ version: 3, base: 2, bubbleFrom: 11, columns: [col(2, 13)], bubbles: [{ n: 11, side: -1, price: 4, qty: 2 }], fills: [{ k: 1, ts: 1250, price: 5, qty: 1, side: 1 }] }));
  assert.deepEqual(state.bubbles.map((b) => [b.n, b.qty]), [[10, 3], [11, 2]], "slot 9 is out of the 4-column window ending at 13");
  assert.equal(state.fills.length, 1);
  mergeHeat(state, encode({ version: 4, base: 3, bubbleFrom: 11, now: 1700, fills: [{ k: 1, ts: 1250, price: 5, qty: 1, side: 1 }] }));
  assert.deepEqual([state.fills.length, cs(state)], [0, []], "the clock moved on: everything before slot 14 left");
});

test("the clip is the 99th percentile of the non-empty cells, within a bin, and follows evictions", () => {
  const hist = newHistogram();
  const sizes = Float32Array.from({ length: 1000 }, (_, i) => i + 1);
  histogramAdd(hist, sizes);
  histogramAdd(hist, new Float32Array([0, 0, 0]));
  assert.equal(hist.total, 1000);
  const p99 = histogramQuantile(hist, 0.99);
  assert.ok(p99 >= 990 && p99 <= 990 * 2 ** 0.25 + 1, `p99 ${p99}`);
  histogramAdd(hist, Float32Array.from({ length: 100 }, () => 1e6)); // one huge level: only the top percent moves
  assert.ok(histogramQuantile(hist, 0.9) < 1200);
  histogramAdd(hist, Float32Array.from({ length: 100 }, () => 1e6), -1);
  assert.equal(histogramQuantile(hist, 0.99), p99);
  assert.equal(histogramQuantile(newHistogram(), 0.99), 0);
  assert.equal(clipMoved(10, 12), false);
  assert.equal(clipMoved(10, 13), true);
  assert.equal(clipMoved(10, 7.9), true);
  assert.equal(clipMoved(0, 5), true);
});

test("shades: empty is transparent, the clip and above are the strongest, the square root in between", () => {
  assert.equal(shade(0, 10), 0);
  assert.equal(shade(5, 0), 0);
  assert.equal(shade(10, 10), 255);
  assert.equal(shade(1e9, 10), 255);
  assert.equal(shade(2.5, 10), 1 + Math.floor(0.5 * 254));
  assert.ok(shade(1e-6, 10) >= 1, "any resting size shows");
});

test("colours parse from the forms a canvas normalises to, and the ramp is r, g, b, a bytes", () => {
  assert.deepEqual(parseColor("#0b9f6e"), [11, 159, 110, 255]);
  assert.deepEqual(parseColor("#fff"), [255, 255, 255, 255]);
  assert.deepEqual(parseColor("#00000080"), [0, 0, 0, 128]);
  assert.deepEqual(parseColor("rgba(10, 20, 30, 0.5)"), [10, 20, 30, 128]);
  assert.deepEqual(parseColor("rgb(10 20 30 / 50%)"), [10, 20, 30, 128]);
  assert.equal(parseColor("var(--x)"), null);
  const lut = makeRamp([
    [0, 0, 0],
    [255, 0, 0],
    [255, 255, 255],
  ]);
  assert.equal(lut[0], 0);
  const bytes = new Uint8Array(lut.buffer);
  assert.deepEqual(Array.from(bytes.slice(255 * 4, 256 * 4)), [255, 255, 255, 255]);
  assert.deepEqual(Array.from(bytes.slice(128 * 4, 128 * 4 + 3)), [255, 0, 0], "half way: the middle stop");
  assert.deepEqual(Array.from(bytes.slice(64 * 4, 64 * 4 + 3)), [126, 0, 0], "a quarter: half way to the middle stop");
  assert.ok(bytes[4 + 3] < 255, "the faintest shades fade in");
});

test("a column is painted at its price offset from the image's axis, clipped, the rest of it cleared", () => {
  const lut = Uint32Array.from({ length: 256 }, (_, i) => i);
  const width = 3;
  const height = 4;
  const px = new Uint32Array(width * height).fill(7);
  // rows at prices 11, 12, 13 on an axis whose bottom row is 10: rows 1..3 (and 14 would be row 4: out)
  paintColumn(px, width, height, 1, { p0: 11, sizes: Float32Array.from([10, 0, 2.5, 10]) }, 10, 1, lut, 10);
  const column = [0, 1, 2, 3].map((y) => px[y * width + 1]);
  assert.deepEqual(column, [shade(2.5, 10), 0, 255, 0], "top row first: prices 13, 12, 11, 10");
  assert.equal(px[0], 7, "other columns untouched");
  paintColumn(px, width, height, 1, null, 10, 1, lut, 10);
  assert.deepEqual([0, 1, 2, 3].map((y) => px[y * width + 1]), [0, 0, 0, 0]);
});

test("the ring's image is read in two pieces, oldest first", () => {
  assert.deepEqual(ringPieces(5, 4), [
    { sx: 2, sw: 2, n0: 2 },
    { sx: 0, sw: 2, n0: 4 },
  ]);
  assert.deepEqual(ringPieces(3, 4), [{ sx: 0, sw: 4, n0: 0 }]);
  assert.deepEqual(ringPieces(-1, 4), [{ sx: 0, sw: 4, n0: -4 }]);
});

test("the rows shown stay put until the mid is a quarter of them away", () => {
  assert.ok(Math.abs(recentre(0, 100.05, 200, 0.1) - 100.05) < 0.051, "first: the mid's tick");
  assert.equal(recentre(100, 104.9, 200, 0.1), 100);
  assert.equal(Math.round(recentre(100, 105.2, 200, 0.1) * 10), 1052);
  assert.equal(recentre(100, 0, 200, 0.1), 100);
});

test("time and price map onto the plot: now at the right edge, row centres, the lowest price at the bottom", () => {
  const plot = { x: 10, y: 0, w: 100, h: 40 };
  assert.equal(timeX(1000, 1000, 500, plot), 110);
  assert.equal(timeX(500, 1000, 500, plot), 10);
  assert.equal(priceY(10, 10, 1, 4, plot), 35);
  assert.equal(priceY(13, 10, 1, 4, plot), 5);
  assert.equal(bubbleRadius(4, 1, 5), 10);
  assert.equal(bubbleRadius(1e9, 1, 5), 14);
  assert.equal(bubbleRadius(0, 1, 5), 1.5);
  assert.equal(quantile([5, 1, 3, 2, 4], 0.5), 3);
  assert.equal(quantile([], 0.5), 0);
});

test("axis ticks are round numbers within the range", () => {
  assert.deepEqual(niceTicks(0, 10, 5), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(87980.3, 87999.9, 4), [87985, 87990, 87995]);
  assert.deepEqual(niceTicks(0.013, 0.041, 3), [0.02, 0.03, 0.04]);
  assert.deepEqual(niceTicks(5, 5, 3), []);
});

test("depth curves accumulate outward from the touch; the depth at a price is that of its side", () => {
  const curves = depthCurves({ bids: [[100, 1], [99, 2], [97, 3]], asks: [[101, 0.5], [103, 1]] });
  assert.equal(curves.mid, 100.5);
  assert.deepEqual(Array.from(curves.bids.totals), [1, 3, 6]);
  assert.deepEqual([curves.bids.total, curves.asks.total, curves.levels], [6, 1.5, 5]);
  assert.equal(halfSpan(curves), 3.5);
  assert.deepEqual(depthAt(curves, 99.5), { side: "bid", total: 1 });
  assert.deepEqual(depthAt(curves, 98), { side: "bid", total: 3 });
  assert.deepEqual(depthAt(curves, 50), { side: "bid", total: 6 });
  assert.deepEqual(depthAt(curves, 100.7), { side: null, total: 0 });
  assert.deepEqual(depthAt(curves, 102), { side: "ask", total: 0.5 });
  assert.equal(depthCurves({ bids: [], asks: [[1, 1]] }).mid, null);
});

test("axis ranges grow at once and shrink only past a margin", () => {
  assert.equal(steady(0, 10), 10);
  assert.equal(steady(10, 12), 12);
  assert.equal(steady(10, 8), 10);
  assert.equal(steady(10, 6), 6);
  assert.equal(steady(10, 0), 10);
});

test("own orders from the kernel become objects; junk is left out", () => {
  assert.deepEqual(ownOrders([[100, 1, 0.5, 2], [101, -1, 1, 1], ["x"]]), [
    { price: 100, side: 1, qty: 0.5, count: 2 },
    { price: 101, side: -1, qty: 1, count: 1 },
  ]);
  assert.deepEqual(ownOrders(null), []);
});
