// bybit-widgets: ticket view. Built by js/build.mjs from js/ticket.js; do not edit.
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

// ---- lib/steps.js
const __lib_steps = (() => {
// Decimal-safe stepping for the ticket's price and qty fields. Floating point would turn
// 88000.1 + 0.1 into 88000.20000000001; these work on scaled integers (BigInt) instead.

function parse(text) {
  const s = String(text ?? "").trim().replace(/,/g, "");
  if (!/^\d+(\.\d*)?$|^\.\d+$/.test(s)) return null;
  const [int, frac = ""] = s.split(".");
  return { digits: (int || "0") + frac, scale: frac.length };
}

function toScaled(text, scale) {
  const p = parse(text);
  if (!p) return null;
  if (p.scale > scale) {
    // more digits than the step has: drop the extra ones (rounding down), then step
    return BigInt(p.digits.slice(0, p.digits.length - (p.scale - scale)) || "0");
  }
  return BigInt(p.digits + "0".repeat(scale - p.scale));
}

function fromScaled(value, scale) {
  const negative = value < 0n;
  let s = (negative ? -value : value).toString().padStart(scale + 1, "0");
  if (scale) s = `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`;
  return negative ? `-${s}` : s;
}

/**
 * `text` moved by `count` steps of `step` ("0.10"), snapped onto the step grid first, with
 * exactly the step's decimals: stepValue("88000.1", "0.10", 1) -> "88000.20". Never below
 * one step; an empty or invalid field starts from `fallback` (e.g. the last price).
 */
function stepValue(text, step, count, fallback = "") {
  const stepParsed = parse(step);
  if (!stepParsed) return String(text ?? "");
  const scale = stepParsed.scale;
  const unit = BigInt(stepParsed.digits);
  if (unit === 0n) return String(text ?? "");
  let value = toScaled(text, scale);
  if (value === null) value = toScaled(fallback, scale);
  if (value === null) return fromScaled(unit, scale);
  let snapped = (value / unit) * unit;
  if (snapped !== value && count < 0) snapped += unit; // moving down from between two steps: land on the lower one
  let next = snapped + BigInt(count) * unit;
  if (next < unit) next = unit;
  return fromScaled(next, scale);
}

/** True when `text` is a multiple of `step` (both decimal strings). */
function onStep(text, step) {
  const stepParsed = parse(step);
  const scale = stepParsed ? Math.max(stepParsed.scale, parse(text)?.scale ?? 0) : 0;
  const value = toScaled(text, scale);
  const unit = stepParsed ? toScaled(step, scale) : null;
  if (value === null || !unit) return false;
  return value % unit === 0n;
}
return { stepValue, onStep };
})();

// ---- ticket.js
// Order ticket view. The form lives in model traits (the kernel checks it on every change and
// answers with `problems`, each naming its field and the nearest valid values as one-click
// fixes). Submit sends one message; the button stays disabled from the click until the
// kernel reports a status other than "sending" — and the kernel refuses a second submit while
// one is in flight anyway. On mainnet a confirm box must be clicked before anything is sent.

const { h, setText, setAttr, setClass, frameBatcher, onChanges, header, envBadge, errorLine, updateBadge, updateError } = __lib_dom;
const { groupDigits } = __lib_format;
const { stepValue } = __lib_steps;

const STATUS_TEXT = {
  idle: "",
  invalid: "Check the form",
  sending: "Sending…",
  accepted: "Accepted",
  rejected: "Rejected",
  filled: "Filled",
  cancelled: "Cancelled",
};

