"""How fast bw.PnL shows a fill, and at what cost in ledger reads, beside a 1 Hz transaction-log poller.

The reference is what a notebook user would write without the feed: read
``/v5/account/transaction-log`` once a second, forever. Both run in the same
kernel loop against the same account on the embedded exchange (its own
process), side by side: ``FILLS`` market orders one at a time (each waits
until both have shown its fee), then a quiet ``QUIET_S`` seconds, then a burst
of ``BURST`` orders. Reported per run: fill-to-shown latency (median, range)
of each, and the reads each made. Three runs, medians and ranges across them.
Run: ``python benchmarks/bench_ledger.py``; writes ``benchmarks/results/ledger.md``.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from decimal import Decimal
from pathlib import Path

import httpx
from bench_rest import start_exchange  # the exchange in its own process (run from benchmarks/)

import bybit_widgets as bw
from bybit_widgets.session import connect

FILLS = 10
QUIET_S = 10.0
BURST = 20
RUNS = 3


class Poller:
    """The reference: the transaction log read every second; ``fees`` the total it last saw."""

    def __init__(self, client: bw.AsyncClient, since_ms: int) -> None:
        self.client, self.since_ms, self.reads, self.fees = client, since_ms, 0, Decimal(0)

    async def run(self) -> None:
        while True:
            rows = await self.client.all_pages("get_transaction_log", start_time=self.since_ms)
            self.reads += 1
            self.fees = sum((r.fee for r in rows), Decimal(0))
            await asyncio.sleep(1.0)


async def one_run(rest: str, ws: str, key: str, secret: str) -> dict:
    session = connect(base_url=rest, base_ws_url=ws, api_key=key, api_secret=secret)
    panel = bw.PnL(session=session)
    account = session.streams.account()
    while not (account.seeded and account.feeds and all(f.state == "live" for f in account.feeds)):
        await asyncio.sleep(0.02)
    poller = Poller(session.aclient, session.started_ms)
    polling = asyncio.create_task(poller.run())
    await asyncio.sleep(2.0)
    panel_ms, poll_ms = [], []
    reads0 = (panel.ledger.reads, poller.reads)
    t0 = time.monotonic()
    for i in range(FILLS):
        shown, polled = panel.total.get("fees"), poller.fees
        sent = time.monotonic()
        side = "Buy" if i % 2 == 0 else "Sell"
        await session.aclient.place_order(
            category="linear", symbol="BTCUSDT", side=side, order_type="Market", qty="0.001"
        )
        panel_at = poll_at = None
        while panel_at is None or poll_at is None:
            await asyncio.sleep(0.002)
            now = time.monotonic()
            if panel_at is None and panel.total.get("fees") != shown:
                panel_at = now
            if poll_at is None and poller.fees != polled:
                poll_at = now
        panel_ms.append((panel_at - sent) * 1000)
        poll_ms.append((poll_at - sent) * 1000)
    await asyncio.sleep(QUIET_S)
    for i in range(BURST):
        side = "Buy" if i % 2 == 0 else "Sell"
        await session.aclient.place_order(
            category="linear", symbol="BTCUSDT", side=side, order_type="Market", qty="0.001"
        )
    await asyncio.sleep(5.0)
    seconds = time.monotonic() - t0
    reads = (panel.ledger.reads - reads0[0], poller.reads - reads0[1])
    polling.cancel()
    panel.close()
    await session.streams.close()
    await session.aclient.aclose()
    session.client.close()
    return {"panel_ms": panel_ms, "poll_ms": poll_ms, "reads": reads, "seconds": seconds}


def main() -> None:
    proc, info = start_exchange()
    rows = []
    try:
        for run in range(RUNS):
            key, secret = f"ledger-bench-{run}", "ledger-bench-secret"
            httpx.post(f"{info['rest']}/sim/accounts", json={"api_key": key, "api_secret": secret}).raise_for_status()
            rows.append(asyncio.run(one_run(info["rest"], info["ws"], key, secret)))
    finally:
        proc.terminate()
        proc.wait(10)

    def span(values: list[float]) -> str:
        return f"{statistics.median(values):.0f} [{min(values):.0f}, {max(values):.0f}]"

    lines = [
        "# PnL panel: fill to shown, and ledger reads, beside a 1 Hz transaction-log poller",
        "",
        "Exchange in its own process (rate limits off, as in bench_rest), one kernel loop;"
        f" per run {FILLS} fills one at a time, {QUIET_S:.0f} s quiet,"
        f" a burst of {BURST} orders, 5 s more. {RUNS} runs. 2-core machine.",
        "Run: `python benchmarks/bench_ledger.py`.",
        "",
        "| run | panel: fill to shown, ms (median [range]) | poller: fill to seen, ms | panel reads | poller reads"
        " | s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for i, r in enumerate(rows):
        lines.append(
            f"| {i + 1} | {span(r['panel_ms'])} | {span(r['poll_ms'])} | {r['reads'][0]} | {r['reads'][1]} |"
            f" {r['seconds']:.1f} |"
        )
    panel_med = [statistics.median(r["panel_ms"]) for r in rows]
    poll_med = [statistics.median(r["poll_ms"]) for r in rows]
    ratio = [r["reads"][0] / r["reads"][1] for r in rows]
    lines += [
        "",
        f"- fill to shown, median of the runs' medians: panel **{statistics.median(panel_med):.0f} ms**"
        f" [{min(panel_med):.0f}, {max(panel_med):.0f}], poller {statistics.median(poll_med):.0f} ms"
        f" [{min(poll_med):.0f}, {max(poll_med):.0f}]",
        f"- reads, panel / poller: **{statistics.median(ratio):.2f}x** [{min(ratio):.2f}, {max(ratio):.2f}]"
        " (the panel reads only when the wallet moves, at most four times a second)",
        "",
    ]
    out = Path(__file__).parent / "results" / "ledger.md"
    out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
