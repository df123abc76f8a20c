// The ladder's numbers, bars and flashes, drawn on one canvas per side under the rows, and the
// mid and spread on one in the row between the sides.
//
// Why a canvas: the same 25 + 25 levels at 25 Hz cost the page's main thread 12.7 % [11.3, 13.0]
// as text in DOM rows (the benchmark's reference ladder) and 6.8 % [6.1, 7.3] drawn on a canvas
// (its ref-canvas case, the same feed and rate; `bench_widgets.py`, 3 interleaved runs): text in
// the DOM pays style, layout, pre-paint, paint, layerize and hit testing for every changed cell,
// a canvas only its own drawing. The rows stay real elements on top (transparent, fixed 18 px
// boxes), carrying the contract's `data-testid`, `data-price` and `data-size`, the user's order
// markers and every gesture; only their attributes change per frame, and no style rule reads
// those. What is lost: the numbers cannot be selected as text (the rows' attributes carry them).
//
// Each frame redraws only the rows whose text, bar (to whole pixels), flash or colours changed;
// nothing here reads layout except the ResizeObserver's own figures.

import { fitCanvas, readColors, onThemeChange, THEME_COLORS } from "./heat.js";
import { rungColumns, rungTop, RUNG_PX } from "./ladder.js";

const COLORS = [
  ...THEME_COLORS,
  ["upBg", "--bw-up-bg", "rgba(14, 203, 129, 0.16)"],
  ["downBg", "--bw-down-bg", "rgba(246, 70, 93, 0.16)"],
];

/**
 * A canvas filling `box` whose theme colours (`colors`, read by the painter) are dropped, and
 * `repaint()` called, when it is resized (which also resets its context) or the theme changes.
 */
function themedCanvas(box, canvas, repaint) {
  const state = { colors: null };
  const invalidate = () => {
    state.colors = null;
    repaint();
  };
  state.fit = fitCanvas(box, canvas, invalidate);
  const offTheme = onThemeChange(invalidate);
  state.stop = () => {
    state.fit.stop();
    offTheme();
  };
  return state;
}

/**
 * A painter for one side's canvas (`side` "bid" or "ask") filling `box`, which holds one row of
 * RUNG_PX per entry of `rungs` (asks best at the bottom). `draw(rungs, now)` takes one entry per row:
 * null (no level) or {price, size, total (texts), frac (bar width 0..1), flashUntil, flashDir,
 * ownWidth (px of the marker column)}. Returns {draw, stop}.
 */
export function rungPainter({ root, box, canvas, side, font }) {
  let drawn = []; // the key each row was last drawn with
  let rungs = [];
  let flashTimer = 0;
  const themed = themedCanvas(box, canvas, () => paint(performance.now()));

  // a bar is drawn to whole CSS pixels: a size that moves its bar by less than a pixel redraws nothing
  const keyOf = (r, flashing, bar) => (r ? `${r.price}|${r.size}|${r.total}|${bar}|${flashing}|${r.ownWidth}` : "");

  function paint(now) {
    const { w, dpr, cssW } = themed.fit.size;
    if (!w || !rungs.length) return;
    const ctx = themed.fit.ctx;
    if (!themed.colors) {
      themed.colors = readColors(root, ctx, COLORS);
      drawn = [];
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.font = `12px ${font()}`;
      ctx.textBaseline = "middle";
      ctx.textAlign = "right";
    }
    const colors = themed.colors;
    let nextFlashEnd = Infinity;
    for (let i = 0; i < rungs.length; i++) {
      const r = rungs[i];
      const flashing = r && r.flashUntil > now ? r.flashDir : 0;
      if (flashing) nextFlashEnd = Math.min(nextFlashEnd, r.flashUntil);
      const bar = r ? Math.round(r.frac * cssW) : 0;
      const key = keyOf(r, flashing, bar);
      if (drawn[i] === key) continue;
      drawn[i] = key;
      const y = rungTop(side, i, rungs.length);
      ctx.fillStyle = colors.bg.css;
      ctx.fillRect(0, y, cssW, RUNG_PX);
      if (!r) continue;
      const cols = rungColumns(cssW, r.ownWidth);
      if (bar > 0) {
        ctx.fillStyle = side === "bid" ? colors.upBg.css : colors.downBg.css;
        ctx.fillRect(cssW - bar, y + 1, bar, RUNG_PX - 2);
      }
      if (flashing) {
        ctx.fillStyle = flashing > 0 ? colors.upBg.css : colors.downBg.css;
        ctx.fillRect(cols.size.left, y, cols.size.width, RUNG_PX);
      }
      const mid = y + RUNG_PX / 2;
      ctx.fillStyle = side === "bid" ? colors.up.css : colors.down.css;
      ctx.fillText(r.price, cols.price.left + cols.price.width, mid);
      ctx.fillStyle = colors.fg.css;
      ctx.fillText(r.size, cols.size.left + cols.size.width, mid);
      ctx.fillStyle = colors.dim.css;
      ctx.fillText(r.total, cols.total.left + cols.total.width, mid);
    }
    for (let i = rungs.length; i < drawn.length; i++) drawn[i] = undefined;
    drawn.length = rungs.length;
    // a flash ends on a drawn frame; when frames stop, one more paint ends it on time
    clearTimeout(flashTimer);
    flashTimer = nextFlashEnd < Infinity ? setTimeout(() => requestAnimationFrame(() => paint(performance.now())), nextFlashEnd - now + 1) : 0;
  }

  return {
    draw(next, now) {
      rungs = next;
      paint(now);
    },
    stop() {
      clearTimeout(flashTimer);
      themed.stop();
    },
  };
}

/**
 * The mid (left, bold) and the spread (right, small) on the canvas of the row between the sides:
 * the one text of the ladder that changes with nearly every frame, so as text in the DOM it cost a
 * layout, a layerize and a paint per frame. `draw(mid, spread)` redraws only when a text changed.
 * Returns {draw, stop}.
 */
export function spreadPainter({ root, box, canvas, font, uiFont }) {
  let shown = null;
  let texts = ["", ""];
  const themed = themedCanvas(box, canvas, () => paint());

  function paint() {
    const { w, dpr, cssW, cssH } = themed.fit.size;
    if (!w) return;
    const ctx = themed.fit.ctx;
    if (!themed.colors) {
      themed.colors = readColors(root, ctx, COLORS);
      shown = null;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.textBaseline = "middle";
    }
    const colors = themed.colors;
    const key = texts.join("|");
    if (key === shown) return;
    shown = key;
    ctx.fillStyle = colors.bg.css;
    ctx.fillRect(0, 0, cssW, cssH);
    ctx.font = `600 15px ${font()}`;
    ctx.textAlign = "left";
    ctx.fillStyle = colors.fg.css;
    ctx.fillText(texts[0], 4, cssH / 2);
    ctx.font = `11px ${uiFont()}`;
    ctx.textAlign = "right";
    ctx.fillStyle = colors.dim.css;
    ctx.fillText(texts[1], cssW - 4, cssH / 2);
  }

  return {
    draw(mid, spread) {
      texts = [mid, spread];
      paint();
    },
    stop: () => themed.stop(),
  };
}
