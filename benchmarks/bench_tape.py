"""Memory and seek cost of replaying a day-sized Bybit ob500 dump, beside loading it whole.

A generated ``YYYY-MM-DD_BTCUSDT_ob500.data.zip`` in Bybit's format (a 500-level snapshot, then
``DELTAS`` deltas of a few levels each, continuous ``u``) is replayed three ways, each in its own
process so that peak RSS is its own:

- ``tape``: ``TapePlayer`` (the index pass, then the whole day played in one-second steps, then
  ten seeks back and forth, each followed by a second of play);
- ``whole``: the reference a notebook would write: read every line of the zip into memory, parse
  it, then apply it to a dict book.

- ``server``: the exchange serving the file (see ``run_server``), beside the same server live.

Reported: peak RSS (MiB) of each, the ratio, the index pass and the median seek (ms). Three runs.
Run: ``python benchmarks/bench_tape.py``; writes ``benchmarks/results/tape.md``.
"""

from __future__ import annotations

import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

DELTAS = 1_000_000
LEVELS = 500
RUNS = 3
T0 = 1_733_011_200_000


def generate(folder: Path) -> Path:
    rng = random.Random(7)
    name = "2024-12-01_BTCUSDT_ob500.data"
    path = folder / f"{name}.zip"
    bids = [f"{96_000 - 0.1 * i:.2f}" for i in range(1, LEVELS + 1)]
    asks = [f"{96_000 + 0.1 * i:.2f}" for i in range(LEVELS)]
    t, u = T0, 1
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, archive.open(name, "w") as out:

        def emit(kind: str, b: list, a: list) -> None:
            data = {"s": "BTCUSDT", "b": b, "a": a, "u": u, "seq": u}
            out.write(
                (json.dumps({"topic": "orderbook.500.BTCUSDT", "type": kind, "ts": t, "data": data}) + "\n").encode()
            )

        emit("snapshot", [[p, "1.000"] for p in bids], [[p, "1.000"] for p in asks])
        for _ in range(DELTAS):
            u += 1
            t += rng.choice((10, 10, 20, 80))  # 100 ms pushes on average: a busy day's pace
            b = [[rng.choice(bids), f"{rng.uniform(0, 3):.3f}"] for _ in range(rng.randint(0, 2))]
            a = [[rng.choice(asks), f"{rng.uniform(0, 3):.3f}"] for _ in range(rng.randint(0, 2))]
            emit("delta", b, a)
    return path


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_tape(path: str) -> dict:
    from bybit_widgets.sim.tape import TapePlayer, identify

    t0 = time.perf_counter()
    player = TapePlayer([identify(path)])
    index_s = time.perf_counter() - t0
    position = player.start_ms
    while player.peek_time() is not None:
        position += 1000
        player.advance(position)
    seeks = []
    rng = random.Random(3)
    for _ in range(10):
        target = rng.randrange(player.start_ms, player.end_ms)
        t1 = time.perf_counter()
        player.seek(target)
        seeks.append((time.perf_counter() - t1) * 1000)
        player.advance(target + 1000)
    player.close()
    return {"rss": rss_mib(), "index_s": index_s, "seek_ms": statistics.median(seeks)}


def run_whole(path: str) -> dict:
    with zipfile.ZipFile(path) as archive:
        lines = archive.read(archive.namelist()[0]).decode().splitlines()
    messages = [json.loads(line) for line in lines]
    bids: dict[str, str] = {}
    for message in messages:
        for price, size in message["data"]["b"]:
            bids[price] = size
    return {"rss": rss_mib()}


def run_server(path: str) -> dict:
    """The exchange itself: ``path`` replayed at 100x to a WebSocket client with seeks across the day, or
    (``path`` "-") the generated market for the same time, whose peak RSS is the server's own baseline."""
    from websockets.sync.client import connect

    from bybit_widgets.sim import run

    replay = None if path == "-" else [path]
    with run(replay=replay, speed=100) as sim, connect(sim.ws_public_linear, max_size=None) as ws:
        ws.send(json.dumps({"op": "subscribe", "args": ["orderbook.50.BTCUSDT"]}))
        frames, rng = 0, random.Random(5)
        for second in range(SERVE_S):
            until = time.monotonic() + 1
            while time.monotonic() < until:
                frames += '"topic"' in ws.recv(timeout=5)
            if replay is not None and second % 4 == 3:
                status = sim.replay_status()
                sim.replay_control("seek", to_ms=rng.randrange(status["start_ms"], status["end_ms"]))
    return {"rss": rss_mib(), "frames": frames}


CASES = {"tape": run_tape, "whole": run_whole, "server": run_server}
SERVE_S = 12


def main() -> None:
    if len(sys.argv) == 3:
        print(json.dumps(CASES[sys.argv[1]](sys.argv[2])))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = generate(Path(folder))
        size_mb = path.stat().st_size / 2**20
        rows = []
        for _ in range(RUNS):
            tape = json.loads(subprocess.check_output([sys.executable, __file__, "tape", str(path)]))
            whole = json.loads(subprocess.check_output([sys.executable, __file__, "whole", str(path)]))
            served = json.loads(subprocess.check_output([sys.executable, __file__, "server", str(path)]))
            live = json.loads(subprocess.check_output([sys.executable, __file__, "server", "-"]))
            rows.append((tape, whole, served, live))
    ratio = [t["rss"] / w["rss"] for t, w, _, _ in rows]
    extra = [s["rss"] - v["rss"] for _, _, s, v in rows]
    lines = [
        "# Replaying a day-sized ob500 dump: memory and seeks, beside loading it whole",
        "",
        f"Generated `2024-12-01_BTCUSDT_ob500.data.zip`: a {LEVELS}-level snapshot and {DELTAS:,} deltas"
        f" ({size_mb:.0f} MiB zipped). Each case in its own process; {RUNS} runs; 2-core machine.",
        "Run: `python benchmarks/bench_tape.py`.",
        "",
        f"The exchange (`bw.sim.run(replay=[FILE], speed=100)`) serves it for {SERVE_S} s to a WebSocket client"
        " of `orderbook.50.BTCUSDT`, seeking to a random time of the day every 4 s; its own baseline is the same"
        " server on its generated market.",
        "",
        "| run | tape: peak RSS MiB | whole: peak RSS MiB | tape / whole | index pass s | median seek ms"
        " | server replaying: peak RSS MiB | server live: peak RSS MiB | frames replayed |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for i, (t, w, sv, lv) in enumerate(rows):
        lines.append(
            f"| {i + 1} | {t['rss']:.0f} | {w['rss']:.0f} | {t['rss'] / w['rss']:.2f}x | {t['index_s']:.1f} |"
            f" {t['seek_ms']:.0f} | {sv['rss']:.0f} | {lv['rss']:.0f} | {sv['frames']:,} |"
        )
    lines += [
        "",
        f"- peak RSS, tape / whole: **{statistics.median(ratio):.2f}x** [{min(ratio):.2f}, {max(ratio):.2f}]",
        f"- the server replaying the day needs **{statistics.median(extra):.0f} MiB** more than live"
        f" [{min(extra):.0f}, {max(extra):.0f}]",
        "",
    ]
    out = Path(__file__).parent / "results" / "tape.md"
    out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
