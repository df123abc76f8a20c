"""Decimal -> wire text, the way Bybit writes amounts (plain digits, no exponent, no trailing zeros)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

__all__ = ["dec", "money", "rate", "EIGHT"]

EIGHT = Decimal("0.00000001")


def dec(value: Decimal) -> str:
    """``Decimal`` as plain text without exponent or trailing zeros (``"0"`` for zero)."""
    if not value:
        return "0"
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def money(value: Decimal) -> str:
    """An amount rounded to 8 decimals (the precision of balances and fees)."""
    return dec(value.quantize(EIGHT, ROUND_HALF_UP))


def rate(value: Decimal, places: int = 6) -> str:
    return dec(value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))
