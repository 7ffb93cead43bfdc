"""Runs every case of every shared vector file (``testdata/vectors/*.json``)
through the Python API and asserts the same results as the Rust runners
(``elson-core/tests/vectors_*.rs``). One handler per (area, op); a case whose
op has no handler fails, so a new op in a vector file cannot be skipped.

Vector files are read with ``parse_float=Decimal`` — a JSON number in a money
position becomes ``decimal.Decimal``, never a binary float — except metrics,
whose inputs are floats by nature.
"""

from __future__ import annotations

import json
import math
import uuid
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

import elson

VECTORS = Path(__file__).resolve().parents[3] / "testdata" / "vectors"
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
T2026 = datetime(2026, 1, 1, tzinfo=timezone.utc)
PORTFOLIO = uuid.UUID(int=0xACC0)

Handler = Callable[[Dict[str, Any]], Dict[str, Any]]
HANDLERS: Dict[Tuple[str, str], Handler] = {}


def handles(area: str, *ops: str) -> Callable[[Handler], Handler]:
    def register(f: Handler) -> Handler:
        for op in ops:
            HANDLERS[(area, op)] = f
        return f

    return register


# Areas whose numbers are statistics (f64), not money.
FLOAT_AREAS = {"metrics", "volatility", "backtest"}


def load(path: Path) -> Dict[str, Any]:
    text = path.read_text()
    if path.stem in FLOAT_AREAS:
        return json.loads(text)
    return json.loads(text, parse_float=Decimal)


def all_cases() -> List[Tuple[str, Dict[str, Any]]]:
    out = []
    for path in sorted(VECTORS.glob("*.json")):
        doc = load(path)
        assert doc["area"] == path.stem, path
        for case in doc["cases"]:
            out.append((doc["area"], case))
    return out


CASES = all_cases()


def replace(entity: Any, **changes: Any) -> Any:
    """A copy of a frozen entity with some fields changed."""
    return type(entity).from_dict({**entity.to_dict(), **changes})


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def dec_or_none(v: Any) -> Optional[Decimal]:
    return None if v is None else Decimal(v)


# ---------------------------------------------------------------- accounting

POSITION_KEYS = [
    "quantity",
    "average_price",
    "current_price",
    "current_value",
    "gain_loss",
    "gain_loss_percent",
]


def book(i: Dict[str, Any]) -> elson.Book:
    p = elson.new_portfolio(uuid.UUID(int=0), "vectors", now=EPOCH, id=PORTFOLIO)
    p = replace(p, cash_balance=i["cash_balance"], total_value=i["total_value"])
    positions = [
        elson.Position.from_dict(
            {
                "id": uuid.uuid4(),
                "portfolio_id": PORTFOLIO,
                "symbol": row["symbol"],
                **{k: row[k] for k in POSITION_KEYS},
                "created_at": EPOCH,
                "updated_at": EPOCH,
                "last_price_update": None,
                "asset_type": row["asset_type"],
                "sector": None,
            }
        )
        for row in i["positions"]
    ]
    return elson.Book(p, positions)


def position_json(p: Optional[elson.Position]) -> Optional[Dict[str, Any]]:
    return None if p is None else {k: getattr(p, k) for k in POSITION_KEYS}


def pending_trade(i: Dict[str, Any], status: str) -> elson.Trade:
    t = elson.new_trade(
        PORTFOLIO, i["symbol"], i["side"], 1, now=EPOCH, id=uuid.UUID(int=1)
    )
    fill: Dict[str, Any] = {"price": i["limit_price"]}
    if status == "EXECUTED":
        # An executed trade carries its fill (the core refuses an EXECUTED
        # row without one): at the limit or 10.00, without fees.
        price = Decimal(i["limit_price"] or "10.00")
        fill = {"price": price, "fees": Decimal("0.00"), "executed_at": EPOCH,
                "total_amount": elson.notional(i["quantity"], price)}
    return replace(
        t,
        order_type=i["order_type"],
        quantity=i["quantity"],
        status=status,
        guardian_approval=i.get("guardian_approval", "NOT_REQUIRED"),
        **fill,
    )


