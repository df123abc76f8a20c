"""Trading from the ladder against the embedded exchange, through the view's messages.

Judged on the exchange's ground truth (``sim.truth_orders``): a click picks the price and places
nothing; a shift-click places only when armed, exactly once for two clicks 150 ms apart; a dragged
marker amends the same orderId, a drop on its own row sends nothing; the x cancels; mainnet arming
needs the opt-in and a confirm; every refusal is said on the ladder (``notice``).
"""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import pytest

import bybit_widgets as bw
from bybit_widgets.session import Session
from bybit_widgets.widgets.gestures import Gestures
from bybit_widgets.widgets.ticket import CONFIRM_SECONDS

from .conftest import live_session, wait_for
from .test_ticket import click


def run(coro):
    return asyncio.run(coro)


def open_orders(sim, key: str) -> list[dict]:
    return [o for o in sim.truth_orders(key) if o.get("orderStatus") in ("New", "PartiallyFilled")]


async def ladder(session, **ticket_form):
    ticket = bw.OrderTicket("BTCUSDT", session=session, qty="0.001", **ticket_form)
    book = bw.OrderBook("BTCUSDT", session=session, ticket=ticket)
    await ticket.ready()
    await book.ready()
    await wait_for(lambda: book._book.latest is not None and book._book.latest.bids, what="a book")
    return ticket, book


def far_bid(book) -> Decimal:
    """A bid price well below the market, on the tick grid: an order there rests."""
    best = Decimal(str(book._book.latest.bids[0][0]))
    tick = book.rules.tick_size
    return (best * Decimal("0.9") / tick).to_integral_value() * tick


def test_a_click_on_a_row_sets_the_ticket_to_limit_at_that_price_and_places_nothing(sim, account):
    key, _ = account

    async def main():
        async with live_session(sim, account) as session:
            ticket, book = await ladder(session, order_type="Market")
            price = far_bid(book)
            click(book, {"type": "pick", "price": str(price)})
            form = (ticket.order_type, ticket.price)
            click(book, {"type": "side", "side": "Sell"})
            side = ticket.side
            book.close()
            ticket.close()
            return book.rules.format_price(price), form, side

    price, form, side = run(main())
    assert form == ("Limit", price) and side == "Sell"
    assert open_orders(sim, key) == []


def test_an_unarmed_shift_click_places_nothing_and_says_why(sim, account):
    key, _ = account

    async def main():
        async with live_session(sim, account) as session:
            ticket, book = await ladder(session)
            click(book, {"type": "place", "price": str(far_bid(book)), "side": "bid"})
            notice = dict(book.notice)
            armed = book.armed
            book.close()
            ticket.close()
            return notice, armed

    notice, armed = run(main())
    assert not armed and notice["kind"] == "info" and "arm it" in notice["text"]
    assert open_orders(sim, key) == []


def test_the_view_cannot_arm_by_setting_the_trait(sim, account):
    async def main():
        async with live_session(sim, account) as session:
            ticket, book = await ladder(session)
            book.armed = True  # what a view's model.set("armed", true) arrives as
            forged = book.armed
            click(book, {"type": "arm", "on": True})
            armed = book.armed
            click(book, {"type": "arm", "on": False})
            book.close()
            ticket.close()
            return forged, armed, book.armed

    assert run(main()) == (False, True, False)


