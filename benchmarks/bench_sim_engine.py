"""The simulated exchange's engine alone (no server): cost of a market tick and of a book snapshot.

The server advances the engine every 10 ms and reads ``book_levels(depth=50)``
for every streamed book every 20 ms; this prints what those cost per symbol,
so the server's CPU budget (<= 50% of a core for 20 books) can be split.

    .venv/bin/python benchmarks/bench_sim_engine.py [--symbols 20] [--seconds 20]
"""

from __future__ import annotations

import argparse
import time

from bybit_widgets.sim.engine import Exchange, synthetic_linear_symbols


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbols", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0, help="market time to simulate")
    args = parser.parse_args()
    started = time.perf_counter()
    exchange = Exchange(1, symbols=synthetic_linear_symbols(args.symbols))
    build_ms = (time.perf_counter() - started) * 1e3
    symbols = exchange.symbols("linear")
    for symbol in symbols:  # warm: history and kline series exist, as on a running server
        exchange.ticker("linear", symbol)
    exchange.advance(100)
    ticks = int(args.seconds * 1000 / Exchange.TICK_MS)
    tick_s = levels_s = ticker_s = 0.0
    levels_calls = ticker_calls = 0
    for tick in range(ticks):
        t0 = time.perf_counter()
        exchange.advance(1)
        tick_s += time.perf_counter() - t0
        if tick % 2 == 0:  # orderbook.50 pushes every 20 ms
            t0 = time.perf_counter()
            for symbol in symbols:
                exchange.book_levels("linear", symbol, 50)
            levels_s += time.perf_counter() - t0
            levels_calls += len(symbols)
        if tick % 10 == 0:  # tickers every 100 ms
            t0 = time.perf_counter()
            for symbol in symbols:
                exchange.ticker("linear", symbol)
            ticker_s += time.perf_counter() - t0
            ticker_calls += len(symbols)
    per_tick_us = tick_s / ticks / len(symbols) * 1e6
    per_levels_us = levels_s / levels_calls * 1e6
    per_ticker_us = ticker_s / ticker_calls * 1e6
    core = (tick_s + levels_s + ticker_s) / args.seconds * 100
    trades = sum(m.n_trades for m in exchange.markets.values()) / args.seconds
    print(f"engine, {len(symbols)} linear symbols, {args.seconds:g} s of market time ({ticks} ticks)")
    print(f"  build exchange       {build_ms:8.1f} ms")
    print(f"  advance(1)           {per_tick_us:8.1f} us per symbol per tick")
    print(f"  book_levels(50)      {per_levels_us:8.1f} us per call")
    print(f"  ticker()             {per_ticker_us:8.1f} us per call")
    print(f"  generated trades     {trades:8.0f} per second (all symbols)")
    print(f"  engine share of one core at the server's cadence: {core:.1f}%")


if __name__ == "__main__":
    main()
