"""Entities cross the boundary losslessly, as dicts, JSON and pickles."""

from __future__ import annotations

import json
import pickle
import uuid
from datetime import datetime, timezone
from decimal import Decimal

import pytest

import elson


def test_user_round_trips_through_dict_json_and_pickle(user_dict: dict) -> None:
    user = elson.User.from_dict(user_dict)
    assert user.email == "ada@example.com"
    assert isinstance(user.id, uuid.UUID)
    assert user.role is elson.UserRole.MINOR
    assert user.created_at.tzinfo is not None
    assert user.created_at.utcoffset().total_seconds() == 0
    assert user.to_dict() == user_dict
    assert elson.User.from_json(user.to_json()) == user
    assert pickle.loads(pickle.dumps(user)) == user
    # Floats are fine inside free-form JSON columns.
    assert user.education_progress == {"modules": [1, 2], "score": 0.75}


def test_trade_keeps_decimal_scale_and_enums(trade_dict: dict) -> None:
    trade = elson.Trade.from_dict(trade_dict)
    assert trade.quantity == Decimal("1.5")
    assert isinstance(trade.price, Decimal)
    assert str(trade.total_amount) == "286.38"
    assert trade.side == "BUY" and trade.side is elson.TradeSide.BUY
    assert trade.to_dict() == trade_dict
    payload = json.loads(trade.to_json())
    assert payload["status"] == "EXECUTED"
    assert payload["price"] == "190.25"


def test_strings_are_accepted_for_typed_fields(trade_dict: dict) -> None:
    as_text = {k: (str(v) if not isinstance(v, (type(None),)) else v) for k, v in trade_dict.items()}
    as_text["created_at"] = "2026-01-02T03:04:05.123456Z"
    as_text["executed_at"] = "2026-01-02T03:04:05.123456Z"
    assert elson.Trade.from_dict(as_text) == elson.Trade.from_dict(trade_dict)


