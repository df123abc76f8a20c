// Replay control: play, pause, step, a seek slider, the speed, and the tape's clock (UTC, to the ms).
// Every control is a message to the kernel, which acts on the exchange; the view shows what the
// kernel reports back (the position, the state), never a guess of its own.

import { h, textEl, setText, setAttr, setProp, header, errorLine, updateError } from "./lib/dom.js";
import { live } from "./lib/live.js";
import { fmtTapeTime } from "./lib/format.js";

function render({ model, el }) {
  const send = (action, extra = {}) => model.send({ type: "replay", action, ...extra });
  const button = (testid, label, title, action) =>
    h("button", { class: "bw-btn", "data-testid": testid, title, "aria-label": title, text: label, onclick: () => send(action) });
  const play = button("bw-replay-play", "▶", "Play", "play");
  const pause = button("bw-replay-pause", "⏸", "Pause", "pause");
  const step = button("bw-replay-step", "⏭", "Step one event", "step");
  const seek = h("input", { type: "range", class: "bw-replay-seek", "data-testid": "bw-replay-seek", "aria-label": "Seek", step: "1" });
  const speed = h("select", { class: "bw-replay-speed", "data-testid": "bw-replay-speed", "aria-label": "Speed" });
  const clock = textEl("span", { class: "bw-replay-clock", "data-testid": "bw-replay-clock", role: "timer" });
  const head = header("Replay");
  const error = errorLine();
  const bar = h("div", { class: "bw-replay-bar" }, play, pause, step, speed, clock);
  const root = h("div", { class: "bw-widget bw-replay" }, head.el, error, bar, seek);
  el.append(root);
  let dragging = false;
  seek.addEventListener("input", () => (dragging = true));
  seek.addEventListener("change", () => {
    dragging = false;
    send("seek", { to_ms: Number(seek.value) });
  });
  speed.addEventListener("change", () => send("speed", { speed: Number(speed.value) }));
  let speedsShown = "";

  const apply = () => {
    const state = model.get("state");
    const position = model.get("position_ms");
    updateError(error, model.get("error"));
    const symbols = model.get("symbols");
    setText(head.title, symbols.length ? `Replay · ${symbols.join(", ")}` : "Replay");
    setAttr(clock, "data-position-ms", String(position));
    setAttr(clock, "data-state", state || null);
    setAttr(clock, "data-speed", String(model.get("speed")));
    setText(clock, `${fmtTapeTime(position)}${state ? ` · ${state}` : ""}`);
    setAttr(seek, "min", String(model.get("start_ms")));
    setAttr(seek, "max", String(model.get("end_ms")));
    if (!dragging) setProp(seek, "value", String(position));
    const speeds = model.get("speeds");
    if (speeds.join() !== speedsShown) {
      speedsShown = speeds.join();
      speed.replaceChildren(...speeds.map((s) => h("option", { value: String(s), text: `${s}x` })));
    }
    setProp(speed, "value", String(model.get("speed")));
    setProp(play, "disabled", state === "playing" || state === "ended");
    setProp(pause, "disabled", state !== "playing");
    setProp(step, "disabled", state === "ended");
  };
  return live(model, { kind: "replay", root, badge: head.badge, names: ["state", "position_ms", "start_ms", "end_ms", "speed", "speeds", "symbols", "error"], apply });
}

export default { render };
