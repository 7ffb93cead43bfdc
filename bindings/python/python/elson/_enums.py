"""The data model's enumerations as Python enums.

Each member's value is the seed's upper-case name, exactly as stored and as
in JSON. Members are also ``str``, so ``TradeSide.BUY == "BUY"``. The test
suite checks these against the Rust core, so they cannot drift.
"""

from enum import Enum

__all__ = ['UserRole', 'UserStatus', 'RiskProfile', 'PortfolioType', 'VolatilityLevel', 'AssetType', 'OrderType', 'TradeSide', 'TradeStatus', 'CircuitBreakerState', 'GuardianApproval', 'RelationshipType', 'RelationshipStatus', 'NotificationType', 'NotificationStatus', 'NotificationPriority', 'FeedbackType', 'FeedbackSeverity', 'FeedbackStatus', 'Environment', 'VolatilityMethod']


class UserRole(str, Enum):
    """``UserRole`` values of the data model."""

    USER = "USER"
    GUARDIAN = "GUARDIAN"
    MINOR = "MINOR"
    ADMIN = "ADMIN"

    def __str__(self) -> str:
        return self.value


class UserStatus(str, Enum):
    """``UserStatus`` values of the data model."""

    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    SUSPENDED = "SUSPENDED"
    BETA_TESTER = "BETA_TESTER"

    def __str__(self) -> str:
        return self.value


class RiskProfile(str, Enum):
    """``RiskProfile`` values of the data model."""

    LOW = "LOW"
    MODERATE = "MODERATE"
    AGGRESSIVE = "AGGRESSIVE"

    def __str__(self) -> str:
        return self.value


class PortfolioType(str, Enum):
    """``PortfolioType`` values of the data model."""

    STANDARD = "STANDARD"
    EDUCATION = "EDUCATION"
    RETIREMENT = "RETIREMENT"

    def __str__(self) -> str:
        return self.value


class VolatilityLevel(str, Enum):
    """``VolatilityLevel`` values of the data model."""

    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"
    EXTREME = "EXTREME"

    def __str__(self) -> str:
        return self.value


class AssetType(str, Enum):
    """``AssetType`` values of the data model."""

    STOCK = "STOCK"
    ETF = "ETF"
    MUTUAL_FUND = "MUTUAL_FUND"
    CRYPTO = "CRYPTO"
    OTHER = "OTHER"

    def __str__(self) -> str:
        return self.value


class OrderType(str, Enum):
    """``OrderType`` values of the data model."""

    MARKET = "MARKET"
    LIMIT = "LIMIT"

    def __str__(self) -> str:
        return self.value


class TradeSide(str, Enum):
    """``TradeSide`` values of the data model."""

    BUY = "BUY"
    SELL = "SELL"

    def __str__(self) -> str:
        return self.value


class TradeStatus(str, Enum):
    """``TradeStatus`` values of the data model."""

    PENDING = "PENDING"
    EXECUTED = "EXECUTED"
    CANCELLED = "CANCELLED"
    REJECTED = "REJECTED"

    def __str__(self) -> str:
        return self.value


class CircuitBreakerState(str, Enum):
    """``CircuitBreakerState`` values of the data model."""

    CLOSED = "CLOSED"
    CAUTIOUS = "CAUTIOUS"
    RESTRICTED = "RESTRICTED"
    OPEN = "OPEN"

    def __str__(self) -> str:
        return self.value


class GuardianApproval(str, Enum):
    """``GuardianApproval`` values of the data model."""

    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    NOT_REQUIRED = "NOT_REQUIRED"

    def __str__(self) -> str:
        return self.value


class RelationshipType(str, Enum):
    """``RelationshipType`` values of the data model."""

    PARENT = "PARENT"
    LEGAL_GUARDIAN = "LEGAL_GUARDIAN"
    OTHER = "OTHER"

    def __str__(self) -> str:
        return self.value


class RelationshipStatus(str, Enum):
    """``RelationshipStatus`` values of the data model."""

    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    PENDING = "PENDING"

    def __str__(self) -> str:
        return self.value


class NotificationType(str, Enum):
    """``NotificationType`` values of the data model."""

    TRADE = "TRADE"
    APPROVAL = "APPROVAL"
    SYSTEM = "SYSTEM"
    EDUCATIONAL = "EDUCATIONAL"

    def __str__(self) -> str:
        return self.value


class NotificationStatus(str, Enum):
    """``NotificationStatus`` values of the data model."""

    UNREAD = "UNREAD"
    READ = "READ"
    ARCHIVED = "ARCHIVED"

    def __str__(self) -> str:
        return self.value


class NotificationPriority(str, Enum):
    """``NotificationPriority`` values of the data model."""

    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"
    URGENT = "URGENT"

    def __str__(self) -> str:
        return self.value


class FeedbackType(str, Enum):
    """``FeedbackType`` values of the data model."""

    BUG = "BUG"
    FEATURE_REQUEST = "FEATURE_REQUEST"
    GENERAL = "GENERAL"

    def __str__(self) -> str:
        return self.value


class FeedbackSeverity(str, Enum):
    """``FeedbackSeverity`` values of the data model."""

    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"

    def __str__(self) -> str:
        return self.value


class FeedbackStatus(str, Enum):
    """``FeedbackStatus`` values of the data model."""

    NEW = "NEW"
    REVIEWING = "REVIEWING"
    PRIORITIZED = "PRIORITIZED"
    IMPLEMENTED = "IMPLEMENTED"

    def __str__(self) -> str:
        return self.value


class Environment(str, Enum):
    """``Environment`` values of the data model."""

    DEV = "DEV"
    BETA = "BETA"
    STAGING = "STAGING"
    PRODUCTION = "PRODUCTION"

    def __str__(self) -> str:
        return self.value


class VolatilityMethod(str, Enum):
    """``VolatilityMethod`` values of the data model."""

    CLOSE_TO_CLOSE = "CLOSE_TO_CLOSE"
    EWMA = "EWMA"
    PARKINSON = "PARKINSON"
    GARMAN_KLASS = "GARMAN_KLASS"

    def __str__(self) -> str:
        return self.value
