"""The backfill's timing: fetched once live, again after a reconnect, a failure shown and not retried."""

from __future__ import annotations

import asyncio

import pytest

from bybit_widgets.protocol.errors import ParameterError
from bybit_widgets.stream.backfill import Backfill, backfill_limit


async def fetches_done() -> None:
    """Wait until every fetch the backfill started has ended."""
    await asyncio.gather(*(t for t in asyncio.all_tasks() if t is not asyncio.current_task()))


class FakeSub:
    name = "kline.1.BTCUSDT"

    def __init__(self) -> None:
        self.state = "connecting"
        self.pages: list[list] = []
        self.errors: list[BaseException] = []

    def history_failed(self, error: BaseException) -> None:
        self.errors.append(error)

    def merge_history(self, page: list) -> None:
        self.pages.append(list(page))


def test_history_is_fetched_once_live_and_again_after_a_reconnect():
    async def main():
        calls = []

        async def fetch(limit):
            calls.append(limit)
            return [limit]

        sub = FakeSub()
        backfill = Backfill(fetch)
        backfill.want(sub, 50)
        assert calls == []  # not before the subscription is live
        for state in ("live", "live", "reconnecting", "live"):
            sub.state = state
            backfill.state_changed(sub, state)
            await fetches_done()
        return calls, sub.pages

    calls, pages = asyncio.run(main())
    assert calls == [50, 50] and pages == [[50], [50]]


def test_a_failed_fetch_is_shown_and_waits_for_the_next_reconnect():
    async def main():
        async def fetch(limit):
            raise ConnectionError("down")

        sub = FakeSub()
        backfill = Backfill(fetch)
        sub.state = "live"
        backfill.want(sub, 10)
        await fetches_done()
        backfill.state_changed(sub, "live")
        await fetches_done()
        return sub

    sub = asyncio.run(main())
    assert [str(e) for e in sub.errors] == ["down"] and sub.pages == []


@pytest.mark.parametrize("value", [-1, 1001, True, "5"])
def test_backfill_outside_zero_to_a_thousand_is_refused(value):
    with pytest.raises(ParameterError, match="backfill"):
        backfill_limit(value, has_source=True)
