"""python -m bybit_widgets.sim: one JSON line, serves, stops cleanly on SIGINT."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import httpx


def test_cli_prints_urls_serves_and_stops_on_sigint():
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bybit_widgets.sim",
            "--port",
            "0",
            "--seed",
            "1",
            "--api-key",
            "K-cli-key",
            "--api-secret",
            "S-cli-secret",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        info = json.loads(line)
        assert {"rest", "ws_public", "ws_private", "ws_trade", "api_key", "api_secret"} <= set(info)
        assert info["api_key"] == "K-cli-key" and info["api_secret"] == "S-cli-secret"
        assert info["rest"].startswith("http://127.0.0.1:") and info["ws_private"].endswith("/v5/private")
        body = httpx.get(info["rest"] + "/v5/market/time", timeout=5).json()
        assert body["retCode"] == 0
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
        assert proc.stdout.read() == ""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_cli_rejects_half_a_key_pair():
    proc = subprocess.run(
        [sys.executable, "-m", "bybit_widgets.sim", "--api-key", "K"], capture_output=True, text=True, timeout=30
    )
    assert proc.returncode == 2 and "--api-secret" in proc.stderr
