"""The core API wrappers: accounting, families, flags, sizing, breaker and
metrics, with their error paths (every exception class raised by the input
that should raise it; bad Python types refused with a clear exception)."""

from __future__ import annotations

import pickle
import threading
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, List

import numpy as np
import pytest

import elson

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=timezone.utc)
TODAY = date(2026, 11, 25)


def make_user(role: str, dob: Any = None, status: str = "ACTIVE") -> elson.User:
    return elson.User.from_dict(
        {
            "id": uuid.uuid4(),
            "email": f"{role.lower()}@example.com",
            "password_hash": "$2b$12$" + "x" * 53,
            "role": role,
            "first_name": None,
            "last_name": None,
            "date_of_birth": dob,
            "created_at": NOW,
            "updated_at": NOW,
            "last_login": None,
            "status": status,
            "two_factor_enabled": False,
            "two_factor_secret": None,
            "risk_profile": "MODERATE",
            "education_progress": None,
            "preferences": None,
            "beta_feedback": None,
        }
    )


@pytest.fixture
def book() -> elson.Book:
    p = elson.new_portfolio(uuid.uuid4(), "Main", now=NOW)
    b = elson.Book(p)
    b.deposit(Decimal("1000.00"), NOW)
    return b


# ---------------------------------------------------------------- accounting


def test_fee_schedule() -> None:
    assert elson.FeeSchedule.default().fee("100") == Decimal("0.50")
    assert elson.FeeSchedule.default().fee(1000) == Decimal("3.50")
    assert elson.FeeSchedule.zero().fee("100") == Decimal("0")
    capped = elson.FeeSchedule("0.01", "1", maximum="5")
    assert (capped.rate, capped.minimum, capped.maximum) == (
        Decimal("0.01"),
        Decimal("1"),
        Decimal("5"),
    )
    assert capped.fee(Decimal("10000")) == Decimal("5.00")
    with pytest.raises(elson.InvalidInput) as info:
        elson.FeeSchedule("1.5", "0")
    assert info.value.field == "rate"
    with pytest.raises(elson.InvalidInput):
        elson.FeeSchedule("0.01", "5", maximum="1")


def test_money_refuses_float_and_bool() -> None:
    with pytest.raises(elson.InvalidInput) as info:
        elson.notional(1.5, "10")
    assert info.value.field == "quantity"
    assert "float" in info.value.reason
    with pytest.raises(elson.InvalidInput):
        elson.notional(True, "10")
    with pytest.raises(elson.InvalidInput):
        elson.notional("abc", "10")
    with pytest.raises(elson.InvalidInput):
        elson.notional(object(), "10")
    assert elson.notional(Decimal("0.5"), "10.05") == Decimal("5.02")  # half-even


def test_book_buy_sell_mark(book: elson.Book) -> None:
    pid = book.portfolio.id
    buy = elson.new_trade(pid, "VTI", elson.TradeSide.BUY, 2, now=NOW)
    assert buy.status == elson.TradeStatus.PENDING
    preview = book.preview(buy, "100.00", NOW)
    assert preview is not None and book.cash_balance == Decimal("1000.00")
    executed, fill = book.execute(buy, "100.00", NOW)
    assert fill == preview
    assert executed.status == elson.TradeStatus.EXECUTED
    assert fill.notional == Decimal("200.00") and fill.fees == Decimal("0.70")
    assert fill.position_opened and not fill.position_closed
    assert book.cash_balance == Decimal("799.30")
    assert buy.status == elson.TradeStatus.PENDING  # the input value is unchanged
    book.mark_to_market("VTI", "110", NOW)
    pos = book.position("VTI")
    assert pos is not None and pos.current_value == Decimal("220.00")
    assert book.total_value == book.cash_balance + pos.current_value
    sell = elson.new_trade(pid, "VTI", "SELL", 2, now=NOW)
    _, fill = book.execute(sell, "110", NOW, fees=elson.FeeSchedule.zero())
    assert fill is not None and fill.realized_pnl == Decimal("20.00")
    assert fill.position_closed and book.position("VTI") is None
    assert book.positions == []


