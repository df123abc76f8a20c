"""Trading records: order acknowledgements, batch results, orders, executions, positions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, ClassVar

from ..errors import BatchOrderError, BybitError, ErrorContext, error_for
from ..positions import HEDGE_BUY, HEDGE_SELL, position_key
from .base import B, D, I, Record, S, _int, _w


@dataclass(frozen=True, repr=False)
class OrderAck(Record):
    """What order create/amend/cancel return: an acknowledgement, not the order's state."""

    order_id: str | None = None
    order_link_id: str | None = None

    WIRE = _w(order_id=("orderId", S), order_link_id=("orderLinkId", S))


@dataclass(frozen=True, repr=False)
class BatchItem(Record):
    """One order of a batch: its acknowledgement, or Bybit's refusal of that order.

    ``ret_code``/``ret_msg`` are the item's own (``retExtInfo.list[i]``: ``code``, ``msg``);
    ``error`` is the :class:`~.errors.BybitError` that code means (class and hint as for a
    single request), ``None`` when the order went through. ``index`` is its place in the request.
    """

    index: int = 0
    order_id: str | None = None
    order_link_id: str | None = None
    category: str | None = None
    symbol: str | None = None
    create_at: int | None = None
    ret_code: int = 0
    ret_msg: str = ""
    error: BybitError | None = field(default=None, compare=False)

    WIRE = _w(
        order_id=("orderId", S),
        order_link_id=("orderLinkId", S),
        category=("category", S),
        symbol=("symbol", S),
        create_at=("createAt", I),
    )

    @property
    def ok(self) -> bool:
        return self.ret_code == 0

    @property
    def name(self) -> str:
        """How messages name the item: its orderLinkId, else its orderId, else its place; with the symbol."""
        ident = self.order_link_id or self.order_id or f"#{self.index}"
        return f"{ident} ({self.symbol})" if self.symbol else ident


_DONE = {"create": "placed", "amend": "amended", "cancel": "cancelled"}  # what a batch's accepted orders were


class BatchResult(list):
    """The items of a batch order request, in request order, each its order id or its error.

    Decision: Bybit answers a batch (REST ``/v5/order/*-batch``, WebSocket ``order.*-batch``)
    with retCode 0 even when orders were refused; each order's own outcome is the ``code``/
    ``msg`` at the same index of ``retExtInfo.list``. So success is per item: ``failed`` and
    ``succeeded`` split them, ``ok`` says all went through, and :meth:`raise_for_failures`
    turns any refusal into one :class:`~.errors.BatchOrderError` that names every refused item
    and carries this whole result (so the ids of the orders that were placed are never lost).
    """

    def __init__(self, items: Iterable[BatchItem] = (), op: str | None = None) -> None:
        super().__init__(items)
        self.op = op

    @classmethod
    def from_wire(cls, result: Any, ret_ext_info: Any, op: str | None = None) -> BatchResult:
        """Pair ``result.list`` (REST ``result``, WebSocket ``data``) with ``retExtInfo.list`` by index.

        A missing ``retExtInfo`` entry means success (code 0); an entry without its ``list`` item
        still becomes an item, so a refusal is never dropped.
        """
        rows = result.get("list") if isinstance(result, dict) else None
        rows = [r if isinstance(r, dict) else {} for r in rows] if isinstance(rows, list) else []
        codes = ret_ext_info.get("list") if isinstance(ret_ext_info, dict) else None
        codes = [c if isinstance(c, dict) else {} for c in codes] if isinstance(codes, list) else []
        ctx = ErrorContext(endpoint=op)
        items = []
        for i in range(max(len(rows), len(codes))):
            row = rows[i] if i < len(rows) else {}
            info = codes[i] if i < len(codes) else {}
            code = _int(info.get("code")) or 0
            msg = str(info.get("msg") or "")
            error = error_for(code, msg, ctx) if code else None
            items.append(replace(BatchItem.from_wire(row), index=i, ret_code=code, ret_msg=msg, error=error))
        return cls(items, op)

    @property
    def failed(self) -> list[BatchItem]:
        """The refused items, each with its ``error``."""
        return [item for item in self if not item.ok]

    @property
    def succeeded(self) -> list[BatchItem]:
        return [item for item in self if item.ok]

    @property
    def ok(self) -> bool:
        """True when every order of the batch went through."""
        return not self.failed

    def raise_for_failures(self) -> BatchResult:
        """Return ``self`` when every order went through, else raise :class:`~.errors.BatchOrderError`."""
        failed = self.failed
        if not failed:
            return self
        listed = "; ".join(f"{item.name}: retCode {item.ret_code} {item.ret_msg}".rstrip() for item in failed)
        done = len(self) - len(failed)
        verb = next((word for op, word in _DONE.items() if op in (self.op or "")), "placed")
        hint = (
            f"Bybit accepted the batch but refused {len(failed)} of its {len(self)} orders; "
            + (f"none was {verb}. " if not done else f"the other {done} {'was' if done == 1 else 'were'} {verb}")
            + (" (see error.result). " if done else "")
            + "error.failed lists each refused order with its own error."
        )
        first = failed[0].error
        if first is not None:
            hint += f" {failed[0].name}: {first.hint}"
        raise BatchOrderError(
            f"{self.op or 'batch'}: {len(failed)} of {len(self)} orders refused: {listed}",
            hint=hint,
            endpoint=self.op,
            result=self,
        )

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{item.name}: {item.order_id}" if item.ok else f"{item.name}: FAILED {item.ret_code} {item.ret_msg}"
            for item in self
        )
        return f"BatchResult({len(self.succeeded)} ok, {len(self.failed)} failed: [{shown}])"


