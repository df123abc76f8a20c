"""The sans-I/O core: everything about Bybit v5 that needs no socket.

Signing, topics, wire decoding into typed records, the order-book state
machine, instrument rules and error codes. Pure functions and plain objects,
tested with plain values; the REST client, the streams and the simulator all
speak through this package so that each wire format is written once.
"""

from .codec import DecodeError, decode, encode
from .environments import ENVIRONMENTS, Environment, resolve_environment
from .errors import *  # noqa: F403
from .errors import __all__ as _errors_all
from .orderbook import CrossedBook, MalformedBookMessage, NotSynced, OrderBook, OrderBookError, SequenceGap
from .signing import Credentials, hmac_sha256_hex, mask_key, rest_sign_string, rsa_sha256_b64, ws_auth_string
from .topics import Topic, TopicError, kline_topic, orderbook_topic, parse_topic, ticker_topic, trade_topic

__all__ = [
    "decode",
    "encode",
    "DecodeError",
    "Environment",
    "ENVIRONMENTS",
    "resolve_environment",
    "Credentials",
    "hmac_sha256_hex",
    "rsa_sha256_b64",
    "rest_sign_string",
    "ws_auth_string",
    "mask_key",
    "OrderBook",
    "OrderBookError",
    "SequenceGap",
    "CrossedBook",
    "NotSynced",
    "MalformedBookMessage",
    "Topic",
    "TopicError",
    "parse_topic",
    "orderbook_topic",
    "ticker_topic",
    "kline_topic",
    "trade_topic",
    *_errors_all,
]
