"""The order ticket against the embedded exchange: never blocks, never doubles, says what happened."""

from __future__ import annotations

import asyncio
import time

import bybit_widgets as bw
from bybit_widgets.session import Session

from .conftest import live_session, wait_for


def run(coro):
    return asyncio.run(coro)


def click(widget, message: dict) -> float:
    """Deliver a message as the view would (through the comm handler); return how long the handler took."""
    start = time.perf_counter()
    widget._on_custom_msg(widget, message, [])
    return time.perf_counter() - start


def orders_of(sim, key: str, link_id: str) -> list[dict]:
    return [o for o in sim.truth_orders(key) if o.get("orderLinkId") == link_id]


def test_market_order_fills_and_a_double_click_places_one_order(sim, account):
    key, _ = account

    async def main():
        async with live_session(sim, account) as session:
            ticket = bw.OrderTicket("BTCUSDT", session=session, side="Buy", order_type="Market", qty="0.01")
            positions = bw.Positions(session=session)
            await ticket.ready()
            took = [click(ticket, {"type": "submit"}), click(ticket, {"type": "submit"})]
            assert ticket.status["status"] == "sending"
            link = ticket.status["order_link_id"]
            await wait_for(lambda: ticket.status["status"] == "filled", what="the fill")
            await wait_for(lambda: positions.positions, what="the position row")
            ticket.close()
            positions.close()
            return took, link, ticket, positions

    took, link, ticket, positions = run(main())
    assert max(took) < 0.02, f"the comm handler waited: {took}"
    assert ticket.double_submits_blocked == 1
    assert len(orders_of(sim, key, link)) == 1
    (row,) = positions.positions
    assert row["symbol"] == "BTCUSDT" and row["side"] == "Buy" and row["size"] == "0.010"
    assert ticket.position == {"side": "Buy", "size": "0.010", "entry": row["entry"]}
    assert ticket.status["message"].startswith("0.010 @ ")


def test_a_click_after_a_fast_fill_places_nothing_until_a_second_has_passed(sim, account):
    """One order per intent: the fill lands well under the 150 ms of a double click, so the guard
    holds for a second after the outcome; the next deliberate order then goes through."""
    key, _ = account

    async def main():
        async with live_session(sim, account) as session:
            ticket = bw.OrderTicket("BTCUSDT", session=session, side="Buy", order_type="Market", qty="0.001")
            await ticket.ready()
            click(ticket, {"type": "submit"})
            first = ticket.status["order_link_id"]
            await wait_for(lambda: ticket.status["status"] in ("accepted", "filled"), what="the first outcome")
            answered = time.monotonic()
            held = ticket.holding
            click(ticket, {"type": "submit"})  # the second click of a double click, after the fill
            second_refused = ticket.status.get("order_link_id") == first
            await wait_for(lambda: not ticket.holding, 3, "the hold to end")
            held_for = time.monotonic() - answered
            click(ticket, {"type": "submit"})
            second = ticket.status["order_link_id"]
            await wait_for(lambda: ticket.status["status"] == "filled", what="the second fill")
            ticket.close()
            return held, second_refused, held_for, first, second, ticket

    held, second_refused, held_for, first, second, ticket = run(main())
    assert held and second_refused
    assert ticket.double_submits_blocked == 1
    assert 0.9 <= held_for < 1.5, f"the hold lasted {held_for:.2f} s"
    assert second != first
    assert len(orders_of(sim, key, first)) == 1 and len(orders_of(sim, key, second)) == 1


def test_the_handler_returns_while_the_exchange_does_not_answer(sim, account):
    """The create is executed but never answered: the ticket waits in a task, the kernel stays free."""
    key, _ = account

    async def main():
        async with live_session(sim, account, timeout=1.5) as session:
            ticket = bw.OrderTicket("BTCUSDT", session=session, side="Sell", order_type="Market", qty="0.002")
            await ticket.ready()
            sim.fault("timeout", path="/v5/order/create", count=1, after_processing=True)
            took = click(ticket, {"type": "submit"})
            link = ticket.status["order_link_id"]
            loop = asyncio.get_running_loop()
            t0 = loop.time()
            await asyncio.sleep(0.05)  # the loop keeps turning while the request hangs
            turned = loop.time() - t0
            again = click(ticket, {"type": "submit"})
            await wait_for(lambda: ticket.status["status"] in ("filled", "accepted", "rejected"), 20, "an outcome")
            await wait_for(lambda: ticket.status["status"] == "filled", 10, "the fill from the stream")
            ticket.close()
            return took, turned, again, link, ticket

    took, turned, again, link, ticket = run(main())
    assert took < 0.02 and again < 0.02 and turned < 0.5
    assert ticket.double_submits_blocked == 1
    assert len(orders_of(sim, key, link)) == 1, "a timed-out create must not be resent blindly"


