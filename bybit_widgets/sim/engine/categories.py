"""Bybit's product categories: every one is answered, only some are traded here.

Bybit has four categories (``spot``, ``linear``, ``inverse``, ``option``); the
embedded exchange lists instruments in, and trades, only ``spot`` and
``linear``. A query on ``inverse`` or ``option`` is still a valid Bybit
request, so it is answered the way Bybit answers where nothing is listed or
held: retCode 0 with an empty list (third-party clients such as ccxt load and
poll every category). A request that would trade there (create, amend or
cancel an order, set leverage, TP/SL) is refused with Bybit's 10001, naming
the category; a category Bybit does not know is 10001 ``Illegal category``.
"""

from __future__ import annotations

from ...protocol.topics import CATEGORIES
from .errors import param_error
from .params import Params

__all__ = ["CATEGORIES", "TRADED", "category_of"]

TRADED = ("linear", "spot")


def category_of(p: Params, allowed: tuple[str, ...] = TRADED, *, default: str | None = None) -> str:
    """The required ``category`` when it is one of ``allowed``; else 10001 saying why not."""
    category = p.str("category", default=default)
    if category is None:
        raise param_error("params error: category is required")
    if category in allowed:
        return category
    if category in CATEGORIES and category not in TRADED:
        raise param_error(
            f"Illegal category: the embedded exchange does not trade {category} (it trades {' and '.join(TRADED)})"
        )
    raise param_error(f"Illegal category: {category!r} (this endpoint takes {', '.join(allowed)})")
