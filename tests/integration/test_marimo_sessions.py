"""Two viewers of one ``marimo run`` app: each widget keeps its own viewer's session (issue 15).

``marimo run`` runs every viewer's kernel as a thread of the server process.
The app below connects, waits until the other viewer connected too (a barrier
in a module both kernels import), makes a ticker without ``session=``, then one
viewer closes its session and the other reports whether its widget's session
is still its own, open and usable. The viewers are two websocket clients;
each reads its kernel's messages until the last cell's output is its result line.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import marimo  # noqa: F401 - a test dependency (pyproject [test]): its run mode is what is tested
from websockets.sync.client import connect as ws_connect

SYNC = """
import threading

connected = threading.Barrier(2, timeout=60)
closed = threading.Barrier(2, timeout=60)
"""

APP = """
import marimo

app = marimo.App()


@app.cell
def _():
    import bybit_widgets as bw
    import viewers_sync

    return bw, viewers_sync


@app.cell
def _(bw, viewers_sync):
    session = bw.connect()
    turn = viewers_sync.connected.wait()  # 0 for one viewer, 1 for the other
    return session, turn


@app.cell
def _(bw, session, turn, viewers_sync):
    ticker = bw.Ticker("BTCUSDT")  # no session=: the viewer's default
    if turn == 0:
        session.close()  # this viewer leaves
    viewers_sync.closed.wait()
    own = ticker.session is session
    is_open = not ticker.session.streams.closed
    usable = is_open and ticker.session.client.get_wallet_balance().coins["USDT"].wallet_balance > 0
    f"BW-RESULT turn={turn} own={own:d} open={is_open:d} usable={usable:d} session={id(session)} END"  # the output
    return
"""

RESULT = re.compile(r"BW-RESULT turn=(\d) own=(\d) open=(\d) usable=(\d) session=(\d+) END")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, server: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"marimo exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)  # the server is another process: poll its port
    raise AssertionError(f"marimo did not listen on {port} within {timeout} s")


def read_result(ws) -> dict[str, int]:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        message = ws.recv(timeout=max(0.1, deadline - time.monotonic()))
        found = RESULT.search(message if isinstance(message, str) else message.decode())
        if found:
            turn, own, is_open, usable, session = map(int, found.groups())
            return {"turn": turn, "own": own, "open": is_open, "usable": usable, "session": session}
    raise AssertionError("the viewer showed no result")


def test_two_marimo_viewers_keep_their_own_sessions_when_one_leaves(tmp_path: Path):
    (tmp_path / "viewers_sync.py").write_text(SYNC)
    (tmp_path / "app.py").write_text(textwrap.dedent(APP))
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    for name in ("BYBIT_ENV", "BYBIT_API_KEY", "BYBIT_API_SECRET"):
        env.pop(name, None)
    cmd = [sys.executable, "-m", "marimo", "run", str(tmp_path / "app.py"), "--headless", "--no-token"]
    server = subprocess.Popen(
        [*cmd, "--port", str(port), "--host", "127.0.0.1"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(port, server)
        url = f"ws://127.0.0.1:{port}/ws?session_id="
        with ws_connect(url + "viewer-a", max_size=None) as a, ws_connect(url + "viewer-b", max_size=None) as b:
            results = [read_result(a), read_result(b)]
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    assert sorted(r["turn"] for r in results) == [0, 1], stderr
    assert results[0]["session"] != results[1]["session"]
    for r in results:
        assert r["own"] == 1, (r, stderr)  # the widget took its own viewer's session, not the latest connect
    stayed = next(r for r in results if r["turn"] == 1)
    assert stayed["open"] == 1 and stayed["usable"] == 1, (stayed, stderr)
