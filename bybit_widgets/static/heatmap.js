// bybit-widgets: heatmap view. Built by js/build.mjs from js/heatmap.js; do not edit.
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

// ---- lib/heat.js
const __lib_heat = (() => {
// The liquidity heatmap's pure parts: the kernel's binary frame (layout in
// bybit_widgets/widgets/heatcols.py), the view's ring of columns and how a frame merges into it
// (whole, relative, stale or a gap that needs a rebuild), the colour scale (square root of the
// size, clipped at a high percentile kept in a log-binned histogram), the colour ramp, and the
// geometry that maps time and price to canvas pixels. Also the canvas helpers the depth chart
// shares: theme colours read once, and nice axis ticks.

const LAYOUT = 1;
const HEADER = 16;
const COLUMN_HEAD = 6;
const BUBBLE = 5;
const FILL = 5;
const OWN = 4;

/** An ArrayBuffer slice of a DataView / typed array / ArrayBuffer, 8-byte aligned (copied only when it is not). */
function alignedBytes(data) {
  if (!data) return { buffer: new ArrayBuffer(0), offset: 0, length: 0 };
  let buffer;
  let offset = 0;
  let length;
  if (data instanceof ArrayBuffer) {
    buffer = data;
    length = data.byteLength;
  } else if (ArrayBuffer.isView(data)) {
    buffer = data.buffer;
    offset = data.byteOffset;
    length = data.byteLength;
  } else {
    return { buffer: new ArrayBuffer(0), offset: 0, length: 0 };
  }
  if (offset % 8 !== 0) {
    buffer = buffer.slice(offset, offset + length);
    offset = 0;
  }
  return { buffer, offset, length };
}

/** One frame: {version, base, levels, step, columnMs, capacity, now, bubbleFrom, bid, ask, columns, bubbles, fills, own}; null when empty. */
function decodeHeat(data) {
  const { buffer, offset, length } = alignedBytes(data);
  if (length === 0) return null;
  if (length < HEADER * 8) throw new Error(`heatmap frame too short: ${length} bytes`);
  const h = new Float64Array(buffer, offset, HEADER);
  if (h[0] !== LAYOUT) throw new Error(`heatmap frame of layout ${h[0]}, this view reads layout ${LAYOUT}`);
  const levels = h[3] | 0;
  const rows = 2 * levels;
  const [nc, nb, nf, no] = [h[7] | 0, h[8] | 0, h[9] | 0, h[10] | 0];
  const need = HEADER * 8 + nc * (COLUMN_HEAD * 8 + rows * 4) + 8 * (nb * BUBBLE + nf * FILL + no * OWN);
  if (length !== need) throw new Error(`heatmap frame of ${length} bytes, its header says ${need}`);
  let at = offset + HEADER * 8;
  const heads = new Float64Array(buffer, at, nc * COLUMN_HEAD);
  at += nc * COLUMN_HEAD * 8;
  const sizes = new Float32Array(buffer, at, nc * rows);
  at += nc * rows * 4;
  const tail = new Float64Array(buffer, at, nb * BUBBLE + nf * FILL + no * OWN);
  const columns = new Array(nc);
  for (let i = 0; i < nc; i++) {
    const j = i * COLUMN_HEAD;
    // a copy: the ring outlives the frame, and must not keep a whole rebuild's buffer alive
    columns[i] = { c: heads[j], n: heads[j + 1], ts: heads[j + 2], p0: heads[j + 3], bid: heads[j + 4], ask: heads[j + 5], sizes: sizes.slice(i * rows, (i + 1) * rows) };
  }
  let t = 0;
  const bubbles = new Array(nb);
  for (let i = 0; i < nb; i++, t += BUBBLE) bubbles[i] = { n: tail[t], side: tail[t + 1], price: tail[t + 2], qty: tail[t + 3], count: tail[t + 4] };
  const fills = new Array(nf);
  for (let i = 0; i < nf; i++, t += FILL) fills[i] = { k: tail[t], ts: tail[t + 1], price: tail[t + 2], qty: tail[t + 3], side: tail[t + 4] };
  const own = new Array(no);
  for (let i = 0; i < no; i++, t += OWN) own[i] = { price: tail[t], side: tail[t + 1], qty: tail[t + 2], count: tail[t + 3] };
  return { version: h[1], base: h[2], levels, step: h[4], columnMs: h[5], capacity: h[6] | 0, now: h[11], bubbleFrom: h[12], bid: h[13], ask: h[14], columns, bubbles, fills, own };
}

/** What a view has: the window's columns (oldest first), bubbles (by slot), fills, open orders. */
function newHeatState() {
  return { have: 0, levels: 0, step: 0, columnMs: 0, capacity: 0, now: 0, bid: 0, ask: 0, columns: [], bubbles: [], fills: [], own: [], wholes: 0, gaps: 0 };
}

/**
 * Merge `frame` into `state`. Returns {kind, added, evicted}: "whole" (state replaced; `added` is
 * every column), "merge" (the new columns added and the old ones evicted), "stale" (already
 * applied) or "gap" (the frame needs something this view never got: ask for a rebuild; only the
 * open orders and the clock are taken, the picture waits for the whole frame).
 */
function mergeHeat(state, frame) {
  if (!frame) return { kind: "stale", added: [], evicted: [] };
  if (frame.version <= state.have) return { kind: "stale", added: [], evicted: [] }; // (a repaint reads the same frame again)
  state.own = frame.own;
  state.now = Math.max(state.now, frame.now);
  const sameShape = frame.levels === state.levels && frame.step === state.step && frame.capacity === state.capacity && frame.columnMs === state.columnMs;
  if (frame.base !== 0 && (frame.base > state.have || !sameShape)) {
    state.gaps += 1;
    return { kind: "gap", added: [], evicted: [] };
  }
  const whole = frame.base === 0;
  const evicted = whole ? state.columns : [];
  if (whole) {
    Object.assign(state, { levels: frame.levels, step: frame.step, columnMs: frame.columnMs, capacity: frame.capacity, now: frame.now, columns: [], bubbles: [], fills: [] });
    state.wholes += 1;
  }
  const added = [];
  const lastC = state.columns.length ? state.columns[state.columns.length - 1].c : 0;
  for (const col of frame.columns) {
    if (col.c > lastC) {
      state.columns.push(col);
      added.push(col);
    }
  }
  const bubbles = state.bubbles;
  while (bubbles.length && bubbles[bubbles.length - 1].n >= frame.bubbleFrom) bubbles.pop();
  for (const b of frame.bubbles) bubbles.push(b);
  const lastK = state.fills.length ? state.fills[state.fills.length - 1].k : 0;
  for (const f of frame.fills) if (f.k > lastK) state.fills.push(f);
  state.bid = frame.bid;
  state.ask = frame.ask;
  state.have = frame.version;
  evicted.push(...trimHeat(state));
  return { kind: whole ? "whole" : "merge", added, evicted };
}

/** Drop what left the window (older than the newest slot minus the capacity); returns the evicted columns. */
function trimHeat(state) {
  const newest = Math.max(newestSlot(state), Math.floor(state.now / (state.columnMs || 1)));
  const oldest = newest - state.capacity + 1;
  let i = 0;
  while (i < state.columns.length && state.columns[i].n < oldest) i++;
  const evicted = i ? state.columns.splice(0, i) : [];
  let b = 0;
  while (b < state.bubbles.length && state.bubbles[b].n < oldest) b++;
  if (b) state.bubbles.splice(0, b);
  let f = 0;
  while (f < state.fills.length && Math.floor(state.fills[f].ts / state.columnMs) < oldest) f++;
  if (f) state.fills.splice(0, f);
  return evicted;
}

function newestSlot(state) {
  const c = state.columns.length ? state.columns[state.columns.length - 1].n : -Infinity;
  const b = state.bubbles.length ? state.bubbles[state.bubbles.length - 1].n : -Infinity;
  return Math.max(c, b);
}

// -- colour scale -----------------------------------------------------------------------------

const BINS_PER_OCTAVE = 4;
const LOW_OCTAVE = -40; // 2^-40 .. 2^40: any quantity a venue quotes
const BINS = 80 * BINS_PER_OCTAVE;

/** A log-binned histogram of the window's non-empty cells (add a column's sizes, remove an evicted one's). */
function newHistogram() {
  return { counts: new Float64Array(BINS), total: 0 };
}

function binOf(v) {
  const b = Math.floor((Math.log2(v) - LOW_OCTAVE) * BINS_PER_OCTAVE);
  return b < 0 ? 0 : b >= BINS ? BINS - 1 : b;
}

function histogramAdd(hist, sizes, sign = 1) {
  const counts = hist.counts;
  for (let i = 0; i < sizes.length; i++) {
    const v = sizes[i];
    if (v > 0) {
      counts[binOf(v)] += sign;
      hist.total += sign;
    }
  }
}

/** The size below which a share `q` of the cells lie (the upper edge of its bin); 0 when empty. */
function histogramQuantile(hist, q) {
  if (hist.total <= 0) return 0;
  const want = (1 - q) * hist.total;
  let above = 0;
  for (let b = BINS - 1; b >= 0; b--) {
    above += hist.counts[b];
    if (above > want) return 2 ** ((b + 1) / BINS_PER_OCTAVE + LOW_OCTAVE);
  }
  return 2 ** (1 / BINS_PER_OCTAVE + LOW_OCTAVE);
}

/** True when the painted clip is too far (a quarter) from the wanted one: recolour everything. */
function clipMoved(painted, wanted) {
  if (!(painted > 0)) return wanted > 0;
  return wanted > painted * 1.25 || wanted < painted / 1.25;
}

/** Colour index 1..255 of a size (square root, clipped at `clip`); 0 for an empty cell. */
function shade(size, clip) {
  if (!(size > 0) || !(clip > 0)) return 0;
  const t = Math.sqrt(size / clip);
  return t >= 1 ? 255 : 1 + Math.floor(t * 254);
}

/** [r, g, b, a] (0..255) of a CSS colour in hex or rgb()/rgba() form; null when it is something else. */
function parseColor(text) {
  const s = String(text ?? "").trim().toLowerCase();
  let m = /^#([0-9a-f]{3,8})$/.exec(s);
  if (m) {
    let hex = m[1];
    if (hex.length === 3 || hex.length === 4) hex = [...hex].map((c) => c + c).join("");
    if (hex.length !== 6 && hex.length !== 8) return null;
    const v = [0, 2, 4, 6].map((i) => (i < hex.length ? parseInt(hex.slice(i, i + 2), 16) : 255));
    return v;
  }
  m = /^rgba?\(([^)]*)\)$/.exec(s);
  if (!m) return null;
  const parts = m[1].split(/[\s,/]+/).filter(Boolean);
  if (parts.length < 3) return null;
  const channel = (p) => (p.endsWith("%") ? (parseFloat(p) * 255) / 100 : parseFloat(p));
  const alpha = parts.length > 3 ? (parts[3].endsWith("%") ? parseFloat(parts[3]) / 100 : parseFloat(parts[3])) : 1;
  const v = [channel(parts[0]), channel(parts[1]), channel(parts[2]), alpha * 255].map((x) => Math.max(0, Math.min(255, Math.round(x))));
  return v.some(Number.isNaN) ? null : v;
}

/**
 * A 256-entry colour table (Uint32, the bytes of canvas ImageData on a little-endian machine:
 * r, g, b, a) running through `stops` ([r, g, b] each); entry 0 is transparent (an empty cell
 * shows the background), the faintest entries fade in.
 */
function makeRamp(stops) {
  const lut = new Uint32Array(256);
  const n = stops.length - 1;
  for (let i = 1; i < 256; i++) {
    const t = (i - 1) / 254;
    const x = Math.min(n - 1e-9, t * n);
    const k = Math.floor(x);
    const f = x - k;
    const [a, b] = [stops[k], stops[k + 1]];
    const c = [0, 1, 2].map((j) => Math.round(a[j] + (b[j] - a[j]) * f));
    const alpha = Math.round(255 * Math.min(1, 0.35 + t * 3));
    lut[i] = ((alpha << 24) | (c[2] << 16) | (c[1] << 8) | c[0]) >>> 0;
  }
  return lut;
}

// -- geometry ---------------------------------------------------------------------------------

/**
 * Paint one column into `pixels` (Uint32, row-major, `stride` pixels a row, `height` rows; the
 * lowest price at the bottom) at pixel column `x`: row i of the column is at axis row
 * (p0 - axisP0) / step + i. Cells outside the image are left out; the rest of the column is cleared.
 */
function paintColumn(pixels, stride, height, x, col, axisP0, step, lut, clip) {
  for (let y = 0; y < height; y++) pixels[y * stride + x] = 0;
  if (!col) return;
  const offset = Math.round((col.p0 - axisP0) / step);
  const sizes = col.sizes;
  const from = Math.max(0, -offset);
  const to = Math.min(sizes.length, height - offset);
  for (let i = from; i < to; i++) {
    const v = sizes[i];
    if (v > 0) pixels[(height - 1 - (offset + i)) * stride + x] = lut[shade(v, clip)];
  }
}

/** Where the ring's image is read from: slots [a, capacity) hold the older columns, [0, a) the newer. */
function ringPieces(newestN, capacity) {
  const a = (((newestN + 1) % capacity) + capacity) % capacity;
  const pieces = [];
  if (capacity - a > 0) pieces.push({ sx: a, sw: capacity - a, n0: newestN - capacity + 1 });
  if (a > 0) pieces.push({ sx: 0, sw: a, n0: newestN - a + 1 });
  return pieces;
}

/** The centre price of the rows shown: kept until the mid is more than a quarter of the rows a side away. */
function recentre(centre, mid, levels, step) {
  if (!(mid > 0) || !(step > 0)) return centre;
  if (centre > 0 && Math.abs(mid - centre) <= (levels * step) / 4) return centre;
  return Math.round(mid / step) * step;
}

/** x of exchange time `t` (ms) in a plot whose right edge is `now` and which spans `spanMs`. */
function timeX(t, now, spanMs, plot) {
  return plot.x + (plot.w * (t - (now - spanMs))) / spanMs;
}

/** y of `price` in a plot showing `rows` rows of `step` from `lo` (the lowest row's price) up; row centres. */
function priceY(price, lo, step, rows, plot) {
  return plot.y + ((rows - 0.5 - (price - lo) / step) * plot.h) / rows;
}

/** A bubble's radius: area by quantity against a reference quantity (drawn at `ref` px), within [min, max]. */
function bubbleRadius(qty, refQty, ref, min = 1.5, max = 14) {
  if (!(qty > 0) || !(refQty > 0)) return min;
  return Math.max(min, Math.min(max, ref * Math.sqrt(qty / refQty)));
}

/** The `q` quantile of a few numbers (a copy is sorted); 0 for none. */
function quantile(values, q) {
  if (!values.length) return 0;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}

/** Round numbers between lo and hi, about `count` of them (steps of 1, 2 or 5 times a power of ten). */
function niceTicks(lo, hi, count = 5) {
  if (!(hi > lo) || !(count > 0)) return [];
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) || 10 * power;
  const out = [];
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toFixed(digits)));
  return out;
}