def test_two_armed_shift_clicks_150_ms_apart_place_one_order_at_that_price(sim, account):
    key, _ = account

    async def main():
        async with live_session(sim, account) as session:
            ticket, book = await ladder(session)
            click(book, {"type": "arm", "on": True})
            price = far_bid(book)
            seen = []
            book.observe(lambda change: seen.append(change["new"]), names=["notice"])
            click(book, {"type": "place", "price": str(price), "side": "bid"})
            await asyncio.sleep(0.15)  # a person's double click: the gap is the test's input, not a wait
            click(book, {"type": "place", "price": str(price), "side": "bid"})
            second = dict(book.notice)
            await wait_for(lambda: len(open_orders(sim, key)) == 1, what="the order")
            await wait_for(lambda: any(n.get("kind") == "ok" for n in seen), what="the outcome on the ladder")
            book.close()
            ticket.close()
            return price, second, ticket, seen

    price, second, ticket, seen = run(main())
    assert [n["kind"] for n in seen][:1] == ["info"] and "sending" in seen[0]["text"]
    (order,) = open_orders(sim, key)
    assert order["side"] == "Buy" and Decimal(order["price"]) == price and order["qty"] == "0.001"
    assert second["kind"] == "info" and "nothing placed" in second["text"]
    assert ticket.double_submits_blocked >= 1


def test_a_dragged_marker_amends_the_same_order_and_a_drop_on_its_row_sends_nothing(sim, account):
    key, _ = account

    async def main():
        async with live_session(sim, account) as session:
            ticket, book = await ladder(session)
            price = far_bid(book)
            ack = await session.aclient.place_order(
                category="linear", symbol="BTCUSDT", side="Buy", order_type="Limit", qty="0.001", price=str(price)
            )
            await wait_for(lambda: book.own, what="the marker")
            (level,) = book.own
            marker = level[4][0]
            click(book, {"type": "amend", "order_id": ack.order_id, "from_price": marker[2], "price": marker[2]})
            assert book._gestures.guards["amend"].in_flight is False  # nothing was sent
            lower = price - book.rules.tick_size * 10
            click(book, {"type": "amend", "order_id": ack.order_id, "from_price": marker[2], "price": str(lower)})
            await wait_for(lambda: book.notice.get("kind") == "ok", what="the amend")
            moved = [o for o in open_orders(sim, key) if o["orderId"] == ack.order_id]
            click(book, {"type": "amend", "order_id": ack.order_id, "price": str(lower - 1)})  # within the hold
            held = dict(book.notice)
            guard = book._gestures.guards["amend"]
            await wait_for(lambda: not guard.holding(time.monotonic()), timeout=3, what="the hold to end")
            click(book, {"type": "amend", "order_id": ack.order_id, "price": f"{lower}3"})  # off the tick grid
            off_grid = dict(book.notice)
            click(book, {"type": "cancel", "order_id": ack.order_id})
            await wait_for(lambda: not open_orders(sim, key), what="the cancel")
            book.close()
            ticket.close()
            return marker, ack, moved, lower, held, off_grid

    marker, ack, moved, lower, held, off_grid = run(main())
    assert marker[0] == ack.order_id
    assert held["kind"] == "info" and "just now" in held["text"]
    assert len(moved) == 1 and Decimal(moved[0]["price"]) == lower
    assert off_grid["kind"] == "error" and "tick" in off_grid["text"]


def test_arming_on_mainnet_needs_the_opt_in_and_then_a_confirm(sim, account):
    async def main():
        async with live_session(sim, account) as real:
            results = {}
            for opt_in in (False, True):
                session = Session("mainnet", real.client, real.aclient, real.streams, allow_mainnet_trading=opt_in)
                ticket = bw.OrderTicket("BTCUSDT", session=session, qty="0.001")
                book = bw.OrderBook("BTCUSDT", session=session, ticket=ticket)
                click(book, {"type": "arm", "on": True})
                asked = dict(book.arm_confirm)
                first = (book.armed, dict(book.notice))
                if asked:
                    click(book, {"type": "arm_confirm", "token": "forged"})
                    forged = book.armed
                    click(book, {"type": "arm", "on": True})
                    click(book, {"type": "arm_confirm", "token": book.arm_confirm["token"]})
                    results[opt_in] = (first, asked, forged, book.armed)
                else:
                    results[opt_in] = (first, asked, None, book.armed)
                book.close()
                ticket.close()
            return results

    results = run(main())
    (armed, notice), asked, _, finally_armed = results[False]
    assert not armed and not asked and not finally_armed
    assert notice["kind"] == "error" and "allow_mainnet_trading=True" in notice["text"]
    (armed, _), asked, forged, finally_armed = results[True]
    assert not armed and "MAINNET" in asked["summary"] and forged is False and finally_armed is True