@handles("accounting", "fee")
def acc_fee(i: Dict[str, Any]) -> Dict[str, Any]:
    schedule = elson.FeeSchedule(i["rate"], i["minimum"], i["maximum"])
    return {"fee": schedule.fee(i["notional"])}


@handles("accounting", "notional")
def acc_notional(i: Dict[str, Any]) -> Dict[str, Any]:
    return {"notional": elson.notional(i["quantity"], i["price"])}


@handles("accounting", "execute")
def acc_execute(i: Dict[str, Any]) -> Dict[str, Any]:
    b = book(i)
    fees = elson.FeeSchedule(i["fee_rate"], i["fee_minimum"], i["fee_maximum"])
    trade = pending_trade(i, i["status"])
    try:
        preview: Any = b.preview(trade, i["market_price"], EPOCH, fees=fees)
    except elson.ElsonError as e:
        preview = e.code
    try:
        updated, fill = b.execute(trade, i["market_price"], EPOCH, fees=fees)
    except elson.ElsonError as e:
        assert preview == e.code, "preview agrees with execute"
        raise
    assert preview == fill, "preview agrees with execute"
    if fill is None:
        assert updated.status == elson.TradeStatus.PENDING
        return {
            "outcome": "PENDING",
            "cash_balance": b.cash_balance,
            "total_value": b.total_value,
        }
    assert updated.status == elson.TradeStatus.EXECUTED
    assert (updated.fees, updated.total_amount) == (fill.fees, fill.total_amount)
    assert updated.price == Decimal(i["market_price"])
    assert (fill.cash_balance, fill.total_value) == (b.cash_balance, b.total_value)
    return {
        "outcome": "EXECUTED",
        "notional": fill.notional,
        "fees": fill.fees,
        "total_amount": fill.total_amount,
        "realized_pnl": fill.realized_pnl,
        "cash_balance": b.cash_balance,
        "total_value": b.total_value,
        "position": position_json(b.position(updated.symbol)),
    }


@handles("accounting", "mark_to_market")
def acc_mark(i: Dict[str, Any]) -> Dict[str, Any]:
    b = book(i)
    b.mark_to_market(i["symbol"], i["price"], EPOCH)
    return {"total_value": b.total_value, "position": position_json(b.position(i["symbol"]))}


def _cash(op: str) -> Handler:
    def run(i: Dict[str, Any]) -> Dict[str, Any]:
        b = book(i)
        getattr(b, op)(i["amount"], EPOCH)
        return {"cash_balance": b.cash_balance, "total_value": b.total_value}

    return run


HANDLERS[("accounting", "deposit")] = _cash("deposit")
HANDLERS[("accounting", "withdraw")] = _cash("withdraw")


@handles("accounting", "from_rows")
def acc_from_rows(i: Dict[str, Any]) -> Dict[str, Any]:
    book(i)
    return {}


BARE = {"side": "BUY", "order_type": "MARKET", "symbol": "X", "quantity": "1", "limit_price": None}


@handles("accounting", "cancel")
def acc_cancel(i: Dict[str, Any]) -> Dict[str, Any]:
    t = elson.cancel_trade(pending_trade(BARE, i["status"]))
    return {"status": t.status}


@handles("accounting", "reject")
def acc_reject(i: Dict[str, Any]) -> Dict[str, Any]:
    t = elson.reject_trade(pending_trade(BARE, i["status"]), i["reason"])
    return {"status": t.status, "notes": t.notes}


@handles("accounting", "new_trade")
def acc_new_trade(i: Dict[str, Any]) -> Dict[str, Any]:
    t = elson.new_trade(
        PORTFOLIO,
        i["symbol"],
        i["side"],
        i["quantity"],
        order_type=i["order_type"],
        limit_price=i["limit_price"],
        confidence_score=i["confidence_score"],
        now=EPOCH,
        id=uuid.UUID(int=2),
    )
    return {"status": t.status, "guardian_approval": t.guardian_approval, "price": t.price}