// -- canvas helpers (browser only) -------------------------------------------------------------

/**
 * A canvas that fills `box` at the device's pixel ratio: `onSize()` runs after each resize
 * (a ResizeObserver, so nothing reads layout in the frame path). Returns {canvas, ctx, size, stop};
 * `size` is {w, h, dpr} in device pixels (0 until the first observation).
 */
function fitCanvas(box, canvas, onSize) {
  const ctx = canvas.getContext("2d", { alpha: false });
  const size = { w: 0, h: 0, dpr: 1, cssW: 0, cssH: 0 };
  const observer = new ResizeObserver((entries) => {
    const entry = entries[entries.length - 1];
    const dpr = globalThis.devicePixelRatio || 1;
    const cssW = entry.contentRect.width;
    const cssH = entry.contentRect.height;
    const device = entry.devicePixelContentBoxSize && entry.devicePixelContentBoxSize[0];
    const w = Math.max(1, device ? device.inlineSize : Math.round(cssW * dpr));
    const h = Math.max(1, device ? device.blockSize : Math.round(cssH * dpr));
    if (w === size.w && h === size.h) return;
    Object.assign(size, { w, h, dpr, cssW, cssH });
    canvas.width = w;
    canvas.height = h;
    onSize();
  });
  observer.observe(box);
  return { ctx, size, stop: () => observer.disconnect() };
}

