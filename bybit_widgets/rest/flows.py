"""Composite flows built from endpoint calls: credential check, close position, paging, history.

Written once as flows so the sync and async faces share them exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..protocol.endpoints import ENDPOINTS
from ..protocol.errors import BybitError, ParameterError
from ..protocol.records import ApiKeyInfo, Page, Position
from ..protocol.windows import HISTORY_WINDOWS
from .pipeline import Flow, Pipeline, Sleep

__all__ = ["CredentialReport", "check_credentials", "close_position", "all_pages", "history"]


@dataclass(frozen=True)
class CredentialReport:
    """What an API key may do, in plain words. Holds no secret."""

    environment: str
    api_key: str  # masked
    read_only: bool
    permissions: dict
    ips: list
    expires: str | None  # ISO time of a key that expires; None for a key that never expires
    warnings: list[str] = field(default_factory=list)

    @property
    def can_trade(self) -> bool:
        return not self.read_only and any(
            self.permissions.get(k) for k in ("ContractTrade", "Spot", "Derivatives", "Options")
        )

    def summary(self) -> str:
        lines = [f"Key {self.api_key} works on {self.environment}."]
        lines.append(
            "It is read-only: it can read data but not place orders."
            if self.read_only
            else "It can trade (read and write)."
        )
        granted = [f"{group}: {', '.join(items)}" for group, items in self.permissions.items() if items]
        lines.append("Permissions: " + ("; ".join(granted) if granted else "none listed") + ".")
        lines.append(f"Restricted to IPs: {', '.join(self.ips)}." if self.ips else "Not restricted to any IP address.")
        if self.expires:
            lines.append(f"Expires: {self.expires}.")
        elif self.ips:
            lines.append("No expiry date. It never expires: Bybit does not expire keys bound to IP addresses.")
        else:
            lines.append("No expiry date.")
        lines.extend(f"Warning: {w}" for w in self.warnings)
        return "\n".join(lines)

    __str__ = summary

    def _repr_markdown_(self) -> str:
        return "\n\n".join(self.summary().splitlines())


def check_credentials(pipeline: Pipeline) -> Flow:
    """Flow: ``get_api_key_info`` explained as a :class:`CredentialReport`.

    The expiry is :attr:`ApiKeyInfo.expires_at`, not the raw ``expiredAt``: Bybit sends an epoch
    placeholder (1970-01-01) for IP-bound keys, which never expire.
    """
    info: ApiKeyInfo = yield from pipeline.call("get_api_key_info", {})
    perms = {k: list(v) for k, v in (info.permissions or {}).items()}
    ips = [ip for ip in (info.ips or []) if ip and ip != "*"]
    warnings = []
    if perms.get("Wallet") and any("Withdraw" in p for p in perms["Wallet"]):
        warnings.append("this key can WITHDRAW funds. A trading tool never needs that; create a key without it.")
    if not ips and not info.read_only:
        warnings.append(
            "this key can trade from any IP address. Bybit lets you bind it to your IPs; keys without an IP "
            "restriction also expire after 90 days."
        )
    from ..protocol.signing import mask_key

    return CredentialReport(
        environment=pipeline.environment,
        api_key=mask_key(pipeline.credentials.api_key) if pipeline.credentials else "",
        read_only=bool(info.read_only),
        permissions=perms,
        ips=ips,
        expires=info.expires_at,
        warnings=warnings,
    )


def close_position(
    pipeline: Pipeline, category: str, symbol: str, timeout: float = 15.0, position_idx: int | None = None
) -> Flow:
    """Send the opposing reduce-only market order for the whole size; return once flat.

    A hedged symbol has two rows: both are closed, or only the side ``position_idx`` names.
    """

    def rows() -> Flow:  # the symbol's rows, or the one side asked for
        found = yield from pipeline.call("get_positions", {"category": category, "symbol": symbol})
        return [p for p in found if position_idx is None or (p.position_idx or 0) == position_idx]

    positions = yield from rows()
    open_positions = [p for p in positions if p.size and p.size > 0]
    if not open_positions:
        return positions[0] if positions else None
    for pos in open_positions:
        yield from pipeline.call(
            "place_order",
            {
                "category": category,
                "symbol": symbol,
                "side": "Sell" if pos.side == "Buy" else "Buy",
                "order_type": "Market",
                "qty": str(pos.size),
                "reduce_only": True,
                "position_idx": pos.position_idx or 0,
            },
        )
    deadline = pipeline.clock.local_ms() + timeout * 1000
    delay = 0.05
    while True:
        positions = yield from rows()
        remaining = [p for p in positions if p.size and p.size > Decimal(0)]
        if not remaining:
            flat: Position | None = positions[0] if positions else None
            return flat
        if pipeline.clock.local_ms() > deadline:
            left = ", ".join(f"{p.side} {p.size}" for p in remaining)
            raise BybitError(
                f"{symbol} position is not flat after {timeout:.0f} s (still {left})",
                hint="The closing market order may have only partly filled (thin book or price protection). "
                "Check get_positions() and close the rest.",
            )
        yield Sleep(delay)
        delay = min(delay * 2, 0.5)


def all_pages(pipeline: Pipeline, name: str, kwargs: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> Flow:
    """Every item of a cursor-paged endpoint, following ``nextPageCursor`` to the end, as one Page.

    Closed PnL and the transaction log are also read across Bybit's query window (see :func:`history`).
    """
    endpoint = ENDPOINTS.get(name)
    if endpoint is None or endpoint.param("cursor") is None:
        paged = ", ".join(e.name for e in ENDPOINTS.values() if e.param("cursor") is not None)
        raise ParameterError(f"{name!r} is not a paged endpoint; these are: {paged}", param="method")
    known = {k: v for k, v in kwargs.items() if endpoint.param(k) is not None}
    extra = {**(extra or {}), **{k: v for k, v in kwargs.items() if k not in known}}  # build_params checks these
    if endpoint.path in HISTORY_WINDOWS:
        return (yield from history(pipeline, name, known, extra, every_page=True))
    return (yield from _every_page(pipeline, name, known, extra))


def _every_page(pipeline: Pipeline, name: str, kwargs: Mapping[str, Any], extra: Mapping[str, Any] | None) -> Flow:
    items: list[Any] = []
    known = dict(kwargs)
    cursor = known.pop("cursor", None)
    while True:
        page = yield from pipeline.call(name, {**known, "cursor": cursor}, extra)
        items.extend(page)
        cursor = page.next_page_cursor
        if not cursor:
            return Page(items, "", page.category)


def history(
    pipeline: Pipeline,
    name: str,
    kwargs: Mapping[str, Any],
    extra: Mapping[str, Any] | None = None,
    every_page: bool = False,
) -> Flow:
    """Closed PnL or the transaction log over any range, newest first.

    Bybit answers one window a request (:mod:`..protocol.windows`): a ``start_time`` with no
    ``end_time`` means everything since then (up to now), and a range longer than Bybit serves
    at once is asked window by window, every page of each, stitched into one Page (no cursor
    left to follow). A range one request covers is that one request, exactly as Bybit answers
    it (one page, unless ``every_page``).
    """
    start, end = kwargs.get("start_time"), kwargs.get("end_time")
    windows = None
    if type(start) is int and (end is None or type(end) is int):  # else: refused by the catalogue's checks
        now = (yield from pipeline.server_now()) if end is None else 0
        windows = HISTORY_WINDOWS[ENDPOINTS[name].path].requests(start, end, now)
    if windows is None:
        return (
            yield from (
                _every_page(pipeline, name, kwargs, extra) if every_page else pipeline.call(name, kwargs, extra)
            )
        )
    if kwargs.get("cursor"):
        raise ParameterError("a cursor pages one 7-day window; a longer range is paged for you", param="cursor")
    items: list[Any] = []
    category = None
    for low, high in windows:
        page = yield from _every_page(pipeline, name, {**kwargs, "start_time": low, "end_time": high}, extra)
        items.extend(page)
        category = page.category
    return Page(items, "", category)
