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

export const SLACK_MS = 700; // delivery jitter allowed on top of the kernel's longest gap
export const CHECK_MS = 250; // how often the page looks for silent views

/** A new view's contact: rendered at `now`, nothing heard yet. */
export function newContact(now) {
  return { since: now, heard: null };
}

/** The kernel spoke (a frame or a beat). */
export function hear(contact, now) {
  contact.heard = now;
}

/** How long a view may hear nothing before the kernel counts as gone (Infinity: no beats here). */
export function silenceLimit(pulseMs) {
  return Number.isFinite(pulseMs) && pulseMs > 0 ? pulseMs + SLACK_MS : Infinity;
}

/**
 * "here" (the kernel is there), "waiting" (not heard yet, just rendered), "gone" (heard, then lost)
 * or "snapshot" (never heard: a picture rendered from saved state).
 */
export function contactState(contact, now, pulseMs) {
  const limit = silenceLimit(pulseMs);
  if (contact.heard === null) {
    return now - contact.since > limit ? "snapshot" : "waiting";
  }
  return now - contact.heard > limit ? "gone" : "here";
}

/** Whether the page's watcher ran on time: after a stall (a busy main thread, a hidden tab) the
 * messages queued meanwhile must be read before silence is judged. */
export function onTime(lastTick, now, every = CHECK_MS) {
  return now - lastTick <= 2 * every;
}
