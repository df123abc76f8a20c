// bybit-widgets: book view. Built by js/build.mjs from js/book.js; do not edit.
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
// message per kernel, at most one per ACK_GAP_MS, sent through any of their models of that kernel
// (the kernel routes each acknowledgement to its widget by model id); the kernel's window (flow.py) lets frames flow
// in between. Each acknowledgement says how long ago its frame was painted (a duration on this
// clock), so the wait for the batch is not taken for lag.
//
// And it keeps the badge honest when the kernel goes away (contact.js): a view whose kernel
// restarted, died or is out of reach shows `closed` with the time of its last update within
// 1.55 s, and one rendered from a saved notebook a snapshot; neither ever shows live.

const { setAttr, frameBatcher, onChanges, updateBadge, updateOfflineBadge, expireFlashes } = __lib_dom;
const { newContact, hear, contactState, onTime, CHECK_MS } = __lib_contact;

let views = 0;

const ACK_GAP_MS = 250;

/** The page's one batch of acknowledgements, shared by every bundle that includes this module. */
function ackBatch() {
  const key = Symbol.for("bybit_widgets.acks");
  globalThis[key] ??= { pending: new Map(), timer: 0, sentAt: -Infinity };
  return globalThis[key];
}

function flushAcks(batch) {
  batch.timer = 0;
  batch.sentAt = performance.now();
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
        entries[i].model.send({ type: "acks", acks });
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

/** Queue `view`'s acknowledgement of frame `seq` (called from an animation frame: sent after its paint). */
function queueAck(model, view, seq) {
  const batch = ackBatch();
  batch.pending.set(view, { model, kernel: kernelOf(model), id: model.get("_id"), view, seq, paintedAt: performance.now() });
  if (!batch.timer) {
    const wait = Math.max(0, batch.sentAt + ACK_GAP_MS - performance.now());
    batch.timer = setTimeout(() => flushAcks(batch), wait);
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
      queueAck(model, view, stamp.seq); // a task queued from the animation frame runs after its paint
    }
  };
  const frame = frameBatcher(paint);
  const recheck = (now) => {
    if (contactState(contact, now, model.get("_pulse")) !== shown) frame.schedule();
  };
  const onFrame = () => hear(contact, performance.now()); // (onChanges below schedules the paint)
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
return { ACK_GAP_MS, kernelOf, queueAck, newViewId, shownState, readStamp, live };
})();

// ---- lib/notice.js
const __lib_notice = (() => {
// A gesture's outcome in words, where the gesture was made: the kernel's `notice` trait
// ({kind: ok / info / error, text, seq, at}) shown for a few seconds. A notice older than that
// when the view opens (a reloaded page) is not shown at all.
//
// While the widget trades (its `trading` trait), the line keeps its height when empty: a notice
// that pushed the ladder's rows or the chart down would move the next click onto another price.

const { h, setText, setAttr, setHidden, onChanges } = __lib_dom;

const NOTICE_MS = 8000;

/** The notice line for `model`, tagged `testid`; returns {el, off} (off: stop following it). */
function noticeLine(model, testid) {
  const el = h("div", { class: "bw-notice bw-gesture-notice", "data-testid": testid, role: "status", hidden: true });
  let timer = 0;
  const put = (n) => {
    setText(el, n ? n.text : "");
    setAttr(el, "title", n ? n.text : null);
    setAttr(el, "data-kind", n ? n.kind || null : null);
    setHidden(el, !n && !model.get("trading"));
  };
  const show = () => {
    const n = model.get("notice") || {};
    const fresh = Boolean(n.text) && Date.now() - (n.at || 0) < NOTICE_MS;
    setAttr(el, "data-seq", n.seq || null);
    put(fresh ? n : null);
    clearTimeout(timer);
    if (fresh) timer = setTimeout(() => put(null), NOTICE_MS);
  };
  show();
  const offChanges = onChanges(model, ["notice", "trading"], show);
  return {
    el,
    off: () => {
      offChanges();
      clearTimeout(timer);
    },
  };
}
return { NOTICE_MS, noticeLine };
})();