/** The theme colours every canvas view reads (readColors' [key, custom property, fallback] rows). */
const THEME_COLORS = [
  ["bg", "--bw-bg", "#ffffff"],
  ["fg", "--bw-fg", "#1f2328"],
  ["dim", "--bw-fg-dim", "#656d76"],
  ["up", "--bw-up", "#0b9f6e"],
  ["down", "--bw-down", "#e0364d"],
];

/** Read the theme's colours (CSS custom properties of `el`) as canvas-ready strings and [r, g, b, a]. */
function readColors(el, ctx, names) {
  const style = getComputedStyle(el);
  const out = {};
  for (const [key, prop, fallback] of names) {
    const value = style.getPropertyValue(prop).trim() || fallback;
    ctx.fillStyle = fallback;
    ctx.fillStyle = value; // the canvas normalises any CSS colour to #rrggbb or rgba()
    const css = ctx.fillStyle;
    out[key] = { css, rgba: parseColor(css) || parseColor(fallback) || [128, 128, 128, 255] };
  }
  return out;
}

/** Call `onChange()` when JupyterLab switches theme (and once more after its stylesheet settled). */
function onThemeChange(onChange) {
  const body = globalThis.document && document.body;
  if (!body || typeof MutationObserver === "undefined") return () => {};
  let timer = 0;
  const observer = new MutationObserver(() => {
    onChange();
    clearTimeout(timer);
    timer = setTimeout(onChange, 400); // the new theme's variables may land after the attribute
  });
  observer.observe(body, { attributes: true, attributeFilter: ["data-jp-theme-name", "data-jp-theme-light"] });
  return () => {
    observer.disconnect();
    clearTimeout(timer);
  };
}
return { LAYOUT, alignedBytes, decodeHeat, newHeatState, mergeHeat, trimHeat, newHistogram, histogramAdd, histogramQuantile, clipMoved, shade, parseColor, makeRamp, paintColumn, ringPieces, recentre, timeX, priceY, bubbleRadius, quantile, niceTicks, fitCanvas, THEME_COLORS, readColors, onThemeChange };
})();

