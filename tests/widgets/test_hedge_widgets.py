"""Hedge mode in the widgets: the ticket opens and closes each side, Positions shows and acts on both.

Rule relied on (Bybit v5 "Place Order"): in hedge mode ``positionIdx`` 1 is the long and 2 the
short; a Buy on 1 / Sell on 2 opens, a Sell on 1 / Buy on 2 closes (reduce-only).
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

import bybit_widgets as bw

from .conftest import live_session, wait_for

ETH = {"category": "linear", "symbol": "ETHUSDT"}


def submit(ticket: bw.OrderTicket, **fields) -> None:
    for name, value in fields.items():
        setattr(ticket, name, value)
    ticket._on_custom_msg(ticket, {"type": "submit"}, [])


def test_the_ticket_opens_each_side_and_closes_the_one_the_box_names(sim, account):
    key, _ = account

    async def main():
        async with live_session(sim, account) as session:
            await session.aclient.switch_position_mode(**ETH, mode=3)
            ticket = bw.OrderTicket("ETHUSDT", session=session, order_type="Market", qty="0.30", hold=0)
            positions = bw.Positions(session=session)
            await ticket.ready()
            await wait_for(lambda: ticket.position.get("hedge"), what="the ticket to know the mode")
            hedge_hint = ticket.check().summary
            submit(ticket, side="Buy")
            await wait_for(lambda: ticket.status["status"] == "filled", what="the long")
            submit(ticket, side="Sell", qty="0.20")
            await wait_for(lambda: len(ticket.position["legs"]) == 2, what="both legs")
            await wait_for(lambda: len(positions.positions) == 2, what="two Positions rows")
            rows = [dict(p) for p in positions.positions]
            submit(ticket, side="Buy", qty="0.05", reduce_only=True)  # closes part of the short
            closing = ticket.check().summary
            await wait_for(lambda: any(leg["size"] == "0.15" for leg in ticket.position["legs"]), what="short 0.15")
            legs = list(ticket.position["legs"])
            ticket.close()
            return hedge_hint, rows, closing, legs, positions

    hedge_hint, rows, closing, legs, positions = asyncio.run(main())
    assert hedge_hint.endswith("(open long)") and closing.endswith("(close short)")
    assert [(r["key"], r["position_idx"], r["side"], r["size"]) for r in rows] == [
        ("ETHUSDT/long", 1, "Buy", "0.30"),
        ("ETHUSDT/short", 2, "Sell", "0.20"),
    ]
    assert legs == [
        {"side": "Buy", "size": "0.30", "entry": legs[0]["entry"]},
        {"side": "Sell", "size": "0.15", "entry": legs[1]["entry"]},
    ]
    positions.close()
    held = {(p["positionIdx"], p["size"]) for p in sim.truth_positions(key)}
    assert held == {(1, "0.30"), (2, "0.15")}  # the two sides never netted


def test_positions_closes_and_protects_one_side_of_a_hedged_symbol(sim, account):
    key, _ = account

    async def main():
        async with live_session(sim, account) as session:
            client = session.aclient
            await client.switch_position_mode(**ETH, mode=3)
            await client.place_order(**ETH, side="Buy", order_type="Market", qty="0.10", position_idx=1)
            await client.place_order(**ETH, side="Sell", order_type="Market", qty="0.10", position_idx=2)
            widget = bw.Positions(session=session)
            await wait_for(lambda: len(widget.positions) == 2, what="both sides")
            mark = Decimal(widget.positions[0]["mark"])
            take = f"{(mark * Decimal('0.8')).quantize(Decimal('0.01'))}"
            widget._on_custom_msg(
                widget, {"type": "tpsl", "symbol": "ETHUSDT", "position_idx": 2, "take_profit": take}, []
            )
            await wait_for(lambda: widget.positions[1]["tp"], what="the short's TP")
            widget._on_custom_msg(widget, {"type": "close", "symbol": "ETHUSDT", "position_idx": 1}, [])
            assert widget.busy == ["close:ETHUSDT/long"]
            await wait_for(lambda: [p["key"] for p in widget.positions] == ["ETHUSDT/short"], 20, "the long closed")
            await wait_for(lambda: not widget.busy, what="the close to finish")
            notice = dict(widget.notice)
            widget._on_custom_msg(widget, {"type": "close", "symbol": "ETHUSDT", "position_idx": 7}, [])
            bad = widget.error
            rows = [dict(p) for p in widget.positions]
            widget.close()
            return rows, notice, bad, take

    rows, notice, bad, take = asyncio.run(main())
    (short,) = rows
    assert short["side"] == "Sell" and short["tp"] == take and short["hedged"]
    assert notice == {"kind": "ok", "text": "closed ETHUSDT long"}
    assert "position_idx must be 0 (one-way), 1 (long) or 2 (short)" in bad
    assert {(p["positionIdx"], p["size"]) for p in sim.truth_positions(key)} == {(2, "0.10")}
