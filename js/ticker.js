// Ticker view: last price (flashing on each tick), 24 h change, range, volume, mark / index /
// funding for derivatives, a sparkline and the connection badge.

import { h, textEl, setText, setAttr, setClass, setHidden, flash, header, errorLine, updateError } from "./lib/dom.js";
import { live } from "./lib/live.js";
import { fmtPct, fmtCompact, fmtCountdown, groupDigits, dirClass } from "./lib/format.js";
import { toFloat64 } from "./lib/packed.js";
import { sparkPath, sparkTrend } from "./lib/spark.js";

const SPARK_W = 160;
const SPARK_H = 36;

function stat(label) {
  const value = textEl("span", { class: "bw-stat-value" });
  return { el: h("div", { class: "bw-stat" }, h("span", { class: "bw-stat-label", text: label }), value), value };
}

function render({ model, el }) {
  const head = header("");
  const last = textEl("span", { class: "bw-last", "data-testid": "bw-ticker-last" });
  const change = textEl("span", { class: "bw-change" });
  const svgNS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(svgNS, "svg");
  svg.setAttribute("class", "bw-spark");
  svg.setAttribute("viewBox", `0 0 ${SPARK_W} ${SPARK_H}`);
  svg.setAttribute("preserveAspectRatio", "none");
  const path = document.createElementNS(svgNS, "path");
  svg.append(path);
  const stats = {
    high: stat("24h high"),
    low: stat("24h low"),
    volume: stat("24h volume"),
    turnover: stat("24h turnover"),
    mark: stat("Mark"),
    index: stat("Index"),
    funding: stat("Funding"),
  };
  const error = errorLine();
  const root = h(
    "div",
    { class: "bw-widget bw-ticker" },
    head.el,
    error,
    h("div", { class: "bw-ticker-main" }, h("div", { class: "bw-ticker-price" }, last, change), svg),
    h("div", { class: "bw-stats" }, ...Object.values(stats).map((s) => s.el)),
  );
  el.append(root);

  let lastPrice = null;
  const apply = () => {
    const q = model.get("quote") || {};
    setText(head.title, `${model.get("symbol")} · ${model.get("category") === "spot" ? "Spot" : "Perp"}`);
    updateError(error, model.get("error"));
    root.classList.toggle("bw-dim", model.get("conn_state") !== "live" && q.last !== undefined);
    if (q.last_num !== undefined && q.last_num !== null) {
      setText(last, groupDigits(q.last));
      setAttr(last, "data-price", q.last_num);
      if (lastPrice !== null && q.last_num !== lastPrice) flash(last, q.last_num > lastPrice ? "bw-flash-up" : "bw-flash-down");
      lastPrice = q.last_num;
    }
    setClass(last, ["bw-up", "bw-down"], model.get("direction") > 0 ? "bw-up" : model.get("direction") < 0 ? "bw-down" : "");
    setText(change, fmtPct(q.change_pct));
    setClass(change, ["bw-up", "bw-down"], dirClass(q.change_pct));
    setText(stats.high.value, groupDigits(q.high));
    setText(stats.low.value, groupDigits(q.low));
    setText(stats.volume.value, fmtCompact(q.volume));
    setText(stats.turnover.value, fmtCompact(q.turnover));
    const derivative = Boolean(q.mark);
    for (const key of ["mark", "index", "funding"]) setHidden(stats[key].el, !derivative);
    setText(stats.mark.value, groupDigits(q.mark));
    setText(stats.index.value, groupDigits(q.index));
    const countdown = q.next_funding ? fmtCountdown(q.next_funding, Date.now()) : "";
    setText(stats.funding.value, q.funding_pct === null || q.funding_pct === undefined ? "" : `${fmtPct(q.funding_pct, 4)}${countdown ? ` in ${countdown}` : ""}`);
    setClass(stats.funding.value, ["bw-up", "bw-down"], dirClass(q.funding_pct));
    const points = Array.from(toFloat64(model.get("spark")));
    if (lastPrice !== null && points.length) points[points.length - 1] = lastPrice;
    setAttr(path, "d", sparkPath(points, SPARK_W, SPARK_H));
    setClass(svg, ["bw-up", "bw-down"], dirClass(sparkTrend(points)));
  };
  return live(model, { kind: "ticker", root, badge: head.badge, names: ["quote", "direction", "spark", "error", "symbol", "category"], apply });
}

export default { render };
