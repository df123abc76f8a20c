// Order-book ladder view: asks above, bids below, size bars on one shared scale (level or
// cumulative), spread and mid between them, changed levels flashing, the user's open orders
// marked, price grouping, and an honest banner while the book is resyncing or stale.
// With a ticket it trades: a click on a row picks its price, a shift-click (armed) places, your
// order's marker drags onto another row to amend and its x cancels; B / S / Esc while focused.
// The kernel decides and checks everything; the view only says what the gesture was.
//
// The numbers, bars and flashes are drawn on a canvas under the rows (lib/rungs.js says why and
// what it saves); the rows are the elements a user and a test touch.

import { h, setText, setAttr, setHidden, setProp, onChanges, header, errorLine, updateError, FLASH_MS } from "./lib/dom.js";
import { live } from "./lib/live.js";
import { noticeLine } from "./lib/notice.js";
import { fmtFixed, fmtCompact, decimalsOf } from "./lib/format.js";
import { decodeBook } from "./lib/packed.js";
import { ladderRows, spreadOf, changedLevels, ownByLevel, groupingChoices, rowGesture, dropAmend, hotkey } from "./lib/ladder.js";
import { rungPainter, spreadPainter } from "./lib/rungs.js";

const FLASH_GAP_MS = 700;
const OWN_PX = { plain: 12, trading: 30 }; // the marker column (the CSS's .bw-own flex basis)

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

// A row is made once and only its attributes and classes change afterwards; what the canvas
// draws for it is `rung` (null while the row shows no level), `shownPrice` the level it shows.
function makeRow(side) {
  const marker = makeMarker();
  const own = h("span", { class: "bw-own" }, marker);
  const el = h("div", { class: `bw-row bw-${side}` }, own);
  return { el, own, side, rung: null, shownPrice: null, flashedAt: 0, ownKey: "", markers: [marker] };
}

// One marker per open order at the row's price: a row keeps a pool of markers (one made with the
// row, more only when a level holds more orders than ever before) and fills them in, so orders
// moving between rows as the book shifts create no nodes.
function makeMarker() {
  const dot = h("span", { class: "bw-own-dot" }, "●");
  const cancel = h("button", { class: "bw-own-cancel", type: "button", "aria-label": "cancel this order", title: "cancel" }, "×");
  return h("span", { class: "bw-own-order", hidden: true }, dot, cancel);
}

function fillMarker(marker, order, side, qd) {
  const real = Boolean(order.id); // a marker without an id (an older kernel) is shown, not draggable
  setAttr(marker, "data-testid", real ? "bw-book-own" : null);
  setAttr(marker, "data-order-id", real ? order.id : null);
  setAttr(marker, "data-order-link-id", real ? order.linkId : null);
  setAttr(marker, "data-price", order.price);
  setAttr(marker, "data-side", side === "bid" ? "Buy" : "Sell");
  setAttr(marker, "data-qty", order.qty);
  const what = `your ${side === "bid" ? "buy" : "sell"} ${fmtFixed(Number(order.qty), qd)} at ${order.price}`;
  setAttr(marker, "title", real ? `${what}: drag to another row to move it, × cancels` : what);
  setAttr(marker.lastChild, "data-testid", real ? "bw-book-own-cancel" : null); // only inside a real bw-book-own
  setHidden(marker.lastChild, !real);
  setHidden(marker, false);
}

function hideMarker(marker) {
  setHidden(marker, true);
  marker.removeAttribute("data-testid");
  marker.lastChild.removeAttribute("data-testid");
}

function showOwn(row, mine, qd) {
  const key = mine ? mine.key : "";
  if (key === row.ownKey) return;
  row.ownKey = key;
  const orders = !mine ? [] : mine.orders.length ? mine.orders : [{ id: "", linkId: "", price: "", qty: mine.qty }];
  const pool = row.markers;
  while (pool.length < orders.length) {
    const marker = makeMarker();
    pool.push(marker);
    row.own.append(marker);
  }
  for (let i = 0; i < pool.length; i++) {
    if (i < orders.length) fillMarker(pool[i], orders[i], row.side, qd);
    else if (!pool[i].hidden) hideMarker(pool[i]);
  }
  row.el.classList.toggle("bw-has-own", Boolean(mine));
}

// A row without a level stays in place (the ladder keeps its height) but is no book row.
function emptyRow(row) {
  if (row.rung === null) return;
  row.rung = null;
  row.shownPrice = null;
  row.el.removeAttribute("data-testid");
  row.el.removeAttribute("data-price");
  row.el.removeAttribute("data-size");
  showOwn(row, null, 0);
}

