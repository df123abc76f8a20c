// A gesture's outcome in words, where the gesture was made: the kernel's `notice` trait
// ({kind: ok / info / error, text, seq, at}) shown for a few seconds. A notice older than that
// when the view opens (a reloaded page) is not shown at all.
//
// While the widget trades (its `trading` trait), the line keeps its height when empty: a notice
// that pushed the ladder's rows or the chart down would move the next click onto another price.

import { h, setText, setAttr, setHidden, onChanges } from "./dom.js";

export const NOTICE_MS = 8000;

/** The notice line for `model`, tagged `testid`; returns {el, off} (off: stop following it). */
export function noticeLine(model, testid) {
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
