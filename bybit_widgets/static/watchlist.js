// bybit-widgets: watchlist view. Built by js/build.mjs from js/watchlist.js; do not edit.
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

/** A history file's time as "2024-12-01 00:01:23.456 UTC" (Bybit's history files are UTC days). */
function fmtTapeTime(ms) {
  if (!Number.isFinite(ms) || ms <= 0) return "";
  const d = new Date(ms);
  const pad = (n, w = 2) => String(n).padStart(w, "0");
  const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return `${day} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)} UTC`;
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
return { fmtFixed, fmtPct, fmtCompact, decimalsOf, groupDigits, fmtClock, fmtTapeTime, fmtCountdown, dirClass };
})();

// ---- lib/dom.js
const __lib_dom = (() => {
// Small DOM helpers shared by the views: element creation, the connection and environment
// badges, and a requestAnimationFrame batcher so that model changes arriving in a burst are
// applied once, on the next frame, with the newest state.
//
// The render budget: an update path never creates nodes (setText writes the data of the text
// node already there), never writes what is already shown (every setter compares first, so an
// unchanged frame invalidates no style), and never reads layout (a read after a write forces a
// synchronous layout: the old flash restart via offsetWidth cost one per flashing cell).

const { fmtClock } = __lib_format;

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

/** Set text only when it changed, reusing the element's text node (no node per frame). */
function setText(el, text) {
  const value = String(text ?? "");
  const node = el.firstChild;
  if (node !== null && node.nodeType === 3 && node.nextSibling === null) {
    if (node.data !== value) node.data = value;
  } else if (el.textContent !== value) {
    el.textContent = value; // first text, or the element held other nodes: once
  }
}

/** Show or hide an element, touching the attribute only when that changes. */
function setHidden(el, hidden) {
  const value = Boolean(hidden);
  if (el.hidden !== value) el.hidden = value;
}

/** Set a property (value, checked, disabled, ...) only when it differs. */
function setProp(el, name, value) {
  if (el[name] !== value) el[name] = value;
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
  const list = el.classList;
  for (const c of choices) if (c && c !== chosen && list.contains(c)) list.remove(c);
  if (chosen && !list.contains(chosen)) list.add(chosen);
}

/** A text span (or `tag`) made with its text node, so `setText` on it never creates one. */
function textEl(tag, attrs = {}, text = "") {
  return h(tag, attrs, String(text ?? ""));
}

const STATE_LABELS = {
  connecting: "Connecting",
  live: "Live",
  stale: "Stale",
  reconnecting: "Reconnecting",
  resyncing: "Resyncing",
  lagging: "Lagging",
  closed: "Closed",
};

const STATE_REASONS = {
  lagging: "this view shows data more than a second older than the kernel's newest; it skips frames to catch up",
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
  setAttr(el, "data-offline", null);
  setAttr(el, "data-asof", null);
  setText(el.lastChild, STATE_LABELS[s]);
  const why = STATE_REASONS[s] || reason;
  setAttr(el, "title", why ? `${STATE_LABELS[s]}: ${why}` : STATE_LABELS[s]);
}

/**
 * The badge of a view with no kernel behind it (js/lib/contact.js): `closed`, never live, with the
 * time of what it shows. `contact` is "gone" (the kernel restarted, died or is out of reach:
 * data-offline="kernel") or "snapshot" (rendered from a saved notebook: data-offline="snapshot");
 * `asOfMs` the epoch ms of what the view shows (data-asof), or null.
 */
function updateOfflineBadge(el, contact, asOfMs) {
  const snapshot = contact === "snapshot";
  const clock = fmtClock(asOfMs);
  setAttr(el, "data-state", "closed");
  setAttr(el, "data-offline", snapshot ? "snapshot" : "kernel");
  setAttr(el, "data-asof", Number.isFinite(asOfMs) && asOfMs > 0 ? Math.round(asOfMs) : null);
  const label = snapshot ? "Snapshot" : "Closed";
  setText(el.lastChild, clock ? `${label} · ${snapshot ? "" : "last update "}${clock}` : label);
  const why = snapshot
    ? "saved with the notebook, no kernel behind it: run the cell for live data"
    : "the kernel is gone (restarted, stopped or out of reach): run the cell again for live data";
  setAttr(el, "title", `${label}: ${why}${clock ? `; last update ${clock}` : ""}`);
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

const FLASH_MS = 450;
const flashing = new Map(); // element -> time its flash ends
let flashTimer = 0;

/**
 * End the flashes that are due. The views call it at the start of each animation frame they
 * paint, so while frames flow a flash ends in a frame that is drawn anyway; the timer below only
 * covers a view that stopped receiving frames, and it too ends flashes in an animation frame.
 */
function expireFlashes(now = performance.now()) {
  for (const [el, until] of flashing) {
    if (until <= now) {
      el.classList.remove("bw-flash-up", "bw-flash-down");
      flashing.delete(el);
    }
  }
}

function armFlashTimer() {
  if (flashTimer || !flashing.size) return;
  const raf = globalThis.requestAnimationFrame ?? ((f) => setTimeout(f, 16));
  flashTimer = setTimeout(() => {
    raf(() => {
      flashTimer = 0;
      expireFlashes();
      armFlashTimer();
    });
  }, 2 * FLASH_MS);
}

/**
 * Highlight an element for FLASH_MS: a class on, then off; no animation and no reflow, so a
 * flash costs two repaints of one cell even in software rendering. A flash while one is
 * showing extends it (with the new direction).
 */
function flash(el, cls) {
  const other = cls === "bw-flash-up" ? "bw-flash-down" : "bw-flash-up";
  if (el.classList.contains(other)) el.classList.remove(other);
  if (!el.classList.contains(cls)) el.classList.add(cls);
  flashing.set(el, performance.now() + FLASH_MS);
  armFlashTimer();
}

/** Stop flashing `el` now (its row is reused for other data). */
function unflash(el) {
  if (flashing.delete(el)) el.classList.remove("bw-flash-up", "bw-flash-down");
}

/** The widget's header line: a title, optional extra nodes, and the connection badge. */
function header(title, ...extra) {
  const badge = connectionBadge();
  const el = h("div", { class: "bw-header" }, textEl("span", { class: "bw-title" }, title), ...extra, h("span", { class: "bw-spacer" }), badge);
  return { el, badge, title: el.firstChild };
}

/** Shows the widget's `error` trait (a problem in plain words) under the header. */
function errorLine() {
  return textEl("div", { class: "bw-error", role: "alert", hidden: true });
}

function updateError(el, text) {
  setText(el, text || "");
  setHidden(el, !text);
}

/**
 * Keep `body`'s rows in the order of `items`, creating rows with `make` (only for a key not
 * shown yet) and updating with `update`; a row already in place is not moved.
 */
function keyedRows(body, cache, items, key, make, update) {
  const keep = new Set();
  let at = 0;
  for (const item of items) {
    const k = key(item);
    keep.add(k);
    let row = cache.get(k);
    if (!row) {
      row = make(item);
      cache.set(k, row);
    }
    update(row, item);
    for (const node of row.nodes) {
      if (body.children[at] !== node) body.insertBefore(node, body.children[at] || null);
      at++;
    }
  }
  for (const [k, row] of cache) {
    if (!keep.has(k)) {
      for (const node of row.nodes) node.remove();
      cache.delete(k);
    }
  }
}
return { h, setText, setHidden, setProp, setAttr, setClass, textEl, STATE_LABELS, STATE_REASONS, connectionBadge, updateBadge, updateOfflineBadge, envBadge, frameBatcher, onChanges, FLASH_MS, expireFlashes, flash, unflash, header, errorLine, updateError, keyedRows };
})();

// ---- lib/contact.js
const __lib_contact = (() => {
// Is the kernel still behind this view? The view's half of bybit_widgets/widgets/pulse.py.
//
// A view hears its kernel through frames (a change of `_frame`) and, when it has nothing to
// show, beats (a custom message every 0.4 s); the model's `_pulse` says the longest gap between
// two of them while the kernel lives (0: this host sends no beats, so silence proves nothing).
// Nothing heard for `_pulse` + SLACK_MS (1.3 s) says the kernel is gone: a restart, a dead
// kernel, a lost server, in any front end. (The front end's own signal does not reach these views:
// after a restart from JupyterLab 4.6's Kernel menu no element carried ipywidgets'
// `jupyter-widgets-disconnected` class, anywidget 0.11 does not expose `comm_live`, and
// JupyterLab's widget manager ignores a kernel that died; so silence is the one rule.)
// A view that never heard its kernel shows a snapshot (a picture rendered from a saved notebook),
// one that did and then lost it is closed; neither is ever shown live. Pure: every function takes
// `now` (ms).

const SLACK_MS = 700; // delivery jitter allowed on top of the kernel's longest gap
const CHECK_MS = 250; // how often the page looks for silent views

/** A new view's contact: rendered at `now`, nothing heard yet. */
function newContact(now) {
  return { since: now, heard: null };
}

/** The kernel spoke (a frame or a beat). */
function hear(contact, now) {
  contact.heard = now;
}

/** How long a view may hear nothing before the kernel counts as gone (Infinity: no beats here). */
function silenceLimit(pulseMs) {
  return Number.isFinite(pulseMs) && pulseMs > 0 ? pulseMs + SLACK_MS : Infinity;
}

/**
 * "here" (the kernel is there), "waiting" (not heard yet, just rendered), "gone" (heard, then lost)
 * or "snapshot" (never heard: a picture rendered from saved state).
 */
function contactState(contact, now, pulseMs) {
  const limit = silenceLimit(pulseMs);
  if (contact.heard === null) {
    return now - contact.since > limit ? "snapshot" : "waiting";
  }
  return now - contact.heard > limit ? "gone" : "here";
}

/** Whether the page's watcher ran on time: after a stall (a busy main thread, a hidden tab) the
 * messages queued meanwhile must be read before silence is judged. */
function onTime(lastTick, now, every = CHECK_MS) {
  return now - lastTick <= 2 * every;
}
return { SLACK_MS, CHECK_MS, newContact, hear, silenceLimit, contactState, onTime };
})();

// ---- lib/pace.js
const __lib_pace = (() => {
// How often the page acknowledges what it painted (live.js sends, bybit_widgets/widgets/flow.py
// listens): every ACK_GAP_MS while any view is behind or the page is busy, every ACK_CALM_MS once
// two batches in a row found every view keeping up.
//
// Why two paces: each acknowledgement is a shell request, and the kernel answers every one with
// a busy and an idle status that JupyterLab turns into a favicon swap and a status-bar redraw.
// With one ladder on the page that traffic alone, at 4 messages a second, cost as much of the
// main thread as a third of the ladder itself (the benchmark's ref+acks case: 1.35x the
// reference ladder); a page that keeps up sends a third as many. But the kernel lets frames flow
// for the announced gap plus a margin after the oldest unanswered one, so a long gap is also a longer
// stretch of frames a page that suddenly slows must catch up on: hence calm only while it keeps
// up, and back to the short gap at the first sign it does not.

const ACK_GAP_MS = 250;
const ACK_CALM_MS = 750;
const PROMPT_MS = 100; // a frame painted within this of its arrival was painted promptly
const LATE_MS = 50; // a batch timer this late: the main thread is busy

/** A new pace: not calm until two healthy batches. */
function newPace() {
  return { streak: 0 };
}

/** Is a painted frame a sign of trouble? (painted late after it arrived, or its view is lagging) */
function troubled(delayMs, lagging) {
  return lagging || delayMs > PROMPT_MS;
}

/** The gap, in ms, the page keeps until its next batch at the latest. */
function gapOf(pace) {
  return pace.streak >= 2 ? ACK_CALM_MS : ACK_GAP_MS;
}

/** Back to the short gap at once (a sign of trouble before the batch is due). */
function hurry(pace) {
  pace.streak = 0;
  return pace;
}

/** Update `pace` with a batch: `entries` each {delay, lagging}, its timer `lateMs` late. */
function paceAfter(pace, entries, lateMs) {
  const healthy = lateMs <= LATE_MS && entries.every((e) => !troubled(e.delay, e.lagging));
  pace.streak = healthy ? pace.streak + 1 : 0;
  return pace;
}
return { ACK_GAP_MS, ACK_CALM_MS, PROMPT_MS, LATE_MS, newPace, troubled, gapOf, hurry, paceAfter };
})();

// ---- lib/live.js
const __lib_live = (() => {
// The view's half of flow control (bybit_widgets/widgets/flow.py): introduce the view to the
// kernel, apply the newest state once per animation frame, acknowledge the frames it painted
// (the kernel holds a widget's frames while those go unacknowledged, so nothing piles up in a
// socket), and show `lagging` when the kernel says this view is more than a second behind.
//
// Every frame carries `_frame` = [seq, kernel ms, exchange ms shown, [lagging view ids]]; the
// lag is the kernel's measure on its own clock (the browser's may be another machine's).
//
// Acknowledgements are batched for the whole page: every message from the page to the kernel is
// a shell request, and the kernel answers each with a busy and an idle status that JupyterLab
// turns into a favicon swap and a status-bar redraw (measured: 20 messages/s took the page from
// 55 % to 75 % busy with one ladder). So the views that painted since the last batch share one
// message per kernel, sent through any of their models of that kernel (the kernel routes each
// acknowledgement to its widget by model id), at most one per 250 ms while anything is behind and
// one per 750 ms while the page keeps up (pace.js); each batch tells the kernel that gap, and the
// kernel's window (flow.py) lets frames flow for it. Each acknowledgement says how long ago its
// frame was painted (a duration on this clock), so the wait for the batch is not taken for lag.
//
// And it keeps the badge honest when the kernel goes away (contact.js): a view whose kernel
// restarted, died or is out of reach shows `closed` with the time of its last update within
// 1.55 s, and one rendered from a saved notebook a snapshot; neither ever shows live.

const { setAttr, frameBatcher, onChanges, updateBadge, updateOfflineBadge, expireFlashes } = __lib_dom;
const { newContact, hear, contactState, onTime, CHECK_MS } = __lib_contact;
const { ACK_GAP_MS, newPace, troubled, gapOf, paceAfter, hurry } = __lib_pace;

let views = 0;

/** The page's one batch of acknowledgements, shared by every bundle that includes this module. */
function ackBatch() {
  const key = Symbol.for("bybit_widgets.acks");
  globalThis[key] ??= { pending: new Map(), timer: 0, dueAt: 0, sentAt: -Infinity, pace: newPace() };
  return globalThis[key];
}

function armAcks(batch, gap) {
  const now = performance.now();
  batch.dueAt = Math.max(now, batch.sentAt + gap);
  batch.timer = setTimeout(() => flushAcks(batch), batch.dueAt - now);
}

function flushAcks(batch) {
  batch.timer = 0;
  batch.sentAt = performance.now();
  const gap = gapOf(paceAfter(batch.pace, [...batch.pending.values()], batch.sentAt - batch.dueAt));
  // one message per kernel: a page can show widgets of several notebooks, each with its own kernel
  // (and widget manager), and a kernel knows only its own models' ids
  const groups = new Map();
  for (const entry of batch.pending.values()) {
    const group = groups.get(entry.kernel);
    if (group) group.push(entry);
    else groups.set(entry.kernel, [entry]);
  }
  batch.pending.clear();
  for (const entries of groups.values()) {
    const acks = entries.map((e) => [e.id, e.view, e.seq, Math.round(batch.sentAt - e.paintedAt)]);
    for (let i = entries.length - 1; i >= 0; i--) {
      try {
        entries[i].model.send({ type: "acks", acks, gap });
        break;
      } catch (_) {
        // that view's comm is gone (widget closed, kernel restarted): try another model of that kernel
      }
    }
  }
}

/** What tells the page's kernels apart: the model's widget manager (one per notebook and kernel). */
const NO_MANAGER = {};
function kernelOf(model) {
  return model.widget_manager ?? NO_MANAGER;
}

/**
 * Queue `view`'s acknowledgement of frame `seq` (called from an animation frame: sent after its
 * paint), painted `delay` ms after it arrived; `lagging` when the kernel says the view is behind.
 * A sign of trouble while the calm gap runs brings the batch forward to the short one.
 */
function queueAck(model, view, seq, delay = 0, lagging = false) {
  const batch = ackBatch();
  batch.pending.set(view, { model, kernel: kernelOf(model), id: model.get("_id"), view, seq, paintedAt: performance.now(), delay, lagging });
  if (troubled(delay, lagging) && batch.timer && batch.dueAt > batch.sentAt + ACK_GAP_MS) {
    clearTimeout(batch.timer);
    armAcks(batch, gapOf(hurry(batch.pace)));
  } else if (!batch.timer) {
    armAcks(batch, gapOf(batch.pace));
  }
}

/** Drop `view`'s queued acknowledgement (the view is gone). */
function dropAck(view) {
  ackBatch().pending.delete(view);
}

/** The page's one watcher of silent views (one timer however many views and bundles). */
function watcher() {
  const key = Symbol.for("bybit_widgets.contacts");
  globalThis[key] ??= { checks: new Set(), timer: 0, last: 0 };
  return globalThis[key];
}

/** Call `check(now)` every CHECK_MS while the view lives; returns the function that stops it. */
function watch(check) {
  const w = watcher();
  w.checks.add(check);
  if (!w.timer) {
    w.last = performance.now();
    w.timer = setInterval(() => {
      const now = performance.now();
      const late = !onTime(w.last, now); // after a stall, read the queued messages before judging silence
      w.last = now;
      if (!late) for (const c of w.checks) c(now);
    }, CHECK_MS);
  }
  return () => {
    w.checks.delete(check);
    if (!w.checks.size && w.timer) {
      clearInterval(w.timer);
      w.timer = 0;
    }
  };
}

/** The epoch ms of what a view shows: its exchange time, else when it last heard the kernel. */
function asOf(ts, contact, now) {
  if (Number.isFinite(ts) && ts > 0) return ts;
  return contact.heard === null ? null : Date.now() - (now - contact.heard);
}

/** A view id unique across the page's views (and across reloads, with the time in it). */
function newViewId() {
  views += 1;
  return `${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 8)}.${views}`;
}

/** The badge state a view shows: `lagging` only stands in for `live` (a feed problem says more). */
function shownState(connState, lagging) {
  return connState === "live" && lagging ? "lagging" : connState;
}

/** What a frame stamp says to the view `view`: {seq, ts, lagging}. */
function readStamp(stamp, view) {
  const [seq = 0, , ts = null, laggingViews = []] = Array.isArray(stamp) ? stamp : [];
  return { seq, ts, lagging: Array.isArray(laggingViews) && laggingViews.includes(view) };
}

/**
 * Drive a view: `apply()` runs on the next animation frame after any change of `names` (and of
 * the stamp, badge and reason), with the newest state; then the root's `data-ts`, the badge
 * and the acknowledgement follow. The root gets `data-testid="bw-widget"` and `data-kind`.
 * Returns the cleanup (which tells the kernel the view is gone).
 */
function live(model, { kind, root, badge = null, names, apply }) {
  const view = newViewId();
  const send = (content) => {
    try {
      model.send({ ...content, view });
    } catch (_) {
      // the comm is gone (kernel restarted or widget closed): nobody to tell
    }
  };
  setAttr(root, "data-testid", "bw-widget");
  setAttr(root, "data-kind", kind);
  const contact = newContact(performance.now());
  let shown = null; // the contact state painted last
  let acked = 0;
  let heardAt = performance.now(); // when the newest frame arrived
  const paint = () => {
    expireFlashes();
    apply();
    const now = performance.now();
    const stamp = readStamp(model.get("_frame"), view);
    shown = contactState(contact, now, model.get("_pulse"));
    const offline = shown === "gone" || shown === "snapshot";
    setAttr(root, "data-ts", stamp.ts);
    root.classList.toggle("bw-offline", offline);
    if (!badge) {
      // (no badge to show it on: the root's class says it)
    } else if (offline) {
      updateOfflineBadge(badge, shown, asOf(stamp.ts, contact, now));
    } else if (shown === "waiting") {
      updateBadge(badge, "connecting", "waiting for the kernel");
    } else {
      updateBadge(badge, shownState(model.get("conn_state"), stamp.lagging), model.get("conn_reason"));
    }
    if (shown === "here" && stamp.seq && stamp.seq !== acked) {
      acked = stamp.seq;
      queueAck(model, view, stamp.seq, now - heardAt, stamp.lagging); // a task queued from the animation frame runs after its paint
    }
  };
  const frame = frameBatcher(paint);
  const recheck = (now) => {
    if (contactState(contact, now, model.get("_pulse")) !== shown) frame.schedule();
  };
  const onFrame = () => {
    heardAt = performance.now();
    hear(contact, heardAt); // (onChanges below schedules the paint)
  };
  const onMessage = (content) => {
    if (content && content.type === "beat") {
      hear(contact, performance.now());
      recheck(performance.now()); // a beat repaints only a view that was not showing the kernel as there
    }
  };
  model.on("change:_frame", onFrame);
  model.on("msg:custom", onMessage);
  const off = onChanges(model, ["_frame", "conn_state", "conn_reason", "_pulse", ...names], frame.schedule);
  const unwatch = watch(recheck);
  paint();
  send({ type: "hello" });
  return () => {
    off();
    unwatch();
    model.off("change:_frame", onFrame);
    model.off("msg:custom", onMessage);
    frame.cancel();
    dropAck(view);
    send({ type: "bye" });
  };
}
return { kernelOf, queueAck, newViewId, shownState, readStamp, live };
})();

// ---- watchlist.js
// Watchlist view: a ticker tape of many symbols; a click selects one (the kernel repoints the
// other widgets of a dashboard).

const { h, textEl, setText, setAttr, setClass, flash, connectionBadge } = __lib_dom;
const { live } = __lib_live;
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