@dataclass(frozen=True, repr=False)
class Order(Record):
    order_id: str | None = None
    order_link_id: str | None = None
    category: str | None = None
    symbol: str | None = None
    side: str | None = None
    order_type: str | None = None
    price: Decimal | None = None
    qty: Decimal | None = None
    time_in_force: str | None = None
    order_status: str | None = None
    avg_price: Decimal | None = None
    leaves_qty: Decimal | None = None
    cum_exec_qty: Decimal | None = None
    cum_exec_value: Decimal | None = None
    cum_exec_fee: Decimal | None = None
    reject_reason: str | None = None
    cancel_type: str | None = None
    reduce_only: bool | None = None
    close_on_trigger: bool | None = None
    trigger_price: Decimal | None = None
    trigger_direction: int | None = None
    take_profit: Decimal | None = None
    stop_loss: Decimal | None = None
    stop_order_type: str | None = None
    position_idx: int | None = None
    created_time: int | None = None
    updated_time: int | None = None

    WIRE = _w(
        order_id=("orderId", S),
        order_link_id=("orderLinkId", S),
        category=("category", S),
        symbol=("symbol", S),
        side=("side", S),
        order_type=("orderType", S),
        price=("price", D),
        qty=("qty", D),
        time_in_force=("timeInForce", S),
        order_status=("orderStatus", S),
        avg_price=("avgPrice", D),
        leaves_qty=("leavesQty", D),
        cum_exec_qty=("cumExecQty", D),
        cum_exec_value=("cumExecValue", D),
        cum_exec_fee=("cumExecFee", D),
        reject_reason=("rejectReason", S),
        cancel_type=("cancelType", S),
        reduce_only=("reduceOnly", B),
        close_on_trigger=("closeOnTrigger", B),
        trigger_price=("triggerPrice", D),
        trigger_direction=("triggerDirection", I),
        take_profit=("takeProfit", D),
        stop_loss=("stopLoss", D),
        stop_order_type=("stopOrderType", S),
        position_idx=("positionIdx", I),
        created_time=("createdTime", I),
        updated_time=("updatedTime", I),
    )

    OPEN_STATUSES: ClassVar[frozenset[str]] = frozenset({"New", "PartiallyFilled", "Untriggered"})

    @property
    def is_open(self) -> bool:
        return self.order_status in self.OPEN_STATUSES