function render({ model, el }) {
  const group = h("select", { class: "bw-select", title: "Group prices", "aria-label": "price grouping" });
  const cumulative = h("input", { type: "checkbox", "aria-label": "cumulative bars" });
  const head = header("");
  const arm = h("button", { class: "bw-arm", type: "button", "data-testid": "bw-book-arm", "data-armed": "false", hidden: true, title: "One-click trading: shift-click a row to place an order there at once" }, "⚡ One-click off");
  const tools = h("div", { class: "bw-toolbar" }, h("label", { class: "bw-inline" }, "Group ", group), h("label", { class: "bw-inline", title: "Bars show cumulative size from the touch" }, cumulative, " Cumulative"), arm);
  const confirmText = h("span", { class: "bw-confirm-text" }, "");
  const confirmYes = h("button", { type: "button", class: "bw-confirm-yes", "data-testid": "bw-book-arm-confirm" }, "Arm");
  const confirmNo = h("button", { type: "button", class: "bw-confirm-no" }, "Cancel");
  const confirmBar = h("div", { class: "bw-confirm", hidden: true }, confirmText, confirmYes, confirmNo);
  const notice = noticeLine(model, "bw-book-notice");
  const banner = h("div", { class: "bw-banner", hidden: true });
  const error = errorLine();
  const cols = h("div", { class: "bw-cols" }, h("span", { text: "" }), h("span", { text: "Price" }), h("span", { text: "Size" }), h("span", { text: "Total" }));
  const asksCanvas = h("canvas", { class: "bw-rungs", "aria-hidden": "true" });
  const bidsCanvas = h("canvas", { class: "bw-rungs", "aria-hidden": "true" });
  const asksBox = h("div", { class: "bw-side bw-asks" }, asksCanvas);
  const bidsBox = h("div", { class: "bw-side bw-bids" }, bidsCanvas);
  const spreadCanvas = h("canvas", { class: "bw-rungs", "aria-hidden": "true" });
  const spreadRow = h("div", { class: "bw-spread", role: "note" }, spreadCanvas);
  const body = h("div", { class: "bw-ladder" }, asksBox, spreadRow, bidsBox);
  const root = h("div", { class: "bw-widget bw-book", tabindex: "0" }, head.el, tools, confirmBar, notice.el, error, banner, cols, body);
  el.append(root);

  const rows = { bid: [], ask: [] };
  // a font family from the theme, read once when a canvas first draws (after the styles are in)
  const cssFont = (name, fallback) => {
    let value = "";
    return () => (value ||= getComputedStyle(body).getPropertyValue(name).trim() || fallback);
  };
  const font = cssFont("--bw-mono", "monospace");
  const uiFont = cssFont("--bw-font", "sans-serif");
  const painters = {
    ask: rungPainter({ root, box: asksBox, canvas: asksCanvas, side: "ask", font }),
    bid: rungPainter({ root, box: bidsBox, canvas: bidsCanvas, side: "bid", font }),
  };
  const spreadPaint = spreadPainter({ root, box: spreadRow, canvas: spreadCanvas, font, uiFont });
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

  // -- gestures: the view says what was done where; the kernel checks and acts ------------------
  const send = (msg) => model.send(msg);
  arm.addEventListener("click", () => send({ type: "arm", on: !model.get("armed") }));
  confirmYes.addEventListener("click", () => send({ type: "arm_confirm", token: (model.get("arm_confirm") || {}).token }));
  confirmNo.addEventListener("click", () => send({ type: "arm", on: false }));
  root.addEventListener("keydown", (event) => {
    if (event.target.closest("input, select, textarea")) return;
    const key = hotkey(event.key, event);
    if (!key) return;
    event.stopPropagation(); // the ladder's key: not also JupyterLab's (B inserts a cell in command mode)
    event.preventDefault();
    if (key === "disarm") send({ type: "arm", on: false });
    else send({ type: "side", side: key });
  });
  let drag = null; // {orderId, orderPrice, rowPrice, marker} while an order marker is held
  let dropped = false; // a pointer-up just ended a drag: the click it makes is part of the drag, not a pick
  const rowAt = (x, y) => {
    const hit = document.elementFromPoint(x, y);
    const row = hit && hit.closest(".bw-row");
    return row && body.contains(row) && row.dataset.price ? row : null;
  };
  body.addEventListener("pointerdown", (event) => {
    const marker = event.target.closest(".bw-own-order");
    if (!marker || event.target.closest(".bw-own-cancel") || event.button !== 0) return;
    const row = marker.closest(".bw-row");
    drag = { orderId: marker.dataset.orderId, orderPrice: marker.dataset.price, rowPrice: row.dataset.price, marker };
    marker.classList.add("bw-dragging");
    event.preventDefault(); // no text selection while dragging
  });
  const endDrag = (event) => {
    if (!drag) return;
    const held = drag;
    drag = null;
    held.marker.classList.remove("bw-dragging");
    for (const el of body.querySelectorAll(".bw-drop")) el.classList.remove("bw-drop");
    const row = event.type === "pointerup" ? rowAt(event.clientX, event.clientY) : null;
    const amend = dropAmend(held, row ? row.dataset.price : null);
    if (amend) send(amend);
    // whatever the drop did (an amend, or nothing when it ended on its own row), the click that
    // follows this pointer-up is not a pick nor, armed with shift held, a new order; it comes
    // before any task, so the flag is cleared right after in case no click follows
    dropped = event.type === "pointerup";
    setTimeout(() => (dropped = false), 0);
  };
  const moveDrag = (event) => {
    if (!drag) return;
    const row = rowAt(event.clientX, event.clientY);
    for (const el of body.querySelectorAll(".bw-drop")) if (el !== row) el.classList.remove("bw-drop");
    if (row && row.dataset.price !== drag.rowPrice) row.classList.add("bw-drop");
  };
  window.addEventListener("pointermove", moveDrag);
  window.addEventListener("pointerup", endDrag);
  window.addEventListener("pointercancel", endDrag);
  body.addEventListener("click", (event) => {
    if (dropped) {
      dropped = false;
      return;
    }
    const row = event.target.closest(".bw-row");
    const cancel = event.target.closest(".bw-own-cancel");
    const gesture = rowGesture({ onRow: Boolean(row), onCancel: Boolean(cancel), shift: event.shiftKey });
    if (gesture === "cancel") send({ type: "cancel", order_id: cancel.closest(".bw-own-order").dataset.orderId });
    else if (gesture === "place") send({ type: "place", price: row.dataset.price, side: row.classList.contains("bw-bid") ? "bid" : "ask" });
    else if (gesture === "pick") send({ type: "pick", price: row.dataset.price });
    if (gesture) root.focus({ preventScroll: true }); // the hotkeys now reach this ladder
  });
  const showTrading = () => {
    const armed = Boolean(model.get("armed"));
    setHidden(arm, !model.get("trading"));
    setAttr(arm, "data-armed", armed ? "true" : "false");
    setText(arm, armed ? "⚡ One-click ON" : "⚡ One-click off");
    arm.classList.toggle("bw-armed", armed);
    root.classList.toggle("bw-trading", Boolean(model.get("trading")));
    const ask = model.get("arm_confirm") || {};
    setText(confirmText, ask.summary || "");
    setHidden(confirmBar, !ask.token);
  };
  showTrading();
  const offTrading = onChanges(model, ["armed", "trading", "arm_confirm"], showTrading);

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

  let choicesFor = "";
  const apply = () => {
    centre(); // reads the layout of the last painted frame, before this frame writes anything
    const state = model.get("conn_state");
    setText(head.title, `${model.get("symbol")} · Book`);
    updateError(error, model.get("error"));
    const choicesKey = `${model.get("tick_size")}|${model.get("price_decimals")}|${model.get("grouping")}`;
    if (choicesKey !== choicesFor) {
      choicesFor = choicesKey;
      fillGroupChoices();
    }
    setProp(cumulative, "checked", model.get("cumulative"));
    const book = decodeBook(model.get("levels"));
    const isLive = state === "live";
    setText(banner, isLive ? "" : BANNERS[state] || state);
    setHidden(banner, isLive);
    root.classList.toggle("bw-dim", !isLive && (book.bids.length > 0 || book.asks.length > 0));
    const tick = model.get("tick_size");
    const grouping = model.get("grouping");
    const pd = grouping > 1 && tick > 0 ? Math.min(model.get("price_decimals"), decimalsOf(String(Number((grouping * tick).toFixed(8))))) : model.get("price_decimals");
    const qd = model.get("qty_decimals");
    const ladder = ladderRows(book, model.get("cumulative"));
    const own = ownByLevel(model.get("own"));
    const depth = model.get("depth");
    const ownWidth = model.get("trading") ? OWN_PX.trading : OWN_PX.plain;
    for (const [side, box, levels, list] of [
      ["ask", asksBox, book.asks, ladder.asks],
      ["bid", bidsBox, book.bids, ladder.bids],
    ]) {
      const pool = ensureRows(side, box, Math.max(depth, list.length));
      const { changed, sizes } = changedLevels(prevSizes[side], levels);
      prevSizes[side] = sizes;
      const now = performance.now();
      const rungs = new Array(pool.length);
      for (let i = 0; i < pool.length; i++) {
        const row = pool[i];
        const level = list[i];
        if (!level) {
          emptyRow(row);
          rungs[i] = null;
          continue;
        }
        setAttr(row.el, "data-testid", `bw-book-${side}`);
        setAttr(row.el, "data-price", level.price);
        setAttr(row.el, "data-size", level.size);
        showOwn(row, own.get(`${side}:${level.price}`), qd);
        const rung = (row.rung ??= { flashUntil: 0, flashDir: 0 });
        if (row.shownPrice !== level.price) {
          row.shownPrice = level.price;
          rung.flashUntil = 0; // the row now shows another level: its flash was about the old one
        }
        const move = changed.get(level.price);
        if (move && now - row.flashedAt > FLASH_GAP_MS) {
          row.flashedAt = now; // one flash per row at a time: a level that keeps moving is not a strobe
          rung.flashUntil = now + FLASH_MS;
          rung.flashDir = move;
        }
        rung.price = fmtFixed(level.price, pd);
        rung.size = fmtFixed(level.size, qd);
        rung.total = level.total >= 1e5 ? fmtCompact(level.total) : fmtFixed(level.total, qd);
        rung.frac = Math.round(level.frac * 1000) / 1000; // a thousandth of the width: below a pixel
        rung.ownWidth = ownWidth;
        rungs[i] = rung;
      }
      painters[side].draw(rungs, now);
    }
    const s = spreadOf(book);
    const midText = s.mid === null ? "–" : fmtFixed(s.mid, onGrid(s.mid, pd) ? pd : pd + 1);
    const spreadText = s.spread === null ? "" : `spread ${fmtFixed(s.spread, pd)}`;
    spreadPaint.draw(midText, spreadText);
    setAttr(spreadRow, "aria-label", s.mid === null ? "no mid" : `mid ${midText}, ${spreadText}`);
    setAttr(spreadRow, "title", s.spread === null ? null : `${s.bps < 1 ? s.bps.toFixed(3) : s.bps.toFixed(1)} basis points of the mid`);
    setAttr(root, "data-u", book.u || null);
    wantCentre = !centred && !userScrolled && model.get("height") > 0 && book.bids.length > 0 && book.asks.length > 0;
  };
  // Centre a scrolling ladder on the spread once: on the frame after the rows were filled, so the
  // layout read comes before this frame's writes and forces nothing.
  let wantCentre = false;
  const centre = () => {
    if (!wantCentre) return;
    wantCentre = false;
    if (body.scrollHeight > body.clientHeight) {
      body.scrollTop = spreadRow.offsetTop - body.clientHeight / 2 + spreadRow.offsetHeight / 2; // .bw-ladder is the offset parent
    }
    centred = true;
  };
  const setHeight = () => {
    const px = model.get("height");
    body.style.maxHeight = px > 0 ? `${px}px` : "";
    centred = false;
  };
  setHeight();
  const offHeight = onChanges(model, ["height"], setHeight);
  const offSymbol = onChanges(model, ["symbol", "grouping"], () => {
    prevSizes = { bid: new Map(), ask: new Map() };
    centred = false;
    userScrolled = false;
  });
  const stop = live(model, {
    kind: "book",
    root,
    badge: head.badge,
    names: ["levels", "own", "error", "symbol", "grouping", "cumulative", "tick_size", "price_decimals", "qty_decimals", "depth", "height", "trading"],
    apply,
  });
  return () => {
    stop();
    offHeight();
    offSymbol();
    offTrading();
    notice.off();
    window.removeEventListener("pointermove", moveDrag);
    window.removeEventListener("pointerup", endDrag);
    window.removeEventListener("pointercancel", endDrag);
    painters.ask.stop();
    painters.bid.stop();
    spreadPaint.stop();
  };
}

export default { render };
