// Watchlist view: a ticker tape of many symbols; a click selects one (the kernel repoints the
// other widgets of a dashboard).

import { h, textEl, setText, setAttr, setClass, flash, connectionBadge } from "./lib/dom.js";
import { live } from "./lib/live.js";
import { fmtPct, groupDigits, dirClass } from "./lib/format.js";

function render({ model, el }) {
  const badge = connectionBadge();
  const strip = h("div", { class: "bw-tape", role: "listbox", "aria-label": "watchlist" });
  const root = h("div", { class: "bw-widget bw-watchlist" }, strip, badge);
  el.append(root);
  const cells = new Map(); // symbol -> {el, last, change, price}

  const select = (symbol) => {
    model.set("selected", symbol);
    model.save_changes();
  };

  const cellFor = (symbol) => {
    let cell = cells.get(symbol);
    if (!cell) {
      const last = textEl("span", { class: "bw-tape-last" });
      const change = textEl("span", { class: "bw-tape-change" });
      const node = h(
        "button",
        { class: "bw-tape-cell", type: "button", role: "option", "data-testid": "bw-watch-row", "data-symbol": symbol, onclick: () => select(symbol) },
        textEl("span", { class: "bw-tape-symbol" }, symbol),
        last,
        change,
      );
      cell = { el: node, last, change, price: null };
      cells.set(symbol, cell);
    }
    return cell;
  };

  const apply = () => {
    const rows = model.get("rows") || [];
    const selected = model.get("selected");
    const keep = new Set();
    rows.forEach((row, i) => {
      const cell = cellFor(row.symbol);
      keep.add(row.symbol);
      if (strip.children[i] !== cell.el) strip.insertBefore(cell.el, strip.children[i] || null);
      setText(cell.last, row.last ? groupDigits(row.last) : "–");
      setAttr(cell.el, "data-price", row.last_num ?? null);
      setAttr(cell.el, "data-change-pct", row.change_pct ?? null);
      setText(cell.change, fmtPct(row.change_pct));
      setClass(cell.change, ["bw-up", "bw-down"], dirClass(row.change_pct));
      setClass(cell.last, ["bw-up", "bw-down"], dirClass(row.dir));
      if (cell.price !== null && row.last_num !== null && row.last_num !== cell.price) {
        flash(cell.last, row.last_num > cell.price ? "bw-flash-up" : "bw-flash-down");
      }
      cell.price = row.last_num ?? cell.price;
      cell.el.classList.toggle("bw-selected", row.symbol === selected);
      setAttr(cell.el, "aria-selected", row.symbol === selected ? "true" : "false");
      cell.el.classList.toggle("bw-dim", row.state !== "live");
    });
    for (const [symbol, cell] of cells) {
      if (!keep.has(symbol)) {
        cell.el.remove();
        cells.delete(symbol);
      }
    }
  };
  return live(model, { kind: "watchlist", root, badge, names: ["rows", "selected"], apply });
}

export default { render };
