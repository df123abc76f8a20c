// Small DOM helpers shared by the views: element creation, the connection and environment
// badges, and a requestAnimationFrame batcher so that model changes arriving in a burst are
// applied once, on the next frame, with the newest state.
//
// The render budget: an update path never creates nodes (setText writes the data of the text
// node already there), never writes what is already shown (every setter compares first, so an
// unchanged frame invalidates no style), and never reads layout (a read after a write forces a
// synchronous layout: the old flash restart via offsetWidth cost one per flashing cell).

import { fmtClock } from "./format.js";

/** Create an element: h("div", {class: "x", "data-testid": "y"}, child, "text"). */
export function h(tag, attrs = {}, ...children) {
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
export function setText(el, text) {
  const value = String(text ?? "");
  const node = el.firstChild;
  if (node !== null && node.nodeType === 3 && node.nextSibling === null) {
    if (node.data !== value) node.data = value;
  } else if (el.textContent !== value) {
    el.textContent = value; // first text, or the element held other nodes: once
  }
}

/** Show or hide an element, touching the attribute only when that changes. */
export function setHidden(el, hidden) {
  const value = Boolean(hidden);
  if (el.hidden !== value) el.hidden = value;
}

/** Set a property (value, checked, disabled, ...) only when it differs. */
export function setProp(el, name, value) {
  if (el[name] !== value) el[name] = value;
}

/** Set or remove an attribute only when it changed. */
export function setAttr(el, name, value) {
  if (value === null || value === undefined) {
    if (el.hasAttribute(name)) el.removeAttribute(name);
    return;
  }
  const text = String(value);
  if (el.getAttribute(name) !== text) el.setAttribute(name, text);
}

/** Toggle one of a set of mutually exclusive classes. */
export function setClass(el, choices, chosen) {
  const list = el.classList;
  for (const c of choices) if (c && c !== chosen && list.contains(c)) list.remove(c);
  if (chosen && !list.contains(chosen)) list.add(chosen);
}

/** A text span (or `tag`) made with its text node, so `setText` on it never creates one. */
export function textEl(tag, attrs = {}, text = "") {
  return h(tag, attrs, String(text ?? ""));
}

export const STATE_LABELS = {
  connecting: "Connecting",
  live: "Live",
  stale: "Stale",
  reconnecting: "Reconnecting",
  resyncing: "Resyncing",
  lagging: "Lagging",
  closed: "Closed",
};

export const STATE_REASONS = {
  lagging: "this view shows data more than a second older than the kernel's newest; it skips frames to catch up",
};

/** The connection badge every live widget shows (data-testid bw-connection-state). */
export function connectionBadge() {
  const el = h("span", { class: "bw-badge", "data-testid": "bw-connection-state", "data-state": "connecting" });
  el.append(h("span", { class: "bw-dot" }), h("span", { class: "bw-badge-text", text: STATE_LABELS.connecting }));
  return el;
}

export function updateBadge(el, state, reason) {
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
export function updateOfflineBadge(el, contact, asOfMs) {
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
export function envBadge(env) {
  const name = String(env || "custom").toLowerCase();
  return h("span", { class: `bw-env bw-env-${name}`, "data-testid": "bw-env", "data-env": name, text: name.toUpperCase() });
}

/**
 * Run `apply()` once on the next animation frame however many times `schedule()` is called
 * before it; returns {schedule, cancel}. Hidden tabs get no frames: apply then runs when the
 * tab shows again, with the newest state (nothing is queued meanwhile).
 */
export function frameBatcher(apply) {
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
export function onChanges(model, names, handler) {
  for (const name of names) model.on(`change:${name}`, handler);
  return () => {
    for (const name of names) model.off(`change:${name}`, handler);
  };
}

export const FLASH_MS = 450;
const flashing = new Map(); // element -> time its flash ends
let flashTimer = 0;

/**
 * End the flashes that are due. The views call it at the start of each animation frame they
 * paint, so while frames flow a flash ends in a frame that is drawn anyway; the timer below only
 * covers a view that stopped receiving frames, and it too ends flashes in an animation frame.
 */
export function expireFlashes(now = performance.now()) {
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
export function flash(el, cls) {
  const other = cls === "bw-flash-up" ? "bw-flash-down" : "bw-flash-up";
  if (el.classList.contains(other)) el.classList.remove(other);
  if (!el.classList.contains(cls)) el.classList.add(cls);
  flashing.set(el, performance.now() + FLASH_MS);
  armFlashTimer();
}

/** Stop flashing `el` now (its row is reused for other data). */
export function unflash(el) {
  if (flashing.delete(el)) el.classList.remove("bw-flash-up", "bw-flash-down");
}

/** The widget's header line: a title, optional extra nodes, and the connection badge. */
export function header(title, ...extra) {
  const badge = connectionBadge();
  const el = h("div", { class: "bw-header" }, textEl("span", { class: "bw-title" }, title), ...extra, h("span", { class: "bw-spacer" }), badge);
  return { el, badge, title: el.firstChild };
}

/** Shows the widget's `error` trait (a problem in plain words) under the header. */
export function errorLine() {
  return textEl("div", { class: "bw-error", role: "alert", hidden: true });
}

export function updateError(el, text) {
  setText(el, text || "");
  setHidden(el, !text);
}

/**
 * Keep `body`'s rows in the order of `items`, creating rows with `make` (only for a key not
 * shown yet) and updating with `update`; a row already in place is not moved.
 */
export function keyedRows(body, cache, items, key, make, update) {
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
