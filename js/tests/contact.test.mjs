import { test } from "node:test";
import assert from "node:assert/strict";
import { newContact, hear, contactState, silenceLimit, onTime, SLACK_MS, CHECK_MS } from "../lib/contact.js";

const PULSE = 600; // what the kernel says: its longest gap between two frames or beats

test("a view is waiting until the kernel speaks, then here while it keeps speaking", () => {
  const c = newContact(1000);
  assert.equal(contactState(c, 1000, PULSE), "waiting");
  assert.equal(contactState(c, 1000 + PULSE + SLACK_MS, PULSE), "waiting");
  hear(c, 1200);
  assert.equal(contactState(c, 1200, PULSE), "here");
  for (let t = 1200; t < 10_000; t += PULSE) {
    hear(c, t); // frames or beats at the kernel's longest gap
    assert.equal(contactState(c, t + PULSE, PULSE), "here");
  }
});

test("silence past the kernel's gap and the slack: gone, and back once the kernel speaks again", () => {
  const c = newContact(0);
  hear(c, 100);
  assert.equal(contactState(c, 100 + PULSE + SLACK_MS, PULSE), "here");
  assert.equal(contactState(c, 100 + PULSE + SLACK_MS + 1, PULSE), "gone");
  hear(c, 5000);
  assert.equal(contactState(c, 5000, PULSE), "here");
});

test("rendered from a saved notebook (nothing ever heard): waiting, then a snapshot, never here", () => {
  const c = newContact(0);
  assert.equal(contactState(c, PULSE + SLACK_MS, PULSE), "waiting"); // the badge says connecting
  assert.equal(contactState(c, PULSE + SLACK_MS + 1, PULSE), "snapshot");
  for (let t = 0; t <= 3000; t += 50) assert.notEqual(contactState(c, t, PULSE), "here");
});

test("a host without beats (pulse 0) never times out on silence", () => {
  assert.equal(silenceLimit(0), Infinity);
  assert.equal(silenceLimit(undefined), Infinity);
  assert.equal(silenceLimit(PULSE), PULSE + SLACK_MS);
  const c = newContact(0);
  hear(c, 10);
  assert.equal(contactState(c, 3_600_000, 0), "here");
  assert.equal(contactState(newContact(0), 3_600_000, 0), "waiting");
});

test("the watcher judges only when it ran on time (a stall first lets the queued messages in)", () => {
  assert.equal(onTime(0, CHECK_MS), true);
  assert.equal(onTime(0, 2 * CHECK_MS), true);
  assert.equal(onTime(0, 2 * CHECK_MS + 1), false);
  assert.equal(onTime(0, 1000), false); // a hidden tab's once-a-second timer
});

test("closed within 2 s of the kernel's end, at the kernel's longest gap and the watcher's period", () => {
  // worst case: the kernel dies right after a beat; the watcher looks almost CHECK_MS after the limit
  const worst = PULSE + SLACK_MS + CHECK_MS;
  assert.ok(worst <= 2000, `worst ${worst} ms`);
});
