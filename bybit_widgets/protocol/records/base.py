"""The base of every record: field converters, ``Record`` (typed attributes over the wire dict) and ``Page``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Generic, TypeVar


def to_decimal(value: Any) -> Decimal | None:
    """Wire number (string, int or float) to Decimal; ``""``/``None`` to None."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value.lower() in ("true", "1", "yes")
    return bool(value)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


D, I, B, S = to_decimal, _int, _bool, _str  # noqa: E741  field converters, short for the tables below

R = TypeVar("R", bound="Record")


@dataclass(frozen=True, repr=False)
class Record:
    """Base of all records: wire access by name, a compact repr, ``from_wire``."""

    raw: dict = field(default_factory=dict, compare=False)
    # attribute -> (wire names tried in order, converter); filled in by each subclass
    WIRE: ClassVar[dict[str, tuple[tuple[str, ...], Callable[[Any], Any]]]] = {}

    @classmethod
    def from_wire(cls: type[R], data: dict) -> R:
        values: dict[str, Any] = {}
        for attr, (names, convert) in cls.WIRE.items():
            for name in names:
                if name in data:
                    values[attr] = convert(data[name])
                    break
            else:
                values[attr] = None
        return cls(raw=data, **values)

    def __getitem__(self, wire_name: str) -> Any:
        return self.raw[wire_name]

    def get(self, wire_name: str, default: Any = None) -> Any:
        return self.raw.get(wire_name, default)

    def to_dict(self) -> dict[str, Any]:
        """The typed attributes (not the raw dict) as a plain dict."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "raw"}

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.to_dict().items() if v is not None and v != "")
        return f"{type(self).__name__}({shown})"


T = TypeVar("T")


class Page(list, Generic[T]):
    """A list result plus Bybit's ``nextPageCursor`` ("" on the last page)."""

    def __init__(self, items: Iterable[T] = (), next_page_cursor: str = "", category: str | None = None) -> None:
        super().__init__(items)
        self.next_page_cursor = next_page_cursor
        self.category = category

    def __repr__(self) -> str:
        more = f", next_page_cursor={self.next_page_cursor!r}" if self.next_page_cursor else ""
        return f"Page({list.__repr__(self)}{more})"


def _w(**spec: tuple[str | tuple[str, ...], Callable[[Any], Any]]):
    return {attr: ((names,) if isinstance(names, str) else names, conv) for attr, (names, conv) in spec.items()}
