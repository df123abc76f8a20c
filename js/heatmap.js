// Liquidity heatmap view: resting size by price over time (columns from the kernel, coloured by
// the square root of the size clipped at the window's 99th percentile), trades as bubbles by
// column and side, your open orders as horizontal marks, your fills as diamonds, the mid as a line.
//
// Drawn incrementally: each new column is coloured once into an offscreen image at data
// resolution (a ring: column n lives in pixel column n mod capacity, the lowest price at the
// bottom); a frame composes the visible canvas from that image (two scaled copies, as many as
// the ring has pieces) and draws the overlays. The whole image is recoloured only when the
// window is rebuilt (a whole frame), the clip moved by a quarter, the price moved off the image,
// or the theme changed. Nothing in the frame path makes a DOM node or reads layout.

import { h, textEl, setText, setAttr, header, errorLine, updateError, frameBatcher } from "./lib/dom.js";
import { live } from "./lib/live.js";
import { fmtFixed, fmtCompact } from "./lib/format.js";
import {
  decodeHeat,
  newHeatState,
  mergeHeat,
  newHistogram,
  histogramAdd,
  histogramQuantile,
  clipMoved,
  makeRamp,
  paintColumn,
  ringPieces,
  recentre,
  timeX,
  priceY,
  bubbleRadius,
  quantile,
  niceTicks,
  fitCanvas,
  readColors,
  onThemeChange,
  THEME_COLORS,
} from "./lib/heat.js";

const COLORS = [
  ...THEME_COLORS,
  ["heat0", "--bw-heat-0", "#dbeafe"],
  ["heat1", "--bw-heat-1", "#60a5fa"],
  ["heat2", "--bw-heat-2", "#1d4ed8"],
  ["heat3", "--bw-heat-3", "#0b1f66"],
];
const CLIP_QUANTILE = 0.99;
const REBUILD_GAP_MS = 1000; // ask the kernel for the whole ring at most this often

const mod = (n, m) => ((n % m) + m) % m;

function ago(seconds) {
  if (seconds === 0) return "now";
  return seconds >= 60 ? `-${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}` : `-${seconds}s`;
}

