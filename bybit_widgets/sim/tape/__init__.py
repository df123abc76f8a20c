"""Bybit's public history files as a tape: readers, seek indexes, and a player with a clock.

See :mod:`.files` (the formats and their refusals), :mod:`.index` (the book and its checkpoints),
:mod:`.trades` (the trade spool) and :mod:`.player` (play, pause, step, seek, speed).
"""

from .files import BookFrame, TapeError, TapeFile, Trade, identify, read_book, read_trades
from .index import BookIndex, TapeBook
from .player import MAX_SPEED, MIN_SPEED, ReplayClock, TapePlayer
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
    "TapePlayer",
    "Trade",
    "TradeIndex",
    "identify",
    "read_book",
    "read_trades",
]