def test_book_errors(book: elson.Book) -> None:
    pid = book.portfolio.id
    with pytest.raises(elson.InsufficientFunds) as funds:
        book.execute(elson.new_trade(pid, "VTI", "BUY", 100, now=NOW), "100", NOW)
    assert funds.value.available == Decimal("1000.00")
    assert funds.value.code == "INSUFFICIENT_FUNDS"
    with pytest.raises(elson.InsufficientQuantity) as qty:
        book.execute(elson.new_trade(pid, "VTI", "SELL", 1, now=NOW), "100", NOW)
    assert qty.value.symbol == "VTI"
    with pytest.raises(elson.InsufficientFunds):
        book.withdraw("5000", NOW)
    with pytest.raises(elson.InvalidInput):
        book.deposit("-1", NOW)
    with pytest.raises(elson.NotFound):
        book.mark_to_market("NOPE", "1", NOW)
    with pytest.raises(elson.InvalidInput) as naive:
        book.deposit("1", datetime(2026, 1, 1))
    assert naive.value.field == "now"
    assert book.cash_balance == Decimal("1000.00")  # nothing changed


def test_limit_order_stays_pending(book: elson.Book) -> None:
    t = elson.new_trade(
        book.portfolio.id, "VTI", "BUY", 1, order_type="LIMIT", limit_price="90", now=NOW
    )
    same, fill = book.execute(t, "95", NOW)
    assert fill is None and same.status == elson.TradeStatus.PENDING


def test_trade_lifecycle() -> None:
    t = elson.new_trade(uuid.uuid4(), "VTI", "BUY", "1.5", now=NOW)
    assert t.id.version == 7
    cancelled = elson.cancel_trade(t)
    assert cancelled.status == elson.TradeStatus.CANCELLED
    with pytest.raises(elson.InvalidTransition):
        elson.cancel_trade(cancelled)
    rejected = elson.reject_trade(t, "no")
    assert (rejected.status, rejected.notes) == (elson.TradeStatus.REJECTED, "no")
    with pytest.raises(elson.InvalidInput):
        elson.new_trade(uuid.uuid4(), "VTI", "BUY", "-1", now=NOW)
    with pytest.raises(elson.InvalidInput):
        elson.new_trade(uuid.uuid4(), "VTI", "BUY", "1", order_type="LIMIT", now=NOW)
    with pytest.raises(elson.InvalidInput):
        elson.new_trade(uuid.uuid4(), "VTI", "HOLD", "1", now=NOW)
    with pytest.raises(TypeError):
        elson.new_trade(uuid.uuid4(), "VTI", "BUY", "1")  # type: ignore[call-arg]


# ------------------------------------------------------------------ families


def family() -> Any:
    parent = make_user("GUARDIAN")
    child = make_user("MINOR", date(2014, 3, 1))
    p = elson.new_portfolio(child.id, "Kid", guardian_approval=True, now=NOW)
    link = elson.new_relationship(
        parent.id,
        child.id,
        status="ACTIVE",
        permissions={"trading": True},
        approval_settings={"max_trade_amount": Decimal("100")},
        now=NOW,
    )
    return parent, child, p, link


def test_minor_trade_needs_a_guardian() -> None:
    parent, child, p, link = family()
    standing = elson.check_minor(child, [link], TODAY)
    assert standing["age"] == 12 and standing["can_trade"]
    assert standing["active_guardian_ids"] == [parent.id]
    d = elson.decide(
        child, p, [link], order_type="MARKET", asset_type="ETF", amount="50",
        trades_today=0, today=TODAY,
    )
    assert d.guardian_approval == elson.GuardianApproval.PENDING
    t = elson.apply_decision(elson.new_trade(p.id, "VTI", "BUY", 1, now=NOW), d)
    b = elson.Book(p)
    b.deposit("100", NOW)
    with pytest.raises(elson.ApprovalRequired) as info:
        b.execute(t, "50", NOW)
    assert info.value.trade_id == t.id
    stranger = make_user("GUARDIAN")
    with pytest.raises(elson.Forbidden):
        elson.approve(t, p, stranger, [], NOW)
    approved, decision = elson.approve(t, p, parent, [link], NOW)
    assert decision.guardian_approval == elson.GuardianApproval.APPROVED
    assert decision.guardian_id == parent.id and decision.reason is None
    with pytest.raises(elson.InvalidTransition):
        elson.reject(approved, p, parent, [link], "late", NOW)
    _, fill = b.execute(approved, "50", NOW, fees=elson.FeeSchedule.zero())
    assert fill is not None

    too_big = elson.decide(
        child, p, [link], order_type="MARKET", asset_type="ETF", amount="500",
        trades_today=0, today=TODAY,
    )
    assert too_big.reason_code == "AMOUNT_OVER_MAXIMUM" and too_big.reason


