"""Type stubs of the native module ``elson._elson``."""

from __future__ import annotations

import datetime
import os
import uuid
from decimal import Decimal
from typing import Any, Callable, Dict, Iterable, List, Literal, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

from ._enums import (
    AssetType,
    CircuitBreakerState,
    Environment,
    FeedbackSeverity,
    FeedbackStatus,
    FeedbackType,
    GuardianApproval,
    NotificationPriority,
    NotificationStatus,
    NotificationType,
    OrderType,
    PortfolioType,
    RelationshipStatus,
    RelationshipType,
    RiskProfile,
    TradeSide,
    TradeStatus,
    UserRole,
    UserStatus,
    VolatilityLevel,
    VolatilityMethod,
)

__version__: str

class ElsonError(Exception):
    """Base class of every Elson SDK error; ``code`` is the stable error code."""

    code: str

class InvalidInput(ElsonError):
    field: str
    reason: str

class InsufficientFunds(ElsonError):
    needed: Decimal
    available: Decimal

class InsufficientQuantity(ElsonError):
    symbol: str
    requested: Decimal
    held: Decimal

class ApprovalRequired(ElsonError):
    trade_id: uuid.UUID

class Forbidden(ElsonError):
    reason: str

class InvalidTransition(ElsonError):
    entity: str
    from_state: str
    to_state: str

class NotFound(ElsonError):
    entity: str
    id: str

class Conflict(ElsonError):
    reason: str

class PositionLimitExceeded(ElsonError):
    requested: Decimal
    limit: Decimal

class ConfidenceTooLow(ElsonError):
    score: Decimal
    threshold: Decimal

class TradingHalted(ElsonError):
    state: str
    reason: str

class StorageError(ElsonError):
    operation: Optional[str]
    message: str

class InternalError(ElsonError): ...

class AuthenticationFailed(ElsonError):
    """Unknown email or wrong password (one message for both), or a wrong,
    expired or reused two-factor code."""

    reason: str

class CryptoError(ElsonError):
    """Encrypted data could not be sealed or opened."""

    reason: str

class EnvironmentMismatch(ElsonError):
    """A database or snapshot belongs to another environment."""

    what: str
    found: Optional[str]
    expected: Optional[str]

class Unsupported(ElsonError):
    """The call does not exist on this backend; ``hint`` says what does."""

    operation: str
    hint: str

class SnapshotError(ElsonError):
    """A snapshot file cannot be used."""

    path: str
    reason: str

class IdempotencyConflict(ElsonError):
    """A client command id was already used for a different command or
    payload (by the same actor); nothing was done."""

    command_id: uuid.UUID
    operation: str

def _enum_values() -> List[Tuple[str, List[str]]]: ...
def _panic_for_test() -> None: ...

class User:
    """A person using the platform (table `users`)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def email(self) -> str: ...
    @property
    def password_hash(self) -> str: ...
    @property
    def role(self) -> UserRole: ...
    @property
    def first_name(self) -> Optional[str]: ...
    @property
    def last_name(self) -> Optional[str]: ...
    @property
    def date_of_birth(self) -> Optional[datetime.date]: ...
    @property
    def created_at(self) -> datetime.datetime: ...
    @property
    def updated_at(self) -> datetime.datetime: ...
    @property
    def last_login(self) -> Optional[datetime.datetime]: ...
    @property
    def status(self) -> UserStatus: ...
    @property
    def two_factor_enabled(self) -> bool: ...
    @property
    def two_factor_secret(self) -> Optional[str]: ...
    @property
    def risk_profile(self) -> RiskProfile: ...
    @property
    def education_progress(self) -> Optional[Any]: ...
    @property
    def preferences(self) -> Optional[Any]: ...
    @property
    def beta_feedback(self) -> Optional[str]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> User: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> User: ...

class Portfolio:
    """A collection of assets owned by a user (table `portfolios`)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def user_id(self) -> uuid.UUID: ...
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> Optional[str]: ...
    @property
    def created_at(self) -> datetime.datetime: ...
    @property
    def updated_at(self) -> datetime.datetime: ...
    @property
    def cash_balance(self) -> Decimal: ...
    @property
    def total_value(self) -> Decimal: ...
    @property
    def risk_score(self) -> Optional[int]: ...
    @property
    def diversification_score(self) -> Optional[int]: ...
    @property
    def portfolio_type(self) -> PortfolioType: ...
    @property
    def guardian_approval(self) -> bool: ...
    @property
    def volatility_preference(self) -> Optional[VolatilityLevel]: ...
    @property
    def performance_metrics(self) -> Optional[Any]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Portfolio: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> Portfolio: ...

class Position:
    """A holding of one symbol (table `positions`)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def portfolio_id(self) -> uuid.UUID: ...
    @property
    def symbol(self) -> str: ...
    @property
    def quantity(self) -> Decimal: ...
    @property
    def average_price(self) -> Decimal: ...
    @property
    def current_price(self) -> Decimal: ...
    @property
    def current_value(self) -> Decimal: ...
    @property
    def created_at(self) -> datetime.datetime: ...
    @property
    def updated_at(self) -> datetime.datetime: ...
    @property
    def last_price_update(self) -> Optional[datetime.datetime]: ...
    @property
    def gain_loss(self) -> Decimal: ...
    @property
    def gain_loss_percent(self) -> Decimal: ...
    @property
    def asset_type(self) -> AssetType: ...
    @property
    def sector(self) -> Optional[str]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Position: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> Position: ...

class Trade:
    """A buy or sell order (table `trades`)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def portfolio_id(self) -> uuid.UUID: ...
    @property
    def symbol(self) -> str: ...
    @property
    def order_type(self) -> OrderType: ...
    @property
    def side(self) -> TradeSide: ...
    @property
    def quantity(self) -> Decimal: ...
    @property
    def price(self) -> Optional[Decimal]: ...
    @property
    def status(self) -> TradeStatus: ...
    @property
    def created_at(self) -> datetime.datetime: ...
    @property
    def executed_at(self) -> Optional[datetime.datetime]: ...
    @property
    def total_amount(self) -> Optional[Decimal]: ...
    @property
    def fees(self) -> Optional[Decimal]: ...
    @property
    def notes(self) -> Optional[str]: ...
    @property
    def circuit_breaker_state(self) -> Optional[CircuitBreakerState]: ...
    @property
    def volatility_level(self) -> Optional[VolatilityLevel]: ...
    @property
    def guardian_approval(self) -> GuardianApproval: ...
    @property
    def confidence_score(self) -> Optional[Decimal]: ...
    @property
    def position_sizing(self) -> Optional[Decimal]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Trade: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> Trade: ...