function render({ model, el }) {
  const set = (name, value) => {
    model.set(name, value);
    model.save_changes();
  };
  const symbol = h("input", { class: "bw-input bw-symbol-input", "aria-label": "symbol", title: "Symbol: type one and press Enter", spellcheck: "false", autocomplete: "off" });
  const commitSymbol = () => {
    const value = symbol.value.trim().toUpperCase();
    if (value && value !== model.get("symbol")) set("symbol", value);
    else symbol.value = model.get("symbol");
  };
  symbol.addEventListener("change", commitSymbol);
  symbol.addEventListener("keydown", (e) => e.key === "Enter" && symbol.blur());
  const head = header("Order", symbol, envBadge(model.get("env")));
  head.el.insertBefore(symbol, head.title);

  // side
  const buy = h("button", { class: "bw-side-btn bw-buy", type: "button", "data-testid": "bw-ticket-side-buy", text: "Buy / Long", onclick: () => set("side", "Buy") });
  const sell = h("button", { class: "bw-side-btn bw-sell", type: "button", "data-testid": "bw-ticket-side-sell", text: "Sell / Short", onclick: () => set("side", "Sell") });

  // type, conditional, tif
  const type = h("select", { class: "bw-select", "data-testid": "bw-ticket-type", "aria-label": "order type" }, h("option", { value: "Limit", text: "Limit" }), h("option", { value: "Market", text: "Market" }));
  type.addEventListener("change", () => set("order_type", type.value));
  const conditional = h("input", { type: "checkbox", "aria-label": "conditional order" });
  conditional.addEventListener("change", () => set("conditional", conditional.checked));
  const tif = h("select", { class: "bw-select", "aria-label": "time in force" }, ...["GTC", "IOC", "FOK", "PostOnly"].map((v) => h("option", { value: v, text: v })));
  tif.addEventListener("change", () => set("time_in_force", tif.value));

  // text fields with their problem lines
  const problemsFor = {};
  const textField = (name, attrs) => {
    const input = h("input", { class: "bw-input", inputmode: "decimal", autocomplete: "off", spellcheck: "false", ...attrs });
    input.addEventListener("input", () => set(name, input.value));
    problemsFor[name] = h("div", { class: "bw-problem", hidden: true });
    return input;
  };
  const stepper = (name, input, stepTrait, fallback) => {
    const move = (n) => {
      const step = (model.get("rules_info") || {})[stepTrait];
      if (!step) return;
      const next = stepValue(input.value, step, n, fallback());
      input.value = next;
      set(name, next);
    };
    return [
      h("button", { class: "bw-step", type: "button", text: "−", title: "one step down", onclick: () => move(-1) }),
      h("button", { class: "bw-step", type: "button", text: "+", title: "one step up", onclick: () => move(1) }),
    ];
  };
  const market = () => model.get("market") || {};
  const price = textField("price", { "data-testid": "bw-ticket-price", placeholder: "Price", "aria-label": "price" });
  const trigger = textField("trigger_price", { placeholder: "Trigger price", "aria-label": "trigger price" });
  const qty = textField("qty", { "data-testid": "bw-ticket-qty", placeholder: "Qty", "aria-label": "quantity" });
  const tp = textField("take_profit", { placeholder: "Take profit", "aria-label": "take profit" });
  const sl = textField("stop_loss", { placeholder: "Stop loss", "aria-label": "stop loss" });
  const fill = (input, name, key) => {
    const value = market()[key];
    if (!value) return;
    input.value = value;
    set(name, value);
  };
  const quick = (label, key) => h("button", { class: "bw-chip", type: "button", text: label, title: `use the ${label.toLowerCase()} price`, onclick: () => fill(price, "price", key) });
  const unit = h("button", { class: "bw-unit", type: "button", title: "qty in base coin or in quote value", onclick: () => set("qty_unit", model.get("qty_unit") === "base" ? "quote" : "base") });
  const reduce = h("input", { type: "checkbox", "aria-label": "reduce only" });
  reduce.addEventListener("change", () => set("reduce_only", reduce.checked));

  const priceRow = h("div", { class: "bw-field" }, h("label", { text: "Price" }), h("div", { class: "bw-input-group" }, price, ...stepper("price", price, "tick_size", () => market().last || "")), h("div", { class: "bw-chips" }, quick("Bid", "bid"), quick("Last", "last"), quick("Ask", "ask")), problemsFor.price);
  const triggerRow = h("div", { class: "bw-field" }, h("label", { text: "Trigger" }), h("div", { class: "bw-input-group" }, trigger, ...stepper("trigger_price", trigger, "tick_size", () => market().last || "")), problemsFor.trigger_price);
  const qtyRow = h("div", { class: "bw-field" }, h("label", { text: "Qty" }), h("div", { class: "bw-input-group" }, qty, unit, ...stepper("qty", qty, "qty_step", () => "")), problemsFor.qty);
  const tpslBox = h("details", { class: "bw-tpsl" }, h("summary", { text: "Take profit / stop loss" }), h("div", { class: "bw-field" }, tp, problemsFor.take_profit), h("div", { class: "bw-field" }, sl, problemsFor.stop_loss));
  const preview = h("div", { class: "bw-preview" });
  const submit = h("button", { class: "bw-submit", type: "button", "data-testid": "bw-ticket-submit" });
  const status = h("div", { class: "bw-status", "data-testid": "bw-ticket-status", "data-status": "idle", role: "status" });
  const amend = h("button", { class: "bw-btn", type: "button", text: "Amend to form", hidden: true, onclick: () => model.send({ type: "amend" }) });
  const cancel = h("button", { class: "bw-btn bw-btn-danger", type: "button", text: "Cancel order", hidden: true, onclick: () => model.send({ type: "cancel" }) });
  const confirmText = h("div", { class: "bw-confirm-text" });
  const confirmBox = h(
    "div",
    { class: "bw-confirm", hidden: true, role: "alertdialog" },
    confirmText,
    h(
      "div",
      { class: "bw-actions" },
      h("button", { class: "bw-btn bw-btn-danger", type: "button", "data-testid": "bw-ticket-confirm", text: "Confirm — place on mainnet", onclick: () => model.send({ type: "confirm", token: (model.get("confirm") || {}).token }) }),
      h("button", { class: "bw-btn bw-btn-ghost", type: "button", text: "Dismiss", onclick: () => model.send({ type: "dismiss" }) }),
    ),
  );
  const block = h("div", { class: "bw-block", hidden: true });
  const info = h("div", { class: "bw-ticket-info" });
  const error = errorLine();
  let awaiting = false; // a submit was sent and the kernel has not answered yet
  let awaitTimer = 0;
  submit.addEventListener("click", () => {
    if (submit.disabled || awaiting) return;
    submit.disabled = true; // until the kernel answers: a double click sends one message
    awaiting = true;
    clearTimeout(awaitTimer);
    awaitTimer = setTimeout(() => {
      awaiting = false; // the kernel answered with an unchanged status (or not at all): allow a retry
      frame.schedule();
    }, 3000);
    model.send({ type: "submit" });
  });

  const root = h(
    "div",
    { class: "bw-widget bw-ticket" },
    head.el,
    error,
    block,
    h("div", { class: "bw-sides" }, buy, sell),
    h("div", { class: "bw-row-fields" }, h("label", { class: "bw-inline" }, "Type ", type), h("label", { class: "bw-inline" }, conditional, " Conditional"), h("label", { class: "bw-inline" }, "TIF ", tif)),
    triggerRow,
    priceRow,
    qtyRow,
    h("label", { class: "bw-inline bw-reduce" }, reduce, " Reduce-only"),
    tpslBox,
    preview,
    submit,
    confirmBox,
    status,
    h("div", { class: "bw-actions" }, amend, cancel),
    info,
  );
  el.append(root);

  const syncInput = (input, value) => {
    if (document.activeElement !== input && input.value !== value) input.value = value ?? "";
  };

  const apply = () => {
    const rules = model.get("rules_info") || {};
    const side = model.get("side");
    const orderType = model.get("order_type");
    const st = model.get("status") || {};
    if (document.activeElement !== symbol) symbol.value = model.get("symbol");
    updateBadge(head.badge, model.get("conn_state"), model.get("conn_reason"));
    updateError(error, model.get("error"));
    buy.classList.toggle("bw-active", side === "Buy");
    sell.classList.toggle("bw-active", side === "Sell");
    setAttr(buy, "aria-pressed", side === "Buy" ? "true" : "false");
    setAttr(sell, "aria-pressed", side === "Sell" ? "true" : "false");
    type.value = orderType;
    conditional.checked = model.get("conditional");
    tif.value = model.get("time_in_force");
    tif.disabled = orderType === "Market";
    reduce.checked = model.get("reduce_only");
    syncInput(price, model.get("price"));
    syncInput(trigger, model.get("trigger_price"));
    syncInput(qty, model.get("qty"));
    syncInput(tp, model.get("take_profit"));
    syncInput(sl, model.get("stop_loss"));
    priceRow.hidden = orderType === "Market";
    triggerRow.hidden = !model.get("conditional");
    setText(unit, model.get("qty_unit") === "base" ? rules.base || "base" : rules.quote || "quote");

    const problems = model.get("problems") || [];
    for (const [name, line] of Object.entries(problemsFor)) {
      const p = problems.find((x) => x.field === name && !x.blank); // blanks are said once, in the status line
      line.hidden = !p;
      if (!p) continue;
      const input = { price, trigger_price: trigger, qty, take_profit: tp, stop_loss: sl }[name];
      line.replaceChildren(
        h("span", { text: p.message }),
        ...(p.suggestions || []).map((s) =>
          h("button", {
            class: "bw-chip",
            type: "button",
            text: s,
            title: "use this value",
            onclick: () => {
              input.value = s;
              set(name, s);
            },
          }),
        ),
      );
    }
    for (const [name, input] of Object.entries({ price, trigger_price: trigger, qty, take_profit: tp, stop_loss: sl })) {
      input.classList.toggle("bw-invalid", problems.some((x) => x.field === name && !x.blank));
    }

    const pv = model.get("preview") || {};
    const notional = pv.notional ? `≈ ${groupDigits(pv.notional)} ${rules.quote || ""}` : "";
    const inBase = model.get("qty_unit") === "quote" && pv.qty_base ? ` = ${pv.qty_base} ${rules.base || ""}` : "";
    setText(preview, [pv.summary, notional + inBase].filter(Boolean).join(" · "));

    const canTrade = model.get("can_trade");
    block.hidden = canTrade;
    setText(block, model.get("trade_block"));
    submit.disabled = !canTrade || awaiting || st.status === "sending" || problems.length > 0 || Boolean((model.get("confirm") || {}).token);
    setText(submit, `${side === "Buy" ? "Buy" : "Sell"} ${model.get("symbol")}${orderType === "Market" ? " at market" : ""}`);
    setClass(submit, ["bw-buy", "bw-sell"], side === "Buy" ? "bw-buy" : "bw-sell");

    setAttr(status, "data-status", st.status || "idle");
    setAttr(status, "data-order-link-id", st.order_link_id || null);
    const label = STATUS_TEXT[st.status] ?? st.status;
    setText(status, [label, st.message && label ? st.message : st.message ? st.message[0].toUpperCase() + st.message.slice(1) : ""].filter(Boolean).join(": "));
    setClass(status, ["bw-status-ok", "bw-status-bad", "bw-status-busy"], { accepted: "bw-status-ok", filled: "bw-status-ok", rejected: "bw-status-bad", invalid: "bw-status-bad", cancelled: "bw-status-bad", sending: "bw-status-busy" }[st.status] || "");
    amend.hidden = cancel.hidden = !(st.open && st.status === "accepted");

    const confirm = model.get("confirm") || {};
    confirmBox.hidden = !confirm.token;
    setText(confirmText, confirm.summary || "");

    const m = market();
    const pos = model.get("position") || {};
    const lines = [];
    if (m.bid || m.ask) lines.push(`Bid ${groupDigits(m.bid)} · Ask ${groupDigits(m.ask)}`);
    if (pos.size) lines.push(`Position: ${pos.side === "Buy" ? "long" : "short"} ${pos.size} @ ${groupDigits(pos.entry)}`);
    if (model.get("balance")) lines.push(`Available: ${model.get("balance")}`);
    if (rules.tick_size) lines.push(`Tick ${rules.tick_size} · step ${rules.qty_step} · min ${rules.min_qty}`);
    info.replaceChildren(...lines.map((t) => h("div", { text: t })));
  };
  const frame = frameBatcher(apply);
  const names = ["side", "order_type", "qty", "qty_unit", "price", "time_in_force", "reduce_only", "conditional", "trigger_price", "take_profit", "stop_loss", "rules_info", "problems", "preview", "market", "status", "can_trade", "trade_block", "confirm", "position", "balance", "conn_state", "conn_reason", "error", "symbol"];
  const off = onChanges(model, names, frame.schedule);
  const offStatus = onChanges(model, ["status", "confirm"], () => {
    awaiting = false;
    clearTimeout(awaitTimer);
  });
  apply();
  return () => {
    off();
    offStatus();
    clearTimeout(awaitTimer);
    frame.cancel();
  };
}

export default { render };
