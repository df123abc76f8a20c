"""Positions and open orders: live PnL, and close / cancel / TP-SL as kernel tasks with visible outcomes."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import bybit_widgets as bw
from bybit_widgets.widgets.positions import unrealised_pnl

from .conftest import live_session, wait_for


def test_unrealised_pnl_sign():
    assert unrealised_pnl("Buy", Decimal("0.5"), Decimal(100), Decimal(110)) == Decimal("5.0")
    assert unrealised_pnl("Sell", Decimal("0.5"), Decimal(100), Decimal(110)) == Decimal("-5.0")
    assert unrealised_pnl("", Decimal(0), Decimal(100), Decimal(110)) is None
    assert unrealised_pnl("Buy", Decimal(1), None, Decimal(110)) is None


def test_positions_follow_fills_and_actions_run_as_tasks(sim, account):
    key, _ = account

    async def main():
        async with live_session(sim, account) as session:
            client = session.aclient
            # an order and a position that exist before the widget: they come from the REST seed
            await client.place_order(category="linear", symbol="ETHUSDT", side="Sell", order_type="Market", qty="0.10")
            book = session.streams.order_book("BTCUSDT", depth=50)
            await book.ready(timeout=10)
            resting = await client.place_order(
                category="linear",
                symbol="BTCUSDT",
                side="Buy",
                order_type="Limit",
                qty="0.001",
                price=f"{book.latest.best_bid - 500:.1f}",
            )
            widget = bw.Positions(session=session)
            await wait_for(lambda: widget.positions and widget.orders, what="the seeded position and order")
            seeded = ([dict(p) for p in widget.positions], [dict(o) for o in widget.orders])
            # a fill after the widget exists comes from the private stream
            await client.place_order(category="linear", symbol="BTCUSDT", side="Buy", order_type="Market", qty="0.004")
            await wait_for(lambda: {p["symbol"] for p in widget.positions} == {"ETHUSDT", "BTCUSDT"}, what="2 rows")
            await wait_for(lambda: all(p["pnl"] is not None for p in widget.positions), what="live PnL")
            # actions: the handler returns at once; double clicks do nothing twice
            widget._on_custom_msg(
                widget, {"type": "tpsl", "symbol": "BTCUSDT", "take_profit": "200000", "stop_loss": "1000.05"}, []
            )
            await wait_for(lambda: widget.notice.get("kind") == "error", what="the off-tick stop loss refusal")
            bad_tick = widget.notice["text"]
            widget._on_custom_msg(
                widget, {"type": "tpsl", "symbol": "BTCUSDT", "take_profit": "200000", "stop_loss": "1000"}, []
            )
            await wait_for(lambda: next(p for p in widget.positions if p["symbol"] == "BTCUSDT")["tp"], what="TP")
            widget._on_custom_msg(widget, {"type": "cancel", "order_id": resting.order_id, "symbol": "BTCUSDT"}, [])
            assert widget.busy == [f"cancel:{resting.order_id}"]
            widget._on_custom_msg(widget, {"type": "cancel", "order_id": resting.order_id, "symbol": "BTCUSDT"}, [])
            await wait_for(
                lambda: resting.order_id not in {o["order_id"] for o in widget.orders},
                what="the cancelled order to leave the list",
            )
            orders_after_cancel = [dict(o) for o in widget.orders]
            widget._on_custom_msg(widget, {"type": "close", "symbol": "ETHUSDT"}, [])
            widget._on_custom_msg(widget, {"type": "close", "symbol": "ETHUSDT"}, [])
            await wait_for(lambda: [p["symbol"] for p in widget.positions] == ["BTCUSDT"], 20, "ETHUSDT closed")
            await wait_for(lambda: not widget.busy, what="the actions to finish")
            widget._on_custom_msg(widget, {"type": "tpsl", "symbol": "BTCUSDT"}, [])  # nothing entered
            empty_tpsl = widget.error
            book.close()
            widget.close()
            return widget, seeded, bad_tick, empty_tpsl, orders_after_cancel

    widget, (seed_positions, seed_orders), bad_tick, empty_tpsl, orders_after_cancel = asyncio.run(main())
    # what is left are the position's own TP/SL orders, shown as such
    assert sorted((o["trigger"], o["type"]) for o in orders_after_cancel) == [
        ("1000.00", "Stop loss"),
        ("200000.00", "Take profit"),
    ]
    assert seed_positions[0]["symbol"] == "ETHUSDT" and seed_positions[0]["side"] == "Sell"
    assert seed_orders[0]["symbol"] == "BTCUSDT" and seed_orders[0]["status"] == "New"
    assert "stop loss 1000.05 is not a multiple of the tick 0.1: try 1000.00 or 1000.10" in bad_tick
    assert "enter a take profit or a stop loss" in empty_tpsl
    (btc,) = widget.positions
    assert btc["size"] == "0.004" and btc["tp"] == "200000.00" and btc["sl"] == "1000.00"
    eth_orders = [o for o in sim.truth_orders(key) if o["symbol"] == "ETHUSDT"]
    assert len(eth_orders) == 2, "one open and one close: the double click closed once"
    assert widget.notice["kind"] == "ok"


def test_positions_refuses_a_stop_on_the_wrong_side_of_the_price_without_a_request(sim, account):
    key, _ = account

    async def main():
        async with live_session(sim, account) as session:
            client = session.aclient
            await client.place_order(category="linear", symbol="BTCUSDT", side="Buy", order_type="Market", qty="0.004")
            widget = bw.Positions(session=session)
            await wait_for(lambda: widget.positions and widget.positions[0]["mark"], what="the long and its mark")
            sent = []
            client.set_trading_stop = lambda **kw: sent.append(kw)  # nothing may reach the exchange
            mark = Decimal(widget.positions[0]["mark"])
            above = f"{(mark * Decimal('1.2')).quantize(Decimal('0.1'))}"
            widget._on_custom_msg(widget, {"type": "tpsl", "symbol": "BTCUSDT", "stop_loss": above}, [])
            await wait_for(lambda: widget.notice.get("kind") == "error", what="the wrong-side stop loss refusal")
            notice = widget.notice["text"]
            await wait_for(lambda: not widget.busy, what="the refusal to finish")
            row = dict(widget.positions[0])
            widget.close()
            return notice, sent, row, above

    notice, sent, row, above = asyncio.run(main())
    assert notice.startswith("setting TP/SL on BTCUSDT refused, nothing sent: a buy's stop loss must be below the mark")
    assert sent == [] and row["sl"] == "" and row["tp"] == ""
    assert not [o for o in sim.truth_orders(key) if o.get("stopOrderType")], "no TP/SL order exists"
