"""What a replay seek costs with the recent past brought along, beside a seek of the book alone.

A generated day of Bybit history (``BTCUSDT2024-12-01.csv.gz`` with ``TRADES`` trades, and an ob500
dump of ``DELTAS`` deltas over the same day) is loaded into a ``TapeReplay`` with its markets, then
sought to ``SEEKS`` random times of the day. Each seek is timed in two parts, in the same run:

- ``book``: ``TapePlayer.seek`` (the books as of the time, from the nearest checkpoint), the seek
  the replay made before it recalled anything;
- ``recall``: the last ``RECALL`` trades before the time read from the trade spool and fed to the
  market as its recent past (``TradeIndex.before`` + ``TapeMarket.recall``: REST tape and candles).

Reported: median and range of each over the seeks, and recall / book. Three runs.
Run: ``python benchmarks/bench_recall.py``; writes ``benchmarks/results/recall.md``.
"""

from __future__ import annotations

import gzip
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bybit_widgets.sim.engine.exchange import Exchange  # noqa: E402
from bybit_widgets.sim.tape import TapeReplay  # noqa: E402
from bybit_widgets.sim.tape.serve import RECALL  # noqa: E402
from tests.unit.sim.tape import dumps  # noqa: E402

TRADES = 500_000
DELTAS = 200_000
SEEKS = 30
RUNS = 3
DAY_MS = 86_400_000


def write_trades(folder: Path) -> Path:
    rng = random.Random(3)
    path = folder / f"BTCUSDT{dumps.DAY}.csv.gz"
    step = DAY_MS // TRADES
    with gzip.open(path, "wt", newline="") as out:
        out.write("timestamp,symbol,side,size,price,tickDirection,trdMatchID,grossValue,homeNotional,foreignNotional\n")
        price = 96_000.0
        for n in range(TRADES):
            t = dumps.T0 + n * step
            price = round(price + rng.choice((-0.1, 0, 0.1)), 1)
            size = round(rng.uniform(0.001, 0.5), 3)
            side = rng.choice(("Buy", "Sell"))
            trade_id = uuid.UUID(int=rng.getrandbits(128))
            stamp = f"{t // 1000}.{t % 1000:03d}0"
            out.write(f"{stamp},BTCUSDT,{side},{size:.3f},{price:.1f},ZeroPlusTick,{trade_id},0,0,0\n")
    return path


def one_run(book: Path, trades: Path, seed: int) -> tuple[list[float], list[float]]:
    replay = TapeReplay([book, trades], paused=True)
    try:
        Exchange(1, symbols=replay.specs, clock=replay.now_ms, make_market=replay.make_market)
        market = replay.markets["BTCUSDT"]
        rng = random.Random(seed)
        book_ms, recall_ms = [], []
        for _ in range(SEEKS):
            to = rng.randrange(replay.player.start_ms, replay.player.end_ms)
            began = time.perf_counter()
            replay.player.seek(to)
            middle = time.perf_counter()
            market.recall(replay.player.trades_before("BTCUSDT", to, RECALL), to)
            ended = time.perf_counter()
            book_ms.append((middle - began) * 1000)
            recall_ms.append((ended - middle) * 1000)
            assert len(market.tape) > 0
        return book_ms, recall_ms
    finally:
        replay.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        book = dumps.write_book(folder, deltas=DELTAS, levels=200, every_ms=DAY_MS // DELTAS * 2)
        trades = write_trades(folder)
        rows = []
        for run in range(1, RUNS + 1):
            book_ms, recall_ms = one_run(book, trades, run)
            rows.append((run, statistics.median(book_ms), statistics.median(recall_ms)))
            print(f"run {run}: book {rows[-1][1]:.1f} ms, recall {rows[-1][2]:.1f} ms", flush=True)
    ratios = [r / b for _, b, r in rows]
    lines = [
        "# A replay seek with its recent past, beside the seek of the book alone",
        "",
        f"A day of generated history: {TRADES:,} trades (`BTCUSDT{dumps.DAY}.csv.gz`) and an ob500 dump of "
        f"{DELTAS:,} deltas. {SEEKS} seeks to random times per run, {RUNS} runs; 2-core machine.",
        "Run: `python benchmarks/bench_recall.py`.",
        "",
        f"| run | book seek: median ms | recall of {RECALL:,} trades: median ms | recall / book |",
        "|---|---:|---:|---:|",
        *(f"| {run} | {b:.1f} | {r:.1f} | {r / b:.2f}x |" for run, b, r in rows),
        "",
        f"- recall: **{statistics.median(r for *_, r in rows):.0f} ms** a seek "
        f"[{min(r for *_, r in rows):.0f}, {max(r for *_, r in rows):.0f}]",
        f"- recall / book seek: **{statistics.median(ratios):.2f}x** [{min(ratios):.2f}, {max(ratios):.2f}]",
        "",
    ]
    out = ROOT / "benchmarks" / "results" / "recall.md"
    out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