@dataclass(frozen=True, repr=False)
class Execution(Record):
    exec_id: str | None = None
    order_id: str | None = None
    order_link_id: str | None = None
    category: str | None = None
    symbol: str | None = None
    side: str | None = None
    exec_price: Decimal | None = None
    exec_qty: Decimal | None = None
    exec_value: Decimal | None = None
    exec_fee: Decimal | None = None
    exec_type: str | None = None
    exec_time: int | None = None
    is_maker: bool | None = None
    fee_rate: Decimal | None = None
    closed_size: Decimal | None = None
    order_price: Decimal | None = None
    order_qty: Decimal | None = None
    leaves_qty: Decimal | None = None

    WIRE = _w(
        exec_id=("execId", S),
        order_id=("orderId", S),
        order_link_id=("orderLinkId", S),
        category=("category", S),
        symbol=("symbol", S),
        side=("side", S),
        exec_price=("execPrice", D),
        exec_qty=("execQty", D),
        exec_value=("execValue", D),
        exec_fee=("execFee", D),
        exec_type=("execType", S),
        exec_time=("execTime", I),
        is_maker=("isMaker", B),
        fee_rate=("feeRate", D),
        closed_size=("closedSize", D),
        order_price=("orderPrice", D),
        order_qty=("orderQty", D),
        leaves_qty=("leavesQty", D),
    )


@dataclass(frozen=True, repr=False)
class Position(Record):
    """A position. ``avg_price`` reads REST ``avgPrice`` or WebSocket ``entryPrice``."""

    symbol: str | None = None
    category: str | None = None
    side: str | None = None  # Buy, Sell, or "" when flat
    size: Decimal | None = None
    avg_price: Decimal | None = None
    position_value: Decimal | None = None
    leverage: Decimal | None = None
    mark_price: Decimal | None = None
    liq_price: Decimal | None = None
    unrealised_pnl: Decimal | None = None
    cur_realised_pnl: Decimal | None = None
    cum_realised_pnl: Decimal | None = None
    take_profit: Decimal | None = None
    stop_loss: Decimal | None = None
    trailing_stop: Decimal | None = None
    position_idx: int | None = None
    position_status: str | None = None
    position_im: Decimal | None = None
    position_mm: Decimal | None = None
    created_time: int | None = None
    updated_time: int | None = None

    WIRE = _w(
        symbol=("symbol", S),
        category=("category", S),
        side=("side", S),
        size=("size", D),
        avg_price=(("avgPrice", "entryPrice"), D),
        position_value=("positionValue", D),
        leverage=("leverage", D),
        mark_price=("markPrice", D),
        liq_price=("liqPrice", D),
        unrealised_pnl=("unrealisedPnl", D),
        cur_realised_pnl=("curRealisedPnl", D),
        cum_realised_pnl=("cumRealisedPnl", D),
        take_profit=("takeProfit", D),
        stop_loss=("stopLoss", D),
        trailing_stop=("trailingStop", D),
        position_idx=("positionIdx", I),
        position_status=("positionStatus", S),
        position_im=("positionIM", D),
        position_mm=("positionMM", D),
        created_time=("createdTime", I),
        updated_time=("updatedTime", I),
    )

    @property
    def is_flat(self) -> bool:
        return not self.size

    @property
    def key(self) -> str:
        """Its key among an account's positions: the symbol, or ``symbol/long`` / ``symbol/short`` when hedged."""
        return position_key(self.symbol or "", self.position_idx)

    @property
    def hedged(self) -> bool:
        """Whether this is one side of a symbol in hedge mode (``positionIdx`` 1 or 2)."""
        return self.position_idx in (HEDGE_BUY, HEDGE_SELL)