def test_relationship_json_is_strict() -> None:
    with pytest.raises(elson.InvalidInput) as info:
        elson.new_relationship(uuid.uuid4(), uuid.uuid4(), permissions={"tradng": True}, now=NOW)
    assert info.value.field == "permissions"
    with pytest.raises(elson.InvalidInput):
        elson.new_relationship(
            uuid.uuid4(), uuid.uuid4(), approval_settings='{"require_approval": "yes"}', now=NOW
        )
    with pytest.raises(elson.InvalidInput):
        elson.new_relationship(
            uuid.uuid4(), uuid.uuid4(), approval_settings={"max_trade_amount": 1.5}, now=NOW
        )


def test_authorize() -> None:
    parent, child, _, link = family()
    own = elson.authorize(parent, "WITHDRAW", {"kind": "PORTFOLIO", "owner_id": parent.id}, [])
    assert (own.basis, own.audited) == ("OWNER", False)
    ward = elson.authorize(parent, "READ", {"kind": "TRADE", "owner_id": child.id}, [link])
    assert (ward.basis, ward.audited) == ("GUARDIAN", True)
    with pytest.raises(elson.Forbidden):
        elson.authorize(parent, "CREATE", {"kind": "TRADE", "owner_id": child.id}, [link])
    with pytest.raises(elson.InvalidInput):
        elson.authorize(parent, "FLY", {"kind": "TRADE", "owner_id": child.id}, [])
    with pytest.raises(elson.InvalidInput):
        elson.authorize(parent, "READ", {"kind": "TRADE"}, [])
    with pytest.raises(elson.InvalidInput):
        elson.authorize(42, "READ", {"kind": "FEATURE_FLAG"}, [])


# --------------------------------------------------------------------- flags


def test_flags() -> None:
    assert elson.murmur3_32("hello") == elson.murmur3_32(b"hello", 0)
    user_id = uuid.UUID("00000000-0000-4000-8000-000000000001")
    b = elson.bucket("new-ui", user_id)
    assert 1 <= b <= 100
    flag = elson.FeatureFlag.from_dict(
        {
            "id": uuid.uuid4(), "flag_name": "new-ui", "description": None, "enabled": True,
            "environment": "BETA", "user_percentage": b, "user_whitelist": [],
            "created_at": NOW, "updated_at": NOW, "created_by": "t", "expires_at": None,
        }
    )
    assert elson.is_enabled(flag, user_id, "BETA", NOW)
    assert not elson.is_enabled(flag, user_id, elson.Environment.PRODUCTION, NOW)
    with pytest.raises(elson.InvalidInput):
        elson.murmur3_32(12)  # type: ignore[arg-type]


# -------------------------------------------------------------------- sizing