# ------------------------------------------------------------------ approval


def user(role: str, status: str, date_of_birth: Optional[date]) -> elson.User:
    return elson.User.from_dict(
        {
            "id": uuid.uuid4(),
            "email": "v@example.com",
            "password_hash": "$2b$12$" + "x" * 53,
            "role": role,
            "first_name": None,
            "last_name": None,
            "date_of_birth": date_of_birth,
            "created_at": T2026,
            "updated_at": T2026,
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


def portfolio(owner: uuid.UUID, guardian_approval: bool) -> elson.Portfolio:
    return elson.new_portfolio(owner, "Vectors", guardian_approval=guardian_approval, now=T2026)


def link(guardian_id: uuid.UUID, minor_id: uuid.UUID, v: Dict[str, Any]) -> elson.Relationship:
    return elson.new_relationship(
        guardian_id,
        minor_id,
        status=v["status"],
        permissions=v["permissions"],
        approval_settings=v.get("approval_settings", {}),
        now=T2026,
    )


@handles("approval", "estimate_amount")
def appr_estimate(i: Dict[str, Any]) -> Dict[str, Any]:
    amount = elson.estimate_amount(
        i["order_type"], i["quantity"], i["limit_price"], i["market_price"]
    )
    return {"amount": amount}


@handles("approval", "decide")
def appr_decide(i: Dict[str, Any]) -> Dict[str, Any]:
    dob = date.fromisoformat(i["date_of_birth"]) if i["date_of_birth"] else None
    owner = user(i["owner_role"], "ACTIVE", dob)
    p = portfolio(owner.id, i["portfolio_guardian_approval"])
    links = [link(uuid.uuid4(), owner.id, r) for r in i["relationships"]]
    decision = elson.decide(
        owner,
        p,
        links,
        order_type=i["order_type"],
        asset_type=i["asset_type"],
        amount=i["amount"],
        trades_today=i["trades_today"],
        today=date.fromisoformat(i["today"]),
    )
    t = elson.new_trade(p.id, "VTI", "BUY", 1, now=T2026)
    t = elson.apply_decision(t, decision)
    assert t.guardian_approval == decision.guardian_approval
    assert (decision.reason is None) == (decision.reason_code is None)
    return {
        "decision": t.guardian_approval,
        "reason": decision.reason_code,
        "trade_status": t.status,
        "notes": t.notes,
    }


@handles("approval", "guardian_decide")
def appr_guardian(i: Dict[str, Any]) -> Dict[str, Any]:
    # A MINOR has a date of birth (the core refuses a MINOR row without one).
    actor_dob = date(2014, 3, 1) if i["actor_role"] == "MINOR" else None
    actor = user(i["actor_role"], i["actor_status"], actor_dob)
    minor = user("MINOR", "ACTIVE", date(2014, 3, 1))
    p = portfolio(minor.id, True)
    on = p.id if i["same_portfolio"] else uuid.uuid4()
    t = elson.new_trade(on, "VTI", "BUY", 1, now=T2026)
    fill: Dict[str, Any] = {}
    if i["trade_status"] == "EXECUTED":
        # An executed trade carries its fill; the core refuses one without.
        fill = {"price": Decimal("10.00"), "fees": Decimal("0.00"),
                "total_amount": Decimal("10.00"), "executed_at": T2026}
    t = replace(t, status=i["trade_status"], guardian_approval=i["guardian_approval"], **fill)
    blank = {"permissions": {}, "approval_settings": {}}
    rel = i["relationship"]
    if rel == "NONE":
        links = []
    elif rel == "OTHER_MINOR":
        links = [link(actor.id, uuid.uuid4(), {"status": "ACTIVE", **blank})]
    else:
        links = [link(actor.id, minor.id, {"status": rel, **blank})]
    now = datetime(2026, 11, 25, 14, tzinfo=timezone.utc)
    if i["verdict"] == "APPROVE":
        t, d = elson.approve(t, p, actor, links, now)
    else:
        t, d = elson.reject(t, p, actor, links, i["reason"] or "", now)
    assert (d.trade_id, d.minor_id, d.guardian_id) == (t.id, minor.id, actor.id)
    assert d.decided_at == now
    return {"trade_status": t.status, "guardian_approval": t.guardian_approval, "notes": t.notes}


# ----------------------------------------------------------------- authorize


@handles("authorize", "authorize")
def authz(i: Dict[str, Any]) -> Dict[str, Any]:
    links = [
        link(uuid.UUID(r["guardian_id"]), uuid.UUID(r["minor_id"]), r)
        for r in i["relationships"]
    ]
    access = elson.authorize(i["actor"], i["action"], i["resource"], links)
    return {"basis": access.basis, "audited": access.audited}


# ------------------------------------------------------------------- breaker


@handles("breaker", "breakers")
def brk_breakers(i: Dict[str, Any]) -> Dict[str, Any]:
    breakers = elson.Breakers(i.get("config"))
    transitions: List[Dict[str, Any]] = []
    events = i["events"]

    def feed(entry: Dict[str, Any]) -> List[elson.Transition]:
        fields = dict(entry)
        at = ts(fields.pop("at"))
        scope = fields.pop("scope", None)
        if scope is None:
            assert fields == {"type": "TICK"}, "only a TICK may omit the scope"
            return breakers.tick(at)
        return breakers.step(scope, fields, at)

    for entry in events[:-1]:
        transitions.extend(t.to_dict() for t in feed(entry))
    before = breakers.states()
    try:
        transitions.extend(t.to_dict() for t in feed(events[-1]))
    except elson.ElsonError:
        assert breakers.states() == before, "a refused event changes nothing"
        raise
    out: Dict[str, Any] = {
        "transitions": transitions,
        "states": {k: v.value for k, v in breakers.states().items()},
    }
    if "governing" in i:
        out["governing"] = [
            breakers.governing(q["symbol"], q["portfolio"])[0].value for q in i["governing"]
        ]
    return out


@handles("breaker", "admit")
def brk_admit(i: Dict[str, Any]) -> Dict[str, Any]:
    elson.admit(
        i["state"],
        i["side"],
        i["notional"],
        is_cancel=i["is_cancel"],
        within_sizing_limit=i["within_sizing_limit"],
    )
    return {"admitted": True}


# --------------------------------------------------------------------- flags


@handles("flags", "murmur3_32")
def flg_murmur(i: Dict[str, Any]) -> Dict[str, Any]:
    h = elson.murmur3_32(i["text"], i["seed"])
    assert h == elson.murmur3_32(i["text"].encode(), i["seed"])
    return {"hash": h}


@handles("flags", "bucket")
def flg_bucket(i: Dict[str, Any]) -> Dict[str, Any]:
    return {"bucket": elson.bucket(i["flag_name"], i["user_id"])}


@handles("flags", "is_enabled")
def flg_enabled(i: Dict[str, Any]) -> Dict[str, Any]:
    now = ts(i["now"])
    f = i["flag"]
    flag = elson.FeatureFlag.from_dict(
        {
            "id": uuid.UUID(int=0),
            "flag_name": f["flag_name"],
            "description": None,
            "enabled": f["enabled"],
            "environment": f["environment"],
            "user_percentage": f["user_percentage"],
            "user_whitelist": f["user_whitelist"],
            # Created long before: a flag expires after its creation (the
            # core refuses one born expired), and creation plays no part.
            "created_at": EPOCH,
            "updated_at": EPOCH,
            "created_by": "vectors",
            "expires_at": f["expires_at"],
        }
    )
    return {"enabled": elson.is_enabled(flag, i["user_id"], i["environment"], now)}


# ------------------------------------------------------------------- metrics


def number(v: Any) -> float:
    return float(v)  # "NaN", "inf", "-inf" parse too


def numbers(v: List[Any]) -> List[float]:
    return [number(x) for x in v]


METRIC_ARGS = {
    "sharpe_ratio": ("returns", "risk_free", "periods_per_year"),
    "sortino_ratio": ("returns", "required_return", "periods_per_year"),
    "downside_risk": ("returns", "required_return", "periods_per_year"),
    "annual_volatility": ("returns", "periods_per_year"),
    "annual_return": ("returns", "periods_per_year"),
    "max_drawdown": ("returns",),
    "max_drawdown_from_equity": ("equity",),
    "win_rate": ("pnls",),
}


def _metric(op: str) -> Handler:
    def run(i: Dict[str, Any]) -> Dict[str, Any]:
        first, *rest = METRIC_ARGS[op]
        import numpy as np

        series = np.array(numbers(i[first]), dtype=np.float64)
        value = getattr(elson, op)(series, *[number(i[k]) for k in rest])
        # The same call on a plain list (converted, not zero-copy) agrees.
        again = getattr(elson, op)(numbers(i[first]), *[number(i[k]) for k in rest])
        assert value == again or (math.isnan(value) and math.isnan(again))
        return {"value": value}

    return run


for _op in METRIC_ARGS:
    HANDLERS[("metrics", _op)] = _metric(_op)


@handles("metrics", "returns_from_equity")
def met_returns(i: Dict[str, Any]) -> Dict[str, Any]:
    return {"values": list(elson.returns_from_equity(numbers(i["equity"])))}


# -------------------------------------------------------------------- sizing


def params(i: Dict[str, Any]) -> elson.ParameterSet:
    rows = [
        elson.ModelParameter.from_dict(
            {
                "id": uuid.UUID(int=0),
                "volatility_level": r["volatility_level"],
                "parameter_type": r["parameter_type"],
                "parameter_name": r["parameter_name"],
                "parameter_value": r["parameter_value"],
                "effective_from": r["effective_from"],
                "effective_to": r["effective_to"],
                "created_by": "vectors",
                "created_at": r["effective_from"],
                "updated_at": r["effective_from"],
                "description": None,
            }
        )
        for r in i.get("overrides", [])
    ]
    return elson.ParameterSet(rows)


@handles("sizing", "factor")
def siz_factor(i: Dict[str, Any]) -> Dict[str, Any]:
    p = params(i)
    return {"factor": elson.sizing_factor(i["breaker_state"], i["regime"], ts(i["at"]), p)}


@handles("sizing", "max_buy_notional")
def siz_max(i: Dict[str, Any]) -> Dict[str, Any]:
    p = params(i)
    limit = elson.max_buy_notional(
        i["total_value"], i["risk_profile"], i["breaker_state"], i["regime"], ts(i["at"]), p
    )
    return {"limit": limit}


@handles("sizing", "check_buy")
def siz_check_buy(i: Dict[str, Any]) -> Dict[str, Any]:
    p = params(i)
    d = elson.check_buy(
        i["quantity"],
        i["price"],
        total_value=i["total_value"],
        risk_profile=i["risk_profile"],
        breaker_state=i["breaker_state"],
        regime=i["regime"],
        at=ts(i["at"]),
        mode=i["mode"],
        params=p,
    )
    return {"resized": d.resized, "quantity": d.quantity, "notional": d.notional, "limit": d.limit}


@handles("sizing", "check_confidence")
def siz_confidence(i: Dict[str, Any]) -> Dict[str, Any]:
    p = params(i)
    assert elson.check_confidence(i["confidence_score"], i["regime"], ts(i["at"]), p) is None
    return {"passed": True}


@handles("sizing", "parameter_value")
def siz_value(i: Dict[str, Any]) -> Dict[str, Any]:
    p = params(i)
    value = p.value(i["volatility_level"], i["parameter_type"], i["parameter_name"], ts(i["at"]))
    return {"value": value}


# ---------------------------------------------------------------- volatility


def vol_kwargs(i: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "method": i["method"],
        "lookback": i["lookback"],
        "periods_per_year": i["periods_per_year"],
        "ewma_lambda": i["ewma_lambda"],
    }


def nan_to_none(values: Any) -> List[Any]:
    return [None if math.isnan(v) else float(v) for v in values]


@handles("volatility", "estimate")
def vol_estimate(i: Dict[str, Any]) -> Dict[str, Any]:
    ranges = {k: i[k] for k in ("open", "high", "low") if k in i}
    values = elson.rolling_volatility(i["close"], **ranges, **vol_kwargs(i))
    # The streaming estimator gives the same values bar by bar.
    est = elson.VolatilityEstimator(**vol_kwargs(i))
    for n, c in enumerate(i["close"]):
        if ranges:
            v = est.update_bar(i["open"][n], i["high"][n], i["low"][n], c)
        else:
            v = est.update(c)
        assert (v is None) == math.isnan(values[n])
        assert v is None or v == pytest.approx(values[n], rel=1e-9)
    return {"values": nan_to_none(values)}


@handles("volatility", "classify")
def vol_classify(i: Dict[str, Any]) -> Dict[str, Any]:
    return {"level": elson.classify(i["value"])}


@handles("volatility", "confidence")
def vol_confidence(i: Dict[str, Any]) -> Dict[str, Any]:
    return {"confidence": elson.confidence_score(i["value"], i["observations"], i["lookback"])}


@handles("volatility", "stabilize")
def vol_stabilize(i: Dict[str, Any]) -> Dict[str, Any]:
    s = elson.Stabilizer(i["switch_readings"])
    pairs = [s.push(r) for r in i["readings"]]
    return {"levels": [level for level, _ in pairs], "counts": [c for _, c in pairs]}


@handles("volatility", "regime_series")
def vol_regime_series(i: Dict[str, Any]) -> Dict[str, Any]:
    r = elson.detect_regimes(i["close"], **vol_kwargs(i))
    assert r.confidence is not None and r.stabilization_count is not None
    return {
        "volatility": nan_to_none(r.volatility),
        "levels": r.levels(),
        "counts": [int(c) for c in r.stabilization_count],
        "confidence": nan_to_none(r.confidence),
    }


@handles("volatility", "check_regime_rows")
def vol_check_rows(i: Dict[str, Any]) -> Dict[str, Any]:
    rows = [
        elson.VolatilityRegime.from_dict(
            {
                "id": uuid.UUID(int=0),
                "symbol": r["symbol"],
                "timestamp": r["timestamp"],
                "volatility_value": "0.2000",
                "volatility_level": r["volatility_level"],
                "lookback_period": 20,
                "calculation_method": "CLOSE_TO_CLOSE",
                "circuit_breaker_state": None,
                "confidence_score": "0.80",
                "stabilization_count": r["stabilization_count"],
            }
        )
        for r in i["rows"]
    ]
    assert elson.check_regime_rows(rows) is None
    return {"ok": True}


@handles("volatility", "to_row")
def vol_to_row(i: Dict[str, Any]) -> Dict[str, Any]:
    reading = elson.RegimeReading(
        time=ts(i["timestamp"]),
        volatility=i["volatility"],
        reading=i["level"],
        level=i["level"],
        confidence=i["confidence"],
        stabilization_count=i["stabilization_count"],
        lookback=i["lookback"],
        method=i["method"],
    )
    row = reading.to_row(i["symbol"], uuid.UUID(int=0))
    return {
        "volatility_value": str(row.volatility_value),
        "confidence_score": str(row.confidence_score),
        "volatility_level": row.volatility_level,
        "stabilization_count": row.stabilization_count,
        "lookback_period": row.lookback_period,
        "calculation_method": row.calculation_method,
        "circuit_breaker_state": row.circuit_breaker_state,
    }


# --------------------------------------------------------------- comparison


def as_decimal(v: Any) -> Optional[Decimal]:
    if isinstance(v, bool) or not isinstance(v, (str, Decimal, int)):
        return None
    try:
        return Decimal(v)
    except (InvalidOperation, ValueError):
        return None


def same(expected: Any, actual: Any, path: str, area: str) -> None:
    """Objects key by key (the keys the vector lists); decimals by value;
    metrics' floats to 1e-11 relative; timestamps by instant; enums by
    value."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        for k, ev in expected.items():
            assert k in actual, f"{path}.{k}: missing in {actual!r}"
            same(ev, actual[k], f"{path}.{k}", area)
        return
    if isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), (
            f"{path}: expected {expected!r}, got {actual!r}"
        )
        for n, (e, a) in enumerate(zip(expected, actual)):
            same(e, a, f"{path}[{n}]", area)
        return
    if hasattr(actual, "value") and isinstance(actual, str):  # an elson enum member
        actual = actual.value
    if area in FLOAT_AREAS and expected is None:
        assert actual is None or (isinstance(actual, float) and math.isnan(actual)), (
            f"{path}: expected no value, got {actual!r}"
        )
        return
    if area in FLOAT_AREAS and isinstance(expected, float) or area == "metrics":
        e, a = number(expected), float(actual)
        if math.isnan(e):
            assert math.isnan(a), f"{path}: expected NaN, got {a}"
        elif math.isinf(e):
            assert a == e, f"{path}: expected {e}, got {a}"
        else:
            rel = 1e-11 if area == "metrics" else 1e-10
            assert abs(a - e) <= rel * abs(e) + 1e-15, f"{path}: expected {e}, got {a}"
        return
    if isinstance(expected, str) and isinstance(actual, datetime):
        assert ts(expected) == actual, f"{path}: expected {expected}, got {actual}"
        return
    if isinstance(expected, str) and "T" in expected and isinstance(actual, str):
        try:
            assert ts(expected) == ts(actual), f"{path}: expected {expected}, got {actual}"
            return
        except ValueError:
            pass
    e_dec, a_dec = as_decimal(expected), as_decimal(actual)
    if e_dec is not None and a_dec is not None and not isinstance(expected, int):
        assert e_dec == a_dec, f"{path}: expected {expected}, got {actual}"
        return
    assert expected == actual, f"{path}: expected {expected!r}, got {actual!r}"


@pytest.mark.parametrize(
    "area,case", CASES, ids=[f"{area}:{case['name']}" for area, case in CASES]
)
def test_vector(area: str, case: Dict[str, Any]) -> None:
    handler = HANDLERS.get((area, case["op"]))
    assert handler is not None, f"no handler for {area}/{case['op']}"
    assert ("expected" in case) != ("error" in case), "exactly one of expected/error"
    if "error" in case:
        with pytest.raises(elson.ElsonError) as info:
            handler(case["input"])
        assert info.value.code == case["error"], str(info.value)
        if "error_field" in case:
            assert isinstance(info.value, elson.InvalidInput)
            assert info.value.field == case["error_field"], str(info.value)
    else:
        actual = handler(case["input"])
        same(case["expected"], actual, "", area)


def test_every_vector_file_and_op_is_covered() -> None:
    files = sorted(p.stem for p in VECTORS.glob("*.json"))
    assert files, "no vector files found"
    assert len(CASES) > 0
    areas = {area for area, _ in CASES}
    assert areas == set(files)
    ops = {(area, case["op"]) for area, case in CASES}
    missing = ops - set(HANDLERS)
    assert not missing, f"ops without a handler: {sorted(missing)}"
    for area in files:
        assert any(a == area for a, _ in CASES), f"{area}.json has no cases"
