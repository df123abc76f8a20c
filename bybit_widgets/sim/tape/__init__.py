"""Bybit's public history files as a tape: readers, seek indexes, and a player with a clock.

See :mod:`.files` (the formats and their refusals), :mod:`.index` (the book and its checkpoints),
:mod:`.trades` (the trade spool), :mod:`.player` (play, pause, step, seek, speed), :mod:`.market` (an
engine market moved by a file) and :mod:`.serve` (the tape the exchange serves).
"""

from .files import BookFrame, TapeError, TapeFile, Trade, identify, read_book, read_trades
from .index import BookIndex, TapeBook
from .market import TapeMarket
from .player import MAX_SPEED, MIN_SPEED, ReplayClock, TapePlayer
from .serve import TapeReplay
from .trades import TradeIndex

__all__ = [
    "BookFrame",
    "BookIndex",
    "MAX_SPEED",
    "MIN_SPEED",
    "ReplayClock",
    "TapeBook",
    "TapeError",
    "TapeFile",
    "TapeMarket",
    "TapePlayer",
    "TapeReplay",
    "Trade",
    "TradeIndex",
    "identify",
    "read_book",
    "read_trades",
]
