"""The simulated exchange itself, pure and without I/O: markets, matching, accounts, v5 results.

:class:`Exchange` is the facade the server calls; :class:`SymbolSpec` describes
an instrument (``default_symbols()`` are Bybit's BTC/ETH/SOL perps and spot
BTCUSDT; ``synthetic_linear_symbols(n)`` adds load-test symbols).
"""

from .errors import SimError
from .exchange import Exchange
from .instruments import SymbolSpec, default_symbols, synthetic_linear_symbols

__all__ = ["Exchange", "SimError", "SymbolSpec", "default_symbols", "synthetic_linear_symbols"]
