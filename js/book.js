// Order-book ladder view: asks above, bids below, size bars on one shared scale (level or
// cumulative), spread and mid between them, changed levels flashing, the user's open orders
// marked, price grouping, and an honest banner while the book is resyncing or stale.

import { h, setText, setAttr, frameBatcher, onChanges, flash, header, errorLine, updateBadge, updateError } from "./lib/dom.js";
import { fmtFixed, fmtCompact, decimalsOf } from "./lib/format.js";
import { decodeBook } from "./lib/packed.js";
import { ladderRows, spreadOf, changedLevels, ownByLevel, groupingChoices } from "./lib/ladder.js";

const FLASH_GAP_MS = 700;

const BANNERS = {
  connecting: "Connecting…",
  reconnecting: "Reconnecting — showing the last book received",
  resyncing: "Resyncing — showing the last good book",
  stale: "No updates lately — the book may be old",
  closed: "Closed",
};

/** True when `value` has no digits beyond `decimals` (the mid of a one-tick spread has one more). */
function onGrid(value, decimals) {
  const scaled = value * 10 ** decimals;
  return Math.abs(scaled - Math.round(scaled)) < 1e-6;
}

function makeRow(side) {
  const bar = h("div", { class: "bw-bar" });
  const price = h("span", { class: "bw-price" });
  const size = h("span", { class: "bw-size" });
  const total = h("span", { class: "bw-total" });
  const own = h("span", { class: "bw-own" });
  const el = h("div", { class: `bw-row bw-${side}`, hidden: true }, bar, own, price, size, total);
  return { el, bar, price, size, total, own, side };
}

