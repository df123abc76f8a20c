"""Account records: wallet balances, API key info, account info, coin info."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from .base import B, D, I, Record, S, _w


@dataclass(frozen=True, repr=False)
class CoinBalance(Record):
    coin: str | None = None
    equity: Decimal | None = None
    wallet_balance: Decimal | None = None
    usd_value: Decimal | None = None
    unrealised_pnl: Decimal | None = None
    cum_realised_pnl: Decimal | None = None
    locked: Decimal | None = None
    total_order_im: Decimal | None = None
    total_position_im: Decimal | None = None
    total_position_mm: Decimal | None = None

    WIRE = _w(
        coin=("coin", S),
        equity=("equity", D),
        wallet_balance=("walletBalance", D),
        usd_value=("usdValue", D),
        unrealised_pnl=("unrealisedPnl", D),
        cum_realised_pnl=("cumRealisedPnl", D),
        locked=("locked", D),
        total_order_im=("totalOrderIM", D),
        total_position_im=("totalPositionIM", D),
        total_position_mm=("totalPositionMM", D),
    )


@dataclass(frozen=True, repr=False)
class Wallet(Record):
    account_type: str | None = None
    total_equity: Decimal | None = None
    total_wallet_balance: Decimal | None = None
    total_margin_balance: Decimal | None = None
    total_available_balance: Decimal | None = None
    total_perp_upl: Decimal | None = None
    total_initial_margin: Decimal | None = None
    total_maintenance_margin: Decimal | None = None
    coins: dict = field(default_factory=dict)  # coin name -> CoinBalance

    WIRE = _w(
        account_type=("accountType", S),
        total_equity=("totalEquity", D),
        total_wallet_balance=("totalWalletBalance", D),
        total_margin_balance=("totalMarginBalance", D),
        total_available_balance=("totalAvailableBalance", D),
        total_perp_upl=("totalPerpUPL", D),
        total_initial_margin=("totalInitialMargin", D),
        total_maintenance_margin=("totalMaintenanceMargin", D),
    )

    @classmethod
    def from_wire(cls, data: dict) -> Wallet:  # type: ignore[override]
        base = super().from_wire(data)
        items = data.get("coin")
        items = items if isinstance(items, list) else ()  # tolerant, like every field: a bad list reads as none
        coins = {c.coin: c for c in (CoinBalance.from_wire(item) for item in items if isinstance(item, dict))}
        return cls(**{**{f: getattr(base, f) for f in cls.WIRE}, "raw": data, "coins": coins})


@dataclass(frozen=True, repr=False)
class ApiKeyInfo(Record):
    """``/v5/user/query-api``. ``expires_at`` is the key's real expiry, ``None`` when it never expires.

    Bybit's docs: ``deadlineDay`` and ``expiredAt`` apply "only for those api key with no IP bound
    or the password has been changed". A key bound to IPs never expires, and Bybit then sends
    ``deadlineDay`` -2 with the epoch placeholder ``expiredAt`` "1970-01-01T00:00:00Z".
    """

    api_key: str | None = None
    note: str | None = None
    read_only: bool | None = None
    permissions: dict | None = None
    ips: list | None = None
    type: int | None = None
    deadline_day: int | None = None
    expired_at: str | None = None
    created_at: str | None = None
    uta: int | None = None
    vip_level: str | None = None
    user_id: int | None = None

    WIRE = _w(
        api_key=("apiKey", S),
        note=("note", S),
        read_only=("readOnly", B),
        permissions=("permissions", dict),
        ips=("ips", list),
        type=("type", I),
        deadline_day=("deadlineDay", I),
        expired_at=("expiredAt", S),
        created_at=("createdAt", S),
        uta=("uta", I),
        vip_level=("vipLevel", S),
        user_id=("userID", I),
    )

    @property
    def expires_at(self) -> str | None:
        """The expiry (ISO time) of a key that expires; ``None`` for a key that never does."""
        if self.deadline_day is not None and self.deadline_day < 0:
            return None
        if not self.expired_at or self.expired_at.startswith("1970-01-01"):
            return None
        return self.expired_at


@dataclass(frozen=True, repr=False)
class AccountInfo(Record):
    """``/v5/account/info``: the account's mode and margin settings.

    ``unified_margin_status`` is Bybit's account mode: 1 classic, 3/4 unified
    1.0 (4 Pro), 5/6 unified 2.0 (6 Pro). ``margin_mode`` is
    ``REGULAR_MARGIN`` (cross), ``ISOLATED_MARGIN`` or ``PORTFOLIO_MARGIN``.
    """

    unified_margin_status: int | None = None
    margin_mode: str | None = None
    is_master_trader: bool | None = None
    spot_hedging_status: str | None = None
    updated_time: int | None = None

    WIRE = _w(
        unified_margin_status=("unifiedMarginStatus", I),
        margin_mode=("marginMode", S),
        is_master_trader=("isMasterTrader", B),
        spot_hedging_status=("spotHedgingStatus", S),
        updated_time=("updatedTime", I),
    )

    @property
    def is_unified(self) -> bool:
        """A unified trading account (1.0 or 2.0, Pro or not), not a classic one."""
        return self.unified_margin_status is not None and self.unified_margin_status >= 3


@dataclass(frozen=True, repr=False)
class CoinChain(Record):
    """One chain of a coin. ``withdraw_fee`` is ``None`` where the coin cannot be withdrawn on it ("")."""

    chain: str | None = None
    chain_type: str | None = None
    confirmation: int | None = None
    withdraw_fee: Decimal | None = None
    withdraw_percentage_fee: Decimal | None = None  # a fraction: 0.022 = 2.2 %
    deposit_min: Decimal | None = None
    withdraw_min: Decimal | None = None
    min_accuracy: int | None = None  # decimals of a deposit or withdrawal
    deposit_enabled: bool | None = None  # chainDeposit "1"; "0" = suspended
    withdraw_enabled: bool | None = None  # chainWithdraw "1"; "0" = suspended
    contract_address: str | None = None
    safe_confirm_number: int | None = None

    WIRE = _w(
        chain=("chain", S),
        chain_type=("chainType", S),
        confirmation=("confirmation", I),
        withdraw_fee=("withdrawFee", D),
        withdraw_percentage_fee=("withdrawPercentageFee", D),
        deposit_min=("depositMin", D),
        withdraw_min=("withdrawMin", D),
        min_accuracy=("minAccuracy", I),
        deposit_enabled=("chainDeposit", B),
        withdraw_enabled=("chainWithdraw", B),
        contract_address=("contractAddress", S),
        safe_confirm_number=("safeConfirmNumber", I),
    )


@dataclass(frozen=True, repr=False)
class CoinInfo(Record):
    """One row of ``/v5/asset/coin/query-info``; ``remain_amount`` is the most one withdrawal may take."""

    coin: str | None = None
    name: str | None = None
    remain_amount: Decimal | None = None
    chains: tuple[CoinChain, ...] = ()

    WIRE = _w(coin=("coin", S), name=("name", S), remain_amount=("remainAmount", D))

    @classmethod
    def from_wire(cls, data: dict) -> CoinInfo:  # type: ignore[override]
        base = super().from_wire(data)
        items = data.get("chains")
        items = items if isinstance(items, list) else ()
        chains = tuple(CoinChain.from_wire(item) for item in items if isinstance(item, dict))
        return replace(base, chains=chains)


@dataclass(frozen=True, repr=False)
class FeeRate(Record):
    """The account's trading fees on one symbol (``/v5/account/fee-rate``), as fractions: 0.00055 = 0.055 %."""

    symbol: str | None = None
    base_coin: str | None = None  # options only
    taker_fee_rate: Decimal | None = None
    maker_fee_rate: Decimal | None = None

    WIRE = _w(
        symbol=("symbol", S),
        base_coin=("baseCoin", S),
        taker_fee_rate=("takerFeeRate", D),
        maker_fee_rate=("makerFeeRate", D),
    )