// ---- heatmap.js
// Liquidity heatmap view: resting size by price over time (columns from the kernel, coloured by
// the square root of the size clipped at the window's 99th percentile), trades as bubbles by
// column and side, your open orders as horizontal marks, your fills as diamonds, the mid as a line.
//
// Drawn incrementally: each new column is coloured once into an offscreen image at data
// resolution (a ring: column n lives in pixel column n mod capacity, the lowest price at the
// bottom); a frame composes the visible canvas from that image (two scaled copies, as many as
// the ring has pieces) and draws the overlays. The whole image is recoloured only when the
// window is rebuilt (a whole frame), the clip moved by a quarter, the price moved off the image,
// or the theme changed. Nothing in the frame path makes a DOM node or reads layout.

const { h, textEl, setText, setAttr, header, errorLine, updateError, frameBatcher } = __lib_dom;
const { live } = __lib_live;
const { fmtFixed, fmtCompact } = __lib_format;
const { decodeHeat, newHeatState, mergeHeat, newHistogram, histogramAdd, histogramQuantile, clipMoved, makeRamp, paintColumn, ringPieces, recentre, timeX, priceY, bubbleRadius, quantile, niceTicks, fitCanvas, readColors, onThemeChange, THEME_COLORS } = __lib_heat;

const COLORS = [
  ...THEME_COLORS,
  ["heat0", "--bw-heat-0", "#dbeafe"],
  ["heat1", "--bw-heat-1", "#60a5fa"],
  ["heat2", "--bw-heat-2", "#1d4ed8"],
  ["heat3", "--bw-heat-3", "#0b1f66"],
];
const CLIP_QUANTILE = 0.99;
const REBUILD_GAP_MS = 1000; // ask the kernel for the whole ring at most this often

