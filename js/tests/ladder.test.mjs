import { test } from "node:test";
import assert from "node:assert/strict";
import { ladderRows, spreadOf, changedLevels, ownByLevel, isSane, groupingChoices, rowGesture, dropAmend, hotkey, rungColumns, rungTop, RUNG_PX } from "../lib/ladder.js";

const book = {
  bids: [
    [100, 2],
    [99, 4],
  ],
  asks: [
    [101, 1],
    [102, 3],
  ],
};

test("bars share one scale across sides", () => {
  const { bids, asks } = ladderRows(book, false);
  assert.deepEqual(bids.map((r) => r.frac), [0.5, 1]);
  assert.deepEqual(asks.map((r) => r.frac), [0.25, 0.75]);
  assert.deepEqual(bids.map((r) => r.total), [2, 6]);
});

test("cumulative bars scale by running totals", () => {
  const { bids, asks } = ladderRows(book, true);
  assert.deepEqual(bids.map((r) => r.frac), [2 / 6, 1]);
  assert.deepEqual(asks.map((r) => r.frac), [1 / 6, 4 / 6]);
});

test("an empty book has no rows and no NaN", () => {
  const { bids, asks } = ladderRows({ bids: [], asks: [] });
  assert.equal(bids.length + asks.length, 0);
  assert.deepEqual(spreadOf({ bids: [], asks: [[1, 1]] }), { mid: null, spread: null, bps: null });
});

test("spread and mid", () => {
  const s = spreadOf(book);
  assert.equal(s.mid, 100.5);
  assert.equal(s.spread, 1);
  assert.ok(Math.abs(s.bps - 99.502) < 0.01);
});

test("changed levels: nothing on the first frame, then new and noticeably resized prices", () => {
  const first = changedLevels(new Map(), book.bids);
  assert.equal(first.changed.size, 0);
  const second = changedLevels(first.sizes, [
    [100, 2.1], // +5 %: a nudge, not news
    [99, 2], // halved
    [98, 1], // new
  ]);
  assert.deepEqual([...second.changed.entries()].sort(), [
    [98, 1],
    [99, -1],
  ]);
  const third = changedLevels(second.sizes, [[100, 2.1], [99, 3]], 0.25);
  assert.deepEqual([...third.changed.entries()], [[99, 1]]);
});

test("own orders are keyed by side and price", () => {
  const own = ownByLevel([
    [100, "bid", 0.5, 1],
    [101, "ask", 0.2, 2],
  ]);
  assert.deepEqual(own.get("bid:100"), { qty: 0.5, count: 1, orders: [], key: "1x0.5" });
  assert.deepEqual(own.get("ask:101"), { qty: 0.2, count: 2, orders: [], key: "2x0.2" });
  assert.equal(own.get("ask:100"), undefined);
  assert.equal(ownByLevel(undefined).size, 0);
});

test("own orders carry each order, and their key changes only when an order does", () => {
  const entry = [100, "bid", 0.5, 2, [["id-1", "link-1", "100.0", "0.2"], ["id-2", "", "100.1", "0.3"]]];
  const level = ownByLevel([entry]).get("bid:100");
  assert.deepEqual(level.orders, [
    { id: "id-1", linkId: "link-1", price: "100.0", qty: "0.2" },
    { id: "id-2", linkId: "", price: "100.1", qty: "0.3" },
  ]);
  assert.equal(ownByLevel([entry]).get("bid:100").key, level.key);
  const moved = [100, "bid", 0.5, 2, [["id-1", "link-1", "100.0", "0.2"], ["id-2", "", "100.1", "0.1"]]];
  assert.notEqual(ownByLevel([moved]).get("bid:100").key, level.key);
});

test("a click on a row picks its price, a shift-click places, a click on a marker's x cancels", () => {
  assert.equal(rowGesture({ onRow: true, onCancel: false, shift: false }), "pick");
  assert.equal(rowGesture({ onRow: true, onCancel: false, shift: true }), "place");
  assert.equal(rowGesture({ onRow: true, onCancel: true, shift: true }), "cancel");
  assert.equal(rowGesture({ onRow: false, onCancel: false, shift: true }), null);
});

test("a dragged order amends only when dropped on another row", () => {
  const drag = { orderId: "id-1", orderPrice: "100.0", rowPrice: "100" };
  assert.deepEqual(dropAmend(drag, "99.5"), { type: "amend", order_id: "id-1", from_price: "100.0", price: "99.5" });
  assert.equal(dropAmend(drag, "100"), null); // the row it started from
  assert.equal(dropAmend(drag, null), null); // dropped off the ladder
  assert.equal(dropAmend({ ...drag, orderId: "" }, "99"), null);
});

test("hotkeys pick the side and Esc disarms", () => {
  assert.equal(hotkey("b"), "Buy");
  assert.equal(hotkey("S"), "Sell");
  assert.equal(hotkey("Escape"), "disarm");
  assert.equal(hotkey("x"), null);
});

test("a hotkey with ctrl, meta or alt is left to the page (ctrl+s saves, it does not pick sell)", () => {
  assert.equal(hotkey("s", { ctrlKey: true }), null);
  assert.equal(hotkey("b", { metaKey: true }), null);
  assert.equal(hotkey("S", { altKey: true }), null);
  assert.equal(hotkey("S", { shiftKey: true }), "Sell");
});

test("sanity: sorted and uncrossed", () => {
  assert.ok(isSane(book));
  assert.ok(!isSane({ bids: [[99, 1], [100, 1]], asks: [] }));
  assert.ok(!isSane({ bids: [[101, 1]], asks: [[101, 1]] }));
});

test("grouping choices stay sensible for the tick", () => {
  assert.deepEqual(groupingChoices(0.1), [1, 2, 5, 10, 20, 50, 100, 250, 500, 1000]);
  assert.deepEqual(groupingChoices(1), [1, 2, 5, 10, 20, 50, 100, 250, 500, 1000]);
  assert.deepEqual(groupingChoices(10), [1, 2, 5, 10, 20, 50, 100]);
  assert.deepEqual(groupingChoices(0), [1]);
});

test("the canvas cells sit where the flex row puts them: padding, marker column, three equal cells", () => {
  const cols = rungColumns(300, 12);
  const cell = (300 - 8 - 12 - 18) / 3;
  assert.deepEqual(cols.price, { left: 4 + 12 + 6, width: cell });
  assert.equal(cols.size.left, cols.price.left + cell + 6);
  assert.equal(cols.total.left + cols.total.width, 300 - 4); // the last cell ends at the right padding
  assert.equal(rungColumns(10, 30).price.width, 0); // too narrow: empty cells, never negative
});

test("bids go down from the spread and asks up from it, one row height apart", () => {
  assert.equal(rungTop("bid", 0, 25), 0);
  assert.equal(rungTop("bid", 3, 25), 3 * RUNG_PX);
  assert.equal(rungTop("ask", 0, 25), 24 * RUNG_PX); // best ask at the bottom, next to the spread
  assert.equal(rungTop("ask", 24, 25), 0);
});