def test_rejections_are_in_plain_words_and_invalid_forms_send_nothing(sim, account):
    key, _ = account

    async def main():
        async with live_session(sim, account) as session:
            ticket = bw.OrderTicket(
                "BTCUSDT", session=session, side="Buy", order_type="Limit", qty="0.0015", price="88000.05"
            )
            await ticket.ready()
            await wait_for(
                lambda: (
                    ticket.status["status"] == "invalid"  # (checked against the loaded rules)
                    and any(p["field"] == "price" for p in ticket.problems)
                ),
                what="live validation",
            )
            problems = list(ticket.problems)
            click(ticket, {"type": "submit"})
            refused_locally = dict(ticket.status)
            ticket.order_type, ticket.qty, ticket.price = "Market", "400", ""  # valid, far beyond the balance
            await wait_for(lambda: ticket.status["status"] == "idle", what="a valid form")
            click(ticket, {"type": "submit"})
            await wait_for(lambda: ticket.status["status"] == "rejected", what="the exchange's refusal")
            ticket.close()
            return problems, refused_locally, ticket

    problems, refused_locally, ticket = run(main())
    fields = {p["field"]: p for p in problems}
    assert fields["price"]["suggestions"] == ["88000.00", "88000.10"]
    assert fields["qty"]["suggestions"] == ["0.001", "0.002"]
    assert refused_locally["status"] == "invalid" and "tick size" in refused_locally["message"]
    assert "(code 110007)" in ticket.status["message"] and "Not enough available balance" in ticket.status["message"]
    assert sim.truth_orders(key) == [] or all(o["orderStatus"] != "New" for o in sim.truth_orders(key))


def test_amend_and_cancel_the_working_order_from_the_ticket(sim, account):
    key, _ = account

    async def main():
        async with live_session(sim, account) as session:
            book = session.streams.order_book("BTCUSDT", depth=50)
            await book.ready(timeout=10)
            low = book.latest.best_bid - 300
            ticket = bw.OrderTicket(
                "BTCUSDT", session=session, side="Buy", order_type="Limit", qty="0.002", price=f"{low:.1f}"
            )
            await ticket.ready()
            click(ticket, {"type": "submit"})
            await wait_for(lambda: ticket.status.get("open") and ticket.status.get("order_id"), what="a resting order")
            link = ticket.status["order_link_id"]
            ticket.price = f"{low - 10:.1f}"
            ticket.qty = "0.003"
            assert ticket.status["status"] == "accepted", "editing the form keeps tracking the working order"
            click(ticket, {"type": "amend"})
            await wait_for(
                lambda: any(o["price"] == f"{low - 10:.2f}" and o["qty"] == "0.003" for o in orders_of(sim, key, link)),
                what="the amended order",
            )
            click(ticket, {"type": "cancel"})
            await wait_for(lambda: ticket.status["status"] == "cancelled", what="the cancel")
            book.close()
            ticket.close()
            return ticket, link

    ticket, link = run(main())
    assert ticket.error == ""
    assert orders_of(sim, key, link)[0]["orderStatus"] == "Cancelled"


def test_mainnet_needs_the_opt_in_and_a_confirm_click(sim, account):
    key, _ = account

    async def main():
        async with live_session(sim, account) as real:
            # the same exchange, labelled as mainnet: the ticket's guard is what is tested
            guarded = Session("mainnet", real.client, real.aclient, real.streams, allow_mainnet_trading=False)
            opted_in = Session("mainnet", real.client, real.aclient, real.streams, allow_mainnet_trading=True)
            refused = bw.OrderTicket("BTCUSDT", session=guarded, order_type="Market", qty="0.001")
            await refused.ready()
            click(refused, {"type": "submit"})
            refusal = dict(refused.status)
            ticket = bw.OrderTicket("BTCUSDT", session=opted_in, order_type="Market", qty="0.001")
            await ticket.ready()
            click(ticket, {"type": "submit"})
            confirm = dict(ticket.confirm)
            pending_status = ticket.status["status"]
            click(ticket, {"type": "confirm", "token": "forged"})
            after_forged = dict(ticket.confirm)
            click(ticket, {"type": "submit"})
            click(ticket, {"type": "confirm", "token": ticket.confirm["token"]})
            await wait_for(lambda: ticket.status["status"] == "filled", what="the confirmed order")
            refused.close()
            ticket.close()
            return refused, refusal, confirm, pending_status, after_forged, ticket

    refused, refusal, confirm, pending_status, after_forged, _ = run(main())
    assert not refused.can_trade and "allow_mainnet_trading=True" in refused.trade_block
    assert refusal["status"] == "rejected" and refused.env == "mainnet"
    assert confirm["summary"] == "Buy 0.001 BTC at market on MAINNET (real money)" and pending_status != "sending"
    assert after_forged == {}, "a wrong token clears the prompt and places nothing"
    assert len([o for o in sim.truth_orders(key)]) == 1


def test_without_keys_the_ticket_says_trading_needs_one(sim):
    async def main():
        async with live_session(sim) as session:
            ticket = bw.OrderTicket("BTCUSDT", session=session, order_type="Market", qty="0.001")
            await ticket.ready()
            click(ticket, {"type": "submit"})
            positions = bw.Positions(session=session)
            await wait_for(lambda: positions.conn_state == "closed", what="the positions badge")
            ticket.close()
            positions.close()
            return ticket, positions

    ticket, positions = run(main())
    assert not ticket.can_trade and "no API key" in ticket.trade_block
    assert ticket.status["status"] == "rejected"
    assert not positions.available and "no API key" in positions.conn_reason
