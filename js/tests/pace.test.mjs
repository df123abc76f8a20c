import { test } from "node:test";
import assert from "node:assert/strict";
import { ACK_GAP_MS, ACK_CALM_MS, PROMPT_MS, LATE_MS, newPace, troubled, gapOf, paceAfter, hurry } from "../lib/pace.js";

const prompt = { delay: 5, lagging: false };

test("a new page acknowledges at the short gap until two batches in a row found it keeping up", () => {
  const pace = newPace();
  assert.equal(gapOf(pace), ACK_GAP_MS);
  assert.equal(gapOf(paceAfter(pace, [prompt], 0)), ACK_GAP_MS);
  assert.equal(gapOf(paceAfter(pace, [prompt, prompt], 3)), ACK_CALM_MS);
  assert.equal(gapOf(paceAfter(pace, [prompt], 0)), ACK_CALM_MS);
});

test("one late paint, one lagging view or a late timer puts the page back on the short gap at once", () => {
  for (const [entries, late] of [
    [[prompt, { delay: PROMPT_MS + 1, lagging: false }], 0],
    [[{ delay: 0, lagging: true }], 0],
    [[prompt], LATE_MS + 1],
  ]) {
    const pace = paceAfter(paceAfter(newPace(), [prompt], 0), [prompt], 0);
    assert.equal(gapOf(pace), ACK_CALM_MS);
    assert.equal(gapOf(paceAfter(pace, entries, late)), ACK_GAP_MS, JSON.stringify({ entries, late }));
  }
});

test("trouble is a paint later than PROMPT_MS after its frame arrived, or a view the kernel calls lagging", () => {
  assert.ok(!troubled(PROMPT_MS, false));
  assert.ok(troubled(PROMPT_MS + 1, false));
  assert.ok(troubled(0, true));
});

test("hurrying a calm page puts it on the short gap, and two healthy batches calm it again", () => {
  const pace = paceAfter(paceAfter(newPace(), [prompt], 0), [prompt], 0);
  assert.equal(gapOf(hurry(pace)), ACK_GAP_MS);
  assert.equal(gapOf(paceAfter(pace, [prompt], 0)), ACK_GAP_MS);
  assert.equal(gapOf(paceAfter(pace, [prompt], 0)), ACK_CALM_MS);
});