class Relationship:
    """A guardian–minor link (table `relationships`)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def guardian_id(self) -> uuid.UUID: ...
    @property
    def minor_id(self) -> uuid.UUID: ...
    @property
    def relationship_type(self) -> RelationshipType: ...
    @property
    def created_at(self) -> datetime.datetime: ...
    @property
    def updated_at(self) -> datetime.datetime: ...
    @property
    def status(self) -> RelationshipStatus: ...
    @property
    def approval_settings(self) -> Dict[str, Any]: ...
    @property
    def permissions(self) -> Dict[str, bool]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Relationship: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> Relationship: ...

class Notification:
    """A message for a user (table `notifications`)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def user_id(self) -> uuid.UUID: ...
    @property
    def related_entity_id(self) -> Optional[uuid.UUID]: ...
    @property
    def related_entity_type(self) -> Optional[str]: ...
    @property
    def notification_type(self) -> NotificationType: ...
    @property
    def title(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def created_at(self) -> datetime.datetime: ...
    @property
    def read_at(self) -> Optional[datetime.datetime]: ...
    @property
    def status(self) -> NotificationStatus: ...
    @property
    def priority(self) -> NotificationPriority: ...
    @property
    def action_url(self) -> Optional[str]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Notification: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> Notification: ...

class VolatilityRegime:
    """One stabilized regime reading (table `volatility_regimes`)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def symbol(self) -> str: ...
    @property
    def timestamp(self) -> datetime.datetime: ...
    @property
    def volatility_value(self) -> Decimal: ...
    @property
    def volatility_level(self) -> VolatilityLevel: ...
    @property
    def lookback_period(self) -> int: ...
    @property
    def calculation_method(self) -> VolatilityMethod: ...
    @property
    def circuit_breaker_state(self) -> Optional[CircuitBreakerState]: ...
    @property
    def confidence_score(self) -> Decimal: ...
    @property
    def stabilization_count(self) -> int: ...
    def to_dict(self) -> Dict[str, Any]: ...
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> VolatilityRegime: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> VolatilityRegime: ...

class ModelParameter:
    """An effective-dated model parameter (table `model_parameters`)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def volatility_level(self) -> VolatilityLevel: ...
    @property
    def parameter_type(self) -> str: ...
    @property
    def parameter_name(self) -> str: ...
    @property
    def parameter_value(self) -> Decimal: ...
    @property
    def effective_from(self) -> datetime.datetime: ...
    @property
    def effective_to(self) -> Optional[datetime.datetime]: ...
    @property
    def created_by(self) -> str: ...
    @property
    def created_at(self) -> datetime.datetime: ...
    @property
    def updated_at(self) -> datetime.datetime: ...
    @property
    def description(self) -> Optional[str]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> ModelParameter: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> ModelParameter: ...

class BacktestResultRow:
    """The summary row of a backtest (table `backtest_results`)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def model_version(self) -> str: ...
    @property
    def symbol(self) -> str: ...
    @property
    def start_date(self) -> datetime.date: ...
    @property
    def end_date(self) -> datetime.date: ...
    @property
    def total_trades(self) -> int: ...
    @property
    def win_rate(self) -> Decimal: ...
    @property
    def profit_loss(self) -> Decimal: ...
    @property
    def sharpe_ratio(self) -> Decimal: ...
    @property
    def drawdown_max(self) -> Decimal: ...
    @property
    def volatility_breakdown(self) -> Any: ...
    @property
    def parameters_used(self) -> Any: ...
    @property
    def created_at(self) -> datetime.datetime: ...
    @property
    def notes(self) -> Optional[str]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> BacktestResultRow: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> BacktestResultRow: ...

class BetaFeedback:
    """Feedback from a beta tester (table `beta_feedback`)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def user_id(self) -> uuid.UUID: ...
    @property
    def feedback_type(self) -> FeedbackType: ...
    @property
    def category(self) -> Optional[str]: ...
    @property
    def title(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def severity(self) -> FeedbackSeverity: ...
    @property
    def status(self) -> FeedbackStatus: ...
    @property
    def submitted_at(self) -> datetime.datetime: ...
    @property
    def updated_at(self) -> datetime.datetime: ...
    @property
    def related_component(self) -> Optional[str]: ...
    @property
    def environment_details(self) -> Optional[Any]: ...
    @property
    def screenshots(self) -> List[str]: ...
    @property
    def assigned_to(self) -> Optional[uuid.UUID]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> BetaFeedback: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> BetaFeedback: ...

class FeatureFlag:
    """A feature flag (table `feature_flags`)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def flag_name(self) -> str: ...
    @property
    def description(self) -> Optional[str]: ...
    @property
    def enabled(self) -> bool: ...
    @property
    def environment(self) -> Environment: ...
    @property
    def user_percentage(self) -> int: ...
    @property
    def user_whitelist(self) -> List[uuid.UUID]: ...
    @property
    def created_at(self) -> datetime.datetime: ...
    @property
    def updated_at(self) -> datetime.datetime: ...
    @property
    def created_by(self) -> str: ...
    @property
    def expires_at(self) -> Optional[datetime.datetime]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> FeatureFlag: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> FeatureFlag: ...


# --------------------------------------------------------------------------
# Argument aliases. Money and quantities accept Decimal, int or str (a float
# raises InvalidInput); ids accept UUID or str; enums accept a member or its
# upper-case name; timestamps must be timezone-aware.

Money = Union[Decimal, int, str]
Id = Union[uuid.UUID, str]
Moment = datetime.datetime
Floats = npt.ArrayLike
FloatArray = npt.NDArray[np.float64]
ActionName = Literal["READ", "CREATE", "UPDATE", "DELETE", "APPROVE", "DEPOSIT", "WITHDRAW"]

# ---------------------------------------------------------------- accounting

class FeeSchedule:
    """What a trade costs: rate × notional within [minimum, maximum], cents, half-even."""

    def __init__(self, rate: Money, minimum: Money, maximum: Optional[Money] = None) -> None: ...
    @staticmethod
    def default() -> FeeSchedule: ...
    @staticmethod
    def zero() -> FeeSchedule: ...
    def fee(self, notional: Money) -> Decimal: ...
    @property
    def rate(self) -> Decimal: ...
    @property
    def minimum(self) -> Decimal: ...
    @property
    def maximum(self) -> Optional[Decimal]: ...

class Fill:
    """The details of a fill."""

    @property
    def side(self) -> TradeSide: ...
    @property
    def quantity(self) -> Decimal: ...
    @property
    def price(self) -> Decimal: ...
    @property
    def notional(self) -> Decimal: ...
    @property
    def fees(self) -> Decimal: ...
    @property
    def total_amount(self) -> Decimal: ...
    @property
    def realized_pnl(self) -> Optional[Decimal]: ...
    @property
    def cash_balance(self) -> Decimal: ...
    @property
    def total_value(self) -> Decimal: ...
    @property
    def position_quantity(self) -> Decimal: ...
    @property
    def position_opened(self) -> bool: ...
    @property
    def position_closed(self) -> bool: ...

class Book:
    """A portfolio and its positions with exact accounting."""

    def __init__(self, portfolio: Portfolio, positions: Sequence[Position] = ...) -> None: ...
    @property
    def portfolio(self) -> Portfolio: ...
    @property
    def positions(self) -> List[Position]: ...
    def position(self, symbol: str) -> Optional[Position]: ...
    @property
    def cash_balance(self) -> Decimal: ...
    @property
    def total_value(self) -> Decimal: ...
    def deposit(self, amount: Money, now: Moment) -> None: ...
    def withdraw(self, amount: Money, now: Moment) -> None: ...
    def mark_to_market(self, symbol: str, price: Money, now: Moment) -> None: ...
    def set_sector(self, symbol: str, sector: Optional[str], now: Moment) -> None: ...
    def preview(
        self,
        trade: Trade,
        market_price: Money,
        now: Moment,
        fees: Optional[FeeSchedule] = None,
        asset_type: Union[AssetType, str, None] = None,
    ) -> Optional[Fill]: ...
    def execute(
        self,
        trade: Trade,
        market_price: Money,
        now: Moment,
        fees: Optional[FeeSchedule] = None,
        asset_type: Union[AssetType, str, None] = None,
    ) -> Tuple[Trade, Optional[Fill]]: ...

def notional(quantity: Money, price: Money) -> Decimal: ...
def new_trade(
    portfolio_id: Id,
    symbol: str,
    side: Union[TradeSide, str],
    quantity: Money,
    *,
    now: Moment,
    order_type: Union[OrderType, str, None] = None,
    limit_price: Optional[Money] = None,
    confidence_score: Optional[Money] = None,
    position_sizing: Optional[Money] = None,
    circuit_breaker_state: Union[CircuitBreakerState, str, None] = None,
    volatility_level: Union[VolatilityLevel, str, None] = None,
    notes: Optional[str] = None,
    id: Optional[Id] = None,
) -> Trade: ...
def new_portfolio(
    user_id: Id,
    name: str,
    *,
    now: Moment,
    description: Optional[str] = None,
    portfolio_type: Union[PortfolioType, str, None] = None,
    guardian_approval: bool = False,
    risk_score: Optional[int] = None,
    diversification_score: Optional[int] = None,
    volatility_preference: Union[VolatilityLevel, str, None] = None,
    id: Optional[Id] = None,
) -> Portfolio: ...
def cancel_trade(trade: Trade) -> Trade: ...
def reject_trade(trade: Trade, reason: str) -> Trade: ...

# ------------------------------------------------------------------ families

class ApprovalDecision:
    """How a new trade starts."""

    @property
    def guardian_approval(self) -> GuardianApproval: ...
    @property
    def reason_code(self) -> Optional[str]: ...
    @property
    def reason(self) -> Optional[str]: ...

class GuardianDecision:
    """The record of a guardian's decision."""

    @property
    def trade_id(self) -> uuid.UUID: ...
    @property
    def minor_id(self) -> uuid.UUID: ...
    @property
    def guardian_id(self) -> uuid.UUID: ...
    @property
    def guardian_approval(self) -> GuardianApproval: ...
    @property
    def reason(self) -> Optional[str]: ...
    @property
    def decided_at(self) -> datetime.datetime: ...

class Access:
    """A granted access."""

    @property
    def basis(self) -> Literal["OWNER", "GUARDIAN", "ADMIN", "PUBLIC"]: ...
    @property
    def audited(self) -> bool: ...

def new_relationship(
    guardian_id: Id,
    minor_id: Id,
    *,
    now: Moment,
    relationship_type: Union[RelationshipType, str, None] = None,
    status: Union[RelationshipStatus, str, None] = None,
    permissions: Union[Mapping[str, Any], str, None] = None,
    approval_settings: Union[Mapping[str, Any], str, None] = None,
    id: Optional[Id] = None,
) -> Relationship: ...
def check_minor(
    user: User, relationships: Sequence[Relationship], today: datetime.date
) -> Dict[str, Any]: ...
def estimate_amount(
    order_type: Union[OrderType, str],
    quantity: Money,
    limit_price: Optional[Money] = None,
    market_price: Optional[Money] = None,
) -> Decimal: ...
def decide(
    owner: User,
    portfolio: Portfolio,
    relationships: Sequence[Relationship],
    *,
    order_type: Union[OrderType, str],
    asset_type: Union[AssetType, str],
    amount: Money,
    trades_today: int,
    today: datetime.date,
) -> ApprovalDecision: ...
def apply_decision(trade: Trade, decision: ApprovalDecision) -> Trade: ...
def approve(
    trade: Trade,
    portfolio: Portfolio,
    guardian: User,
    relationships: Sequence[Relationship],
    now: Moment,
) -> Tuple[Trade, GuardianDecision]: ...
def reject(
    trade: Trade,
    portfolio: Portfolio,
    guardian: User,
    relationships: Sequence[Relationship],
    reason: str,
    now: Moment,
) -> Tuple[Trade, GuardianDecision]: ...
def authorize(
    actor: Union[User, Mapping[str, Any]],
    action: Union[ActionName, str],
    resource: Mapping[str, Any],
    relationships: Sequence[Relationship],
) -> Access: ...

# --------------------------------------------------------------------- flags

def is_enabled(
    flag: FeatureFlag, user_id: Id, environment: Union[Environment, str], now: Moment
) -> bool: ...
def bucket(flag_name: str, user_id: Id) -> int: ...
def murmur3_32(data: Union[str, bytes], seed: int = 0) -> int: ...

# -------------------------------------------------------------------- sizing

class ParameterSet:
    """Model parameters in force: built-ins overridden by effective-dated rows."""

    def __init__(self, overrides: Sequence[ModelParameter] = ...) -> None: ...
    @staticmethod
    def from_rows(rows: Sequence[ModelParameter]) -> ParameterSet: ...
    def value(
        self,
        volatility_level: Union[VolatilityLevel, str],
        parameter_type: str,
        parameter_name: str,
        at: Moment,
    ) -> Optional[Decimal]: ...

class SizingDecision:
    """A buy that may go ahead, possibly resized."""

    @property
    def resized(self) -> bool: ...
    @property
    def quantity(self) -> Decimal: ...
    @property
    def notional(self) -> Decimal: ...
    @property
    def limit(self) -> Decimal: ...

def sizing_factor(
    breaker_state: Union[CircuitBreakerState, str],
    regime: Union[VolatilityLevel, str],
    at: Moment,
    params: Optional[ParameterSet] = None,
) -> Decimal: ...
def max_buy_notional(
    total_value: Money,
    risk_profile: Union[RiskProfile, str],
    breaker_state: Union[CircuitBreakerState, str],
    regime: Union[VolatilityLevel, str],
    at: Moment,
    params: Optional[ParameterSet] = None,
) -> Decimal: ...
def check_buy(
    quantity: Money,
    price: Money,
    *,
    total_value: Money,
    risk_profile: Union[RiskProfile, str],
    breaker_state: Union[CircuitBreakerState, str],
    regime: Union[VolatilityLevel, str],
    at: Moment,
    mode: Literal["REJECT", "RESIZE"] = "REJECT",
    params: Optional[ParameterSet] = None,
) -> SizingDecision: ...
def confidence_threshold(
    regime: Union[VolatilityLevel, str], at: Moment, params: Optional[ParameterSet] = None
) -> Decimal: ...
def check_confidence(
    confidence_score: Optional[Money],
    regime: Union[VolatilityLevel, str],
    at: Moment,
    params: Optional[ParameterSet] = None,
) -> None: ...

# ------------------------------------------------------------------- breaker

class Transition:
    """One change of a breaker's state."""

    @property
    def scope(self) -> str: ...
    @property
    def from_state(self) -> CircuitBreakerState: ...
    @property
    def to_state(self) -> CircuitBreakerState: ...
    @property
    def reason(self) -> str: ...
    @property
    def at(self) -> datetime.datetime: ...
    def to_dict(self) -> Dict[str, Any]: ...

BreakerEvent = Union[Mapping[str, Any], str]

class Breaker:
    """The circuit breaker of one scope, for live use."""

    def __init__(self, scope: str = "GLOBAL", config: Optional[Mapping[str, Any]] = None) -> None: ...
    def step(self, event: BreakerEvent, now: Moment) -> List[Transition]: ...
    def on_regime(self, level: Union[VolatilityLevel, str], now: Moment) -> List[Transition]: ...
    def tick(self, now: Moment) -> List[Transition]: ...
    @property
    def state(self) -> CircuitBreakerState: ...
    @property
    def scope(self) -> str: ...
    @property
    def entered_at(self) -> Optional[datetime.datetime]: ...
    @property
    def regime(self) -> Optional[VolatilityLevel]: ...
    def admit(
        self,
        side: Union[TradeSide, str],
        notional: Money,
        *,
        is_cancel: bool = False,
        within_sizing_limit: bool = True,
    ) -> None: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> Breaker: ...

class Breakers:
    """One breaker per scope; the most severe applicable state governs."""

    def __init__(self, config: Optional[Mapping[str, Any]] = None) -> None: ...
    def step(self, scope: str, event: BreakerEvent, now: Moment) -> List[Transition]: ...
    def tick(self, now: Moment) -> List[Transition]: ...
    def state(self, scope: str) -> CircuitBreakerState: ...
    def states(self) -> Dict[str, CircuitBreakerState]: ...
    def governing(self, symbol: str, portfolio_id: Id) -> Tuple[CircuitBreakerState, str]: ...
    def admit(
        self,
        symbol: str,
        portfolio_id: Id,
        side: Union[TradeSide, str],
        notional: Money,
        *,
        is_cancel: bool = False,
        within_sizing_limit: bool = True,
    ) -> None: ...

def admit(
    state: Union[CircuitBreakerState, str],
    side: Union[TradeSide, str],
    notional: Money,
    *,
    is_cancel: bool = False,
    within_sizing_limit: bool = True,
) -> None: ...

# ------------------------------------------------------------------- metrics

def sharpe_ratio(returns: Floats, risk_free: float = 0.0, periods_per_year: float = 252.0) -> float: ...
def sortino_ratio(
    returns: Floats, required_return: float = 0.0, periods_per_year: float = 252.0
) -> float: ...
def downside_risk(
    returns: Floats, required_return: float = 0.0, periods_per_year: float = 252.0
) -> float: ...
def annual_volatility(returns: Floats, periods_per_year: float = 252.0) -> float: ...
def annual_return(returns: Floats, periods_per_year: float = 252.0) -> float: ...
def max_drawdown(returns: Floats) -> float: ...
def max_drawdown_from_equity(equity: Floats) -> float: ...
def win_rate(pnls: Floats) -> float: ...
def returns_from_equity(equity: Floats) -> FloatArray: ...

# ---------------------------------------------------------------- analytics

MethodName = Union[VolatilityMethod, Literal["CLOSE_TO_CLOSE", "EWMA", "PARKINSON", "GARMAN_KLASS"]]

def rolling_volatility(
    close: Floats,
    *,
    open: Optional[Floats] = None,
    high: Optional[Floats] = None,
    low: Optional[Floats] = None,
    method: Optional[MethodName] = None,
    lookback: int = 20,
    periods_per_year: int = 252,
    ewma_lambda: float = 0.94,
) -> FloatArray: ...

class RegimeSeries:
    """Per-bar volatility, level code, confidence and stabilization count."""

    level_names: List[str]
    @property
    def volatility(self) -> FloatArray: ...
    @property
    def level_code(self) -> npt.NDArray[np.int8]: ...
    @property
    def confidence(self) -> Optional[FloatArray]: ...
    @property
    def stabilization_count(self) -> Optional[npt.NDArray[np.uint32]]: ...
    def __len__(self) -> int: ...
    def levels(self) -> List[Optional[VolatilityLevel]]: ...
    def to_pandas(self, index: Any = None) -> Any: ...

def detect_regimes(
    close: Floats,
    *,
    open: Optional[Floats] = None,
    high: Optional[Floats] = None,
    low: Optional[Floats] = None,
    method: Optional[MethodName] = None,
    lookback: int = 20,
    periods_per_year: int = 252,
    ewma_lambda: float = 0.94,
    regime: Optional[Mapping[str, Any]] = None,
    levels_only: bool = False,
) -> RegimeSeries: ...
def simd_level() -> Literal["x86-64-v4", "x86-64-v3", "portable"]:
    """The instruction-set level of the batch kernels, chosen at first use
    (the best the CPU has; ``ELSON_SIMD=portable|v3|v4`` lowers it). Every
    level gives the same bits."""
    ...

def classify(value: float) -> VolatilityLevel: ...
def confidence_score(value: float, observations: int, lookback: int) -> float: ...

class VolatilityEstimator:
    """A streaming volatility estimator (O(1) per update)."""

    def __init__(
        self,
        *,
        method: Optional[MethodName] = None,
        lookback: int = 20,
        periods_per_year: int = 252,
        ewma_lambda: float = 0.94,
    ) -> None: ...
    def update(self, close: float) -> Optional[float]: ...
    def update_bar(self, open: float, high: float, low: float, close: float) -> Optional[float]: ...
    @property
    def bars_seen(self) -> int: ...

class RegimeReading:
    """One reading of a RegimeDetector."""

    def __init__(
        self,
        *,
        time: Moment,
        volatility: float,
        reading: Union[VolatilityLevel, str],
        level: Union[VolatilityLevel, str],
        confidence: float,
        stabilization_count: int,
        lookback: int,
        method: MethodName,
    ) -> None: ...
    @property
    def time(self) -> datetime.datetime: ...
    @property
    def volatility(self) -> float: ...
    @property
    def reading(self) -> VolatilityLevel: ...
    @property
    def level(self) -> VolatilityLevel: ...
    @property
    def confidence(self) -> float: ...
    @property
    def stabilization_count(self) -> int: ...
    @property
    def lookback(self) -> int: ...
    @property
    def method(self) -> VolatilityMethod: ...
    def to_row(self, symbol: str, id: Optional[Id] = None) -> VolatilityRegime: ...

class RegimeDetector:
    """A streaming regime detector for live use."""

    def __init__(
        self,
        *,
        method: Optional[MethodName] = None,
        lookback: int = 20,
        periods_per_year: int = 252,
        ewma_lambda: float = 0.94,
        regime: Optional[Mapping[str, Any]] = None,
    ) -> None: ...
    def update(self, close: float, time: Moment) -> Optional[RegimeReading]: ...
    def update_bar(
        self, open: float, high: float, low: float, close: float, time: Moment
    ) -> Optional[RegimeReading]: ...
    @property
    def current(self) -> Optional[Tuple[VolatilityLevel, int]]: ...

class Stabilizer:
    """Hysteresis over raw level readings."""

    def __init__(self, switch_readings: int = 3) -> None: ...
    def push(self, reading: Union[VolatilityLevel, str]) -> Tuple[VolatilityLevel, int]: ...
    @property
    def current(self) -> Optional[Tuple[VolatilityLevel, int]]: ...

def check_regime_rows(rows: Sequence[VolatilityRegime]) -> None: ...

# ------------------------------------------------------------------ backtest

class MovingAverageCrossover:
    """Long while the fast SMA is above the slow one."""

    def __init__(self, fast: int = 20, slow: int = 50) -> None: ...

class RegimeMomentum:
    """Momentum sized down as the regime turns turbulent."""

    def __init__(
        self, lookback: int = 20, weights: Optional[Tuple[float, float, float, float]] = None
    ) -> None: ...

StrategyCallback = Callable[[Dict[str, Any]], Union[None, float, Tuple[float, Optional[float]]]]

class BacktestResult:
    """The outcome of a backtest run."""

    regime_names: List[str]
    breaker_names: List[str]
    @property
    def row(self) -> BacktestResultRow: ...
    @property
    def times(self) -> npt.NDArray[np.datetime64]: ...
    @property
    def equity(self) -> FloatArray: ...
    @property
    def volatility(self) -> FloatArray: ...
    @property
    def regime_code(self) -> npt.NDArray[np.int8]: ...
    @property
    def breaker_code(self) -> npt.NDArray[np.int8]: ...
    @property
    def trades(self) -> List[Trade]: ...
    @property
    def transitions(self) -> List[Transition]: ...
    @property
    def round_trips(self) -> List[Dict[str, Any]]: ...
    @property
    def metrics(self) -> Dict[str, Optional[float]]: ...
    @property
    def breakdown(self) -> Dict[str, Dict[str, Any]]: ...
    @property
    def orders_blocked(self) -> Dict[str, int]: ...
    def summary(self) -> str: ...
    def to_pandas(self) -> Any: ...

def backtest(
    close: Floats,
    *,
    times: Any = None,
    open: Optional[Floats] = None,
    high: Optional[Floats] = None,
    low: Optional[Floats] = None,
    weights: Optional[Floats] = None,
    confidences: Optional[Floats] = None,
    strategy: Union[MovingAverageCrossover, RegimeMomentum, StrategyCallback, None] = None,
    symbol: str = "ASSET",
    initial_cash: Optional[Money] = None,
    fees: Optional[FeeSchedule] = None,
    slippage_bps: Optional[Money] = None,
    config: Optional[Mapping[str, Any]] = None,
) -> BacktestResult: ...
def synthetic_bars(n: int, seed: int = 7, start_price: float = 100.0) -> Dict[str, FloatArray]: ...

# --------------------------------------------------------------------- store

Actor = Union[User, Mapping[str, Any]]

class StoreBusy(StorageError):
    operation: Optional[str]
    message: str

def system_actor() -> Dict[str, Any]: ...

class TradeResult:
    """What a trading operation wrote, in one transaction."""

    @property
    def trade(self) -> Trade: ...
    @property
    def portfolio(self) -> Portfolio: ...
    @property
    def fill(self) -> Optional[Fill]: ...
    @property
    def notifications(self) -> List[Notification]: ...

class Users:
    """The repository of one table: reads only (the store's commands write it)."""

    def get(self, actor: Actor, id: Id) -> User: ...
    def find_for_login(self, actor: Actor, email: str) -> Optional[Dict[str, Any]]: ...
    def record_login(self, actor: Actor, id: Id, at: Moment) -> None: ...
    def list_by_role_status(
        self,
        actor: Actor,
        role: Union[UserRole, str],
        status: Union[UserStatus, str],
        limit: int = 100,
        offset: int = 0,
    ) -> List[User]: ...

class Portfolios:
    """The repository of one table: reads only (the store's commands write it)."""

    def get(self, actor: Actor, id: Id) -> Portfolio: ...
    def list_for_user(self, actor: Actor, user_id: Id) -> List[Portfolio]: ...
    def overview(self, actor: Actor, user_id: Id) -> List[Tuple[Portfolio, int]]: ...

class Positions:
    """The repository of one table: reads only (the store's commands write it)."""

    def get(self, actor: Actor, id: Id) -> Position: ...
    def list_for_portfolio(self, actor: Actor, portfolio_id: Id) -> List[Position]: ...

class Trades:
    """The repository of one table: reads only (the store's commands write it)."""

    def get(self, actor: Actor, id: Id) -> Trade: ...
    def history(self, actor: Actor, portfolio_id: Id, limit: int = 100, offset: int = 0) -> List[Trade]: ...
    def approval_queue(self, actor: Actor, guardian_id: Id) -> List[Dict[str, Any]]: ...

class Relationships:
    """The repository of one table: reads only (the store's commands write it)."""

    def get(self, actor: Actor, id: Id) -> Relationship: ...
    def list_for_guardian(self, actor: Actor, guardian_id: Id) -> List[Relationship]: ...
    def list_for_minor(self, actor: Actor, minor_id: Id) -> List[Relationship]: ...

class Notifications:
    """The repository of one table: reads only (the store's commands write it)."""

    def get(self, actor: Actor, id: Id) -> Notification: ...
    def list_for_user(
        self, actor: Actor, user_id: Id, limit: int = 100, offset: int = 0
    ) -> List[Notification]: ...
    def list_for_user_status(
        self, actor: Actor, user_id: Id, status: Union[NotificationStatus, str]
    ) -> List[Notification]: ...

class VolatilityRegimes:
    """The repository of one table."""

    def insert(self, actor: Actor, row: VolatilityRegime) -> None: ...
    def get(self, actor: Actor, id: Id) -> VolatilityRegime: ...
    def recent(self, actor: Actor, symbol: str) -> List[VolatilityRegime]: ...

class ModelParameters:
    """The repository of one table."""

    def insert(self, actor: Actor, row: ModelParameter) -> None: ...
    def update(self, actor: Actor, row: ModelParameter) -> None: ...
    def get(self, actor: Actor, id: Id) -> ModelParameter: ...
    def list_for_key(
        self,
        actor: Actor,
        level: Union[VolatilityLevel, str],
        parameter_type: str,
        parameter_name: str,
    ) -> List[ModelParameter]: ...
    def effective_at(
        self,
        actor: Actor,
        level: Union[VolatilityLevel, str],
        parameter_type: str,
        parameter_name: str,
        at: Moment,
    ) -> Optional[ModelParameter]: ...

class BacktestResults:
    """The repository of one table."""

    def insert(self, actor: Actor, row: BacktestResultRow) -> None: ...
    def get(self, actor: Actor, id: Id) -> BacktestResultRow: ...
    def list_for(self, actor: Actor, symbol: str, model_version: str) -> List[BacktestResultRow]: ...

class BetaFeedbackRepository:
    """The repository of one table: reads only (the store's commands write it)."""

    def get(self, actor: Actor, id: Id) -> BetaFeedback: ...
    def by_user(self, actor: Actor, user_id: Id) -> List[BetaFeedback]: ...

class FeatureFlags:
    """The repository of one table."""

    def insert(self, actor: Actor, row: FeatureFlag) -> None: ...
    def update(self, actor: Actor, row: FeatureFlag) -> None: ...
    def get(self, actor: Actor, id: Id) -> FeatureFlag: ...
    def enabled_in(self, actor: Actor, environment: Union[Environment, str]) -> List[FeatureFlag]: ...
    def beta_enabled(self, actor: Actor) -> List[FeatureFlag]: ...

class LocalKeyProvider:
    """Key-encryption keys held in this process (development and tests)."""

    def __init__(self, key_id: str, key: bytes) -> None: ...
    def with_key(self, key_id: str, key: bytes) -> LocalKeyProvider: ...
    def with_current(self, key_id: str) -> LocalKeyProvider: ...
    def without_key(self, key_id: str) -> LocalKeyProvider: ...
    @property
    def key_ids(self) -> List[str]: ...
    @staticmethod
    def generate_key() -> bytes: ...

class TwoFactorChallenge:
    """Proof that the password step passed; expires after five minutes."""

    @property
    def user_id(self) -> uuid.UUID: ...
    @property
    def issued_at(self) -> datetime.datetime: ...
    @property
    def expires_at(self) -> datetime.datetime: ...

class TwoFactorEnrollment:
    """The TOTP secret and its otpauth:// URI."""

    secret_base32: str
    otpauth_uri: str

def hash_password(password: str, cost: int = 12) -> str:
    """A bcrypt ``$2b$`` hash of ``password``."""

def verify_password(password: str, hash: str) -> bool:
    """True when ``password`` matches the bcrypt ``hash``."""

def totp_code(secret_base32: str, at: Moment) -> str:
    """The 6-digit RFC 6238 code of a base32 secret at ``at``."""

class Store:
    """A store on SQLite or PostgreSQL with synchronous methods.

    Every command takes a keyword-only ``command_id``: with one, a retry
    (same actor, id and arguments) returns the first result and does nothing
    twice; the same id with other arguments raises ``IdempotencyConflict``.
    """

    @staticmethod
    def open(
        url: str,
        *,
        migrate: bool = True,
        max_connections: int = 8,
        environment: Union[Environment, str, None] = None,
        key_provider: Optional[LocalKeyProvider] = None,
        bcrypt_cost: int = 12,
        totp_issuer: Optional[str] = None,
        portfolio_cache_ttl: Optional[float] = None,
        login_max_failures: Optional[int] = None,
        login_lockout: Optional[float] = None,
        fees: Optional[FeeSchedule] = None,
    ) -> Store: ...
    def with_key_provider(self, key_provider: LocalKeyProvider) -> Store: ...
    @property
    def environment(self) -> Optional[Environment]: ...
    def hash_password(self, password: str) -> str: ...
    def set_password(self, actor: Actor, user_id: Id, password: str, *, now: Moment) -> None: ...
    def login(
        self, email: str, password: str, *, now: Moment
    ) -> Union[Dict[str, Any], TwoFactorChallenge]: ...
    def complete_login(
        self, challenge: TwoFactorChallenge, code: str, *, now: Moment
    ) -> Dict[str, Any]: ...
    def enroll_two_factor(self, actor: Actor, user_id: Id, *, now: Moment) -> TwoFactorEnrollment: ...
    def confirm_two_factor(self, actor: Actor, user_id: Id, code: str, *, now: Moment) -> None: ...
    def disable_two_factor(self, actor: Actor, user_id: Id, *, now: Moment) -> None: ...
    def rotate_pii_keys(self, actor: Actor, batch_size: int = 500) -> Dict[str, Any]: ...
    def reseal_plaintext_users(self, actor: Actor, batch_size: int = 500) -> Dict[str, Any]: ...
    def pii_key_usage(self, actor: Actor) -> List[Tuple[str, int]]: ...
    def audit_log(self, actor: Actor, limit: int = 100) -> List[Dict[str, Any]]: ...
    def snapshot(self, actor: Actor, path: Union[str, os.PathLike[str]]) -> None: ...
    def restore(self, actor: Actor, path: Union[str, os.PathLike[str]]) -> None: ...
    def ensure_partitions(
        self, actor: Actor, start: Moment, months_ahead: int = 3
    ) -> List[Dict[str, Any]]: ...
    def refresh_portfolio_analytics(self, actor: Actor) -> None: ...
    def portfolio_analytics(self, actor: Actor, portfolio_id: Id) -> Dict[str, Any]: ...
    def portfolio_analytics_for_user(self, actor: Actor, user_id: Id) -> List[Dict[str, Any]]: ...
    def portfolio_cache_stats(self) -> Dict[str, int]: ...
    def clear_portfolio_cache(self) -> None: ...
    @property
    def backend(self) -> Literal["SQLITE", "POSTGRES"]: ...
    def migrate(self) -> None: ...
    def applied_migrations(self) -> List[int]: ...
    def close(self) -> None: ...
    def __enter__(self) -> Store: ...
    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool: ...
    @property
    def users(self) -> Users: ...
    @property
    def portfolios(self) -> Portfolios: ...
    @property
    def positions(self) -> Positions: ...
    @property
    def trades(self) -> Trades: ...
    @property
    def relationships(self) -> Relationships: ...
    @property
    def notifications(self) -> Notifications: ...
    @property
    def volatility_regimes(self) -> VolatilityRegimes: ...
    @property
    def model_parameters(self) -> ModelParameters: ...
    @property
    def backtest_results(self) -> BacktestResults: ...
    @property
    def beta_feedback(self) -> BetaFeedbackRepository: ...
    @property
    def feature_flags(self) -> FeatureFlags: ...
    def place_trade(
        self,
        actor: Actor,
        portfolio_id: Id,
        symbol: str,
        side: Union[TradeSide, str],
        quantity: Money,
        *,
        now: Moment,
        order_type: Union[OrderType, str, None] = None,
        limit_price: Optional[Money] = None,
        market_price: Optional[Money] = None,
        asset_type: Union[AssetType, str, None] = None,
        confidence_score: Optional[Money] = None,
        notes: Optional[str] = None,
        id: Optional[Id] = None,
        command_id: Optional[Id] = None,
    ) -> TradeResult: ...
    def execute_trade(
        self,
        actor: Actor,
        trade_id: Id,
        market_price: Optional[Money] = None,
        *,
        now: Moment,
        asset_type: Union[AssetType, str, None] = None,
        command_id: Optional[Id] = None,
    ) -> TradeResult:
        """Executes a PENDING trade with the store's fees. Only the system
        actor gives a ``market_price``; None fills a LIMIT order at its limit."""
    def place_and_execute(
        self,
        actor: Actor,
        portfolio_id: Id,
        symbol: str,
        side: Union[TradeSide, str],
        quantity: Money,
        market_price: Optional[Money] = None,
        *,
        now: Moment,
        order_type: Union[OrderType, str, None] = None,
        limit_price: Optional[Money] = None,
        asset_type: Union[AssetType, str, None] = None,
        confidence_score: Optional[Money] = None,
        notes: Optional[str] = None,
        id: Optional[Id] = None,
        command_id: Optional[Id] = None,
    ) -> TradeResult: ...
    def place_and_execute_batch(
        self,
        actor: Actor,
        orders: Iterable[Mapping[str, Any]],
        *,
        now: Moment,
        command_id: Optional[Id] = None,
    ) -> List[TradeResult]: ...
    def decide_trade(
        self,
        actor: Actor,
        trade_id: Id,
        verdict: Literal["APPROVE", "REJECT"],
        reason: Optional[str] = None,
        *,
        now: Moment,
        command_id: Optional[Id] = None,
    ) -> TradeResult: ...
    def cancel_trade(
        self, actor: Actor, trade_id: Id, *, now: Moment, command_id: Optional[Id] = None
    ) -> TradeResult: ...
    def deposit(
        self,
        actor: Actor,
        portfolio_id: Id,
        amount: Money,
        *,
        now: Moment,
        command_id: Optional[Id] = None,
    ) -> Portfolio: ...
    def withdraw(
        self,
        actor: Actor,
        portfolio_id: Id,
        amount: Money,
        *,
        now: Moment,
        command_id: Optional[Id] = None,
    ) -> Portfolio: ...
    def mark_to_market(
        self,
        actor: Actor,
        portfolio_id: Id,
        prices: Mapping[str, Money],
        *,
        now: Moment,
        command_id: Optional[Id] = None,
    ) -> Tuple[Portfolio, List[Position]]:
        """Revalues held positions at the price feed's prices: the system actor only."""
    # --- commands: the only writes of users, portfolios, links, notifications, feedback
    def create_user(
        self,
        actor: Actor,
        *,
        email: str,
        password: str,
        now: Moment,
        role: Union[UserRole, str, None] = None,
        first_name: Optional[str] = None,
        last_name: Optional[str] = None,
        date_of_birth: Optional[datetime.date] = None,
        risk_profile: Union[RiskProfile, str, None] = None,
        id: Optional[Id] = None,
        command_id: Optional[Id] = None,
    ) -> User: ...
    def enroll_minor(
        self,
        actor: Actor,
        *,
        email: str,
        password: str,
        date_of_birth: datetime.date,
        guardian_id: Id,
        now: Moment,
        first_name: Optional[str] = None,
        last_name: Optional[str] = None,
        risk_profile: Union[RiskProfile, str, None] = None,
        id: Optional[Id] = None,
        link_id: Optional[Id] = None,
        relationship_type: Union[RelationshipType, str, None] = None,
        permissions: Union[Mapping[str, Any], str, None] = None,
        approval_settings: Union[Mapping[str, Any], str, None] = None,
        command_id: Optional[Id] = None,
    ) -> Tuple[User, Relationship]: ...
    def update_profile(
        self,
        actor: Actor,
        user_id: Id,
        *,
        now: Moment,
        command_id: Optional[Id] = None,
        first_name: Optional[str] = ...,
        last_name: Optional[str] = ...,
        risk_profile: Union[RiskProfile, str, None] = ...,
        education_progress: Any = ...,
        preferences: Any = ...,
    ) -> User:
        """Fields not given keep their values; None clears a name or JSON field."""
    def set_role(
        self,
        actor: Actor,
        user_id: Id,
        role: Union[UserRole, str],
        *,
        now: Moment,
        command_id: Optional[Id] = None,
    ) -> User: ...
    def set_status(
        self,
        actor: Actor,
        user_id: Id,
        status: Union[UserStatus, str],
        *,
        now: Moment,
        command_id: Optional[Id] = None,
    ) -> User: ...
    def open_portfolio(
        self,
        actor: Actor,
        user_id: Id,
        name: str,
        *,
        now: Moment,
        description: Optional[str] = None,
        portfolio_type: Union[PortfolioType, str, None] = None,
        guardian_approval: bool = False,
        risk_score: Optional[int] = None,
        diversification_score: Optional[int] = None,
        volatility_preference: Union[VolatilityLevel, str, None] = None,
        id: Optional[Id] = None,
        command_id: Optional[Id] = None,
    ) -> Portfolio: ...
    def update_portfolio_settings(
        self,
        actor: Actor,
        portfolio_id: Id,
        *,
        now: Moment,
        command_id: Optional[Id] = None,
        name: str = ...,
        description: Optional[str] = ...,
        portfolio_type: Union[PortfolioType, str] = ...,
        guardian_approval: bool = ...,
        risk_score: Optional[int] = ...,
        diversification_score: Optional[int] = ...,
        volatility_preference: Union[VolatilityLevel, str, None] = ...,
    ) -> Portfolio:
        """Fields not given keep their values; cash, total value and owner are not settings."""
    def link_guardian(
        self,
        actor: Actor,
        minor_id: Id,
        guardian_id: Id,
        *,
        now: Moment,
        relationship_type: Union[RelationshipType, str, None] = None,
        permissions: Union[Mapping[str, Any], str, None] = None,
        approval_settings: Union[Mapping[str, Any], str, None] = None,
        id: Optional[Id] = None,
        command_id: Optional[Id] = None,
    ) -> Relationship: ...
    def accept_link(
        self, actor: Actor, link_id: Id, *, now: Moment, command_id: Optional[Id] = None
    ) -> Relationship: ...
    def deactivate_link(
        self, actor: Actor, link_id: Id, *, now: Moment, command_id: Optional[Id] = None
    ) -> Relationship: ...
    def update_link_settings(
        self,
        actor: Actor,
        link_id: Id,
        *,
        now: Moment,
        permissions: Union[Mapping[str, Any], str, None] = None,
        approval_settings: Union[Mapping[str, Any], str, None] = None,
        command_id: Optional[Id] = None,
    ) -> Relationship: ...
    def mark_notification(
        self,
        actor: Actor,
        notification_id: Id,
        status: Union[NotificationStatus, Literal["READ", "ARCHIVED"]],
        *,
        now: Moment,
        command_id: Optional[Id] = None,
    ) -> Notification: ...
    def submit_feedback(
        self,
        actor: Actor,
        user_id: Id,
        feedback_type: Union[FeedbackType, str],
        severity: Union[FeedbackSeverity, str],
        title: str,
        description: str,
        *,
        now: Moment,
        category: Optional[str] = None,
        related_component: Optional[str] = None,
        environment_details: Any = None,
        screenshots: Sequence[str] = (),
        id: Optional[Id] = None,
        command_id: Optional[Id] = None,
    ) -> BetaFeedback: ...
    def advance_feedback(
        self,
        actor: Actor,
        feedback_id: Id,
        status: Union[FeedbackStatus, str],
        *,
        now: Moment,
        command_id: Optional[Id] = None,
    ) -> BetaFeedback: ...
    def import_rows(
        self,
        actor: Actor,
        *,
        now: Moment,
        users: Optional[Iterable[Union[User, Mapping[str, Any]]]] = None,
        relationships: Optional[Iterable[Union[Relationship, Mapping[str, Any]]]] = None,
        portfolios: Optional[Iterable[Union[Portfolio, Mapping[str, Any]]]] = None,
        positions: Optional[Iterable[Union[Position, Mapping[str, Any]]]] = None,
        trades: Optional[Iterable[Union[Trade, Mapping[str, Any]]]] = None,
        notifications: Optional[Iterable[Union[Notification, Mapping[str, Any]]]] = None,
        beta_feedback: Optional[Iterable[Union[BetaFeedback, Mapping[str, Any]]]] = None,
        command_id: Optional[Id] = None,
    ) -> Dict[str, int]:
        """Whole rows, all or nothing, every invariant checked: the system actor only."""
