"""Subscribe replies, as pure functions: reading Bybit's verdicts (batching is protocol.topics.subscribe_batches).

Bybit answers a subscribe in three shapes: ``success: true``; ``success: false`` with a
``ret_msg`` that may name the refused topics (``error:handler not found,topic:X``) or say
``already subscribed``; and, on the option and spread streams, ``data.successTopics`` /
``data.failTopics``. :func:`read_reply` turns each into one :class:`Verdict`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Verdict", "read_reply"]

_TOPIC_IN_REPLY = re.compile(r"topic:([\w.\-]+)")  # "error:handler not found,topic:orderbook.50.X"


@dataclass(frozen=True)
class Verdict:
    """What one reply says about the topics of its request."""

    confirmed: list[str]  # subscribed (or, for an unsubscribe, gone)
    refused: list[str]  # refused for ``reason``: their subscriptions are over
    again: list[str]  # not named by a refusal that named others: to be requested again
    reason: str = ""  # the server's words, when it refused something


def read_reply(message: dict, op: str, topics: list[str]) -> Verdict:
    """The verdict of ``message`` on the request ``op topics`` it answers.

    Decision: a refusal that names some of the topics refuses those and asks again for the
    rest (Bybit stops at the first bad topic of a request); one that names none refuses them
    all. "already subscribed" is a success (but brings no snapshot: see ``resync``). A refused
    unsubscribe changes nothing.
    """
    data = message.get("data")
    if isinstance(data, dict) and ("failTopics" in data or "successTopics" in data):  # option/spread shape
        fail = data.get("failTopics")
        failed = [t for t in fail if t in topics] if isinstance(fail, list) else []
        ok = [t for t in topics if t not in failed]
        return Verdict(ok, failed, [], f"failTopics: {', '.join(failed)}" if failed else "")
    if message.get("success") is True:
        return Verdict(list(topics), [], [])
    ret_msg = str(message.get("ret_msg") or message.get("retMsg") or "refused")
    if op == "unsubscribe":
        return Verdict([], [], [], ret_msg)
    named = [t for t in topics if t in _TOPIC_IN_REPLY.findall(ret_msg)]
    done = named or list(topics)
    rest = [t for t in topics if t not in done]
    if "already subscribed" in ret_msg:
        return Verdict(done, [], rest)
    return Verdict([], done, rest, ret_msg)
