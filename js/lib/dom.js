// Small DOM helpers shared by the views: element creation, the connection and environment
// badges, and a requestAnimationFrame batcher so that model changes arriving in a burst are
// applied once, on the next frame, with the newest state.

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

/** Set text only when it changed (cheap to call every frame). */
export function setText(el, text) {
  const value = String(text ?? "");
  if (el.textContent !== value) el.textContent = value;
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
  for (const c of choices) if (c && c !== chosen) el.classList.remove(c);
  if (chosen) el.classList.add(chosen);
}

export const STATE_LABELS = {
  connecting: "Connecting",
  live: "Live",
  stale: "Stale",
  reconnecting: "Reconnecting",
  resyncing: "Resyncing",
  closed: "Closed",
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
  setText(el.lastChild, STATE_LABELS[s]);
  setAttr(el, "title", reason ? `${STATE_LABELS[s]}: ${reason}` : STATE_LABELS[s]);
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

/** Re-trigger a CSS animation class on an element (removing and re-adding it after a reflow). */
export function flash(el, cls) {
  el.classList.remove("bw-flash-up", "bw-flash-down");
  void el.offsetWidth;
  el.classList.add(cls);
}

/** The widget's header line: a title, optional extra nodes, and the connection badge. */
export function header(title, ...extra) {
  const badge = connectionBadge();
  const el = h("div", { class: "bw-header" }, h("span", { class: "bw-title", text: title }), ...extra, h("span", { class: "bw-spacer" }), badge);
  return { el, badge, title: el.firstChild };
}

/** Shows the widget's `error` trait (a problem in plain words) under the header. */
export function errorLine() {
  return h("div", { class: "bw-error", role: "alert", hidden: true });
}

export function updateError(el, text) {
  setText(el, text || "");
  el.hidden = !text;
}
