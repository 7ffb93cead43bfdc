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


# ------------------------------------------------- no unchecked entity

T = "2026-01-02T03:04:05Z"
UID = "11111111-1111-4111-8111-111111111111"
OTHER = "22222222-2222-4222-8222-222222222222"

#: One valid row per entity and, for each, changes that break a rule of the
#: core's constructor or lifecycle, with the field the error must name.
REFUSED = [
    (elson.User,
     {"id": UID, "email": "kid@example.com", "password_hash": "$2b$12$" + "a" * 53,
      "role": "MINOR", "first_name": None, "last_name": None, "date_of_birth": "2014-03-01",
      "created_at": T, "updated_at": T, "last_login": None, "status": "ACTIVE",
      "two_factor_enabled": False, "two_factor_secret": None, "risk_profile": "LOW",
      "education_progress": None, "preferences": None, "beta_feedback": None},
     [({"password_hash": "hunter2"}, "password_hash"),
      ({"date_of_birth": None}, "date_of_birth"),
      ({"date_of_birth": "2000-01-01"}, "date_of_birth"),
      ({"email": "Kid@Example.com"}, "email"),
      ({"two_factor_enabled": True}, "two_factor_secret")]),
    (elson.Portfolio,
     {"id": UID, "user_id": UID, "name": "College", "description": None, "created_at": T,
      "updated_at": T, "cash_balance": "10.00", "total_value": "10.00", "risk_score": None,
      "diversification_score": None, "type": "STANDARD", "guardian_approval": False,
      "volatility_preference": None, "performance_metrics": None},
     [({"cash_balance": "-1.00"}, "cash_balance"),
      ({"total_value": "9.99"}, "total_value"),
      ({"name": ""}, "name")]),
    (elson.Position,
     {"id": UID, "portfolio_id": UID, "symbol": "VTI", "quantity": "2",
      "average_price": "200.00", "current_price": "210.00", "current_value": "420.00",
      "created_at": T, "updated_at": T, "last_price_update": T, "gain_loss": "20.00",
      "gain_loss_percent": "5.00", "asset_type": "ETF", "sector": None},
     [({"current_value": "1000000.00"}, "current_value"),
      ({"gain_loss": "0.00"}, "gain_loss"),
      ({"quantity": "0"}, "quantity")]),
    (elson.Trade,
     {"id": UID, "portfolio_id": UID, "symbol": "VTI", "order_type": "MARKET", "side": "SELL",
      "quantity": "1000", "price": "100.00", "status": "EXECUTED", "created_at": T,
      "executed_at": T, "total_amount": "99650.00", "fees": "350.00", "notes": None,
      "circuit_breaker_state": None, "volatility_level": None,
      "guardian_approval": "NOT_REQUIRED", "confidence_score": None, "position_sizing": None},
     [({"executed_at": None}, "executed_at"),
      ({"total_amount": "100000.00"}, "total_amount"),
      ({"guardian_approval": "PENDING"}, "guardian_approval"),
      ({"status": "PENDING", "executed_at": None, "total_amount": None, "fees": None}, "price")]),
    (elson.Relationship,
     {"id": UID, "guardian_id": UID, "minor_id": OTHER, "relationship_type": "PARENT",
      "created_at": T, "updated_at": T, "status": "ACTIVE",
      "approval_settings": {}, "permissions": {}},
     [({"minor_id": UID}, "minor_id"),
      ({"approval_settings": {"max_trade_amount": "-5.00"}},
       "approval_settings.max_trade_amount")]),
    (elson.Notification,
     {"id": UID, "user_id": UID, "related_entity_id": None, "related_entity_type": None,
      "type": "SYSTEM", "title": "Hi", "message": "Welcome", "created_at": T, "read_at": None,
      "status": "UNREAD", "priority": "LOW", "action_url": None},
     [({"status": "READ"}, "read_at"),
      ({"title": "t" * 101}, "title")]),
    (elson.VolatilityRegime,
     {"id": UID, "symbol": "SPY", "timestamp": T, "volatility_value": "0.1834",
      "volatility_level": "NORMAL", "lookback_period": 20, "calculation_method": "EWMA",
      "circuit_breaker_state": None, "confidence_score": "0.93", "stabilization_count": 4},
     [({"stabilization_count": 0}, "stabilization_count"),
      ({"volatility_value": "-0.1000"}, "volatility_value")]),
    (elson.ModelParameter,
     {"id": UID, "volatility_level": "HIGH", "parameter_type": "position_sizing",
      "parameter_name": "CLOSED", "parameter_value": "0.100000", "effective_from": T,
      "effective_to": None, "created_by": "ops", "created_at": T, "updated_at": T,
      "description": None},
     [({"effective_to": T}, "effective_to")]),
    (elson.BacktestResultRow,
     {"id": UID, "model_version": "ma-1", "symbol": "SPY", "start_date": "2020-01-01",
      "end_date": "2020-12-31", "total_trades": 12, "win_rate": "58.33",
      "profit_loss": "-12.50", "sharpe_ratio": "1.2345", "drawdown_max": "0.0812",
      "volatility_breakdown": {}, "parameters_used": {}, "created_at": T, "notes": None},
     [({"end_date": "2019-12-31"}, "end_date"),
      ({"win_rate": "100.01"}, "win_rate")]),
    (elson.BetaFeedback,
     {"id": UID, "user_id": UID, "feedback_type": "BUG", "category": None, "title": "Crash",
      "description": "It crashed", "severity": "HIGH", "status": "NEW", "submitted_at": T,
      "updated_at": T, "related_component": None, "environment_details": None,
      "screenshots": [], "assigned_to": None},
     [({"title": ""}, "title"),
      ({"screenshots": ["u"] * 21}, "screenshots")]),
    (elson.FeatureFlag,
     {"id": UID, "flag_name": "new_ui", "description": None, "enabled": True,
      "environment": "BETA", "user_percentage": 25, "user_whitelist": [], "created_at": T,
      "updated_at": T, "created_by": "ops", "expires_at": None},
     [({"user_percentage": 101}, "user_percentage"),
      ({"flag_name": " new_ui"}, "flag_name")]),
]


@pytest.mark.parametrize(
    "cls,valid,change,field",
    [(cls, valid, change, field) for cls, valid, cases in REFUSED for change, field in cases],
    ids=lambda v: v.__name__ if isinstance(v, type) else None,
)
def test_rows_the_core_refuses_cannot_be_built(
    cls: type, valid: dict, change: dict, field: str
) -> None:
    entity = cls.from_dict(valid)  # the valid row is accepted ...
    bad = {**valid, **change}
    with pytest.raises(elson.InvalidInput) as info:  # ... a broken one is not,
        cls.from_dict(bad)
    assert info.value.field == field, info.value
    with pytest.raises(elson.InvalidInput) as info:  # nor as JSON text,
        cls.from_json(json.dumps(bad))
    assert info.value.field == field, info.value
    # nor as a pickle whose payload was tampered with: unpickling calls
    # the same constructor pickling recorded (`from_json`) on the forged text.
    ctor, (text,) = entity.__reduce__()
    tampered = {**json.loads(text), **change}
    forged = pickle.dumps(_Forged(ctor, json.dumps(tampered)))
    with pytest.raises(elson.InvalidInput) as info:
        pickle.loads(forged)
    assert info.value.field == field, info.value


class _Forged:
    """Pickles as `ctor(text)`, as an entity pickles as `from_json(its JSON)`."""

    def __init__(self, ctor: object, text: str) -> None:
        self.ctor, self.text = ctor, text

    def __reduce__(self) -> tuple:
        return (self.ctor, (self.text,))
