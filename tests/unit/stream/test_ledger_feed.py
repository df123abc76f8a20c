"""When the ledger feed reads the transaction log: on wallet pushes only, paced, never waiting on a follow-up.

Driven with a fake account feed and a fake REST source on a real event loop (no sockets): each test
waits on the reads it expects, never on a clock.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

from bybit_widgets.protocol.records import Transaction
from bybit_widgets.stream.ledger import LedgerFeed


class FakeAccount:
    def __init__(self) -> None:
        self.listeners: list = []
        self._wallet = object()

    def acquire(self, on_change, symbols=()):
        self.listeners.append(on_change)
        return lambda: self.listeners.remove(on_change)

    def wallet(self):
        return self._wallet

    def push_wallet(self) -> None:  # what a fill or a funding payment does
        self._wallet = object()
        for listener in list(self.listeners):
            listener()

    def push_orders(self) -> None:  # an order event without a wallet change
        for listener in list(self.listeners):
            listener()


class FakeRest:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.calls: list[tuple[float, int]] = []
        self.rows: list[Transaction] = []
        self.changed = asyncio.Event()

    async def all_pages(self, method: str, **kwargs):
        assert method == "get_transaction_log"
        self.calls.append((self.loop.time(), kwargs["start_time"]))
        self.changed.set()
        return list(self.rows)

    async def next_call(self, count: int) -> None:
        while len(self.calls) < count:
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), 5)


def row(i: int, t: int) -> Transaction:
    return Transaction.from_wire(
        {
            "id": str(i),
            "symbol": "BTCUSDT",
            "type": "TRADE",
            "fee": "0.1",
            "change": "-0.1",
            "cashFlow": "0",
            "funding": "0",
            "transactionTime": str(t),
        }
    )


def test_a_wallet_push_reads_within_the_gap_even_while_a_follow_up_is_pending():
    async def main():
        loop = asyncio.get_running_loop()
        account, rest = FakeAccount(), FakeRest(loop)
        feed = LedgerFeed(loop, account, rest, since_ms=0, min_gap_s=0.05, settle_s=30.0)
        release = feed.acquire(lambda: None)
        await rest.next_call(1)  # the first read, at once
        await asyncio.sleep(0.1)  # (past the gap: the follow-up of that read is now 30 s away)
        pushed = loop.time()
        account.push_wallet()
        await rest.next_call(2)
        waited = rest.calls[1][0] - pushed
        account.push_orders()  # no wallet change: no read
        await asyncio.sleep(0.2)
        calls = len(rest.calls)
        release()
        return waited, calls

    waited, calls = asyncio.run(main())
    assert waited < 1.0, f"the push waited {waited:.2f} s for the follow-up"
    assert calls == 2


def test_a_burst_of_pushes_costs_one_paced_read_then_one_follow_up_from_a_minute_before_the_newest_row():
    async def main():
        loop = asyncio.get_running_loop()
        account, rest = FakeAccount(), FakeRest(loop)
        rest.rows = [row(1, 200_000)]
        feed = LedgerFeed(loop, account, rest, since_ms=100_000, min_gap_s=0.2, settle_s=0.2)
        release = feed.acquire(lambda: None)
        await rest.next_call(1)
        for _ in range(50):
            account.push_wallet()
        await rest.next_call(3)  # one read for the burst, one follow-up
        await asyncio.sleep(0.5)
        release()
        return rest.calls, feed

    calls, feed = asyncio.run(main())
    assert len(calls) == 3, calls
    assert all(b[0] - a[0] >= 0.19 for a, b in zip(calls, calls[1:])), "reads at least the gap apart"
    assert [start for _, start in calls] == [100_000, 140_000, 140_000]  # since, then newest - 60 s
    assert len(feed.book) == 1 and feed.book.total().fees == Decimal("0.1")  # read three times, counted once
