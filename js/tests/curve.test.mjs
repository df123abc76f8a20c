import { test } from "node:test";
import assert from "node:assert/strict";
import { curvePaths, valueAt } from "../lib/curve.js";

test("the curve's value between samples is interpolated and clamped at the ends", () => {
  const pts = [1000, 10, 2000, 20, 4000, 0];
  assert.equal(valueAt(pts, 1500), 15);
  assert.equal(valueAt(pts, 3000), 10);
  assert.equal(valueAt(pts, 0), 10);
  assert.equal(valueAt(pts, 9000), 0);
  assert.ok(Number.isNaN(valueAt([], 1)));
});

test("the line spans the box, higher equity drawn higher, and fills sit on the line by side", () => {
  const { line, buys, sells, lo, hi } = curvePaths([0, 100, 10, 200], [5, 1, 10, -1, -5, 1], 108, 58, 4);
  assert.equal(line, "M4.0,54.0L104.0,4.0");
  assert.equal([lo, hi].join(), "100,200");
  assert.equal(buys, "M51.0,29.0a3,3 0 1,0 6,0a3,3 0 1,0 -6,0"); // t=5: halfway, value 150
  assert.equal(sells, "M101.0,4.0a3,3 0 1,0 6,0a3,3 0 1,0 -6,0");
  assert.equal(buys.split("M").length - 1, 1, "a fill before the curve starts is not drawn");
});

test("fewer than two points draw nothing, a flat curve draws mid-height", () => {
  assert.deepEqual(curvePaths([0, 1], [], 100, 50).line, "");
  assert.equal(curvePaths([0, 5, 10, 5], [], 108, 50, 4).line, "M4.0,25.0L104.0,25.0");
});
