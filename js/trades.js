// Trades tape view: newest trade on top, green taker buys, red taker sells, new rows flash.

import { h, setText, setAttr, setClass, frameBatcher, onChanges, flash, header, errorLine, updateBadge, updateError } from "./lib/dom.js";
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
      const price = h("span", { class: "bw-price" });
      const size = h("span", { class: "bw-size" });
      const time = h("span", { class: "bw-time" });
      const row = { el: h("div", { class: "bw-row bw-trade", hidden: true }, price, size, time), price, size, time };
      pool.push(row);
      list.append(row.el);
    }
    return pool[i];
  };

  const apply = () => {
    setText(head.title, `${model.get("symbol")} · Trades`);
    updateBadge(head.badge, model.get("conn_state"), model.get("conn_reason"));
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
        row.el.hidden = true;
        row.el.removeAttribute("data-testid");
        continue;
      }
      row.el.hidden = false;
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
      else row.el.classList.remove("bw-flash-up", "bw-flash-down");
    }
    if (trades.length) newest = trades[0].time;
  };
  const frame = frameBatcher(apply);
  const off = onChanges(model, ["trades", "conn_state", "conn_reason", "error", "symbol", "price_decimals", "qty_decimals"], frame.schedule);
  const offSymbol = onChanges(model, ["symbol"], () => (newest = -Infinity));
  apply();
  return () => {
    off();
    offSymbol();
    frame.cancel();
  };
}

export default { render };