function render({ model, el }) {
  const group = h("select", { class: "bw-select", title: "Group prices", "aria-label": "price grouping" });
  const cumulative = h("input", { type: "checkbox", "aria-label": "cumulative bars" });
  const head = header("");
  const tools = h("div", { class: "bw-toolbar" }, h("label", { class: "bw-inline" }, "Group ", group), h("label", { class: "bw-inline", title: "Bars show cumulative size from the touch" }, cumulative, " Cumulative"));
  const banner = h("div", { class: "bw-banner", hidden: true });
  const error = errorLine();
  const cols = h("div", { class: "bw-cols" }, h("span", { text: "" }), h("span", { text: "Price" }), h("span", { text: "Size" }), h("span", { text: "Total" }));
  const asksBox = h("div", { class: "bw-side bw-asks" });
  const bidsBox = h("div", { class: "bw-side bw-bids" });
  const mid = h("span", { class: "bw-mid" });
  const spread = h("span", { class: "bw-spread-text" });
  const spreadRow = h("div", { class: "bw-spread" }, mid, spread);
  const body = h("div", { class: "bw-ladder" }, asksBox, spreadRow, bidsBox);
  const root = h("div", { class: "bw-widget bw-book" }, head.el, tools, error, banner, cols, body);
  el.append(root);

  const rows = { bid: [], ask: [] };
  let prevSizes = { bid: new Map(), ask: new Map() };
  let centred = false;
  let userScrolled = false;
  body.addEventListener("wheel", () => (userScrolled = true), { passive: true });

  group.addEventListener("change", () => {
    model.set("grouping", Number(group.value));
    model.save_changes();
  });
  cumulative.addEventListener("change", () => {
    model.set("cumulative", cumulative.checked);
    model.save_changes();
  });

  const ensureRows = (side, box, n) => {
    const list = rows[side];
    while (list.length < n) {
      const row = makeRow(side);
      list.push(row);
      box.append(row.el);
    }
    return list;
  };

  const fillGroupChoices = () => {
    const tick = model.get("tick_size");
    const decimals = model.get("price_decimals");
    const wanted = groupingChoices(tick).map(String);
    const have = Array.from(group.options).map((o) => o.value);
    if (wanted.join() !== have.join()) {
      group.replaceChildren(...wanted.map((m) => h("option", { value: m, text: tick > 0 ? fmtFixed(Number(m) * tick, Number(m) * tick >= 1 ? 0 : decimals) : m })));
    }
    group.value = String(model.get("grouping"));
  };

  const apply = () => {
    const state = model.get("conn_state");
    setText(head.title, `${model.get("symbol")} · Book`);
    updateBadge(head.badge, state, model.get("conn_reason"));
    updateError(error, model.get("error"));
    fillGroupChoices();
    cumulative.checked = model.get("cumulative");
    const book = decodeBook(model.get("levels"));
    const live = state === "live";
    setText(banner, live ? "" : BANNERS[state] || state);
    banner.hidden = live;
    root.classList.toggle("bw-dim", !live && (book.bids.length > 0 || book.asks.length > 0));
    const tick = model.get("tick_size");
    const grouping = model.get("grouping");
    const pd = grouping > 1 && tick > 0 ? Math.min(model.get("price_decimals"), decimalsOf(String(Number((grouping * tick).toFixed(8))))) : model.get("price_decimals");
    const qd = model.get("qty_decimals");
    const ladder = ladderRows(book, model.get("cumulative"));
    const own = ownByLevel(model.get("own"));
    const depth = model.get("depth");
    for (const [side, box, levels, list] of [
      ["ask", asksBox, book.asks, ladder.asks],
      ["bid", bidsBox, book.bids, ladder.bids],
    ]) {
      const pool = ensureRows(side, box, Math.max(depth, list.length));
      const { changed, sizes } = changedLevels(prevSizes[side], levels);
      prevSizes[side] = sizes;
      for (let i = 0; i < pool.length; i++) {
        const row = pool[i];
        const level = list[i];
        if (!level) {
          if (!row.el.hidden) {
            row.el.hidden = true;
            row.el.removeAttribute("data-testid");
          }
          continue;
        }
        row.el.hidden = false;
        setAttr(row.el, "data-testid", `bw-book-${side}`);
        setAttr(row.el, "data-price", level.price);
        setAttr(row.el, "data-size", level.size);
        setText(row.price, fmtFixed(level.price, pd));
        setText(row.size, fmtFixed(level.size, qd));
        setText(row.total, level.total >= 1e5 ? fmtCompact(level.total) : fmtFixed(level.total, qd));
        row.bar.style.transform = `scaleX(${level.frac.toFixed(4)})`;
        const mine = own.get(`${side}:${level.price}`);
        setText(row.own, mine ? "●" : "");
        setAttr(row.own, "title", mine ? `your ${mine.count > 1 ? `${mine.count} orders` : "order"}: ${fmtFixed(mine.qty, qd)}` : null);
        row.el.classList.toggle("bw-has-own", Boolean(mine));
        const move = changed.get(level.price);
        const now = performance.now();
        if (move && now - (row.flashedAt || 0) > FLASH_GAP_MS) {
          row.flashedAt = now; // one flash per row at a time: a level that keeps moving is not a strobe
          flash(row.size, move > 0 ? "bw-flash-up" : "bw-flash-down");
        }
      }
    }
    const s = spreadOf(book);
    setText(mid, s.mid === null ? "–" : fmtFixed(s.mid, onGrid(s.mid, pd) ? pd : pd + 1));
    setText(spread, s.spread === null ? "" : `spread ${fmtFixed(s.spread, pd)}`);
    setAttr(spread, "title", s.spread === null ? null : `${s.bps < 1 ? s.bps.toFixed(3) : s.bps.toFixed(1)} basis points of the mid`);
    setAttr(root, "data-u", book.u || null);
    setAttr(root, "data-ts", book.ts || null);
    if (!centred && book.bids.length && book.asks.length && body.scrollHeight > body.clientHeight && !userScrolled) {
      body.scrollTop = spreadRow.offsetTop - body.clientHeight / 2 + spreadRow.offsetHeight / 2; // .bw-ladder is the offset parent
      centred = true;
    }
  };
  const setHeight = () => {
    const px = model.get("height");
    body.style.maxHeight = px > 0 ? `${px}px` : "";
    centred = false;
  };
  setHeight();
  const frame = frameBatcher(apply);
  const off = onChanges(model, ["levels", "own", "conn_state", "conn_reason", "error", "symbol", "grouping", "cumulative", "tick_size", "price_decimals", "qty_decimals", "depth"], frame.schedule);
  const offHeight = onChanges(model, ["height"], () => {
    setHeight();
    frame.schedule();
  });
  const offSymbol = onChanges(model, ["symbol", "grouping"], () => {
    prevSizes = { bid: new Map(), ask: new Map() };
    centred = false;
    userScrolled = false;
  });
  apply();
  return () => {
    off();
    offHeight();
    offSymbol();
    frame.cancel();
  };
}

export default { render };
