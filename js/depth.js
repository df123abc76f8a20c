// Depth chart view: cumulative bid depth (green, left of the mid) and ask depth (red, right) as
// filled steps on one canvas, the mid line, your open orders as ticks in their side's colour,
// price and size axes, and a readout under the pointer. The whole chart is redrawn each frame
// (about a millisecond); nothing in the frame path makes a DOM node or reads layout.

import { h, setText, setAttr, header, errorLine, updateError, frameBatcher } from "./lib/dom.js";
import { live } from "./lib/live.js";
import { fmtFixed, fmtCompact } from "./lib/format.js";
import { decodeBook } from "./lib/packed.js";
import { depthCurves, halfSpan, steady, depthAt, ownOrders } from "./lib/depth.js";
import { fitCanvas, readColors, onThemeChange, niceTicks, THEME_COLORS } from "./lib/heat.js";

const COLORS = [...THEME_COLORS, ["grid", "--bw-border", "#d0d7de"]];

/** Decimals that tell the ticks of `ticks` apart. */
function tickDecimals(ticks, most) {
  if (ticks.length < 2) return most;
  const step = Math.abs(ticks[1] - ticks[0]);
  return Math.max(0, Math.min(most, Math.ceil(-Math.log10(step) - 1e-9)));
}

function render({ model, el }) {
  const head = header("");
  const error = errorLine();
  const canvas = h("canvas", { class: "bw-depth-canvas", "aria-label": "cumulative depth chart" });
  const box = h("div", { class: "bw-depth-box", "data-testid": "bw-depth" }, canvas);
  const root = h("div", { class: "bw-widget bw-depth" }, head.el, error, box);
  el.append(root);

  let curves = depthCurves({ bids: [], asks: [] });
  let own = [];
  let half = 0;
  let yMax = 0;
  let hoverX = null; // device px within the canvas, or null
  let colors = null;
  let font = "";

  const themed = () => {
    colors = readColors(root, fit.ctx, COLORS);
    font = `${11 * fit.size.dpr}px ${getComputedStyle(root).fontFamily || "sans-serif"}`;
  };

  const draw = () => {
    const { w, h: ht, dpr } = fit.size;
    if (!w) return;
    if (!colors) themed();
    const ctx = fit.ctx;
    ctx.font = font;
    ctx.fillStyle = colors.bg.css;
    ctx.fillRect(0, 0, w, ht);
    const plot = { x: 52 * dpr, y: 18 * dpr, w: w - 60 * dpr, h: ht - 40 * dpr };
    const { bids, asks, mid } = curves;
    if (mid === null || plot.w <= 0 || plot.h <= 0) {
      ctx.fillStyle = colors.dim.css;
      ctx.fillText("waiting for the book…", plot.x, plot.y + 12 * dpr);
      return;
    }
    half = steady(half, halfSpan(curves, model.get("tick_size")) * 1.02, 0.8);
    yMax = steady(yMax, Math.max(bids.total, asks.total) * 1.08);
    const lo = mid - half;
    const x = (p) => plot.x + (plot.w * (p - lo)) / (2 * half);
    const y = (v) => plot.y + plot.h * (1 - v / yMax);
    const base = plot.y + plot.h;
    const pd = model.get("price_decimals");

    // grid and axes
    ctx.lineWidth = 1;
    ctx.strokeStyle = colors.grid.css;
    ctx.fillStyle = colors.dim.css;
    ctx.textBaseline = "middle";
    ctx.textAlign = "right";
    ctx.beginPath();
    for (const v of niceTicks(0, yMax, 4)) {
      const yy = Math.round(y(v)) + 0.5;
      ctx.moveTo(plot.x, yy);
      ctx.lineTo(plot.x + plot.w, yy);
      ctx.fillText(fmtCompact(v), plot.x - 6 * dpr, yy);
    }
    ctx.stroke();
    const xticks = niceTicks(lo, mid + half, Math.max(2, Math.floor(plot.w / (90 * dpr))));
    const xd = tickDecimals(xticks, pd);
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const edge = 24 * dpr; // a label is kept whole inside the canvas
    for (const p of xticks) ctx.fillText(fmtFixed(p, xd), Math.min(w - edge, Math.max(edge, x(p))), base + 5 * dpr);

    // the two areas: steps outward from the touch, filled down to the axis
    for (const [side, color] of [
      [bids, colors.up],
      [asks, colors.down],
    ]) {
      if (!side.prices.length) continue;
      ctx.beginPath();
      ctx.moveTo(x(side.prices[0]), base);
      let prev = 0;
      for (let i = 0; i < side.prices.length; i++) {
        const px = x(side.prices[i]);
        ctx.lineTo(px, y(prev));
        prev = side.totals[i];
        ctx.lineTo(px, y(prev));
      }
      const edge = side === bids ? plot.x : plot.x + plot.w;
      ctx.lineTo(edge, y(prev));
      ctx.lineTo(edge, base);
      ctx.closePath();
      ctx.globalAlpha = 0.22;
      ctx.fillStyle = color.css;
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.strokeStyle = color.css;
      ctx.lineWidth = 1.5 * dpr;
      ctx.stroke();
    }

    // the mid
    const mx = Math.round(x(mid)) + 0.5;
    ctx.strokeStyle = colors.dim.css;
    ctx.lineWidth = 1;
    ctx.setLineDash([4 * dpr, 3 * dpr]);
    ctx.beginPath();
    ctx.moveTo(mx, plot.y);
    ctx.lineTo(mx, base);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = colors.fg.css;
    ctx.textBaseline = "bottom";
    ctx.fillText(fmtFixed(mid, pd + 1), mx, plot.y - 3 * dpr);

    // your orders: a tick from the axis up to the depth at their price (off the chart: an arrow at the edge)
    for (const o of own) {
      const color = o.side > 0 ? colors.up.css : colors.down.css;
      const px = x(o.price);
      ctx.fillStyle = color;
      ctx.strokeStyle = colors.fg.css;
      ctx.lineWidth = 1;
      if (px < plot.x || px > plot.x + plot.w) {
        const ex = px < plot.x ? plot.x : plot.x + plot.w;
        const dir = px < plot.x ? 1 : -1;
        ctx.beginPath();
        ctx.moveTo(ex, base - 6 * dpr);
        ctx.lineTo(ex + dir * 8 * dpr, base - 11 * dpr);
        ctx.lineTo(ex + dir * 8 * dpr, base - 1 * dpr);
        ctx.closePath();
        ctx.fill();
        ctx.stroke();
        ctx.textAlign = dir > 0 ? "left" : "right";
        ctx.textBaseline = "bottom";
        ctx.fillText(`${o.side > 0 ? "buy" : "sell"} @ ${fmtFixed(o.price, pd)}`, ex + dir * 11 * dpr, base - 3 * dpr);
        continue;
      }
      const top = Math.min(base - 14 * dpr, y(depthAt(curves, o.price).total));
      ctx.fillRect(Math.round(px) - dpr, top, 2 * dpr, base - top);
      ctx.beginPath();
      ctx.arc(px, top, 3.5 * dpr, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }

    // the readout under the pointer
    if (hoverX !== null && hoverX >= plot.x && hoverX <= plot.x + plot.w) {
      const price = lo + ((hoverX - plot.x) / plot.w) * 2 * half;
      const at = depthAt(curves, price);
      ctx.strokeStyle = colors.dim.css;
      ctx.beginPath();
      ctx.moveTo(Math.round(hoverX) + 0.5, plot.y);
      ctx.lineTo(Math.round(hoverX) + 0.5, base);
      ctx.stroke();
      const text = `${fmtFixed(price, pd)}${at.side ? ` · ${at.side === "bid" ? "bids" : "asks"} ${fmtFixed(at.total, model.get("qty_decimals"))}` : ""}`;
      ctx.textAlign = hoverX > plot.x + plot.w / 2 ? "right" : "left";
      ctx.textBaseline = "top";
      ctx.fillStyle = colors.fg.css;
      ctx.fillText(text, hoverX + (ctx.textAlign === "left" ? 6 : -6) * dpr, plot.y + 4 * dpr);
    }
  };

  const fit = fitCanvas(box, canvas, () => {
    colors = null; // a resized canvas lost its context state; the dpr may have changed too
    draw();
  });
  const redraw = frameBatcher(draw);
  const offTheme = onThemeChange(() => {
    colors = null;
    redraw.schedule();
  });
  canvas.addEventListener("pointermove", (event) => {
    hoverX = event.offsetX * fit.size.dpr;
    redraw.schedule();
  });
  canvas.addEventListener("pointerleave", () => {
    hoverX = null;
    redraw.schedule();
  });

  const apply = () => {
    setText(head.title, `${model.get("symbol")} · Depth`);
    updateError(error, model.get("error"));
    curves = depthCurves(decodeBook(model.get("book")));
    own = ownOrders(model.get("own"));
    root.classList.toggle("bw-dim", model.get("conn_state") !== "live" && curves.mid !== null);
    draw();
    setAttr(root, "data-mid", curves.mid);
    setAttr(root, "data-bid-depth", curves.bids.total);
    setAttr(root, "data-ask-depth", curves.asks.total);
    setAttr(root, "data-levels", curves.levels);
    setAttr(root, "data-own", own.length);
  };
  const stop = live(model, { kind: "depth", root, badge: head.badge, names: ["book", "own", "error", "symbol", "tick_size", "price_decimals", "qty_decimals", "depth"], apply });
  return () => {
    stop();
    redraw.cancel();
    offTheme();
    fit.stop();
  };
}

export default { render };
