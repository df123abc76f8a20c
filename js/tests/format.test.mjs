import { test } from "node:test";
import assert from "node:assert/strict";
import { fmtFixed, fmtPct, fmtCompact, decimalsOf, groupDigits, fmtClock, fmtCountdown, dirClass, fmtTapeTime } from "../lib/format.js";

test("fmtFixed groups thousands and pads decimals", () => {
  assert.equal(fmtFixed(88012.5, 2), "88,012.50");
  assert.equal(fmtFixed("0.001", 3), "0.001");
  assert.equal(fmtFixed(1234567, 0), "1,234,567");
  assert.equal(fmtFixed(null, 2), "");
  assert.equal(fmtFixed(NaN, 2), "");
  assert.equal(fmtFixed("abc", 2), "");
});

test("fmtPct carries the sign", () => {
  assert.equal(fmtPct(1.234), "+1.23%");
  assert.equal(fmtPct(-0.5), "-0.50%");
  assert.equal(fmtPct(0), "0.00%");
  assert.equal(fmtPct(0.0123, 4), "+0.0123%");
  assert.equal(fmtPct(undefined), "");
});

test("fmtCompact picks the unit", () => {
  assert.equal(fmtCompact(1234), "1.23K");
  assert.equal(fmtCompact(5.6e9), "5.60B");
  assert.equal(fmtCompact(12_500_000), "12.50M");
  assert.equal(fmtCompact(12.5), "12.50");
  assert.equal(fmtCompact(0.731), "0.731");
});

test("decimalsOf and groupDigits keep the exchange's digits", () => {
  assert.equal(decimalsOf("0.10"), 2);
  assert.equal(decimalsOf("1"), 0);
  assert.equal(groupDigits("88012.50"), "88,012.50");
  assert.equal(groupDigits("-1234.5"), "-1,234.5");
  assert.equal(groupDigits("999"), "999");
  assert.equal(groupDigits(""), "");
  assert.equal(groupDigits("n/a"), "n/a");
});

test("clock and countdown", () => {
  const t = new Date(2026, 0, 2, 3, 4, 5).getTime();
  assert.equal(fmtClock(t), "03:04:05");
  assert.equal(fmtClock(0), "");
  assert.equal(fmtCountdown(10_000 + 3 * 3600_000 + 2 * 60_000, 10_000), "3h 02m");
  assert.equal(fmtCountdown(10_000 + 12 * 60_000 + 9_000, 10_000), "12m 09s");
  assert.equal(fmtCountdown(5, 10), "");
});

test("dirClass", () => {
  assert.equal(dirClass(1.5), "bw-up");
  assert.equal(dirClass(-0.1), "bw-down");
  assert.equal(dirClass(0), "");
  assert.equal(dirClass(null), "");
});

test("a tape time reads as the UTC day and time to the millisecond", () => {
  assert.equal(fmtTapeTime(1733011283456), "2024-12-01 00:01:23.456 UTC");
  assert.equal(fmtTapeTime(0), "");
  assert.equal(fmtTapeTime(Number.NaN), "");
});