// ---- lib/packed.js
const __lib_packed = (() => {
// Readers of the packed binary traits the kernel sends (little-endian float64 arrays):
// the order book (see bybit_widgets/widgets/levels.py), trades and sparkline points.

/** A Float64Array over a DataView / ArrayBuffer / typed array, copying only when misaligned. */
function toFloat64(data) {
  if (!data) return new Float64Array(0);
  if (data instanceof Float64Array) return data;
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
    return new Float64Array(0);
  }
  const count = Math.floor(length / 8);
  if (offset % 8 === 0) return new Float64Array(buffer, offset, count);
  return new Float64Array(buffer.slice(offset, offset + count * 8));
}

/** The ladder: {u, ts, bids: [[price, size], ...], asks: [...]}, best first. */
function decodeBook(data) {
  const v = toFloat64(data);
  if (v.length < 4) return { u: 0, ts: 0, bids: [], asks: [] };
  const nb = v[2] | 0;
  const na = v[3] | 0;
  if (v.length < 4 + 2 * (nb + na)) throw new Error(`book buffer too short: ${v.length} for ${nb}+${na} levels`);
  const bids = new Array(nb);
  const asks = new Array(na);
  let at = 4;
  for (let i = 0; i < nb; i++) bids[i] = [v[at + i], v[at + nb + i]];
  at += 2 * nb;
  for (let i = 0; i < na; i++) asks[i] = [v[at + i], v[at + na + i]];
  return { u: v[0], ts: v[1], bids, asks };
}

/** Trades, newest first: [{time, price, size, side: "Buy" | "Sell"}]. */
function decodeTrades(data) {
  const v = toFloat64(data);
  const out = [];
  for (let i = 0; i + 3 < v.length; i += 4) {
    out.push({ time: v[i], price: v[i + 1], size: v[i + 2], side: v[i + 3] > 0 ? "Buy" : "Sell" });
  }
  return out;
}
return { toFloat64, decodeBook, decodeTrades };
})();

// ---- lib/ladder.js
const __lib_ladder = (() => {
// The order-book ladder's numbers, without the DOM: bar widths (by level or cumulative size),
// spread and mid, which levels changed since the last frame, and where the user's orders sit.

/**
 * Rows of both sides, best first, each {price, size, total, frac}: `total` is the cumulative
 * size from the touch, `frac` the bar width in [0, 1] relative to the largest bar shown on
 * either side (so both sides share one scale and can be compared by eye).
 */
function ladderRows(book, cumulative = false) {
  const build = (levels) => {
    let total = 0;
    return levels.map(([price, size]) => {
      total += size;
      return { price, size, total, frac: 0 };
    });
  };
  const bids = build(book.bids);
  const asks = build(book.asks);
  let max = 0;
  for (const row of bids) max = Math.max(max, cumulative ? row.total : row.size);
  for (const row of asks) max = Math.max(max, cumulative ? row.total : row.size);
  if (max > 0) {
    for (const row of bids) row.frac = (cumulative ? row.total : row.size) / max;
    for (const row of asks) row.frac = (cumulative ? row.total : row.size) / max;
  }
  return { bids, asks };
}

/** Mid, spread and spread in basis points of the mid; nulls when a side is empty. */
function spreadOf(book) {
  if (!book.bids.length || !book.asks.length) return { mid: null, spread: null, bps: null };
  const bid = book.bids[0][0];
  const ask = book.asks[0][0];
  const mid = (bid + ask) / 2;
  return { mid, spread: ask - bid, bps: mid > 0 ? ((ask - bid) / mid) * 1e4 : null };
}

/**
 * Levels whose size moved noticeably since `previous` (a Map price -> size of the last frame):
 * new levels, and changes of at least `threshold` of the larger of the two sizes (a busy book
 * nudges most levels every frame; flashing all of them would flash nothing in particular).
 * Returns {changed: Map price -> +1 (grew or new) / -1 (shrank), sizes: Map for the next call}.
 * The first frame (empty `previous`) reports nothing, so a fresh view does not flash every row.
 */
function changedLevels(previous, levels, threshold = 0.25) {
  const sizes = new Map();
  const changed = new Map();
  for (const [price, size] of levels) {
    sizes.set(price, size);
    if (!previous.size) continue;
    const before = previous.get(price);
    if (before === undefined) changed.set(price, 1);
    else if (Math.abs(size - before) >= threshold * Math.max(size, before)) changed.set(price, size > before ? 1 : -1);
  }
  return { changed, sizes };
}

/**
 * The user's own orders by side and displayed price: Map "bid:88000.5" -> {qty, count, orders, key},
 * `orders` each {id, linkId, price, qty} and `key` a string that changes only when they do (so a
 * row rebuilds its markers only then, never per frame).
 */
function ownByLevel(own) {
  const map = new Map();
  for (const entry of own || []) {
    const [price, side, qty, count, list = []] = entry;
    const orders = list.map(([id, linkId, orderPrice, orderQty]) => ({ id, linkId, price: orderPrice, qty: orderQty }));
    const key = orders.length ? orders.map((o) => `${o.id}@${o.price}x${o.qty}`).join(",") : `${count}x${qty}`;
    map.set(`${side}:${price}`, { qty, count, orders, key });
  }
  return map;
}

/**
 * What a gesture on a ladder row asks, from the event's facts alone: "cancel" (on a marker's ×),
 * "place" (shift-click: a one-click order, if armed), or "pick" (the row's price into the ticket);
 * null when the click was not on a row.
 */
function rowGesture({ onRow, onCancel, shift }) {
  if (onCancel) return "cancel";
  if (!onRow) return null;
  return shift ? "place" : "pick";
}

/** A dragged order dropped on `toPrice`: the amend to send, or null (same row, no row, no order). */
function dropAmend(drag, toPrice) {
  if (!drag || !drag.orderId || toPrice === null || toPrice === undefined || toPrice === "") return null;
  if (String(toPrice) === String(drag.rowPrice)) return null; // back on the row it left: no change
  return { type: "amend", order_id: drag.orderId, from_price: drag.orderPrice, price: String(toPrice) };
}

/** The ticket side a hotkey picks ("b" / "s", any case), "disarm" for Escape, else null. */
function hotkey(key) {
  if (key === "b" || key === "B") return "Buy";
  if (key === "s" || key === "S") return "Sell";
  if (key === "Escape") return "disarm";
  return null;
}

/** True when bids fall strictly and asks rise strictly and the best bid is below the best ask. */
function isSane(book) {
  for (let i = 1; i < book.bids.length; i++) if (!(book.bids[i][0] < book.bids[i - 1][0])) return false;
  for (let i = 1; i < book.asks.length; i++) if (!(book.asks[i][0] > book.asks[i - 1][0])) return false;
  if (book.bids.length && book.asks.length && !(book.bids[0][0] < book.asks[0][0])) return false;
  return true;
}

/** Grouping choices offered for a tick size: multiples that give round numbers. */
function groupingChoices(tickSize) {
  const choices = [1, 2, 5, 10, 20, 50, 100, 250, 500, 1000];
  if (!(tickSize > 0)) return [1];
  return choices.filter((m) => m * tickSize <= 1000);
}
return { ladderRows, spreadOf, changedLevels, ownByLevel, rowGesture, dropAmend, hotkey, isSane, groupingChoices };
})();