@dataclass(frozen=True, repr=False)
class ClosedPnl(Record):
    """One closed-PnL record (``/v5/position/closed-pnl``): what closing ``closed_size`` made, fees taken.

    ``closed_pnl = (exit value - entry value) x side - open_fee - close_fee``; ``side`` is the
    closing order's (Sell closes a long).
    """

    symbol: str | None = None
    order_id: str | None = None
    side: str | None = None
    closed_size: Decimal | None = None
    avg_entry_price: Decimal | None = None
    avg_exit_price: Decimal | None = None
    cum_entry_value: Decimal | None = None
    cum_exit_value: Decimal | None = None
    closed_pnl: Decimal | None = None
    open_fee: Decimal | None = None
    close_fee: Decimal | None = None
    order_type: str | None = None
    time: int | None = None  # updatedTime, ms

    WIRE = _w(
        symbol=("symbol", S),
        order_id=("orderId", S),
        side=("side", S),
        closed_size=("closedSize", D),
        avg_entry_price=("avgEntryPrice", D),
        avg_exit_price=("avgExitPrice", D),
        cum_entry_value=("cumEntryValue", D),
        cum_exit_value=("cumExitValue", D),
        closed_pnl=("closedPnl", D),
        open_fee=("openFee", D),
        close_fee=("closeFee", D),
        order_type=("orderType", S),
        time=("updatedTime", I),
    )


@dataclass(frozen=True, repr=False)
class Transaction(Record):
    """One row of the transaction log (``/v5/account/transaction-log``): a change of the wallet.

    ``change = cash_flow + funding - fee`` and ``cash_balance`` is the wallet after it; ``funding``
    is positive when received. ``type`` is TRADE, SETTLEMENT (funding), TRANSFER_IN, ...
    """

    id: str | None = None
    symbol: str | None = None
    category: str | None = None
    type: str | None = None
    side: str | None = None
    qty: Decimal | None = None
    size: Decimal | None = None  # the position after, signed
    currency: str | None = None
    trade_price: Decimal | None = None
    funding: Decimal | None = None
    fee: Decimal | None = None
    cash_flow: Decimal | None = None
    change: Decimal | None = None
    cash_balance: Decimal | None = None
    fee_rate: Decimal | None = None
    order_id: str | None = None
    order_link_id: str | None = None
    trade_id: str | None = None
    time: int | None = None  # transactionTime, ms

    WIRE = _w(
        id=("id", S),
        symbol=("symbol", S),
        category=("category", S),
        type=("type", S),
        side=("side", S),
        qty=("qty", D),
        size=("size", D),
        currency=("currency", S),
        trade_price=("tradePrice", D),
        funding=("funding", D),
        fee=("fee", D),
        cash_flow=("cashFlow", D),
        change=("change", D),
        cash_balance=("cashBalance", D),
        fee_rate=("feeRate", D),
        order_id=("orderId", S),
        order_link_id=("orderLinkId", S),
        trade_id=("tradeId", S),
        time=("transactionTime", I),
    )
