import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { decodeBook, decodeTrades, toFloat64 } from "../lib/packed.js";

test("decodes the kernel's packed book (fixture written by levels.pack_book)", () => {
  const bytes = readFileSync(new URL("./fixtures/book.bin", import.meta.url));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const book = decodeBook(view);
  assert.equal(book.u, 500001);
  assert.equal(book.ts, 1700000000020);
  assert.deepEqual(book.bids, [
    [88000.5, 1.25],
    [88000.0, 0.4],
  ]);
  assert.deepEqual(book.asks, [[88001.0, 0.731]]);
});

test("misaligned views are copied, not misread", () => {
  const values = new Float64Array([7, 8, 1, 1, 100.5, 2, 101, 3]);
  const raw = new Uint8Array(values.byteLength + 3);
  raw.set(new Uint8Array(values.buffer), 3);
  const book = decodeBook(new DataView(raw.buffer, 3, values.byteLength));
  assert.deepEqual(book.bids, [[100.5, 2]]);
  assert.deepEqual(book.asks, [[101, 3]]);
});

test("empty or missing data gives an empty book; a short buffer is an error", () => {
  assert.deepEqual(decodeBook(null), { u: 0, ts: 0, bids: [], asks: [] });
  assert.deepEqual(decodeBook(new DataView(new ArrayBuffer(0))), { u: 0, ts: 0, bids: [], asks: [] });
  assert.throws(() => decodeBook(new Float64Array([1, 2, 5, 5, 1])), /too short/);
  assert.equal(toFloat64({}).length, 0);
});

test("decodes trades newest first with sides", () => {
  const data = new Float64Array([1700000000500, 88000.5, 0.01, 1, 1700000000400, 88000.0, 0.2, -1]);
  assert.deepEqual(decodeTrades(data.buffer), [
    { time: 1700000000500, price: 88000.5, size: 0.01, side: "Buy" },
    { time: 1700000000400, price: 88000.0, size: 0.2, side: "Sell" },
  ]);
});