// ---- book.js
// Order-book ladder view: asks above, bids below, size bars on one shared scale (level or
// cumulative), spread and mid between them, changed levels flashing, the user's open orders
// marked, price grouping, and an honest banner while the book is resyncing or stale.
// With a ticket it trades: a click on a row picks its price, a shift-click (armed) places, your
// order's marker drags onto another row to amend and its x cancels; B / S / Esc while focused.
// The kernel decides and checks everything; the view only says what the gesture was.

const { h, setText, setAttr, setHidden, setProp, onChanges, flash, unflash, header, errorLine, updateError } = __lib_dom;
const { live } = __lib_live;
const { noticeLine } = __lib_notice;
const { fmtFixed, fmtCompact, decimalsOf } = __lib_format;
const { decodeBook } = __lib_packed;
const { ladderRows, spreadOf, changedLevels, ownByLevel, groupingChoices, rowGesture, dropAmend, hotkey } = __lib_ladder;

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

// A row's nodes are made once (each text span with its text node) and only their data,
// attributes and classes change afterwards; `frac` and `level` remember what is shown.
function makeRow(side) {
  const bar = h("div", { class: "bw-bar" });
  const price = h("span", { class: "bw-price" }, "");
  const size = h("span", { class: "bw-size" }, "");
  const total = h("span", { class: "bw-total" }, "");
  const marker = makeMarker();
  const own = h("span", { class: "bw-own" }, marker);
  const el = h("div", { class: `bw-row bw-${side}`, hidden: true }, bar, own, price, size, total);
  return { el, bar, price, size, total, own, side, frac: -1, shownPrice: null, flashedAt: 0, ownKey: "", markers: [marker] };
}

