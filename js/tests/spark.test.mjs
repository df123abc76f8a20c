import { test } from "node:test";
import assert from "node:assert/strict";
import { sparkPath, sparkTrend } from "../lib/spark.js";

test("a rising series draws from bottom-left to top-right", () => {
  const d = sparkPath([1, 2, 3], 100, 20, 0);
  assert.equal(d, "M0.0,20.0L50.0,10.0L100.0,0.0");
});

test("flat series sit in the middle; too few points draw nothing", () => {
  assert.equal(sparkPath([5, 5], 10, 10, 0), "M0.0,5.0L10.0,5.0");
  assert.equal(sparkPath([5], 10, 10), "");
  assert.equal(sparkPath([NaN, 1], 10, 10), "");
});

test("trend", () => {
  assert.equal(sparkTrend([1, 3]), 1);
  assert.equal(sparkTrend([3, 1]), -1);
  assert.equal(sparkTrend([2, 2]), 0);
  assert.equal(sparkTrend([2]), 0);
});
