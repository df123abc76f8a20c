"""``python -m bybit_widgets.sim``: run the simulated exchange, or record public streams.

Serve (default): prints ONE JSON line with the URLs and keys, then serves
until Ctrl-C / SIGTERM and exits 0::

    python -m bybit_widgets.sim --host 127.0.0.1 --port 8765 --seed 1 --api-key K --api-secret S
    python -m bybit_widgets.sim --replay session.parquet --speed 10

Record::

    python -m bybit_widgets.sim record --url wss://stream.bybit.com/v5/public/linear \\
        --topics orderbook.50.BTCUSDT,publicTrade.BTCUSDT --seconds 60 --out session.parquet
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence


def _serve(args: argparse.Namespace) -> int:
    from .runner import SimServer

    server = SimServer(
        args.seed,
        api_key=args.api_key,
        api_secret=args.api_secret,
        host=args.host,
        port=args.port,
        paused=args.paused,
        replay=args.replay,
        speed=args.speed,
        start_balance=args.start_balance,
        log_level=args.log_level,
        ip_limit=args.ip_limit,
        idle_timeout_s=args.idle_timeout,
        rate_limits=not args.no_rate_limits,
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.start()
        print(json.dumps(server.describe()), flush=True)
        while not stop.wait(0.5):
            if not server.running:
                print("bybit_widgets.sim: the server stopped unexpectedly", file=sys.stderr)
                return 1
        return 0
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _record(args: argparse.Namespace) -> int:
    from .recording import record

    topics = [t for t in args.topics.split(",") if t]
    recording = record({args.url: topics}, args.out, seconds=args.seconds)
    print(json.dumps({"out": args.out, "frames": len(recording), "topics": sorted(set(recording.topic))}))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bybit_widgets.sim", description="A simulated Bybit v5 exchange (REST + WebSocket) on loopback."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--api-key", default=None, help="default: a generated demo key")
    parser.add_argument("--api-secret", default=None)
    parser.add_argument("--start-balance", default="100000", help="USDT per account")
    parser.add_argument("--paused", action="store_true", help="start with the market (or the replay) paused")
    parser.add_argument(
        "--replay",
        action="append",
        default=None,
        help="replay history: Bybit trade dumps SYMBOLYYYY-MM-DD.csv.gz and order-book dumps "
        "YYYY-MM-DD_SYMBOL_ob500.data.zip, Parquet recordings (repeat for several files)",
    )
    parser.add_argument("--speed", type=float, default=1.0, help="replay speed: 0.1 to 100")
    parser.add_argument("--ip-limit", type=int, default=600, help="HTTP requests per IP per 5 s before 403")
    parser.add_argument(
        "--no-rate-limits", action="store_true", help="turn off the IP limit and per-UID budgets (for benchmarks)"
    )
    parser.add_argument("--idle-timeout", type=float, default=600.0, help="seconds before an idle socket is closed")
    parser.add_argument("--log-level", default="warning")
    commands = parser.add_subparsers(dest="command")
    rec = commands.add_parser("record", help="record public streams to Parquet")
    rec.add_argument("--url", required=True, help="a public stream URL, e.g. wss://stream.bybit.com/v5/public/linear")
    rec.add_argument(
        "--topics", required=True, help="comma-separated topics, e.g. orderbook.50.BTCUSDT,tickers.BTCUSDT"
    )
    rec.add_argument("--seconds", type=float, required=True)
    rec.add_argument(
        "--out",
        required=True,
        help="a .parquet file to write, or a directory: a dataset partitioned as DIR/symbol=SYMBOL/date=YYYY-MM-DD/ "
        "(a second recording into it adds files)",
    )
    args = parser.parse_args(argv)
    if (args.api_key is None) != (args.api_secret is None):
        parser.error("give both --api-key and --api-secret, or neither")
    try:
        return _record(args) if args.command == "record" else _serve(args)
    except (ValueError, OSError, ImportError, RuntimeError) as exc:
        print(f"bybit_widgets.sim: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
