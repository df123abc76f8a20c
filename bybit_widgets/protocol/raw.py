"""``client.request(method, path, params)``: which endpoint a path is, and its parameters as given.

Nothing here does I/O; the pipeline signs, limits and sends what these return.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .endpoints import ENDPOINTS, Endpoint
from .errors import ParameterError

__all__ = ["raw_endpoint", "raw_params"]

_V5_PATH = re.compile(r"^/v5(/[a-z0-9][a-z0-9-]*)+$")


def raw_endpoint(method: Any, path: Any) -> Endpoint:
    """The endpoint ``client.request(method, path, ...)`` calls: the catalogue's own when it has
    that path (so its guards and retries apply), else one built by this rule: signed unless it is
    market data (``/v5/market/...``), and every POST treated as trading, guarded on mainnet,
    since an unknown POST may well place or change something."""
    verb = method.upper() if isinstance(method, str) else method
    if verb not in ("GET", "POST"):
        raise ParameterError(f"method must be 'GET' or 'POST' (Bybit v5 uses no other), got {method!r}", param="method")
    if not isinstance(path, str) or not _V5_PATH.match(path):
        raise ParameterError(f"path must be a v5 path like '/v5/market/insurance', got {path!r:.60}", param="path")
    for endpoint in ENDPOINTS.values():
        if endpoint.path == path and endpoint.method == verb:
            return endpoint
    return Endpoint(
        f"request({verb} {path})", verb, path, signed=not path.startswith("/v5/market/"), trading=verb == "POST"
    )


def raw_params(endpoint: Endpoint, params: Any) -> dict[str, Any]:
    """Wire-named parameters as given (``None`` dropped); query values as Bybit reads them."""
    if params is None:
        return {}
    if not isinstance(params, Mapping) or not all(isinstance(k, str) and k for k in params):
        raise ParameterError("params must be a dict of Bybit's wire names, e.g. {'category': 'linear'}", param="params")
    wire = {k: v for k, v in params.items() if v is not None}
    if endpoint.method == "GET":
        for key, value in wire.items():
            if not isinstance(value, (str, int, float, bool)):
                raise ParameterError(f"GET parameter {key!r} must be a string or number, got {value!r:.40}", param=key)
            wire[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return wire
