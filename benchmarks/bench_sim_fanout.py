"""Benchmark: the simulator fanning out public streams to many clients.

The issue's target: orderbook.50 (pushed every 20 ms) for 20 linear symbols,
plus tickers and publicTrade of the same symbols, to 10 WebSocket clients,
at <= 50% of one core for the server process.

The server runs in its own process (``--serve``), so its CPU time is
measured alone (psutil, user + system, over the measuring window); the
clients run here, count frames by kind and check every book's ``u`` is
continuous. Run: ``python benchmarks/bench_sim_fanout.py [--clients 10]
[--symbols 20] [--seconds 10]``; prints the figures and writes
``benchmarks/results/sim_fanout.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import orjson
import psutil
import websockets


def serve(symbols: int) -> None:
    from bybit_widgets.sim.engine.instruments import default_symbols, synthetic_linear_symbols
    from bybit_widgets.sim.runner import SimServer

    linear = [s for s in default_symbols() if s.category == "linear"]
    specs = linear + synthetic_linear_symbols(max(0, symbols - len(linear)))
    with SimServer(seed=1, symbols=specs[:symbols]) as server:
        print(json.dumps({**server.describe(), "symbols": [s.symbol for s in specs[:symbols]]}), flush=True)
        sys.stdin.read()  # serve until the parent closes our stdin


class Stats:
    def __init__(self) -> None:
        self.frames: Counter[str] = Counter()
        self.bytes = 0
        self.gaps = 0
        self.last_u: dict[tuple[int, str], int] = {}
        self.counting = False


async def client(n: int, url: str, symbols: list[str], stats: Stats, stop: asyncio.Event) -> None:
    topics = [f"{kind}.{s}" for s in symbols for kind in ("orderbook.50", "tickers", "publicTrade")]
    async with websockets.connect(url, max_size=None, ping_interval=None) as ws:
        await ws.send(json.dumps({"op": "subscribe", "args": topics}))
        while not stop.is_set():
            try:
                raw = await asyncio.wait_for(ws.recv(), 1.0)
            except asyncio.TimeoutError:
                continue
            message = orjson.loads(raw)
            topic = message.get("topic")
            if topic is None:
                assert message.get("success"), message
                continue
            if topic.startswith("orderbook"):
                u = message["data"]["u"]
                last = stats.last_u.get((n, topic))
                if last is not None and message["type"] == "delta" and u != last + 1:
                    stats.gaps += 1
                stats.last_u[(n, topic)] = u
            if stats.counting:
                stats.frames[topic.split(".", 1)[0]] += 1
                stats.bytes += len(raw)


async def measure(info: dict, server_pid: int, clients: int, seconds: float, warmup: float) -> dict:
    stats = Stats()
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(client(n, info["ws_public_linear"], info["symbols"], stats, stop)) for n in range(clients)
    ]
    await asyncio.sleep(warmup)
    server = psutil.Process(server_pid)
    me = psutil.Process()
    status0 = httpx.get(info["rest"] + "/sim/market").json()
    s0, c0, t0 = server.cpu_times(), me.cpu_times(), time.monotonic()
    stats.counting = True
    await asyncio.sleep(seconds)
    stats.counting = False
    s1, c1, t1 = server.cpu_times(), me.cpu_times(), time.monotonic()
    status1 = httpx.get(info["rest"] + "/sim/market").json()
    stop.set()
    await asyncio.gather(*tasks)
    wall = t1 - t0
    return {
        "clients": clients,
        "symbols": len(info["symbols"]),
        "seconds": round(wall, 2),
        "server_cpu_pct": round(100 * ((s1.user - s0.user) + (s1.system - s0.system)) / wall, 1),
        "client_cpu_pct": round(100 * ((c1.user - c0.user) + (c1.system - c0.system)) / wall, 1),
        "messages_per_s": round(sum(stats.frames.values()) / wall),
        "by_kind_per_s": {k: round(v / wall) for k, v in sorted(stats.frames.items())},
        "mbytes_per_s": round(stats.bytes / wall / 1e6, 2),
        "book_u_gaps": stats.gaps,
        "market_ticks_per_s": round((status1["market_tick"] - status0["market_tick"]) / wall, 1),
        "ticks_skipped": status1["ticks_skipped"] - status0["ticks_skipped"],
        "server_frames_sent_per_s": round((status1["frames_sent"] - status0["frames_sent"]) / wall),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--symbols", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    args = parser.parse_args()
    if args.serve:
        serve(args.symbols)
        return
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--symbols", str(args.symbols)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        info = json.loads(proc.stdout.readline())
        result = asyncio.run(measure(info, proc.pid, args.clients, args.seconds, args.warmup))
    finally:
        proc.stdin.close()
        proc.wait(30)
    print(json.dumps(result, indent=2))
    verdict = "meets" if result["server_cpu_pct"] <= 50 else "MISSES"
    lines = [
        "# Simulator fan-out benchmark",
        "",
        f"`python benchmarks/bench_sim_fanout.py --clients {args.clients} --symbols {args.symbols} "
        f"--seconds {args.seconds:g}` on this machine (2 cores, Python {sys.version.split()[0]}).",
        "",
        f"orderbook.50 + tickers + publicTrade for {result['symbols']} linear symbols to {result['clients']} clients:",
        "",
        "| figure | value |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in result.items()],
        "",
        f"Target <= 50% of one core for the server process: {verdict} the target.",
    ]
    out = Path(__file__).parent / "results" / "sim_fanout.md"
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
