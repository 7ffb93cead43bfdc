"""Shared fixtures: entity dicts with every field set, built by hand."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

import elson

T0 = datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc)


@pytest.fixture
def user_dict() -> dict:
    return {
        "id": uuid.UUID("11111111-1111-4111-8111-111111111111"),
        "email": "ada@example.com",
        "password_hash": "$2b$12$" + "a" * 53,
        "role": elson.UserRole.MINOR,
        "first_name": "Ada",
        "last_name": "Lovelace",
        "date_of_birth": date(2012, 12, 10),
        "created_at": T0,
        "updated_at": T0,
        "last_login": None,
        "status": elson.UserStatus.ACTIVE,
        "two_factor_enabled": False,
        "two_factor_secret": None,
        "risk_profile": elson.RiskProfile.MODERATE,
        "education_progress": {"modules": [1, 2], "score": 0.75},
        "preferences": None,
        "beta_feedback": None,
    }


@pytest.fixture
def trade_dict() -> dict:
    return {
        "id": uuid.UUID("22222222-2222-4222-8222-222222222222"),
        "portfolio_id": uuid.UUID("33333333-3333-4333-8333-333333333333"),
        "symbol": "AAPL",
        "order_type": elson.OrderType.LIMIT,
        "side": elson.TradeSide.BUY,
        "quantity": Decimal("1.500000"),
        "price": Decimal("190.25"),
        "status": elson.TradeStatus.EXECUTED,
        "created_at": T0,
        "executed_at": T0,
        "total_amount": Decimal("286.38"),
        "fees": Decimal("1.00"),
        "notes": None,
        "circuit_breaker_state": elson.CircuitBreakerState.CAUTIOUS,
        "volatility_level": elson.VolatilityLevel.NORMAL,
        "guardian_approval": elson.GuardianApproval.APPROVED,
        "confidence_score": Decimal("0.70"),
        "position_sizing": Decimal("0.85"),
    }
