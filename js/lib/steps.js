// Decimal-safe stepping for the ticket's price and qty fields. Floating point would turn
// 88000.1 + 0.1 into 88000.20000000001; these work on scaled integers (BigInt) instead.

function parse(text) {
  const s = String(text ?? "").trim().replace(/,/g, "");
  if (!/^\d+(\.\d*)?$|^\.\d+$/.test(s)) return null;
  const [int, frac = ""] = s.split(".");
  return { digits: (int || "0") + frac, scale: frac.length };
}

function toScaled(text, scale) {
  const p = parse(text);
  if (!p) return null;
  if (p.scale > scale) {
    // more digits than the step has: drop the extra ones (rounding down), then step
    return BigInt(p.digits.slice(0, p.digits.length - (p.scale - scale)) || "0");
  }
  return BigInt(p.digits + "0".repeat(scale - p.scale));
}

function fromScaled(value, scale) {
  const negative = value < 0n;
  let s = (negative ? -value : value).toString().padStart(scale + 1, "0");
  if (scale) s = `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`;
  return negative ? `-${s}` : s;
}

/**
 * `text` moved by `count` steps of `step` ("0.10"), snapped onto the step grid first, with
 * exactly the step's decimals: stepValue("88000.1", "0.10", 1) -> "88000.20". Never below
 * one step; an empty or invalid field starts from `fallback` (e.g. the last price).
 */
export function stepValue(text, step, count, fallback = "") {
  const stepParsed = parse(step);
  if (!stepParsed) return String(text ?? "");
  const scale = stepParsed.scale;
  const unit = BigInt(stepParsed.digits);
  if (unit === 0n) return String(text ?? "");
  let value = toScaled(text, scale);
  if (value === null) value = toScaled(fallback, scale);
  if (value === null) return fromScaled(unit, scale);
  let snapped = (value / unit) * unit;
  if (snapped !== value && count < 0) snapped += unit; // moving down from between two steps: land on the lower one
  let next = snapped + BigInt(count) * unit;
  if (next < unit) next = unit;
  return fromScaled(next, scale);
}

/** True when `text` is a multiple of `step` (both decimal strings). */
export function onStep(text, step) {
  const stepParsed = parse(step);
  const scale = stepParsed ? Math.max(stepParsed.scale, parse(text)?.scale ?? 0) : 0;
  const value = toScaled(text, scale);
  const unit = stepParsed ? toScaled(step, scale) : null;
  if (value === null || !unit) return false;
  return value % unit === 0n;
}
