// Trades tape view: newest trade on top, green taker buys, red taker sells, new rows flash.

import { h, textEl, setText, setAttr, setClass, setHidden, onChanges, flash, unflash, header, errorLine, updateError } from "./lib/dom.js";
import { live } from "./lib/live.js";
import { fmtFixed, fmtClock } from "./lib/format.js";
import { decodeTrades } from "./lib/packed.js";

function render({ model, el }) {
  const head = header("");
  const error = errorLine();
  const cols = h("div", { class: "bw-cols bw-trade-cols" }, h("span", { text: "Price" }), h("span", { text: "Size" }), h("span", { text: "Time" }));
  const list = h("div", { class: "bw-trade-list" });
  const root = h("div", { class: "bw-widget bw-trades" }, head.el, error, cols, list);
  el.append(root);
  const pool = [];
  let newest = -Infinity;

  const rowAt = (i) => {
    while (pool.length <= i) {
      const price = textEl("span", { class: "bw-price" });
      const size = textEl("span", { class: "bw-size" });
      const time = textEl("span", { class: "bw-time" });
      const row = { el: h("div", { class: "bw-row bw-trade", hidden: true }, price, size, time), price, size, time };
      pool.push(row);
      list.append(row.el);
    }
    return pool[i];
  };

  const apply = () => {
    setText(head.title, `${model.get("symbol")} · Trades`);
    updateError(error, model.get("error"));
    const trades = decodeTrades(model.get("trades"));
    const pd = model.get("price_decimals");
    const qd = model.get("qty_decimals");
    const n = Math.max(trades.length, pool.length);
    const previousNewest = newest;
    for (let i = 0; i < n; i++) {
      const row = rowAt(i);
      const t = trades[i];
      if (!t) {
        setHidden(row.el, true);
        setAttr(row.el, "data-testid", null);
        unflash(row.el);
        continue;
      }
      setHidden(row.el, false);
      setAttr(row.el, "data-testid", "bw-trade-row");
      setAttr(row.el, "data-price", t.price);
      setAttr(row.el, "data-size", t.size);
      setAttr(row.el, "data-side", t.side);
      setText(row.price, fmtFixed(t.price, pd));
      setText(row.size, fmtFixed(t.size, qd));
      setText(row.time, fmtClock(t.time));
      setClass(row.el, ["bw-buy", "bw-sell"], t.side === "Buy" ? "bw-buy" : "bw-sell");
      // only the trades new in this frame are highlighted; rows shift down, so older highlights are cleared
      if (previousNewest !== -Infinity && t.time > previousNewest) flash(row.el, t.side === "Buy" ? "bw-flash-up" : "bw-flash-down");
      else unflash(row.el);
    }
    if (trades.length) newest = trades[0].time;
  };
  const offSymbol = onChanges(model, ["symbol"], () => (newest = -Infinity));
  const stop = live(model, { kind: "trades", root, badge: head.badge, names: ["trades", "error", "symbol", "price_decimals", "qty_decimals"], apply });
  return () => {
    stop();
    offSymbol();
  };
}

export default { render };
