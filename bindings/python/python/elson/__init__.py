"""Elson SDK for Python.

The family investing domain (users, guardians and minors, portfolios, trades
with guardian approval, notifications), volatility regimes, the graduated
circuit breaker, position sizing and backtesting, computed by the Rust core.

Money is ``decimal.Decimal``, timestamps are timezone-aware ``datetime`` in
UTC, ids are ``uuid.UUID`` and enums are :mod:`elson` enums whose values are
the data model's upper-case names. Every error is an :class:`ElsonError`.
"""

from ._enums import *  # noqa: F401,F403
from ._enums import __all__ as _enum_names
from ._elson import (  # noqa: F401
    __version__,
    ApprovalRequired,
    BacktestResultRow,
    BetaFeedback,
    ConfidenceTooLow,
    Conflict,
    ElsonError,
    FeatureFlag,
    Forbidden,
    InsufficientFunds,
    InsufficientQuantity,
    InternalError,
    InvalidInput,
    InvalidTransition,
    ModelParameter,
    NotFound,
    Notification,
    Portfolio,
    Position,
    PositionLimitExceeded,
    Relationship,
    StorageError,
    Trade,
    TradingHalted,
    User,
    VolatilityRegime,
)

__all__ = [
    "__version__",
    "ApprovalRequired",
    "BacktestResultRow",
    "BetaFeedback",
    "ConfidenceTooLow",
    "Conflict",
    "ElsonError",
    "FeatureFlag",
    "Forbidden",
    "InsufficientFunds",
    "InsufficientQuantity",
    "InternalError",
    "InvalidInput",
    "InvalidTransition",
    "ModelParameter",
    "NotFound",
    "Notification",
    "Portfolio",
    "Position",
    "PositionLimitExceeded",
    "Relationship",
    "StorageError",
    "Trade",
    "TradingHalted",
    "User",
    "VolatilityRegime",
    *_enum_names,
]
