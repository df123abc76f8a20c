"""Trading from the candle chart against the embedded exchange, judged on its ground truth.

A drag ends in the browser by writing ``[location, stamp]`` into the line's ``tags`` (``DROP_JS``);
here the kernel side is driven the same way, by setting those tags. A dropped order line amends the
same orderId at the nearest tick; one dropped on its own tick sends nothing and goes back; a refused
amend is told in words above the chart and the line goes back; a dragged TP line sets the position's
take-profit, and a stop dragged to the wrong side of the live mark price is refused unsent and goes
back; a click with a modifier key puts its price into the ticket, a plain click does nothing.
"""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import pytest
from bokeh.events import Tap

import bybit_widgets as bw
from bybit_widgets.widgets.chart_lines import LineTarget

from .conftest import live_session, wait_for

SHIFT = {"shift": True, "ctrl": False, "alt": False}


def open_orders(sim, key: str) -> list[dict]:
    return [o for o in sim.truth_orders(key) if o.get("orderStatus") in ("New", "PartiallyFilled")]


async def trading_chart(session):
    ticket = bw.OrderTicket("BTCUSDT", session=session, qty="0.001", order_type="Market")
    candles = bw.Candles("BTCUSDT", session=session, ticket=ticket)
    await ticket.ready()
    await candles.header.ready()
    await wait_for(lambda: candles.header.last.get("close"), what="the forming candle")
    return ticket, candles


def below(candles, fraction: str = "0.9") -> Decimal:
    """A price on the tick grid well below the market: a buy there rests."""
    tick = candles.header.rules.tick_size
    return (Decimal(candles.header.last["close"]) * Decimal(fraction) / tick).to_integral_value() * tick


async def resting_buy(session, candles):
    """A buy resting well below the market, once its line is on the chart: (price, ack, line)."""
    price = below(candles)
    ack = await session.aclient.place_order(
        category="linear", symbol="BTCUSDT", side="Buy", order_type="Limit", qty="0.001", price=str(price)
    )
    line = candles.chart.lines.orders[0]
    await wait_for(lambda: line.visible, what="the order's line")
    return price, ack, line


def drop(line, price: float) -> None:
    """What DROP_JS does at the end of a drag: the line at its new place, then the stamped tags."""
    line.location = price
    line.tags = [price, time.time() * 1000]


def test_a_dropped_order_line_amends_the_same_order_at_the_nearest_tick(sim, account):
    key, _ = account

    async def main():
        async with live_session(sim, account) as session:
            ticket, candles = await trading_chart(session)
            header, lines = candles.header, candles.chart.lines
            price, ack, line = await resting_buy(session, candles)
            shown = (line.location, line.editable, lines.targets[line])
            tick = header.rules.tick_size
            lower = price - 10 * tick
            drop(line, float(lower) + float(tick) * 0.3)  # a pointer is never exactly on the tick
            await wait_for(lambda: header.notice.get("kind") == "ok", what="the amend")
            await wait_for(lambda: line.location == float(lower), what="the line at the new level")
            moved = open_orders(sim, key)
            candles.close()
            ticket.close()
            return ack, price, lower, shown, moved, dict(header.notice)

    ack, price, lower, shown, moved, notice = asyncio.run(main())
    location, editable, target = shown
    assert location == float(price) and editable
    assert target.kind == "order" and target.order_id == ack.order_id and Decimal(target.price) == price
    assert [(o["orderId"], Decimal(o["price"])) for o in moved] == [(ack.order_id, lower)]
    assert notice["text"] == f"order moved to {lower}"


def test_a_line_dropped_on_its_own_tick_or_refused_goes_back_and_says_why(sim, account):
    key, _ = account

    async def main():
        async with live_session(sim, account) as session:
            ticket, candles = await trading_chart(session)
            header = candles.header
            price, _, line = await resting_buy(session, candles)
            tick = float(header.rules.tick_size)
            drop(line, float(price) + tick * 0.2)  # rounds back onto its own tick
            same = (line.location, header._gestures.guards["amend"].in_flight, dict(header.notice))
            ghost = LineTarget("order", str(price), "Buy", "no-such-order")
            header._line_dropped(ghost, float(price) - 5 * tick)
            await wait_for(lambda: header.notice.get("kind") == "error", what="the refusal")
            await wait_for(lambda: line.location == float(price), what="the line to go back")
            left = open_orders(sim, key)
            candles.close()
            ticket.close()
            return price, same, dict(header.notice), left

    price, same, refused, left = asyncio.run(main())
    location, in_flight, notice = same
    assert location == float(price) and in_flight is False and notice == {}
    assert refused["text"].startswith("amend refused: ")
    assert [Decimal(o["price"]) for o in left] == [price], "the real order was not touched"


