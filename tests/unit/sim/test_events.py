"""The private events of an operation: delivered once it is finished, topic by topic, past a failing listener."""

from __future__ import annotations

import logging

import pytest

from .helpers import Recorder, make_exchange, order


def test_a_fill_publishes_order_execution_position_wallet_in_that_order() -> None:
    ex = make_exchange()
    rec = Recorder(ex)
    order(ex, side="Buy", orderType="Market", qty="0.01")
    assert [topic for _, topic, _ in rec.events] == ["order", "execution", "position", "wallet"]
    assert len(rec.items("position")) == len(rec.items("wallet")) == 1  # rendered once, as the operation left them
    assert rec.items("position")[0]["size"] == "0.010"


def test_a_failing_listener_is_logged_and_the_others_still_get_every_event(caplog: pytest.LogCaptureFixture) -> None:
    ex = make_exchange()

    def broken(key: str, topic: str, items: list[dict]) -> None:
        raise RuntimeError("boom")

    ex.add_listener(broken)
    rec = Recorder(ex)
    with caplog.at_level(logging.ERROR, logger="bybit_widgets.sim.engine"):
        order(ex, side="Buy", orderType="Market", qty="0.01")
    assert [topic for _, topic, _ in rec.events] == ["order", "execution", "position", "wallet"]
    assert sum("listener" in r.getMessage() for r in caplog.records) == 4


def test_a_removed_listener_hears_nothing() -> None:
    ex = make_exchange()
    heard: list[str] = []
    remove = ex.add_listener(lambda key, topic, items: heard.append(topic))
    remove()
    order(ex, side="Buy", orderType="Market", qty="0.01")
    assert heard == []
