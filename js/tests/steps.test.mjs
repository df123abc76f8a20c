import { test } from "node:test";
import assert from "node:assert/strict";
import { stepValue, onStep } from "../lib/steps.js";

test("steps keep the step's decimals and never show float noise", () => {
  assert.equal(stepValue("88000.1", "0.10", 1), "88000.20");
  assert.equal(stepValue("88000.20", "0.10", -1), "88000.10");
  assert.equal(stepValue("0.1", "0.1", 2), "0.3");
  assert.equal(stepValue("0.001", "0.001", 1), "0.002");
});

test("a value between steps snaps to the neighbouring step in the direction of travel", () => {
  assert.equal(stepValue("88000.15", "0.10", 1), "88000.20");
  assert.equal(stepValue("88000.15", "0.10", -1), "88000.10");
});

test("empty fields start from the fallback; never below one step", () => {
  assert.equal(stepValue("", "0.10", 1, "87999.9"), "88000.00");
  assert.equal(stepValue("", "0.001", -1), "0.001");
  assert.equal(stepValue("0.001", "0.001", -5), "0.001");
  assert.equal(stepValue("abc", "0.5", 1, "10"), "10.5");
});

test("commas are tolerated; a bad step leaves the text alone", () => {
  assert.equal(stepValue("88,000.1", "0.1", 1), "88000.2");
  assert.equal(stepValue("12", "x", 1), "12");
});

test("onStep", () => {
  assert.ok(onStep("88000.10", "0.10"));
  assert.ok(onStep("88000.1", "0.10"));
  assert.ok(!onStep("88000.15", "0.10"));
  assert.ok(onStep("0.003", "0.001"));
  assert.ok(!onStep("0.0035", "0.001"));
  assert.ok(!onStep("", "0.1"));
});