def test_a_dragged_take_profit_line_sets_the_positions_take_profit(sim, account):
    key, _ = account

    async def main():
        async with live_session(sim, account) as session:
            ticket, candles = await trading_chart(session)
            header, lines = candles.header, candles.chart.lines
            await session.aclient.place_order(
                category="linear", symbol="BTCUSDT", side="Buy", order_type="Market", qty="0.001"
            )
            first = below(candles, "1.1")
            await session.aclient.set_trading_stop(category="linear", symbol="BTCUSDT", take_profit=str(first))
            tp = lines.stops["take_profit"]
            await wait_for(lambda: tp.visible and tp.location == float(first), what="the take-profit line")
            higher = first + 20 * header.rules.tick_size
            drop(tp, float(higher))
            await wait_for(lambda: header.notice.get("kind") == "ok", what="the trading stop")
            await wait_for(lambda: tp.location == float(higher), what="the line at the new take-profit")
            entry = lines.entry.visible
            candles.close()
            ticket.close()
            return higher, dict(header.notice), entry

    higher, notice, entry = asyncio.run(main())
    (position,) = [p for p in sim.truth_positions(key) if p["symbol"] == "BTCUSDT" and Decimal(p["size"])]
    assert Decimal(position["takeProfit"]) == higher
    assert notice["text"].startswith("take-profit set to ") and entry


def test_a_stop_loss_line_dragged_above_a_longs_mark_is_refused_unsent_and_goes_back_one_below_is_set(sim, account):
    key, _ = account

    async def main():
        async with live_session(sim, account) as session:
            ticket, candles = await trading_chart(session)
            header, lines, client = candles.header, candles.chart.lines, session.aclient
            await client.place_order(category="linear", symbol="BTCUSDT", side="Buy", order_type="Market", qty="0.001")
            first = below(candles, "0.9")
            await client.set_trading_stop(category="linear", symbol="BTCUSDT", stop_loss=str(first))
            sl = lines.stops["stop_loss"]
            await wait_for(lambda: sl.visible and sl.location == float(first), what="the stop-loss line")
            feed = header._gestures._ticker
            await wait_for(lambda: feed.latest is not None and feed.latest.mark_price, what="the live mark")
            sent, real = [], client.set_trading_stop

            async def recorded(**kw):
                sent.append(kw)
                return await real(**kw)

            client.set_trading_stop = recorded
            above = below(candles, "1.05")  # a long's stop loss above the price now: Bybit would refuse it
            drop(sl, float(above))
            await wait_for(lambda: header.notice.get("kind") == "error", what="the wrong-side refusal")
            refused = (dict(header.notice), list(sent), header._gestures.guards["stop"].in_flight)
            await wait_for(lambda: sl.location == float(first), what="the line to go back")
            lower = first - 20 * header.rules.tick_size
            drop(sl, float(lower))
            await wait_for(lambda: header.notice.get("kind") == "ok", what="the right-side stop loss")
            await wait_for(lambda: sl.location == float(lower), what="the line at the new stop loss")
            candles.close()
            ticket.close()
            return refused, sent, lower

    (notice, sent_then, in_flight), sent, lower = asyncio.run(main())
    assert notice["text"].startswith("nothing sent: a buy's stop loss must be below the mark price ")
    assert sent_then == [] and in_flight is False, "the refused drop reached nothing"
    assert [(kw["stop_loss"], kw["position_idx"]) for kw in sent] == [(str(lower), 0)]
    (position,) = [p for p in sim.truth_positions(key) if p["symbol"] == "BTCUSDT" and Decimal(p["size"])]
    assert Decimal(position["stopLoss"]) == lower


def test_a_click_with_a_modifier_puts_its_price_into_the_ticket_and_a_plain_click_does_nothing(sim):
    async def main():
        async with live_session(sim) as session:
            ticket, candles = await trading_chart(session)
            figure = candles.chart.price
            price = below(candles)
            y = float(price) + float(candles.header.rules.tick_size) * 0.4
            figure._trigger_event(Tap(figure, x=0.0, y=y, modifiers={"shift": False, "ctrl": False, "alt": False}))
            plain = (ticket.order_type, ticket.price)
            figure._trigger_event(Tap(figure, x=0.0, y=y, modifiers=SHIFT))
            picked = (ticket.order_type, ticket.price, dict(candles.header.notice))
            candles.close()
            ticket.close()
            return price, plain, picked

    price, plain, picked = asyncio.run(main())
    assert plain[0] == "Market"
    order_type, ticket_price, notice = picked
    assert order_type == "Limit" and Decimal(ticket_price) == price
    assert notice["kind"] == "info" and str(price) in notice["text"]


def test_without_a_ticket_the_chart_lines_do_not_drag_and_a_ticket_must_be_a_ticket(sim):
    async def main():
        async with live_session(sim) as session:
            candles = bw.Candles("BTCUSDT", session=session)
            state = (candles.header.trading, [line.editable for line in candles.chart.lines.targets])
            candles.close()
            return state

    trading, editable = asyncio.run(main())
    assert trading is False and not any(editable)
    with pytest.raises(TypeError, match="bw.OrderTicket"):
        bw.Candles("BTCUSDT", ticket="not a ticket")
