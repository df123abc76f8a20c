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
export function fmtFixed(value, decimals) {
  if (value === null || value === undefined || value === "") return "";
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isFinite(n)) return "";
  return formatter(Math.max(0, Math.min(12, decimals | 0))).format(n);
}

/** A percentage with its sign: 1.234 -> "+1.23%", -0.5 -> "-0.50%". */
export function fmtPct(value, decimals = 2) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "";
  const sign = value > 0 ? "+" : value < 0 ? "-" : "";
  return `${sign}${formatter(decimals).format(Math.abs(value))}%`;
}

/** Compact magnitude for volumes: 1234 -> "1.23K", 5.6e9 -> "5.60B". */
export function fmtCompact(value, decimals = 2) {
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
export function decimalsOf(text) {
  const s = String(text ?? "");
  const dot = s.indexOf(".");
  return dot < 0 ? 0 : s.length - dot - 1;
}

/** A price string exactly as the exchange sent it, with thousands separators: "88012.50" -> "88,012.50". */
export function groupDigits(text) {
  const s = String(text ?? "");
  if (!/^-?\d+(\.\d+)?$/.test(s)) return s;
  const [int, frac] = s.split(".");
  const sign = int.startsWith("-") ? "-" : "";
  const digits = sign ? int.slice(1) : int;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return frac === undefined ? `${sign}${grouped}` : `${sign}${grouped}.${frac}`;
}

/** Local wall-clock time of an epoch-ms timestamp: "14:03:07". */
export function fmtClock(ms) {
  if (!Number.isFinite(ms) || ms <= 0) return "";
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, "0");
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A history file's time as "2024-12-01 00:01:23.456 UTC" (Bybit's history files are UTC days). */
export function fmtTapeTime(ms) {
  if (!Number.isFinite(ms) || ms <= 0) return "";
  const d = new Date(ms);
  const pad = (n, w = 2) => String(n).padStart(w, "0");
  const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return `${day} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)} UTC`;
}

/** Time left until an epoch-ms instant: "3h 02m", "12m 09s", "" when past. */
export function fmtCountdown(targetMs, nowMs) {
  const left = Math.floor((targetMs - nowMs) / 1000);
  if (!Number.isFinite(left) || left <= 0) return "";
  const h = Math.floor(left / 3600);
  const m = Math.floor((left % 3600) / 60);
  const s = left % 60;
  const pad = (n) => String(n).padStart(2, "0");
  return h > 0 ? `${h}h ${pad(m)}m` : `${m}m ${pad(s)}s`;
}

/** Direction class for a signed number: "bw-up", "bw-down" or "". */
export function dirClass(value) {
  if (value === null || value === undefined || !Number.isFinite(value) || value === 0) return "";
  return value > 0 ? "bw-up" : "bw-down";
}
