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

import { setAttr, frameBatcher, onChanges, updateBadge, updateOfflineBadge, expireFlashes } from "./dom.js";
import { newContact, hear, contactState, onTime, CHECK_MS } from "./contact.js";
import { ACK_GAP_MS, newPace, troubled, gapOf, paceAfter, hurry } from "./pace.js";

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
export function kernelOf(model) {
  return model.widget_manager ?? NO_MANAGER;
}

/**
 * Queue `view`'s acknowledgement of frame `seq` (called from an animation frame: sent after its
 * paint), painted `delay` ms after it arrived; `lagging` when the kernel says the view is behind.
 * A sign of trouble while the calm gap runs brings the batch forward to the short one.
 */
export function queueAck(model, view, seq, delay = 0, lagging = false) {
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
export function newViewId() {
  views += 1;
  return `${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 8)}.${views}`;
}

/** The badge state a view shows: `lagging` only stands in for `live` (a feed problem says more). */
export function shownState(connState, lagging) {
  return connState === "live" && lagging ? "lagging" : connState;
}

/** What a frame stamp says to the view `view`: {seq, ts, lagging}. */
export function readStamp(stamp, view) {
  const [seq = 0, , ts = null, laggingViews = []] = Array.isArray(stamp) ? stamp : [];
  return { seq, ts, lagging: Array.isArray(laggingViews) && laggingViews.includes(view) };
}

/**
 * Drive a view: `apply()` runs on the next animation frame after any change of `names` (and of
 * the stamp, badge and reason), with the newest state; then the root's `data-ts`, the badge
 * and the acknowledgement follow. The root gets `data-testid="bw-widget"` and `data-kind`.
 * Returns the cleanup (which tells the kernel the view is gone).
 */
export function live(model, { kind, root, badge = null, names, apply }) {
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