def test_a_mainnet_arm_confirm_older_than_the_tickets_confirm_window_is_void(sim, account):
    async def main():
        async with live_session(sim, account) as real:
            session = Session("mainnet", real.client, real.aclient, real.streams, allow_mainnet_trading=True)
            ticket = bw.OrderTicket("BTCUSDT", session=session, qty="0.001")
            book = bw.OrderBook("BTCUSDT", session=session, ticket=ticket)
            click(book, {"type": "arm", "on": True})
            token = book.arm_confirm["token"]
            book._arm_asked_at -= CONFIRM_SECONDS + 1  # the confirm bar was left open that long
            click(book, {"type": "arm_confirm", "token": token})
            outcome = (book.armed, dict(book.arm_confirm), dict(book.notice))
            book.close()
            ticket.close()
            return outcome

    armed, asked, notice = run(main())
    assert armed is False and asked == {}
    assert "expired" in notice["text"] and "arm again" in notice["text"]


def test_an_armed_ladder_switched_to_another_symbol_is_disarmed_and_says_so(sim, account):
    async def main():
        async with live_session(sim, account) as session:
            ticket = bw.OrderTicket("BTCUSDT", session=session, qty="0.001")
            book = bw.OrderBook("BTCUSDT", session=session, ticket=ticket)
            await book.ready()
            armed = book.arm()
            book.symbol = "ETHUSDT"
            outcome = (armed, book.armed, dict(book.notice))
            book.close()
            ticket.close()
            return outcome

    was_armed, armed, notice = run(main())
    assert was_armed is True and armed is False
    assert "ETHUSDT" in notice["text"] and "arm it again" in notice["text"]


def test_a_plain_ladder_refuses_to_arm_and_a_ticket_must_be_a_ticket(sim):
    async def main():
        async with live_session(sim) as session:
            book = bw.OrderBook("BTCUSDT", session=session)
            click(book, {"type": "arm", "on": True})
            notice = dict(book.notice)
            book.close()
            return notice, book.trading

    notice, trading = run(main())
    assert not trading and "needs a ticket" in notice["text"]
    with pytest.raises(TypeError, match="bw.OrderTicket"):
        bw.OrderBook("BTCUSDT", ticket="not a ticket")


def test_a_dragged_take_profit_sets_the_positions_trading_stop_and_an_off_grid_one_sends_nothing(sim, account):
    """The trading-stop gesture the chart's TP/SL lines use, through the same gestures object as the ladder."""
    key, _ = account

    async def main():
        async with live_session(sim, account) as session:
            ticket, book = await ladder(session)
            await session.aclient.place_order(
                category="linear", symbol="BTCUSDT", side="Buy", order_type="Market", qty="0.001"
            )
            best = Decimal(str(book._book.latest.asks[0][0]))
            tick = book.rules.tick_size
            target = (best * Decimal("1.1") / tick).to_integral_value() * tick
            told = []
            gestures = Gestures(book, lambda kind, text: told.append((kind, text)))
            assert gestures.set_stop("take_profit", f"{target}3") is None  # off the grid: nothing sent
            await asyncio.wrap_future(gestures.set_stop("take_profit", str(target)))
            book.close()
            ticket.close()
            return target, told

    target, told = run(main())
    (position,) = [p for p in sim.truth_positions(key) if p["symbol"] == "BTCUSDT" and Decimal(p["size"])]
    assert Decimal(position["takeProfit"]) == target
    assert told[0][0] == "error" and "tick" in told[0][1]
    assert told[1][0] == "ok" and told[1][1].startswith("take-profit set to ")
