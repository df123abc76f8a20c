// Positions view: open positions with live mark and unrealised PnL (Close, TP/SL), then open
// orders (Cancel). Buttons send a message to the kernel, which runs the action as a task and
// reports in the notice line; a button stays disabled while its action is in flight. Rows are
// keyed (position key: symbol, or symbol/long and symbol/short in hedge mode; order id) and updated
// in place, so a click never lands on a replaced element.

import { h, textEl, setText, setAttr, setClass, setHidden, setProp, header, errorLine, updateError, keyedRows } from "./lib/dom.js";
import { live } from "./lib/live.js";
import { fmtFixed, groupDigits, dirClass } from "./lib/format.js";

function render({ model, el }) {
  const head = header("Positions");
  const error = errorLine();
  const notice = textEl("div", { class: "bw-notice", hidden: true });
  const unavailable = textEl("div", { class: "bw-empty", hidden: true });
  const posBody = h("tbody");
  const ordBody = h("tbody");
  // a trailing "#" marks a numeric (right-aligned) column
  const heads = (names) => h("thead", {}, h("tr", {}, ...names.map((t) => h("th", { class: t.endsWith("#") ? "bw-num" : "", text: t.replace(/#$/, "") }))));
  const posTable = h("table", { class: "bw-table" }, heads(["Symbol", "Size#", "Entry#", "Mark#", "uPnL#", "Liq.#", "TP / SL#", ""]), posBody);
  const ordTable = h("table", { class: "bw-table" }, heads(["Symbol", "Side", "Type", "Price#", "Qty#", "Filled#", "Status", ""]), ordBody);
  const posEmpty = h("div", { class: "bw-empty", text: "No open positions" });
  const ordEmpty = h("div", { class: "bw-empty", text: "No open orders" });
  const root = h(
    "div",
    { class: "bw-widget bw-positions" },
    head.el,
    error,
    notice,
    unavailable,
    h("div", { class: "bw-section-title", text: "Positions" }),
    posTable,
    posEmpty,
    h("div", { class: "bw-section-title", text: "Open orders" }),
    ordTable,
    ordEmpty,
  );
  el.append(root);
  const send = (content) => model.send(content);
  const posRows = new Map();
  const ordRows = new Map();
  let busy = new Set();

  const makePosition = (p) => {
    const c = {};
    for (const name of ["symbol", "size", "entry", "mark", "pnl", "liq", "tpsl"]) c[name] = name === "symbol" ? h("td", { class: "" }) : textEl("td", { class: "bw-num" });
    const sideTag = textEl("span", { class: "bw-side-tag" });
    const name = textEl("span");
    const lev = textEl("span", { class: "bw-muted" });
    c.symbol.append(sideTag, name, lev);
    const tp = h("input", { class: "bw-input bw-input-sm", placeholder: "TP", "aria-label": `${p.symbol} take profit` });
    const sl = h("input", { class: "bw-input bw-input-sm", placeholder: "SL", "aria-label": `${p.symbol} stop loss` });
    const editor = h(
      "tr",
      { class: "bw-editor-row", hidden: true },
      h(
        "td",
        { colspan: 8 },
        h(
          "span",
          { class: "bw-inline" },
          `${p.symbol} take profit / stop loss (0 removes) `,
          tp,
          sl,
          h("button", {
            class: "bw-btn bw-btn-sm",
            type: "button",
            text: "Set",
            onclick: () => {
              send({ type: "tpsl", symbol: p.symbol, position_idx: p.position_idx, take_profit: tp.value, stop_loss: sl.value });
              setHidden(editor, true);
            },
          }),
          h("button", { class: "bw-btn bw-btn-sm bw-btn-ghost", type: "button", text: "Cancel", onclick: () => setHidden(editor, true) }),
        ),
      ),
    );
    const close = textEl("button", {
      class: "bw-btn bw-btn-sm bw-btn-danger",
      type: "button",
      "data-testid": "bw-position-close",
      onclick: () => {
        close.disabled = true;
        send({ type: "close", symbol: p.symbol, position_idx: p.position_idx });
      },
    });
    const edit = h("button", {
      class: "bw-btn bw-btn-sm",
      type: "button",
      text: "TP/SL",
      onclick: () => {
        const row = posRows.get(p.key || p.symbol);
        tp.value = row.item.tp || "";
        sl.value = row.item.sl || "";
        setHidden(editor, !editor.hidden);
      },
    });
    const tr = h("tr", { "data-testid": "bw-position-row" }, c.symbol, c.size, c.entry, c.mark, c.pnl, c.liq, c.tpsl, h("td", { class: "bw-actions" }, edit, close));
    return { tr, editor, c, sideTag, name, lev, close, item: p, nodes: [tr, editor] };
  };

  const updatePosition = (row, p) => {
    row.item = p;
    setAttr(row.tr, "data-symbol", p.symbol);
    setAttr(row.tr, "data-side", p.side);
    setAttr(row.tr, "data-size", p.size);
    setAttr(row.tr, "data-position-idx", String(p.position_idx || 0));
    setText(row.sideTag, p.side === "Buy" ? "Long" : "Short");
    setClass(row.sideTag, ["bw-up", "bw-down"], p.side === "Buy" ? "bw-up" : "bw-down");
    setText(row.name, p.hedged ? ` ${p.symbol} · hedge` : ` ${p.symbol}`);
    setText(row.lev, p.leverage ? ` ${p.leverage}x` : "");
    setText(row.c.size, p.size);
    setText(row.c.entry, groupDigits(p.entry));
    setText(row.c.mark, groupDigits(p.mark));
    setText(row.c.pnl, p.pnl === null || p.pnl === undefined ? "" : `${p.pnl > 0 ? "+" : ""}${fmtFixed(p.pnl, 2)}`);
    setClass(row.c.pnl, ["bw-up", "bw-down"], dirClass(p.pnl));
    setText(row.c.liq, groupDigits(p.liq));
    setText(row.c.tpsl, p.tp || p.sl ? `${groupDigits(p.tp) || "–"} / ${groupDigits(p.sl) || "–"}` : "–");
    const closing = busy.has(`close:${p.key || p.symbol}`);
    setProp(row.close, "disabled", closing);
    setText(row.close, closing ? "Closing…" : "Close");
  };

  const makeOrder = (o) => {
    const c = {};
    for (const name of ["symbol", "side", "type", "price", "qty", "filled", "status"]) c[name] = textEl("td", { class: ["price", "qty", "filled"].includes(name) ? "bw-num" : "" });
    const cancel = textEl("button", {
      class: "bw-btn bw-btn-sm",
      type: "button",
      onclick: () => {
        cancel.disabled = true;
        send({ type: "cancel", order_id: o.order_id, symbol: o.symbol, category: o.category });
      },
    });
    const tr = h("tr", { "data-testid": "bw-order-row", "data-order-id": o.order_id }, c.symbol, c.side, c.type, c.price, c.qty, c.filled, c.status, h("td", { class: "bw-actions" }, cancel));
    return { tr, c, cancel, nodes: [tr] };
  };

  const updateOrder = (row, o) => {
    setAttr(row.tr, "data-symbol", o.symbol);
    setText(row.c.symbol, o.symbol);
    setText(row.c.side, o.side);
    setClass(row.c.side, ["bw-up", "bw-down"], o.side === "Buy" ? "bw-up" : "bw-down");
    setText(row.c.type, o.trigger ? `${o.type} at ${groupDigits(o.trigger)}` : o.type + (o.reduce_only ? " (reduce)" : ""));
    setText(row.c.price, groupDigits(o.price) || "market");
    setText(row.c.qty, Number(o.qty) === 0 && o.reduce_only ? "position" : o.qty); // a position's TP/SL follows its size
    setText(row.c.filled, o.filled);
    setText(row.c.status, o.status);
    const cancelling = busy.has(`cancel:${o.order_id}`);
    setProp(row.cancel, "disabled", cancelling);
    setText(row.cancel, cancelling ? "Cancelling…" : "Cancel");
  };

  const apply = () => {
    updateError(error, model.get("error"));
    const available = model.get("available");
    setHidden(unavailable, available);
    setText(unavailable, model.get("unavailable_reason"));
    const n = model.get("notice") || {};
    setHidden(notice, !n.text);
    setText(notice, n.text || "");
    notice.classList.toggle("bw-notice-error", n.kind === "error");
    busy = new Set(model.get("busy") || []);
    const positions = model.get("positions") || [];
    keyedRows(posBody, posRows, positions, (p) => p.key || p.symbol, makePosition, updatePosition);
    setHidden(posEmpty, positions.length > 0 || !available);
    setHidden(posTable, positions.length === 0);
    const orders = model.get("orders") || [];
    keyedRows(ordBody, ordRows, orders, (o) => o.order_id, makeOrder, updateOrder);
    setHidden(ordEmpty, orders.length > 0 || !available);
    setHidden(ordTable, orders.length === 0);
  };
  return live(model, { kind: "positions", root, badge: head.badge, names: ["positions", "orders", "busy", "notice", "available", "unavailable_reason", "error"], apply });
}

export default { render };