const mod = (n, m) => ((n % m) + m) % m;

function ago(seconds) {
  if (seconds === 0) return "now";
  return seconds >= 60 ? `-${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}` : `-${seconds}s`;
}

function render({ model, el }) {
  const legend = textEl("span", { class: "bw-heat-legend", title: "colour: square root of the resting size, clipped at the 99th percentile of the window" });
  const head = header("", legend);
  const error = errorLine();
  const canvas = h("canvas", { class: "bw-heatmap-canvas", "aria-label": "liquidity heatmap" });
  const box = h("div", { class: "bw-heatmap-box", "data-testid": "bw-heatmap" }, canvas);
  const root = h("div", { class: "bw-widget bw-heatmap" }, head.el, error, box);
  el.append(root);

  let state = newHeatState();
  let hist = newHistogram();
  let lastFrame = null;
  let askedAt = performance.now(); // the hello is the first request
  let displayError = "";
  let colors = null;
  let lut = null;
  let font = "";
  let centre = 0; // price at the middle of the rows shown
  let refQty = 0; // bubble quantity drawn at the reference radius
  let trades = 0;
  // the offscreen image: capacity x rows pixels, rows = 2 levels + 2 pad, `axisP0` the price of its bottom row
  const img = { canvas: null, ctx: null, width: 0, height: 0, pad: 0, axisP0: 0, clip: 0, newestN: null, one: null, onePx: null };

  const themed = () => {
    colors = readColors(root, fit.ctx, COLORS);
    lut = makeRamp([colors.heat0.rgba, colors.heat1.rgba, colors.heat2.rgba, colors.heat3.rgba]);
    font = `${11 * fit.size.dpr}px ${getComputedStyle(root).fontFamily || "sans-serif"}`;
  };

  const askRebuild = () => {
    const now = performance.now();
    if (now - askedAt < REBUILD_GAP_MS) return;
    askedAt = now;
    try {
      model.send({ type: "rebuild" });
    } catch (_) {
      // the comm is gone: nobody to ask
    }
  };

  // -- the offscreen image ------------------------------------------------------------------------
  const repaintAll = () => {
    const { levels, step, capacity } = state;
    if (!capacity || !step || !lut) return;
    const pad = Math.ceil(levels / 2);
    const height = 2 * levels + 2 * pad;
    if (!img.canvas || img.width !== capacity || img.height !== height) {
      img.canvas = typeof OffscreenCanvas !== "undefined" ? new OffscreenCanvas(capacity, height) : Object.assign(document.createElement("canvas"), { width: capacity, height });
      img.ctx = img.canvas.getContext("2d");
      Object.assign(img, { width: capacity, height, pad, one: img.ctx.createImageData(1, height) });
      img.onePx = new Uint32Array(img.one.data.buffer);
    }
    img.axisP0 = centre - (levels + pad) * step;
    img.clip = histogramQuantile(hist, CLIP_QUANTILE);
    const full = img.ctx.createImageData(capacity, height);
    const px = new Uint32Array(full.data.buffer);
    for (const col of state.columns) paintColumn(px, capacity, height, mod(col.n, capacity), col, img.axisP0, step, lut, img.clip);
    img.ctx.putImageData(full, 0, 0);
    img.newestN = state.columns.length ? state.columns[state.columns.length - 1].n : null;
  };

  const paintNew = (col) => {
    const { capacity, step } = state;
    if (img.newestN !== null) {
      // slots of time slots that got no column must not show the column of a lap ago
      for (let n = Math.max(img.newestN + 1, col.n - capacity + 1); n < col.n; n++) {
        paintColumn(img.onePx, 1, img.height, 0, null, img.axisP0, step, lut, img.clip);
        img.ctx.putImageData(img.one, mod(n, capacity), 0);
      }
    }
    paintColumn(img.onePx, 1, img.height, 0, col, img.axisP0, step, lut, img.clip);
    img.ctx.putImageData(img.one, mod(col.n, capacity), 0);
    img.newestN = img.newestN === null ? col.n : Math.max(img.newestN, col.n);
  };

  const ingest = (frame) => {
    if (!frame) {
      state = newHeatState(); // the kernel cleared the picture (a new symbol): the whole ring follows
      hist = newHistogram();
      img.newestN = null;
      if (img.ctx) img.ctx.clearRect(0, 0, img.width, img.height);
      return;
    }
    const result = mergeHeat(state, frame);
    if (result.kind === "gap") askRebuild();
    if (result.kind === "gap" || result.kind === "stale") return;
    if (result.kind === "whole") {
      hist = newHistogram();
      for (const col of state.columns) histogramAdd(hist, col.sizes);
    } else {
      for (const col of result.evicted) histogramAdd(hist, col.sizes, -1);
      for (const col of result.added) histogramAdd(hist, col.sizes);
    }
    refQty = quantile(state.bubbles.map((b) => b.qty), 0.9);
    trades = 0;
    for (const b of state.bubbles) trades += b.count;
    const mid = state.bid > 0 && state.ask > 0 ? (state.bid + state.ask) / 2 : 0;
    centre = recentre(centre, mid, state.levels, state.step);
    const offImage = img.canvas && Math.abs(centre - (img.axisP0 + (state.levels + img.pad) * state.step)) > img.pad * state.step * 0.999;
    if (!lut) return;
    if (result.kind === "whole" || !img.canvas || offImage || clipMoved(img.clip, histogramQuantile(hist, CLIP_QUANTILE))) repaintAll();
    else for (const col of result.added) paintNew(col);
  };

  // -- the visible canvas -------------------------------------------------------------------------
  const drawOverlays = (ctx, plot, dpr, lo, rows) => {
    const { columnMs: cm, capacity, step, now } = state;
    const span = capacity * cm;
    const tx = (t) => timeX(t, now, span, plot);
    const py = (p) => priceY(p, lo, step, rows, plot);
    ctx.strokeStyle = colors.fg.css;
    ctx.globalAlpha = 0.7;
    ctx.lineWidth = 1.25 * dpr;
    ctx.beginPath();
    state.columns.forEach((c, i) => (i ? ctx.lineTo : ctx.moveTo).call(ctx, tx((c.n + 0.5) * cm), py((c.bid + c.ask) / 2)));
    ctx.stroke();
    ctx.globalAlpha = 0.6;
    for (const [side, color] of [
      [1, colors.up.css],
      [-1, colors.down.css],
    ]) {
      ctx.fillStyle = color;
      ctx.beginPath();
      for (const b of state.bubbles) {
        if (b.side !== side) continue;
        const r = bubbleRadius(b.qty, refQty, 5 * dpr, 1.5 * dpr, 16 * dpr);
        const bx = tx((b.n + 0.5) * cm);
        const by = py(b.price);
        ctx.moveTo(bx + r, by);
        ctx.arc(bx, by, r, 0, 2 * Math.PI);
      }
      ctx.fill();
    }
    ctx.globalAlpha = 1;
    ctx.lineWidth = 1.5 * dpr;
    ctx.strokeStyle = colors.fg.css;
    for (const f of state.fills) {
      const fx = tx(f.ts);
      const fy = py(f.price);
      const s = 6 * dpr;
      ctx.fillStyle = f.side > 0 ? colors.up.css : colors.down.css;
      ctx.beginPath();
      ctx.moveTo(fx, fy - s);
      ctx.lineTo(fx + s, fy);
      ctx.lineTo(fx, fy + s);
      ctx.lineTo(fx - s, fy);
      ctx.closePath();
      ctx.fill();
      ctx.stroke();
    }
    ctx.setLineDash([6 * dpr, 4 * dpr]);
    ctx.textAlign = "right";
    ctx.textBaseline = "bottom";
    const right = plot.x + plot.w - 4 * dpr;
    for (const o of state.own) {
      const color = o.side > 0 ? colors.up.css : colors.down.css;
      const y = py(o.price);
      const label = `your ${o.side > 0 ? "buy" : "sell"} ${o.qty} @ ${fmtFixed(o.price, model.get("price_decimals"))}`;
      ctx.fillStyle = color;
      ctx.strokeStyle = color;
      if (y < plot.y || y > plot.y + plot.h) {
        const ey = y < plot.y ? plot.y + 2 * dpr : plot.y + plot.h - 2 * dpr;
        const dir = y < plot.y ? -1 : 1;
        ctx.beginPath();
        ctx.moveTo(right - 6 * dpr, ey + dir * 8 * dpr);
        ctx.lineTo(right - 12 * dpr, ey);
        ctx.lineTo(right, ey);
        ctx.closePath();
        ctx.fill();
        ctx.textBaseline = dir < 0 ? "top" : "bottom";
        ctx.fillText(label, right - 16 * dpr, ey + (dir < 0 ? 0 : -2 * dpr));
        ctx.textBaseline = "bottom";
        continue;
      }
      ctx.beginPath();
      ctx.moveTo(plot.x, Math.round(y) + 0.5);
      ctx.lineTo(plot.x + plot.w, Math.round(y) + 0.5);
      ctx.stroke();
      ctx.fillText(label, right, y - 2 * dpr);
    }
    ctx.setLineDash([]);
  };

  const drawAxes = (ctx, plot, dpr, lo, rows) => {
    const { columnMs: cm, capacity, step } = state;
    const seconds = Math.round((capacity * cm) / 1000);
    ctx.fillStyle = colors.dim.css;
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    const pd = model.get("price_decimals");
    const ticks = niceTicks(lo, lo + (rows - 1) * step, Math.max(2, Math.floor(plot.h / (40 * dpr))));
    const decimals = ticks.length > 1 ? Math.max(0, Math.min(pd, Math.ceil(-Math.log10(ticks[1] - ticks[0]) - 1e-9))) : pd;
    for (const p of ticks) ctx.fillText(fmtFixed(p, decimals), plot.x + plot.w + 6 * dpr, priceY(p, lo, step, rows, plot));
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const s of niceTicks(0, seconds, Math.max(2, Math.floor(plot.w / (80 * dpr))))) {
      const x = plot.x + plot.w * (1 - s / seconds);
      ctx.fillText(ago(s), Math.min(plot.x + plot.w - 10 * dpr, Math.max(plot.x + 10 * dpr, x)), plot.y + plot.h + 4 * dpr);
    }
  };

  const draw = () => {
    const { w, h: ht, dpr } = fit.size;
    if (!w) return;
    if (!colors) {
      themed();
      repaintAll();
    }
    const ctx = fit.ctx;
    ctx.fillStyle = colors.bg.css;
    ctx.fillRect(0, 0, w, ht);
    ctx.font = font;
    const plot = { x: 2 * dpr, y: 4 * dpr, w: w - 72 * dpr, h: ht - 24 * dpr };
    const { levels, step, capacity, columnMs: cm } = state;
    if (!img.canvas || !state.columns.length || plot.w <= 0 || plot.h <= 0) {
      ctx.fillStyle = colors.dim.css;
      ctx.textBaseline = "top";
      ctx.fillText(state.capacity ? "waiting for the book…" : "connecting…", plot.x + 6 * dpr, plot.y + 6 * dpr);
      return;
    }
    const rows = 2 * levels;
    const lo = centre - levels * step;
    const rowLo = Math.round((lo - img.axisP0) / step);
    const sy = img.height - rowLo - rows;
    const span = capacity * cm;
    ctx.save();
    ctx.beginPath();
    ctx.rect(plot.x, plot.y, plot.w, plot.h);
    ctx.clip();
    ctx.imageSmoothingEnabled = false; // crisp cells; smoothing would also bleed the ring's newest column into its oldest
    for (const piece of ringPieces(img.newestN, capacity)) {
      const dx = timeX(piece.n0 * cm, state.now, span, plot);
      ctx.drawImage(img.canvas, piece.sx, sy, piece.sw, rows, dx, plot.y, (piece.sw * cm * plot.w) / span, plot.h);
    }
    drawOverlays(ctx, plot, dpr, lo, rows);
    ctx.restore();
    drawAxes(ctx, plot, dpr, lo, rows);
  };

  const fit = fitCanvas(box, canvas, () => {
    colors = null; // re-read with the new pixel ratio; the resized canvas lost its context state
    draw();
  });
  const redraw = frameBatcher(draw);
  const offTheme = onThemeChange(() => {
    colors = null;
    redraw.schedule();
  });

  const apply = () => {
    setText(head.title, `${model.get("symbol")} · Heatmap`);
    const data = model.get("heat");
    if (data !== lastFrame) {
      lastFrame = data;
      try {
        ingest(decodeHeat(data));
        displayError = "";
      } catch (e) {
        displayError = `display error: ${e.message}`;
        state = newHeatState();
        askRebuild();
      }
    }
    updateError(error, model.get("error") || displayError);
    root.classList.toggle("bw-dim", model.get("conn_state") !== "live" && state.columns.length > 0);
    draw();
    setText(legend, img.clip > 0 ? `√size, clipped at ${fmtCompact(img.clip)}` : "");
    setAttr(root, "data-columns", state.columns.length);
    setAttr(root, "data-levels", 2 * state.levels);
    setAttr(root, "data-bubbles", state.bubbles.length);
    setAttr(root, "data-trades", trades);
    setAttr(root, "data-fills", state.fills.length);
    setAttr(root, "data-own", state.own.length);
    setAttr(root, "data-version", state.have);
    setAttr(root, "data-wholes", state.wholes);
    setAttr(root, "data-clip", img.clip);
  };
  const stop = live(model, { kind: "heatmap", root, badge: head.badge, names: ["heat", "error", "symbol", "price_decimals", "qty_decimals"], apply });
  return () => {
    stop();
    redraw.cancel();
    offTheme();
    fit.stop();
  };
}

export default { render };
