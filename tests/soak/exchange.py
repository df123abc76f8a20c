"""The embedded exchange in a process of its own, driven through its ``/sim/`` HTTP surface.

Why a separate process: the soak measures the memory of the client side (the
stream manager, the REST client, the feeds), so the exchange's own state
(orders it keeps, candles it accumulates) must not count; and with two cores
the exchange's market loop and the client's event loop run in parallel, as
they do against Bybit. Everything the soak asks of the exchange goes over
HTTP, exactly as ``POST /sim/faults`` documents it.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

__all__ = ["ExchangeProcess"]

_START_TIMEOUT_S = 60.0


class ExchangeProcess:
    """``python -m bybit_widgets.sim`` on an ephemeral port; ``stderr`` goes to ``log_path``."""

    def __init__(self, seed: int, api_key: str, api_secret: str, log_path: Path) -> None:
        self.seed = seed
        self.api_key = api_key
        self._api_secret = api_secret
        self.log_path = log_path
        self.rest_url = ""
        self.ws_url = ""
        self._proc: subprocess.Popen[str] | None = None
        self._http: httpx.AsyncClient | None = None

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> ExchangeProcess:
        """Start the process and wait (with a deadline) for the JSON line with its URLs."""
        cmd = [
            sys.executable,
            "-m",
            "bybit_widgets.sim",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--seed",
            str(self.seed),
            "--api-key",
            self.api_key,
            "--api-secret",
            self._api_secret,
        ]
        log = open(self.log_path, "w")  # noqa: SIM115 - owned by the child for its whole life
        try:
            self._proc = subprocess.Popen(
                cmd, stdout=subprocess.PIPE, stderr=log, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"}
            )
        finally:
            log.close()
        assert self._proc.stdout is not None
        deadline = time.monotonic() + _START_TIMEOUT_S
        line = ""
        while not line:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"the exchange did not start: {self.log_path.read_text()[-2000:]}")
            ready, _, _ = select.select([self._proc.stdout], [], [], remaining)
            if ready:
                line = self._proc.stdout.readline()
        described = json.loads(line)
        self.rest_url, self.ws_url = described["rest"], described["ws"]
        return self

    def stop(self) -> None:
        """SIGTERM, then wait; the CLI exits 0 after closing every socket."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        if proc.stdout is not None:
            proc.stdout.close()
        self._proc = None

    @property
    def pid(self) -> int:
        assert self._proc is not None
        return self._proc.pid

    def rss(self) -> int:
        return psutil.Process(self.pid).memory_info().rss

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    # -- /sim/ over HTTP ---------------------------------------------------------------------------
    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(base_url=self.rest_url, timeout=10.0)
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def _json(self, method: str, path: str, **kw: Any) -> Any:
        response = await self.http.request(method, path, **kw)
        if response.status_code != 200:
            raise RuntimeError(f"{method} {path} -> HTTP {response.status_code}: {response.text[:300]}")
        return response.json()

    async def fault(self, spec: dict[str, Any]) -> dict[str, Any]:
        return (await self._json("POST", "/sim/faults", json=spec))["fault"]

    async def pending_faults(self) -> list[dict[str, Any]]:
        return (await self._json("GET", "/sim/faults"))["faults"]

    async def clear_faults(self) -> None:
        await self._json("DELETE", "/sim/faults")

    async def status(self) -> dict[str, Any]:
        return await self._json("GET", "/sim/market")

    async def truth_book(self, symbol: str, depth: int, category: str = "linear") -> dict[str, Any]:
        return await self._json(
            "GET", "/sim/truth/book", params={"symbol": symbol, "depth": depth, "category": category}
        )

    async def truth_orders(self) -> list[dict[str, Any]]:
        return await self._json("GET", "/sim/truth/orders", params={"api_key": self.api_key})

    async def truth_positions(self) -> list[dict[str, Any]]:
        return await self._json("GET", "/sim/truth/positions", params={"api_key": self.api_key})
