// PnL view: realised PnL, fees, funding and unrealised PnL by symbol and in total (the ledger's
// numbers as the kernel sends them), and the session's equity curve with fills marked. Rows are
// keyed by symbol and updated in place; the curve is three SVG paths whose `d` changes, so a
// frame creates no nodes.

import { h, textEl, setText, setAttr, setClass, setHidden, header, errorLine, updateError, keyedRows } from "./lib/dom.js";
import { live } from "./lib/live.js";
import { groupDigits, dirClass } from "./lib/format.js";
import { toFloat64 } from "./lib/packed.js";
import { curvePaths } from "./lib/curve.js";

const CURVE_W = 480;
const CURVE_H = 120;
const NUMBERS = ["realised", "fees", "funding", "unrealised", "net"];

function signed(text) {
  if (text === undefined || text === null || text === "") return "";
  const n = Number(text);
  return `${n > 0 ? "+" : ""}${groupDigits(text)}`;
}

function render({ model, el }) {
  const head = header("PnL");
  const error = errorLine();
  const notice = textEl("div", { class: "bw-notice bw-notice-error", hidden: true });
  const unavailable = textEl("div", { class: "bw-empty", hidden: true });
  const body = h("tbody");
  const heads = ["Symbol", "Realised#", "Fees#", "Funding#", "Unrealised#", "Net#", "Fills#"];
  const table = h(
    "table",
    { class: "bw-table" },
    h("thead", {}, h("tr", {}, ...heads.map((t) => h("th", { class: t.endsWith("#") ? "bw-num" : "", text: t.replace(/#$/, "") })))),
    body,
  );
  const totalCells = {};
  for (const name of ["symbol", ...NUMBERS, "trades"]) totalCells[name] = textEl("td", { class: name === "symbol" ? "" : "bw-num" });
  setText(totalCells.symbol, "Total");
  const totalRow = h("tr", { class: "bw-total", "data-testid": "bw-pnl-total" }, ...Object.values(totalCells));
  table.append(h("tfoot", {}, totalRow));
  const svgNS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(svgNS, "svg");
  svg.setAttribute("class", "bw-equity");
  svg.setAttribute("viewBox", `0 0 ${CURVE_W} ${CURVE_H}`);
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("data-testid", "bw-pnl-curve");
  svg.setAttribute("role", "img");
  const paths = {};
  for (const [name, cls] of [["line", "bw-equity-line"], ["buys", "bw-equity-buy"], ["sells", "bw-equity-sell"]]) {
    paths[name] = document.createElementNS(svgNS, "path");
    paths[name].setAttribute("class", cls);
    svg.append(paths[name]);
  }
  const range = textEl("div", { class: "bw-muted bw-equity-range" });
  const root = h("div", { class: "bw-widget bw-pnl" }, head.el, error, notice, unavailable, table, svg, range);
  el.append(root);
  const rows = new Map();

  const fill = (cells, tr, item) => {
    for (const name of NUMBERS) {
      setText(cells[name], name === "fees" ? groupDigits(item[name]) : signed(item[name]));
      setAttr(tr, `data-${name}`, item[name]);
    }
    setClass(cells.net, ["bw-up", "bw-down"], dirClass(item.net_num));
    setText(cells.trades, String(item.trades ?? ""));
  };
  const makeRow = (item) => {
    const cells = {};
    for (const name of ["symbol", ...NUMBERS, "trades"]) cells[name] = textEl("td", { class: name === "symbol" ? "" : "bw-num" });
    const tr = h("tr", { "data-testid": "bw-pnl-row" }, ...Object.values(cells));
    return { tr, cells, nodes: [tr] };
  };
  const updateRow = (row, item) => {
    setAttr(row.tr, "data-symbol", item.symbol);
    setText(row.cells.symbol, item.symbol);
    fill(row.cells, row.tr, item);
  };

  const apply = () => {
    updateError(error, model.get("error"));
    const available = model.get("available");
    setHidden(unavailable, available);
    setText(unavailable, model.get("unavailable_reason"));
    const text = model.get("notice");
    setHidden(notice, !text);
    setText(notice, text || "");
    const items = model.get("rows") || [];
    keyedRows(body, rows, items, (r) => r.symbol, makeRow, updateRow);
    const total = model.get("total") || {};
    fill(totalCells, totalRow, total);
    const points = toFloat64(model.get("curve"));
    const marks = toFloat64(model.get("fills"));
    const d = curvePaths(points, marks, CURVE_W, CURVE_H);
    for (const name of ["line", "buys", "sells"]) setAttr(paths[name], "d", d[name]);
    setAttr(svg, "data-points", String(points.length / 2));
    setAttr(svg, "data-fills", String(marks.length / 2));
    setAttr(svg, "data-equity", points.length ? String(points[points.length - 1]) : null);
    setText(range, Number.isFinite(d.lo) ? `Equity ${groupDigits(d.lo.toFixed(2))} – ${groupDigits(d.hi.toFixed(2))}` : "Equity: waiting for the wallet");
  };
  return live(model, { kind: "pnl", root, badge: head.badge, names: ["rows", "total", "curve", "fills", "notice", "available", "unavailable_reason", "error"], apply });
}

export default { render };
