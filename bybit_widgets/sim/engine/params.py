"""Strict reading of the wire parameter dict: every bad value is a 10001 naming the parameter.

GET params arrive as ``str`` (from the query), POST params with their JSON
types. Bybit's numbers are strings on the wire, so a numeric field must be a
numeric string; ``positionIdx`` and ``triggerDirection`` are integers that
may also arrive as digit strings; flags are JSON booleans.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import param_error

__all__ = ["Params"]

_TRUE = ("true", "1")
_FALSE = ("false", "0")


class Params:
    """A view of one request's parameters with typed, validating getters."""

    __slots__ = ("raw",)

    def __init__(self, raw: Any) -> None:
        if not isinstance(raw, dict):
            raise param_error("params error: the request parameters must be a JSON object")
        self.raw = raw

    def has(self, name: str) -> bool:
        value = self.raw.get(name)
        return value is not None and value != ""

    def str(
        self, name: str, *, required: bool = False, choices: tuple[str, ...] | None = None, default: str | None = None
    ) -> str | None:
        value = self.raw.get(name)
        if value is None or value == "":
            if required:
                raise param_error(f"params error: {name} is required")
            return default
        if not isinstance(value, str):
            raise param_error(f"params error: {name} must be a string, got {type(value).__name__}")
        if choices is not None and value not in choices:
            raise param_error(f"params error: {name} invalid: {value!r} is not one of {', '.join(choices)}")
        return value

    def req(self, name: str, choices: tuple[str, ...] | None = None) -> str:
        value = self.str(name, required=True, choices=choices)
        assert value is not None
        return value

    def decimal(
        self, name: str, *, required: bool = False, positive: bool = False, allow_zero: bool = True
    ) -> Decimal | None:
        value = self.raw.get(name)
        if value is None or value == "":
            if required:
                raise param_error(f"params error: {name} is required")
            return None
        if not isinstance(value, str):
            raise param_error(f"params error: {name} must be a numeric string, got {type(value).__name__}")
        text = value.strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise param_error(f"params error: {name} must be a numeric string, got {value!r}") from None
        if not number.is_finite() or text != value or "e" in text.lower():
            raise param_error(f"params error: {name} must be a plain decimal string, got {value!r}")
        if number < 0 or (positive and number == 0) or (not allow_zero and number == 0):
            raise param_error(
                f"params error: {name} must be {'positive' if positive else 'non-negative'}, got {value!r}"
            )
        return number

    def int(self, name: str, *, default: int | None = None, lo: int | None = None, hi: int | None = None) -> int | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise param_error(f"params error: {name} must be an integer, got {type(value).__name__}")
        if isinstance(value, str):
            if not value.strip().lstrip("-").isdigit():
                raise param_error(f"params error: {name} must be an integer, got {value!r}")
            value = int(value)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise param_error(f"params error: {name} must be in [{lo}, {hi}], got {value}")
        return value

    def bool(self, name: str, default: bool = False) -> bool:
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in _TRUE + _FALSE:
            return value.lower() in _TRUE
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        raise param_error(f"params error: {name} must be a boolean, got {value!r}")

    def limit(self, default: int, hi: int) -> int:
        value = self.int("limit", default=default)
        assert value is not None
        if not 1 <= value <= hi:
            raise param_error(f"params error: limit must be in [1, {hi}], got {value}")
        return value

    def time_ms(self, name: str) -> int | None:
        return self.int(name, lo=0)
