"""The streams inside a real ipykernel (on the kernel's own loop) and in plain scripts (a background loop)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time

import pytest
from jupyter_client.manager import start_new_kernel

import bybit_widgets as bw

BAD_STDERR = ("Task was destroyed", "Unclosed", "ResourceWarning", "Traceback", "never awaited", "Exception")


@pytest.fixture(scope="module")
def sim():
    with bw.sim.run(seed=3) as exchange:
        yield exchange


@pytest.fixture(scope="module")
def kernel():
    km, kc = start_new_kernel(kernel_name="python3", startup_timeout=60)
    try:
        yield kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def execute(kc, code: str, timeout: float = 60) -> str:
    """Run one cell; return its stdout; fail with the kernel's traceback on error."""
    out: list[str] = []
    errors: list[str] = []

    def hook(msg):
        content = msg["content"]
        if msg["msg_type"] == "stream":
            out.append(content["text"])
        elif msg["msg_type"] == "error":
            errors.append("\n".join(content["traceback"]))

    reply = kc.execute_interactive(textwrap.dedent(code), output_hook=hook, timeout=timeout)
    assert reply["content"]["status"] == "ok" and not errors, "\n".join(errors)
    return "".join(out)


def test_runs_on_the_kernels_own_loop_between_cells(sim, kernel):
    out = execute(
        kernel,
        f"""
        import asyncio, sys, threading
        import bybit_widgets as bw
        streams = bw.StreamManager(base_ws_url={sim.ws_url!r}, ping_interval=0.5, pong_timeout=1.0)
        book = streams.order_book("BTCUSDT")
        updates = []
        book.on(lambda f: updates.append(f.latest.u))
        await book.ready(10)
        print("STATE", book.state)
        print("SAME_LOOP", streams.loop is asyncio.get_running_loop())
        print("THREADS", sorted(t.name for t in threading.enumerate() if t.name.startswith("bybit")))
        print("NEST_ASYNCIO", "nest_asyncio" in sys.modules)
    """,
    )
    assert "STATE live" in out and "SAME_LOOP True" in out and "THREADS []" in out and "NEST_ASYNCIO False" in out

    # Updates keep arriving while no cell runs: the feed lives on the kernel's loop.
    first = int(execute(kernel, "print(len(updates))"))
    deadline = time.monotonic() + 10
    count = first
    while count <= first + 3:
        assert time.monotonic() < deadline, "no updates between cells"
        count = int(execute(kernel, "print(len(updates))"))

    out = execute(
        kernel,
        """
        try:
            book.wait_for_update(1)
        except RuntimeError as exc:
            print("REFUSED", "await feed.next()" in str(exc))
        view = await book.next(5)
        print("NEXT", view.best_bid < view.best_ask, len(view.bids))
        async for view in book:
            print("ITER", view.u > 0)
            break
        await streams.close()
        left = [t.get_name() for t in asyncio.all_tasks() if t.get_name().startswith("bybit-stream")]
        print("CLOSED", book.state, left)
    """,
    )
    assert "REFUSED True" in out and "NEXT True 50" in out and "ITER True" in out
    assert "CLOSED closed []" in out


def run_script(code: str, timeout: float = 60) -> tuple[dict, str]:
    proc = subprocess.run(
        [sys.executable, "-X", "dev", "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=timeout
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1]), proc.stderr


def test_plain_script_uses_a_background_loop_and_shuts_down_cleanly(sim):
    result, stderr = run_script(f"""
        import json, threading
        import bybit_widgets as bw
        streams = bw.StreamManager(base_ws_url={sim.ws_url!r}, ping_interval=0.5)
        book = streams.order_book("BTCUSDT")
        ticker = streams.ticker("BTCUSDT")
        book.wait_ready(10)
        ticker.wait_ready(10)
        first = book.latest.u
        later = book.wait_for_update(10).u
        threads = sorted(t.name for t in threading.enumerate())
        streams.close_sync()
        print(json.dumps({{"first": first, "later": later, "threads": threads, "state": book.state,
                           "last": str(ticker.latest.last_price),
                           "after": sorted(t.name for t in threading.enumerate())}}))
    """)
    assert result["later"] > result["first"] and result["state"] == "closed"
    assert "bybit-streams" in result["threads"] and "bybit-streams" not in result["after"]
    assert float(result["last"]) > 0
    assert not any(bad in stderr for bad in BAD_STDERR), stderr


def test_script_that_never_closes_is_closed_at_exit(sim):
    result, stderr = run_script(f"""
        import json
        import bybit_widgets as bw
        streams = bw.StreamManager(base_ws_url={sim.ws_url!r})
        book = streams.order_book("BTCUSDT").wait_ready(10)
        print(json.dumps({{"u": book.latest.u}}))
    """)
    assert result["u"] > 0
    assert not any(bad in stderr for bad in BAD_STDERR), stderr


def test_script_with_asyncio_run_joins_that_loop(sim):
    result, stderr = run_script(f"""
        import asyncio, json, threading
        import bybit_widgets as bw

        async def main():
            async with bw.StreamManager(base_ws_url={sim.ws_url!r}) as streams:
                trades = streams.trades("BTCUSDT", maxlen=5)
                book = await streams.order_book("BTCUSDT", depth=200).ready(10)
                await trades.ready(10)
                while len(trades.latest or []) < 5:
                    await trades.next(10)
                same = streams.loop is asyncio.get_running_loop()
                return {{"same_loop": same, "levels": len(book.latest.bids), "trades": len(trades.latest),
                         "threads": sorted(t.name for t in threading.enumerate())}}

        print(json.dumps(asyncio.run(main())))
    """)
    assert result == {"same_loop": True, "levels": 200, "trades": 5, "threads": ["MainThread"]}
    assert not any(bad in stderr for bad in BAD_STDERR), stderr
