// Candles header view: symbol, interval picker, the forming candle's OHLCV and the connection
// badge. The chart itself is a bokeh model (jupyter_bokeh) placed below this header by the
// kernel; this view only shows the live numbers above it, and the outcome of a gesture made on
// the chart (a dragged order, TP or SL line; a modifier-click that picks a price) in words.

import { h, textEl, setText, setClass, setProp, header, errorLine, updateError } from "./lib/dom.js";
import { live } from "./lib/live.js";
import { noticeLine } from "./lib/notice.js";
import { fmtPct, groupDigits, dirClass } from "./lib/format.js";

const INTERVALS = [
  ["1", "1m"],
  ["3", "3m"],
  ["5", "5m"],
  ["15", "15m"],
  ["30", "30m"],
  ["60", "1h"],
  ["240", "4h"],
  ["D", "1D"],
];

function render({ model, el }) {
  const interval = h("select", { class: "bw-select", "aria-label": "candle interval" }, ...INTERVALS.map(([v, label]) => h("option", { value: v, text: label })));
  interval.addEventListener("change", () => {
    model.set("interval", interval.value);
    model.save_changes();
  });
  const head = header("", interval);
  const ohlc = {};
  const parts = [];
  for (const key of ["open", "high", "low", "close"]) {
    ohlc[key] = textEl("span", { class: "bw-ohlc-value" });
    parts.push(h("span", { class: "bw-ohlc" }, h("span", { class: "bw-muted", text: key[0].toUpperCase() }), ohlc[key]));
  }
  const change = textEl("span", { class: "bw-ohlc" });
  const error = errorLine();
  const notice = noticeLine(model, "bw-candles-notice");
  const root = h("div", { class: "bw-widget bw-candles" }, head.el, error, notice.el, h("div", { class: "bw-ohlc-line" }, ...parts, change));
  el.append(root);

  let shownInterval = null;
  const apply = () => {
    setText(head.title, `${model.get("symbol")} · Chart`);
    updateError(error, model.get("error"));
    const trading = Boolean(model.get("trading"));
    if (trading !== root.classList.contains("bw-trading")) {
      root.classList.toggle("bw-trading", trading);
      root.title = trading ? "Drag an order, TP or SL line on the chart to move it; Shift-click the chart to put that price in the ticket" : "";
    }
    const value = model.get("interval");
    if (value !== shownInterval) {
      shownInterval = value; // an interval the picker does not offer gets its own option, once
      if (!Array.from(interval.options).some((o) => o.value === value)) interval.append(h("option", { value, text: value }));
    }
    setProp(interval, "value", value);
    const k = model.get("last") || {};
    for (const key of ["open", "high", "low", "close"]) setText(ohlc[key], groupDigits(k[key] || ""));
    const o = Number(k.open);
    const c = Number(k.close);
    const pct = o > 0 && Number.isFinite(c) ? ((c - o) / o) * 100 : null;
    setText(change, pct === null ? "" : fmtPct(pct));
    setClass(change, ["bw-up", "bw-down"], dirClass(pct));
    setClass(ohlc.close, ["bw-up", "bw-down"], dirClass(pct));
  };
  const cleanup = live(model, { kind: "candles", root, badge: head.badge, names: ["last", "interval", "symbol", "error", "trading"], apply });
  return () => {
    notice.off();
    cleanup();
  };
}

export default { render };
