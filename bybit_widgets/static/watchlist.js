// bybit-widgets: watchlist view. Built by js/build.mjs from js/watchlist.js; do not edit.
// ---- lib/dom.js
const __lib_dom = (() => {
// Small DOM helpers shared by the views: element creation, the connection and environment
// badges, and a requestAnimationFrame batcher so that model changes arriving in a burst are
// applied once, on the next frame, with the newest state.

/** Create an element: h("div", {class: "x", "data-testid": "y"}, child, "text"). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Set text only when it changed (cheap to call every frame). */
function setText(el, text) {
  const value = String(text ?? "");
  if (el.textContent !== value) el.textContent = value;
}

/** Set or remove an attribute only when it changed. */
function setAttr(el, name, value) {
  if (value === null || value === undefined) {
    if (el.hasAttribute(name)) el.removeAttribute(name);
    return;
  }
  const text = String(value);
  if (el.getAttribute(name) !== text) el.setAttribute(name, text);
}

/** Toggle one of a set of mutually exclusive classes. */
function setClass(el, choices, chosen) {
  for (const c of choices) if (c && c !== chosen) el.classList.remove(c);
  if (chosen) el.classList.add(chosen);
}

const STATE_LABELS = {
  connecting: "Connecting",
  live: "Live",
  stale: "Stale",
  reconnecting: "Reconnecting",
  resyncing: "Resyncing",
  closed: "Closed",
};

/** The connection badge every live widget shows (data-testid bw-connection-state). */
function connectionBadge() {
  const el = h("span", { class: "bw-badge", "data-testid": "bw-connection-state", "data-state": "connecting" });
  el.append(h("span", { class: "bw-dot" }), h("span", { class: "bw-badge-text", text: STATE_LABELS.connecting }));
  return el;
}

function updateBadge(el, state, reason) {
  const s = STATE_LABELS[state] ? state : "connecting";
  setAttr(el, "data-state", s);
  setText(el.lastChild, STATE_LABELS[s]);
  setAttr(el, "title", reason ? `${STATE_LABELS[s]}: ${reason}` : STATE_LABELS[s]);
}

/** SIM / TESTNET / DEMO / MAINNET badge (data-testid bw-env). */
function envBadge(env) {
  const name = String(env || "custom").toLowerCase();
  return h("span", { class: `bw-env bw-env-${name}`, "data-testid": "bw-env", "data-env": name, text: name.toUpperCase() });
}

/**
 * Run `apply()` once on the next animation frame however many times `schedule()` is called
 * before it; returns {schedule, cancel}. Hidden tabs get no frames: apply then runs when the
 * tab shows again, with the newest state (nothing is queued meanwhile).
 */
function frameBatcher(apply) {
  let pending = 0;
  const raf = globalThis.requestAnimationFrame ? (f) => globalThis.requestAnimationFrame(f) : (f) => setTimeout(f, 16);
  const caf = globalThis.cancelAnimationFrame ? (id) => globalThis.cancelAnimationFrame(id) : (id) => clearTimeout(id);
  return {
    schedule() {
      if (!pending) {
        pending = raf(() => {
          pending = 0;
          apply();
        });
      }
    },
    cancel() {
      if (pending) caf(pending);
      pending = 0;
    },
  };
}

/** Subscribe `handler` to change events of `names`; returns a function removing them all. */
function onChanges(model, names, handler) {
  for (const name of names) model.on(`change:${name}`, handler);
  return () => {
    for (const name of names) model.off(`change:${name}`, handler);
  };
}

/** Re-trigger a CSS animation class on an element (removing and re-adding it after a reflow). */
function flash(el, cls) {
  el.classList.remove("bw-flash-up", "bw-flash-down");
  void el.offsetWidth;
  el.classList.add(cls);
}

/** The widget's header line: a title, optional extra nodes, and the connection badge. */
function header(title, ...extra) {
  const badge = connectionBadge();
  const el = h("div", { class: "bw-header" }, h("span", { class: "bw-title", text: title }), ...extra, h("span", { class: "bw-spacer" }), badge);
  return { el, badge, title: el.firstChild };
}

/** Shows the widget's `error` trait (a problem in plain words) under the header. */
function errorLine() {
  return h("div", { class: "bw-error", role: "alert", hidden: true });
}

function updateError(el, text) {
  setText(el, text || "");
  el.hidden = !text;
}
return { h, setText, setAttr, setClass, STATE_LABELS, connectionBadge, updateBadge, envBadge, frameBatcher, onChanges, flash, header, errorLine, updateError };
})();