def test_every_entity_round_trips_through_json() -> None:
    t = "2026-01-02T03:04:05Z"
    uid = str(uuid.uuid4())
    samples = {
        elson.Portfolio: {"id": uid, "user_id": uid, "name": "College", "description": None,
                          "created_at": t, "updated_at": t, "cash_balance": "10.00",
                          "total_value": "10.00", "risk_score": 40, "diversification_score": None,
                          "type": "EDUCATION", "guardian_approval": True,
                          "volatility_preference": "LOW", "performance_metrics": {"ytd": 0.1}},
        elson.Position: {"id": uid, "portfolio_id": uid, "symbol": "VTI", "quantity": "2",
                         "average_price": "200.00", "current_price": "210.00",
                         "current_value": "420.00", "created_at": t, "updated_at": t,
                         "last_price_update": t, "gain_loss": "20.00", "gain_loss_percent": "5.00",
                         "asset_type": "ETF", "sector": None},
        elson.Relationship: {"id": uid, "guardian_id": uid, "minor_id": str(uuid.uuid4()),
                             "relationship_type": "PARENT", "created_at": t, "updated_at": t,
                             "status": "ACTIVE",
                             "approval_settings": {"require_approval": True,
                                                   "auto_approve_below": "25.00",
                                                   "max_trade_amount": None,
                                                   "allowed_asset_types": ["STOCK", "ETF"],
                                                   "daily_trade_limit": 3},
                             "permissions": {"trading": True, "withdrawals": False,
                                             "deposits": True, "learning": True,
                                             "advanced_orders": False,
                                             "recurring_investments": False}},
        elson.Notification: {"id": uid, "user_id": uid, "related_entity_id": None,
                             "related_entity_type": None, "type": "SYSTEM", "title": "Hi",
                             "message": "Welcome", "created_at": t, "read_at": None,
                             "status": "UNREAD", "priority": "LOW", "action_url": None},
        elson.VolatilityRegime: {"id": uid, "symbol": "SPY", "timestamp": t,
                                 "volatility_value": "0.1834", "volatility_level": "NORMAL",
                                 "lookback_period": 20, "calculation_method": "CLOSE_TO_CLOSE",
                                 "circuit_breaker_state": "CAUTIOUS", "confidence_score": "0.93",
                                 "stabilization_count": 4},
        elson.ModelParameter: {"id": uid, "volatility_level": "HIGH",
                               "parameter_type": "position_sizing", "parameter_name": "CLOSED",
                               "parameter_value": "0.100000", "effective_from": t,
                               "effective_to": None, "created_by": "ops", "created_at": t,
                               "updated_at": t, "description": None},
        elson.BacktestResultRow: {"id": uid, "model_version": "ma-1", "symbol": "SPY",
                                  "start_date": "2020-01-01", "end_date": "2020-12-31",
                                  "total_trades": 12, "win_rate": "58.33", "profit_loss": "-12.50",
                                  "sharpe_ratio": "1.2345", "drawdown_max": "0.0812",
                                  "volatility_breakdown": {"LOW": {"bars": 10, "sharpe": 1.5}},
                                  "parameters_used": {"lookback": 20}, "created_at": t,
                                  "notes": None},
        elson.BetaFeedback: {"id": uid, "user_id": uid, "feedback_type": "BUG", "category": None,
                             "title": "Crash", "description": "It crashed", "severity": "HIGH",
                             "status": "NEW", "submitted_at": t, "updated_at": t,
                             "related_component": None, "environment_details": {"os": "ios"},
                             "screenshots": ["https://example.com/a.png"], "assigned_to": None},
        elson.FeatureFlag: {"id": uid, "flag_name": "new_ui", "description": None,
                            "enabled": True, "environment": "BETA", "user_percentage": 25,
                            "user_whitelist": [uid], "created_at": t, "updated_at": t,
                            "created_by": "ops", "expires_at": None},
    }
    for cls, data in samples.items():
        entity = cls.from_dict(data)
        assert cls.from_json(entity.to_json()) == entity, cls
        assert cls.from_dict(entity.to_dict()) == entity, cls
        assert pickle.loads(pickle.dumps(entity)) == entity, cls
    rel = elson.Relationship.from_dict(samples[elson.Relationship])
    assert rel.approval_settings["auto_approve_below"] == Decimal("25.00")


@pytest.mark.parametrize(
    "field,value",
    [
        ("quantity", 1.5),  # a binary float is not money
        ("price", 190.25),
        ("created_at", datetime(2026, 1, 2)),  # naive datetime
        ("id", "not-a-uuid"),
        ("side", "buy"),  # enum names are upper case
        ("symbol", 42),
    ],
)
def test_bad_field_values_raise_invalid_input(trade_dict: dict, field: str, value: object) -> None:
    trade_dict[field] = value
    with pytest.raises(elson.InvalidInput) as info:
        elson.Trade.from_dict(trade_dict)
    assert info.value.code == "INVALID_INPUT"
    assert isinstance(info.value, elson.ElsonError)


def test_unknown_and_missing_keys_raise(trade_dict: dict) -> None:
    with pytest.raises(elson.InvalidInput) as info:
        elson.Trade.from_dict({**trade_dict, "colour": "red"})
    assert info.value.field == "colour"
    del trade_dict["symbol"]
    with pytest.raises(elson.InvalidInput):
        elson.Trade.from_dict(trade_dict)
    with pytest.raises(elson.InvalidInput):
        elson.Trade.from_json("{not json")
    with pytest.raises(elson.InvalidInput):
        elson.Trade.from_dict([1, 2, 3])


def test_aware_datetimes_in_other_zones_become_utc(trade_dict: dict) -> None:
    from datetime import timedelta

    plus2 = timezone(timedelta(hours=2))
    trade_dict["created_at"] = datetime(2026, 1, 2, 5, 4, 5, 123456, tzinfo=plus2)
    trade = elson.Trade.from_dict(trade_dict)
    assert trade.created_at == datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc)