function render({ model, el }) {
  const legend = textEl("span", { class: "bw-heat-legend", title: "colour: square root of the resting size, clipped at the 99th percentile of the window" });
  const head = header("", legend);
  const error = errorLine();
  const canvas = h("canvas", { class: "bw-heatmap-canvas", "aria-label": "liquidity heatmap" });
  const box = h("div", { class: "bw-heatmap-box", "data-testid": "bw-heatmap" }, canvas);
  const root = h("div", { class: "bw-widget bw-heatmap" }, head.el, error, box);
  el.append(root);

  let state = newHeatState();
  let hist = newHistogram();
  let lastFrame = null;
  let askedAt = performance.now(); // the hello is the first request
  let displayError = "";
  let colors = null;
  let lut = null;
  let font = "";
  let centre = 0; // price at the middle of the rows shown
  let refQty = 0; // bubble quantity drawn at the reference radius
  let trades = 0;
  // the offscreen image: capacity x rows pixels, rows = 2 levels + 2 pad, `axisP0` the price of its bottom row
  const img = { canvas: null, ctx: null, width: 0, height: 0, pad: 0, axisP0: 0, clip: 0, newestN: null, one: null, onePx: null };

  const themed = () => {
    colors = readColors(root, fit.ctx, COLORS);
    lut = makeRamp([colors.heat0.rgba, colors.heat1.rgba, colors.heat2.rgba, colors.heat3.rgba]);
    font = `${11 * fit.size.dpr}px ${getComputedStyle(root).fontFamily || "sans-serif"}`;
  };

  const askRebuild = () => {
    const now = performance.now();
    if (now - askedAt < REBUILD_GAP_MS) return;
    askedAt = now;
    try {
      model.send({ type: "rebuild" });
    } catch (_) {
      // the comm is gone: nobody to ask
    }
  };

  // -- the offscreen image ------------------------------------------------------------------------
  const repaintAll = () => {
    const { levels, step, capacity } = state;
    if (!capacity || !step || !lut) return;
    const pad = Math.ceil(levels / 2);
    const height = 2 * levels + 2 * pad;
    if (!img.canvas || img.width !== capacity || img.height !== height) {
      img.canvas = typeof OffscreenCanvas !== "undefined" ? new OffscreenCanvas(capacity, height) : Object.assign(document.createElement("canvas"), { width: capacity, height });
      img.ctx = img.canvas.getContext("2d");
      Object.assign(img, { width: capacity, height, pad, one: img.ctx.createImageData(1, height) });
      img.onePx = new Uint32Array(img.one.data.buffer);
    }
    img.axisP0 = centre - (levels + pad) * step;
    img.clip = histogramQuantile(hist, CLIP_QUANTILE);
    const full = img.ctx.createImageData(capacity, height);
    const px = new Uint32Array(full.data.buffer);
    for (const col of state.columns) paintColumn(px, capacity, height, mod(col.n, capacity), col, img.axisP0, step, lut, img.clip);
    img.ctx.putImageData(full, 0, 0);
    img.newestN = state.columns.length ? state.columns[state.columns.length - 1].n : null;
  };

  const paintNew = (col) => {
    const { capacity, step } = state;
    if (img.newestN !== null) {
      // slots of time slots that got no column must not show the column of a lap ago
      for (let n = Math.max(img.newestN + 1, col.n - capacity + 1); n < col.n; n++) {
        paintColumn(img.onePx, 1, img.height, 0, null, img.axisP0, step, lut, img.clip);
        img.ctx.putImageData(img.one, mod(n, capacity), 0);
      }
    }
    paintColumn(img.onePx, 1, img.height, 0, col, img.axisP0, step, lut, img.clip);
    img.ctx.putImageData(img.one, mod(col.n, capacity), 0);
    img.newestN = img.newestN === null ? col.n : Math.max(img.newestN, col.n);
  };

  const ingest = (frame) => {
    if (!frame) {
      state = newHeatState(); // the kernel cleared the picture (a new symbol): the whole ring follows
      hist = newHistogram();
      img.newestN = null;
      if (img.ctx) img.ctx.clearRect(0, 0, img.width, img.height);
      return;
    }
    const result = mergeHeat(state, frame);
    if (result.kind === "gap") askRebuild();
    if (result.kind === "gap" || result.kind === "stale") return;
    if (result.kind === "whole") {
      hist = newHistogram();
      for (const col of state.columns) histogramAdd(hist, col.sizes);
    } else {
      for (const col of result.evicted) histogramAdd(hist, col.sizes, -1);
      for (const col of result.added) histogramAdd(hist, col.sizes);
    }
    refQty = quantile(state.bubbles.map((b) => b.qty), 0.9);
    trades = 0;
    for (const b of state.bubbles) trades += b.count;
    const mid = state.bid > 0 && state.ask > 0 ? (state.bid + state.ask) / 2 : 0;
    centre = recentre(centre, mid, state.levels, state.step);
    const offImage = img.canvas && Math.abs(centre - (img.axisP0 + (state.levels + img.pad) * state.step)) > img.pad * state.step * 0.999;
    if (!lut) return;
    if (result.kind === "whole" || !img.canvas || offImage || clipMoved(img.clip, histogramQuantile(hist, CLIP_QUANTILE))) repaintAll();
    else for (const col of result.added) paintNew(col);
  };

  // -- the visible canvas -------------------------------------------------------------------------
  const drawOverlays = (ctx, plot, dpr, lo, rows) => {
    const { columnMs: cm, capacity, step, now } = state;
    const span = capacity * cm;
    const tx = (t) => timeX(t, now, span, plot);
    const py = (p) => priceY(p, lo, step, rows, plot);
    ctx.strokeStyle = colors.fg.css;
    ctx.globalAlpha = 0.7;
    ctx.lineWidth = 1.25 * dpr;
    ctx.beginPath();
    state.columns.forEach((c, i) => (i ? ctx.lineTo : ctx.moveTo).call(ctx, tx((c.n + 0.5) * cm), py((c.bid + c.ask) / 2)));
    ctx.stroke();
    ctx.globalAlpha = 0.6;
    for (const [side, color] of [
      [1, colors.up.css],
      [-1, colors.down.css],
    ]) {
      ctx.fillStyle = color;
      ctx.beginPath();
      for (const b of state.bubbles) {
        if (b.side !== side) continue;
        const r = bubbleRadius(b.qty, refQty, 5 * dpr, 1.5 * dpr, 16 * dpr);
        const bx = tx((b.n + 0.5) * cm);
        const by = py(b.price);
        ctx.moveTo(bx + r, by);
        ctx.arc(bx, by, r, 0, 2 * Math.PI);
      }
      ctx.fill();
    }
    ctx.globalAlpha = 1;
    ctx.lineWidth = 1.5 * dpr;
    ctx.strokeStyle = colors.fg.css;
    for (const f of state.fills) {
      const fx = tx(f.ts);
      const fy = py(f.price);
      const s = 6 * dpr;
      ctx.fillStyle = f.side > 0 ? colors.up.css : colors.down.css;
      ctx.beginPath();
      ctx.moveTo(fx, fy - s);
      ctx.lineTo(fx + s, fy);
      ctx.lineTo(fx, fy + s);
      ctx.lineTo(fx - s, fy);
      ctx.closePath();
      ctx.fill();
      ctx.stroke();
    }
    ctx.setLineDash([6 * dpr, 4 * dpr]);
    ctx.textAlign = "right";
    ctx.textBaseline = "bottom";
    const right = plot.x + plot.w - 4 * dpr;
    for (const o of state.own) {
      const color = o.side > 0 ? colors.up.css : colors.down.css;
      const y = py(o.price);
      const label = `your ${o.side > 0 ? "buy" : "sell"} ${o.qty} @ ${fmtFixed(o.price, model.get("price_decimals"))}`;
      ctx.fillStyle = color;
      ctx.strokeStyle = color;
      if (y < plot.y || y > plot.y + plot.h) {
        const ey = y < plot.y ? plot.y + 2 * dpr : plot.y + plot.h - 2 * dpr;
        const dir = y < plot.y ? -1 : 1;
        ctx.beginPath();
        ctx.moveTo(right - 6 * dpr, ey + dir * 8 * dpr);
        ctx.lineTo(right - 12 * dpr, ey);
        ctx.lineTo(right, ey);
        ctx.closePath();
        ctx.fill();
        ctx.textBaseline = dir < 0 ? "top" : "bottom";
        ctx.fillText(label, right - 16 * dpr, ey + (dir < 0 ? 0 : -2 * dpr));
        ctx.textBaseline = "bottom";
        continue;
      }
      ctx.beginPath();
      ctx.moveTo(plot.x, Math.round(y) + 0.5);
      ctx.lineTo(plot.x + plot.w, Math.round(y) + 0.5);
      ctx.stroke();
      ctx.fillText(label, right, y - 2 * dpr);
    }
    ctx.setLineDash([]);
  };

  const drawAxes = (ctx, plot, dpr, lo, rows) => {
    const { columnMs: cm, capacity, step } = state;
    const seconds = Math.round((capacity * cm) / 1000);
    ctx.fillStyle = colors.dim.css;
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    const pd = model.get("price_decimals");
    const ticks = niceTicks(lo, lo + (rows - 1) * step, Math.max(2, Math.floor(plot.h / (40 * dpr))));
    const decimals = ticks.length > 1 ? Math.max(0, Math.min(pd, Math.ceil(-Math.log10(ticks[1] - ticks[0]) - 1e-9))) : pd;
    for (const p of ticks) ctx.fillText(fmtFixed(p, decimals), plot.x + plot.w + 6 * dpr, priceY(p, lo, step, rows, plot));
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const s of niceTicks(0, seconds, Math.max(2, Math.floor(plot.w / (80 * dpr))))) {
      const x = plot.x + plot.w * (1 - s / seconds);
      ctx.fillText(ago(s), Math.min(plot.x + plot.w - 10 * dpr, Math.max(plot.x + 10 * dpr, x)), plot.y + plot.h + 4 * dpr);
    }
  };

  const draw = () => {
    const { w, h: ht, dpr } = fit.size;
    if (!w) return;
    if (!colors) {
      themed();
      repaintAll();
    }
    const ctx = fit.ctx;
    ctx.fillStyle = colors.bg.css;
    ctx.fillRect(0, 0, w, ht);
    ctx.font = font;
    const plot = { x: 2 * dpr, y: 4 * dpr, w: w - 72 * dpr, h: ht - 24 * dpr };
    const { levels, step, capacity, columnMs: cm } = state;
    if (!img.canvas || !state.columns.length || plot.w <= 0 || plot.h <= 0) {
      ctx.fillStyle = colors.dim.css;
      ctx.textBaseline = "top";
      ctx.fillText(state.capacity ? "waiting for the book…" : "connecting…", plot.x + 6 * dpr, plot.y + 6 * dpr);
      return;
    }
    const rows = 2 * levels;
    const lo = centre - levels * step;
    const rowLo = Math.round((lo - img.axisP0) / step);
    const sy = img.height - rowLo - rows;
    const span = capacity * cm;
    ctx.save();
    ctx.beginPath();
    ctx.rect(plot.x, plot.y, plot.w, plot.h);
    ctx.clip();
    ctx.imageSmoothingEnabled = false; // crisp cells; smoothing would also bleed the ring's newest column into its oldest
    for (const piece of ringPieces(img.newestN, capacity)) {
      const dx = timeX(piece.n0 * cm, state.now, span, plot);
      ctx.drawImage(img.canvas, piece.sx, sy, piece.sw, rows, dx, plot.y, (piece.sw * cm * plot.w) / span, plot.h);
    }
    drawOverlays(ctx, plot, dpr, lo, rows);
    ctx.restore();
    drawAxes(ctx, plot, dpr, lo, rows);
  };

  const fit = fitCanvas(box, canvas, () => {
    colors = null; // re-read with the new pixel ratio; the resized canvas lost its context state
    draw();
  });
  const redraw = frameBatcher(draw);
  const offTheme = onThemeChange(() => {
    colors = null;
    redraw.schedule();
  });

  const apply = () => {
    setText(head.title, `${model.get("symbol")} · Heatmap`);
    const data = model.get("heat");
    if (data !== lastFrame) {
      lastFrame = data;
      try {
        ingest(decodeHeat(data));
        displayError = "";
      } catch (e) {
        displayError = `display error: ${e.message}`;
        state = newHeatState();
        askRebuild();
      }
    }
    updateError(error, model.get("error") || displayError);
    root.classList.toggle("bw-dim", model.get("conn_state") !== "live" && state.columns.length > 0);
    draw();
    setText(legend, img.clip > 0 ? `√size, clipped at ${fmtCompact(img.clip)}` : "");
    setAttr(root, "data-columns", state.columns.length);
    setAttr(root, "data-levels", 2 * state.levels);
    setAttr(root, "data-bubbles", state.bubbles.length);
    setAttr(root, "data-trades", trades);
    setAttr(root, "data-fills", state.fills.length);
    setAttr(root, "data-own", state.own.length);
    setAttr(root, "data-version", state.have);
    setAttr(root, "data-wholes", state.wholes);
    setAttr(root, "data-clip", img.clip);
  };
  const stop = live(model, { kind: "heatmap", root, badge: head.badge, names: ["heat", "error", "symbol", "price_decimals", "qty_decimals"], apply });
  return () => {
    stop();
    redraw.cancel();
    offTheme();
    fit.stop();
  };
}

export default { render };