// ---- lib/format.js
const __lib_format = (() => {
// Number and time formatting for trading views: fixed decimals with thousands separators,
// signed percentages, compact volumes. Formatters are cached per decimals because a ladder
// formats hundreds of numbers per frame.

const formatters = new Map();

function formatter(decimals) {
  let f = formatters.get(decimals);
  if (!f) {
    f = new Intl.NumberFormat("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    formatters.set(decimals, f);
  }
  return f;
}

/** 88012.5 with 2 decimals -> "88,012.50"; "" for null, undefined or NaN. */
function fmtFixed(value, decimals) {
  if (value === null || value === undefined || value === "") return "";
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isFinite(n)) return "";
  return formatter(Math.max(0, Math.min(12, decimals | 0))).format(n);
}

/** A percentage with its sign: 1.234 -> "+1.23%", -0.5 -> "-0.50%". */
function fmtPct(value, decimals = 2) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "";
  const sign = value > 0 ? "+" : value < 0 ? "-" : "";
  return `${sign}${formatter(decimals).format(Math.abs(value))}%`;
}

/** Compact magnitude for volumes: 1234 -> "1.23K", 5.6e9 -> "5.60B". */
function fmtCompact(value, decimals = 2) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "";
  const abs = Math.abs(value);
  const units = [
    [1e12, "T"],
    [1e9, "B"],
    [1e6, "M"],
    [1e3, "K"],
  ];
  for (const [size, suffix] of units) {
    if (abs >= size) return `${formatter(decimals).format(value / size)}${suffix}`;
  }
  return formatter(abs < 10 ? 3 : decimals).format(value);
}

/** Digits after the point in a decimal string: "0.10" -> 2, "1" -> 0. */
function decimalsOf(text) {
  const s = String(text ?? "");
  const dot = s.indexOf(".");
  return dot < 0 ? 0 : s.length - dot - 1;
}

/** A price string exactly as the exchange sent it, with thousands separators: "88012.50" -> "88,012.50". */
function groupDigits(text) {
  const s = String(text ?? "");
  if (!/^-?\d+(\.\d+)?$/.test(s)) return s;
  const [int, frac] = s.split(".");
  const sign = int.startsWith("-") ? "-" : "";
  const digits = sign ? int.slice(1) : int;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return frac === undefined ? `${sign}${grouped}` : `${sign}${grouped}.${frac}`;
}

/** Local wall-clock time of an epoch-ms timestamp: "14:03:07". */
function fmtClock(ms) {
  if (!Number.isFinite(ms) || ms <= 0) return "";
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, "0");
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Time left until an epoch-ms instant: "3h 02m", "12m 09s", "" when past. */
function fmtCountdown(targetMs, nowMs) {
  const left = Math.floor((targetMs - nowMs) / 1000);
  if (!Number.isFinite(left) || left <= 0) return "";
  const h = Math.floor(left / 3600);
  const m = Math.floor((left % 3600) / 60);
  const s = left % 60;
  const pad = (n) => String(n).padStart(2, "0");
  return h > 0 ? `${h}h ${pad(m)}m` : `${m}m ${pad(s)}s`;
}

/** Direction class for a signed number: "bw-up", "bw-down" or "". */
function dirClass(value) {
  if (value === null || value === undefined || !Number.isFinite(value) || value === 0) return "";
  return value > 0 ? "bw-up" : "bw-down";
}
return { fmtFixed, fmtPct, fmtCompact, decimalsOf, groupDigits, fmtClock, fmtCountdown, dirClass };
})();

// ---- watchlist.js
// Watchlist view: a ticker tape of many symbols; a click selects one (the kernel repoints the
// other widgets of a dashboard).

const { h, setText, setAttr, setClass, frameBatcher, onChanges, flash, connectionBadge, updateBadge } = __lib_dom;
const { fmtPct, groupDigits, dirClass } = __lib_format;

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
      const last = h("span", { class: "bw-tape-last" });
      const change = h("span", { class: "bw-tape-change" });
      const node = h(
        "button",
        { class: "bw-tape-cell", type: "button", role: "option", "data-testid": "bw-watch-row", "data-symbol": symbol, onclick: () => select(symbol) },
        h("span", { class: "bw-tape-symbol", text: symbol }),
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
    updateBadge(badge, model.get("conn_state"), model.get("conn_reason"));
  };
  const frame = frameBatcher(apply);
  const off = onChanges(model, ["rows", "selected", "conn_state", "conn_reason"], frame.schedule);
  apply();
  return () => {
    off();
    frame.cancel();
  };
}

export default { render };
