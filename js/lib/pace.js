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

export const ACK_GAP_MS = 250;
export const ACK_CALM_MS = 750;
export const PROMPT_MS = 100; // a frame painted within this of its arrival was painted promptly
export const LATE_MS = 50; // a batch timer this late: the main thread is busy

/** A new pace: not calm until two healthy batches. */
export function newPace() {
  return { streak: 0 };
}

/** Is a painted frame a sign of trouble? (painted late after it arrived, or its view is lagging) */
export function troubled(delayMs, lagging) {
  return lagging || delayMs > PROMPT_MS;
}

/** The gap, in ms, the page keeps until its next batch at the latest. */
export function gapOf(pace) {
  return pace.streak >= 2 ? ACK_CALM_MS : ACK_GAP_MS;
}

/** Back to the short gap at once (a sign of trouble before the batch is due). */
export function hurry(pace) {
  pace.streak = 0;
  return pace;
}

/** Update `pace` with a batch: `entries` each {delay, lagging}, its timer `lateMs` late. */
export function paceAfter(pace, entries, lateMs) {
  const healthy = lateMs <= LATE_MS && entries.every((e) => !troubled(e.delay, e.lagging));
  pace.streak = healthy ? pace.streak + 1 : 0;
  return pace;
}