def test_sizing_and_confidence() -> None:
    limit = elson.max_buy_notional("10000", "MODERATE", "CLOSED", "NORMAL", NOW)
    assert limit == Decimal("900.00")
    assert elson.sizing_factor("CAUTIOUS", "HIGH", NOW) == Decimal("0.15")
    d = elson.check_buy(
        10, "100", total_value="10000", risk_profile="MODERATE", breaker_state="CLOSED",
        regime="NORMAL", at=NOW, mode="RESIZE",
    )
    assert d.resized and d.quantity == Decimal("9") and d.limit == limit
    with pytest.raises(elson.PositionLimitExceeded) as info:
        elson.check_buy(
            10, "100", total_value="10000", risk_profile="MODERATE", breaker_state="CLOSED",
            regime="NORMAL", at=NOW,
        )
    assert info.value.limit == limit
    with pytest.raises(elson.InvalidInput):
        elson.check_buy(
            1, "1", total_value="1", risk_profile="LOW", breaker_state="CLOSED",
            regime="LOW", at=NOW, mode="SOMETIMES",
        )
    assert elson.confidence_threshold("EXTREME", NOW) == Decimal("0.75")
    assert elson.check_confidence(None, "EXTREME", NOW) is None
    assert elson.check_confidence("0.80", "EXTREME", NOW) is None
    with pytest.raises(elson.ConfidenceTooLow) as low:
        elson.check_confidence("0.70", "EXTREME", NOW)
    assert low.value.threshold == Decimal("0.75")
    with pytest.raises(elson.InvalidInput):
        elson.check_confidence(0.7, "EXTREME", NOW)


def test_parameter_overrides() -> None:
    row = elson.ModelParameter.from_dict(
        {
            "id": uuid.uuid4(), "volatility_level": "NORMAL", "parameter_type": "position_sizing",
            "parameter_name": "CLOSED", "parameter_value": "0.50",
            "effective_from": NOW, "effective_to": None, "created_by": "t",
            "created_at": NOW, "updated_at": NOW, "description": None,
        }
    )
    params = elson.ParameterSet([row])
    assert elson.sizing_factor("CLOSED", "NORMAL", NOW, params) == Decimal("0.50")
    assert elson.sizing_factor("CLOSED", "NORMAL", NOW - timedelta(days=1), params) == Decimal("0.90")
    with pytest.raises(elson.Conflict):
        elson.ParameterSet([row, row])


# ------------------------------------------------------------------- breaker


def test_streaming_breaker() -> None:
    b = elson.Breaker("SYMBOL:AAPL")
    assert b.state == elson.CircuitBreakerState.CLOSED
    [t] = b.on_regime("EXTREME", NOW)
    assert (t.from_state, t.to_state, t.reason) == ("CLOSED", "OPEN", "REGIME")
    with pytest.raises(elson.TradingHalted):
        b.admit("BUY", "10")
    b.admit("SELL", "10", is_cancel=True)
    b.on_regime("LOW", NOW)
    steps = b.tick(NOW + timedelta(hours=4))
    assert [s.to_state for s in steps] == ["RESTRICTED", "CAUTIOUS", "CLOSED"]
    restored = elson.Breaker.from_json(b.to_json())
    assert restored.state == b.state
    with pytest.raises(elson.InvalidInput):
        b.tick(NOW)  # time going back
    with pytest.raises(elson.Forbidden):
        b.step({"type": "MANUAL_TRIP", "actor_role": "USER", "level": "OPEN"}, NOW + timedelta(hours=5))
    with pytest.raises(elson.InvalidInput):
        b.step({"type": "BOGUS"}, NOW + timedelta(hours=5))
    with pytest.raises(elson.InvalidInput):
        elson.Breaker("NOWHERE")


def test_breaker_registry() -> None:
    reg = elson.Breakers({"cooldown_open_minutes": 10, "cooldown_restricted_minutes": 10,
                          "cooldown_cautious_minutes": 10, "loss_trip_fraction": "0.05",
                          "failure_trip_count": 2})
    pid = uuid.uuid4()
    reg.step("SYMBOL:AAPL", {"type": "REGIME", "level": elson.VolatilityLevel.HIGH}, NOW)
    state, scope = reg.governing("AAPL", pid)
    assert (state, scope) == (elson.CircuitBreakerState.RESTRICTED, "SYMBOL:AAPL")
    reg.step(f"PORTFOLIO:{pid}", {"type": "PORTFOLIO_VALUE", "day_open_value": "100",
                                  "current_value": Decimal("90")}, NOW)
    assert reg.state(f"PORTFOLIO:{pid}") == elson.CircuitBreakerState.OPEN
    with pytest.raises(elson.TradingHalted) as info:
        reg.admit("MSFT", pid, "BUY", "10")
    assert info.value.state == "OPEN"
    assert set(reg.states()) == {"SYMBOL:AAPL", f"PORTFOLIO:{pid}"}
    assert elson.Breakers({"cooldown_open_minutes": 10}) is not None  # others default
    with pytest.raises(elson.InvalidInput) as unknown:
        elson.Breakers({"cooldown_open": 10})
    assert unknown.value.field == "config.cooldown_open"
    with pytest.raises(elson.InvalidInput):
        elson.Breakers({"loss_trip_fraction": 0.02})  # a float is not a decimal
    with pytest.raises(elson.InvalidInput):
        elson.admit("OPEN", "BUY", "-1")


