"""``bw.Client`` and ``bw.AsyncClient``: two faces over one request pipeline.

The endpoint methods are written once in :class:`.methods.Endpoints`; each builds a
flow (see :mod:`.pipeline`) and hands it to ``_run``. The sync face drives
flows with an ``httpx.Client`` and ``time.sleep``; the async face with an
``httpx.AsyncClient`` and ``asyncio.sleep``, so it never blocks the event
loop. Methods of the async face return awaitables of the same records.
Transports are injectable (``transport=``), e.g. ``httpx.MockTransport`` or
an ASGI app, which is how tests drive the client without sockets.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from httpx_aiohttp import AiohttpTransport

from ..protocol.environments import resolve_environment
from ..protocol.signing import Credentials
from .clock import ServerClock
from .methods import Endpoints
from .pipeline import Flow, Pipeline, Request, Response, RetryPolicy, SendFailed, Sleep

__all__ = ["Client", "AsyncClient"]


def _make_pipeline(
    api_key, api_secret, env, base_url, recv_window, timeout, allow_mainnet_trading, clock, retry
) -> Pipeline:
    if (api_key is None) != (api_secret is None):
        raise ValueError("pass both api_key and api_secret, or neither (market data needs no key)")
    credentials = Credentials(api_key, api_secret) if api_key is not None else None
    if base_url is None:
        if env in ("sim", "custom"):
            raise ValueError(
                "env='sim' has no fixed URL: use bw.connect('sim'), or start bw.sim.run() and pass base_url="
            )
        environment = resolve_environment(env)
        base_url, env = environment.rest_url, environment.name
    elif env is None:
        env = "custom"
    return Pipeline(
        base_url=base_url,
        credentials=credentials,
        environment=env,
        recv_window=recv_window,
        timeout=timeout,
        allow_mainnet_trading=allow_mainnet_trading,
        clock=clock,
        retry=retry,
    )


def _httpx_request(action: Request) -> httpx.Request:
    t = action.timeout
    return httpx.Request(
        action.method,
        action.url,
        headers={**action.headers, "User-Agent": "bybit-widgets"},
        content=action.content,
        extensions={"timeout": {"connect": t, "read": t, "write": t, "pool": t}},
    )


def _send_failed(exc: httpx.TransportError) -> SendFailed:
    """Classify a transport failure: "connect" means the request never left, so nothing happened."""
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
        kind = "connect"
    elif isinstance(exc, httpx.TimeoutException):
        kind = "timeout"
    else:
        kind = "network"
    return SendFailed(kind, str(exc) or type(exc).__name__)


class Client(Endpoints):
    """The sync face: for scripts, services and notebook cells that want a plain answer.

    ``env`` is ``"testnet"`` (default), ``"demo"`` or ``"mainnet"``; or give
    ``base_url`` for any v5-speaking host (the embedded exchange, a proxy).
    Trading on mainnet needs ``allow_mainnet_trading=True``.
    """

    def __init__(
        self,
        api_key: str | None = None,
        api_secret: str | None = None,
        *,
        env: str | None = None,
        base_url: str | None = None,
        recv_window: int = 5000,
        timeout: float = 10.0,
        allow_mainnet_trading: bool = False,
        transport: httpx.BaseTransport | None = None,
        clock: ServerClock | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        if env is None and base_url is None:
            env = "testnet"
        self._pipeline = _make_pipeline(
            api_key, api_secret, env, base_url, recv_window, timeout, allow_mainnet_trading, clock, retry
        )
        # The transport is driven directly: the pipeline already does what httpx.Client adds on top
        # (URL and header merging, cookies, redirects), which cost more than the signing itself.
        self._transport = transport or httpx.HTTPTransport(limits=httpx.Limits(max_keepalive_connections=10))

    def _run(self, flow: Flow) -> Any:
        clock = self._pipeline.clock
        value: Any = None
        error: SendFailed | None = None
        try:
            while True:
                action = flow.throw(error) if error is not None else flow.send(value)
                error, value = None, None
                if isinstance(action, Sleep):
                    time.sleep(action.seconds)
                    continue
                sent = clock.local_ms()
                try:
                    r = self._transport.handle_request(_httpx_request(action))
                    try:
                        content = r.read()
                    finally:
                        r.close()
                except httpx.TransportError as exc:
                    error = _send_failed(exc)
                    continue
                value = Response(r.status_code, r.headers, content, sent, clock.local_ms())
        except StopIteration as stop:
            return stop.value
        finally:
            flow.close()

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClient(Endpoints):
    """The async face: every method returns an awaitable; the event loop is never blocked.

    Same arguments as :class:`Client`; ``transport`` is an
    ``httpx.AsyncBaseTransport``.
    """

    def __init__(
        self,
        api_key: str | None = None,
        api_secret: str | None = None,
        *,
        env: str | None = None,
        base_url: str | None = None,
        recv_window: int = 5000,
        timeout: float = 10.0,
        allow_mainnet_trading: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: ServerClock | None = None,
        retry: RetryPolicy | None = None,
        max_connections: int = 100,
    ) -> None:
        if env is None and base_url is None:
            env = "testnet"
        self._pipeline = _make_pipeline(
            api_key, api_secret, env, base_url, recv_window, timeout, allow_mainnet_trading, clock, retry
        )
        if transport is None:
            # httpcore's async pool costs O(connections x waiting requests) per request and
            # went slower with 50 in flight than one at a time; aiohttp's does not.
            limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
            transport = AiohttpTransport(limits=limits)
        self._transport = transport

    async def _drive(self, flow: Flow) -> Any:
        clock = self._pipeline.clock
        value: Any = None
        error: SendFailed | None = None
        try:
            while True:
                action = flow.throw(error) if error is not None else flow.send(value)
                error, value = None, None
                if isinstance(action, Sleep):
                    await asyncio.sleep(action.seconds)
                    continue
                sent = clock.local_ms()
                try:
                    r = await self._transport.handle_async_request(_httpx_request(action))
                    try:
                        content = await r.aread()
                    finally:
                        await r.aclose()
                except httpx.TransportError as exc:
                    error = _send_failed(exc)
                    continue
                value = Response(r.status_code, r.headers, content, sent, clock.local_ms())
        except StopIteration as stop:
            return stop.value
        finally:
            flow.close()

    def _run(self, flow: Flow) -> Any:
        return self._drive(flow)

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
