"""Transports that record every HTTP request the package's clients send, and forward it to a real server.

``bw.connect()`` builds its clients itself (the sync face on
``httpx.HTTPTransport``, the async face on ``httpx_aiohttp.AiohttpTransport``), so a test
that wants to see *every* request from a session -- including those of a
widget -- installs these in place of both transports for its duration. Each
request is recorded as it was addressed (e.g. ``https://api.bybit.com/...``)
and then forwarded to ``forward_to`` (the embedded exchange), so public data
still flows and an order that got through would really be placed there:
the recording and the exchange's ground truth both witness it.
"""

from __future__ import annotations

import threading
import types
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import pytest

__all__ = ["Recorded", "Recorder", "SyncRecording", "AsyncRecording", "record_client_requests", "TRADING_PATHS"]

# every path that places, changes or cancels orders or positions (reference: trading endpoints)
TRADING_PATHS = (
    "/v5/order/create",
    "/v5/order/amend",
    "/v5/order/cancel",
    "/v5/order/cancel-all",
    "/v5/order/create-batch",
    "/v5/order/amend-batch",
    "/v5/order/cancel-batch",
    "/v5/position/trading-stop",
    "/v5/position/set-leverage",
)


@dataclass(frozen=True)
class Recorded:
    method: str
    url: str
    host: str
    path: str
    headers: dict[str, str]
    body: bytes


class Recorder:
    """What was sent, in order; thread-safe (the sync face runs in worker threads)."""

    def __init__(self, forward_to: str) -> None:
        target = urlsplit(forward_to)
        self.scheme, self.netloc = target.scheme, target.netloc
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()

    def record(self, request: httpx.Request) -> httpx.Request:
        body = request.read()
        entry = Recorded(
            request.method, str(request.url), request.url.host, request.url.path, dict(request.headers), body
        )
        with self._lock:
            self.requests.append(entry)
        forwarded = request.url.copy_with(scheme=self.scheme, netloc=self.netloc.encode())
        return httpx.Request(request.method, forwarded, headers=request.headers, content=body)

    def to(self, host: str) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.host == host]

    def trading(self, host: str | None = None) -> list[Recorded]:
        """Requests to any trading path (on ``host`` if given)."""
        with self._lock:
            return [r for r in self.requests if r.path in TRADING_PATHS and (host is None or r.host == host)]


class SyncRecording(httpx.BaseTransport):
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.inner.handle_request(self.recorder.record(request))

    def close(self) -> None:
        self.inner.close()


class AsyncRecording(httpx.AsyncBaseTransport):
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.inner.handle_async_request(self.recorder.record(request))

    async def aclose(self) -> None:
        await self.inner.aclose()


def record_client_requests(monkeypatch: pytest.MonkeyPatch, forward_to: str) -> Recorder:
    """From now on (for this test), every ``bw.Client``/``bw.AsyncClient`` built without an explicit
    transport records its requests in the returned :class:`Recorder` and forwards them to ``forward_to``."""
    import bybit_widgets.rest.client as client_module

    recorder = Recorder(forward_to)
    # only the client module sees the recording transports: httpx itself stays untouched
    proxy = types.ModuleType("httpx")
    proxy.__getattr__ = lambda name: getattr(httpx, name)  # type: ignore[method-assign]
    proxy.HTTPTransport = lambda **_: SyncRecording(recorder)  # type: ignore[attr-defined]
    monkeypatch.setattr(client_module, "httpx", proxy)
    monkeypatch.setattr(client_module, "AiohttpTransport", lambda **_: AsyncRecording(recorder))
    return recorder