// One marker per open order at the row's price: a row keeps a pool of markers (one made with the
// row, more only when a level holds more orders than ever before) and fills them in, so orders
// moving between rows as the book shifts create no nodes.
function makeMarker() {
  const dot = h("span", { class: "bw-own-dot" }, "●");
  const cancel = h("button", { class: "bw-own-cancel", type: "button", "data-testid": "bw-book-own-cancel", "aria-label": "cancel this order", title: "cancel" }, "×");
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
  setHidden(marker.lastChild, !real);
  setHidden(marker, false);
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
    else if (!pool[i].hidden) {
      setHidden(pool[i], true);
      pool[i].removeAttribute("data-testid");
    }
  }
  row.el.classList.toggle("bw-has-own", Boolean(mine));
}

function hideRow(row) {
  if (row.el.hidden) return;
  row.el.hidden = true;
  row.el.removeAttribute("data-testid");
  row.shownPrice = null;
  unflash(row.size);
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
  const asksBox = h("div", { class: "bw-side bw-asks" });
  const bidsBox = h("div", { class: "bw-side bw-bids" });
  const mid = h("span", { class: "bw-mid" });
  const spread = h("span", { class: "bw-spread-text" });
  const spreadRow = h("div", { class: "bw-spread" }, mid, spread);
  const body = h("div", { class: "bw-ladder" }, asksBox, spreadRow, bidsBox);
  const root = h("div", { class: "bw-widget bw-book", tabindex: "0" }, head.el, tools, confirmBar, notice.el, error, banner, cols, body);
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

  // -- gestures: the view says what was done where; the kernel checks and acts ------------------
  const send = (msg) => model.send(msg);
  arm.addEventListener("click", () => send({ type: "arm", on: !model.get("armed") }));
  confirmYes.addEventListener("click", () => send({ type: "arm_confirm", token: (model.get("arm_confirm") || {}).token }));
  confirmNo.addEventListener("click", () => send({ type: "arm", on: false }));
  root.addEventListener("keydown", (event) => {
    if (event.target.closest("input, select, textarea")) return;
    const key = hotkey(event.key);
    if (key === "disarm") send({ type: "arm", on: false });
    else if (key) send({ type: "side", side: key });
  });
  let drag = null; // {orderId, orderPrice, rowPrice, marker} while an order marker is held
  let dropped = false; // the last pointer-up ended a drag on another row: its click is not a pick
  const rowAt = (x, y) => {
    const hit = document.elementFromPoint(x, y);
    const row = hit && hit.closest(".bw-row");
    return row && body.contains(row) && !row.hidden ? row : null;
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
    dropped = amend !== null;
    if (amend) send(amend);
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
          hideRow(row);
          continue;
        }
        if (row.el.hidden) {
          row.el.hidden = false;
          row.el.setAttribute("data-testid", `bw-book-${side}`);
        }
        setAttr(row.el, "data-price", level.price);
        setAttr(row.el, "data-size", level.size);
        setText(row.price, fmtFixed(level.price, pd));
        setText(row.size, fmtFixed(level.size, qd));
        setText(row.total, level.total >= 1e5 ? fmtCompact(level.total) : fmtFixed(level.total, qd));
        const frac = Math.round(level.frac * 1000) / 1000; // a thousandth of the width: below a pixel
        if (frac !== row.frac) {
          row.frac = frac;
          row.bar.style.transform = `scaleX(${frac})`;
        }
        showOwn(row, own.get(`${side}:${level.price}`), qd);
        if (row.shownPrice !== level.price) {
          row.shownPrice = level.price;
          unflash(row.size); // the row now shows another level: its flash was about the old one
        }
        const move = changed.get(level.price);
        if (move) {
          const now = performance.now();
          if (now - row.flashedAt > FLASH_GAP_MS) {
            row.flashedAt = now; // one flash per row at a time: a level that keeps moving is not a strobe
            flash(row.size, move > 0 ? "bw-flash-up" : "bw-flash-down");
          }
        }
      }
    }
    const s = spreadOf(book);
    setText(mid, s.mid === null ? "–" : fmtFixed(s.mid, onGrid(s.mid, pd) ? pd : pd + 1));
    setText(spread, s.spread === null ? "" : `spread ${fmtFixed(s.spread, pd)}`);
    setAttr(spread, "title", s.spread === null ? null : `${s.bps < 1 ? s.bps.toFixed(3) : s.bps.toFixed(1)} basis points of the mid`);
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
    names: ["levels", "own", "error", "symbol", "grouping", "cumulative", "tick_size", "price_decimals", "qty_decimals", "depth", "height"],
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
  };
}

export default { render };
