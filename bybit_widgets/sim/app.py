"""The ASGI application of the simulated exchange (Starlette).

``create_app(exchange)`` serves Bybit v5 REST under ``/v5/``, the public,
private and trade WebSockets, and the ``/sim/`` control surface, around one
:class:`~bybit_widgets.sim.core.SimCore`. The market loop runs inside the
app's lifespan, so any ASGI server (uvicorn in :mod:`.runner`, or
``httpx.ASGITransport`` with a lifespan manager in tests) drives it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Route, WebSocketRoute

from .clock import SimClock
from .config import SimConfig
from .control import control_routes
from .core import SimCore
from .engine.exchange import Exchange
from .rest_routes import v5_endpoint
from .ws_private import private_endpoint
from .ws_public import public_endpoint
from .ws_trade import trade_endpoint

__all__ = ["create_app"]


def create_app(
    exchange: Exchange,
    *,
    config: SimConfig | None = None,
    clock: SimClock | None = None,
    replay: Any = None,
    paused: bool = False,
) -> Starlette:
    """An ASGI app serving ``exchange``; ``app.state.core`` is its :class:`SimCore`.

    Pass the same ``clock`` the exchange was built with (``Exchange(clock=clock)``)
    so that a ``clock_skew`` fault moves engine timestamps too.
    """
    core = SimCore(exchange, config=config, clock=clock, replay=replay, paused=paused)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        await core.start()
        try:
            yield {}
        finally:
            await core.stop()

    routes = [
        WebSocketRoute("/v5/public/{category}", public_endpoint),
        WebSocketRoute("/v5/private", private_endpoint),
        WebSocketRoute("/v5/trade", trade_endpoint),
        *control_routes(),
        Route("/v5/{rest:path}", v5_endpoint, methods=["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.router.redirect_slashes = False  # Bybit answers /v5 with 404, never with a redirect to /v5/
    app.state.core = core
    return app