# ------------------------------------------------------------------- metrics


def test_metrics_numpy_and_array_likes() -> None:
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(7)
    r = rng.normal(0.0005, 0.01, 1000)
    ref = r.mean() / r.std(ddof=1) * np.sqrt(252)
    assert elson.sharpe_ratio(r) == pytest.approx(ref, rel=1e-12)
    assert elson.sharpe_ratio(pd.Series(r)) == pytest.approx(ref, rel=1e-12)
    assert elson.sharpe_ratio(list(r)) == pytest.approx(ref, rel=1e-12)
    assert elson.sharpe_ratio(r.astype(np.float32)) == pytest.approx(ref, rel=1e-5)
    assert elson.sharpe_ratio(r[::2]) == pytest.approx(
        r[::2].mean() / r[::2].std(ddof=1) * np.sqrt(252), rel=1e-12
    )
    equity = 100 * np.cumprod(1 + r)
    out = elson.returns_from_equity(equity)
    assert isinstance(out, np.ndarray) and out.dtype == np.float64
    np.testing.assert_allclose(out, equity[1:] / equity[:-1] - 1, rtol=1e-12)
    assert elson.annual_volatility(r) == pytest.approx(r.std(ddof=1) * np.sqrt(252), rel=1e-12)


@pytest.mark.parametrize(
    "bad",
    [
        np.array(["a", "b"]),
        np.array([[1.0, 2.0], [3.0, 4.0]]),
        np.array([1 + 2j]),
        np.array([True, False]),
        "not an array",
        object(),
        [1.0, None],
    ],
)
def test_metrics_refuse_bad_arrays(bad: Any) -> None:
    with pytest.raises(elson.InvalidInput) as info:
        elson.sharpe_ratio(bad)
    assert info.value.field == "returns"


def test_metrics_refuse_nan() -> None:
    with pytest.raises(elson.InvalidInput):
        elson.sharpe_ratio(np.array([0.01, np.nan, 0.02]))
    with pytest.raises(elson.InvalidInput):
        elson.max_drawdown_from_equity([1.0, float("inf")])


def test_metrics_release_the_gil() -> None:
    # Four threads computing on a large array all finish; a deadlock or a
    # crash here would mean the GIL hand-off is wrong.
    r = np.random.default_rng(1).normal(0, 0.01, 200_000)
    results: List[float] = []
    threads = [threading.Thread(target=lambda: results.append(elson.sharpe_ratio(r))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and len(results) == 4


def test_new_classes_pickle_where_they_are_values() -> None:
    t = elson.new_trade(uuid.uuid4(), "VTI", "BUY", 1, now=NOW)
    assert pickle.loads(pickle.dumps(t)) == t


def test_stub_and_docstrings_cover_every_public_name() -> None:
    import ast
    from pathlib import Path

    from elson import _elson

    stub = Path(elson.__file__).with_name("_elson.pyi")
    tree = ast.parse(stub.read_text())
    declared = {
        node.name
        for node in tree.body
        if isinstance(node, (ast.ClassDef, ast.FunctionDef))
    } | {
        t.id
        for node in tree.body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
        for t in [node.target]
    }
    public = {n for n in dir(_elson) if not n.startswith("__")}
    assert public - declared == set(), "names missing from _elson.pyi"
    for name in public:
        obj = getattr(_elson, name)
        if callable(obj):
            assert obj.__doc__, f"{name} has no docstring"
        assert name in elson.__all__ or name.startswith("_"), f"{name} not exported"
