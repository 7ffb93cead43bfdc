"""`elson.Store`: the store suite's essentials from Python, on SQLite and —
when `ELSON_TEST_PG_URL` is set (`scripts/with-postgres`) — on PostgreSQL.

A family deposits, a minor places a trade that waits for the guardian, the
guardian approves, the trade executes in one transaction; round-trips,
errors, atomicity, context manager, and concurrent writers. Rows are written
by the store's commands only; fixtures come in through `import_rows` (the
system actor's migration path), and market prices are the system actor's."""

from __future__ import annotations

import os
import threading
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

import elson

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=timezone.utc)
SYSTEM = elson.system_actor()

BACKENDS = ["sqlite"] + (["postgres"] if os.environ.get("ELSON_TEST_PG_URL") else [])


def test_postgres_is_there_when_required() -> None:
    # CI sets ELSON_REQUIRE_PG so that the PostgreSQL cases cannot skip.
    if os.environ.get("ELSON_REQUIRE_PG"):
        assert "postgres" in BACKENDS, "ELSON_REQUIRE_PG is set but ELSON_TEST_PG_URL is not"


def url_for(backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite://{tmp_path / 'elson.db'}"
    return os.environ["ELSON_TEST_PG_URL"]


@pytest.fixture(params=BACKENDS)
def store(request: Any, tmp_path: Path) -> Iterator[elson.Store]:
    with elson.Store.open(url_for(request.param, tmp_path)) as s:
        yield s


@pytest.fixture(params=BACKENDS)
def zero_fee_store(request: Any, tmp_path: Path) -> Iterator[elson.Store]:
    # Fees are the platform's: a store configured without them.
    with elson.Store.open(url_for(request.param, tmp_path), fees=elson.FeeSchedule.zero()) as s:
        yield s


def user(role: str, dob: Any = None) -> elson.User:
    uid = uuid.uuid4()
    return elson.User.from_dict(
        {
            "id": uid,
            "email": f"{role.lower()}-{uid.hex[:8]}@example.com",
            "password_hash": "$2b$12$" + "x" * 53,
            "role": role,
            "first_name": "Pat",
            "last_name": None,
            "date_of_birth": dob,
            "created_at": NOW,
            "updated_at": NOW,
            "last_login": None,
            "status": "ACTIVE",
            "two_factor_enabled": False,
            "two_factor_secret": None,
            "risk_profile": "MODERATE",
            "education_progress": None,
            "preferences": {"theme": "dark"},
            "beta_feedback": None,
        }
    )


def add_users(store: elson.Store, *users: elson.User) -> None:
    report = store.import_rows(SYSTEM, users=users, now=NOW)
    assert report["users"] == len(users)


def family(store: elson.Store) -> Dict[str, Any]:
    guardian = user("GUARDIAN")
    minor = user("MINOR", date(2014, 3, 1))
    link = elson.new_relationship(
        guardian.id, minor.id, status="ACTIVE", permissions={"trading": True}, now=NOW
    )
    portfolio = elson.new_portfolio(minor.id, "Savings", guardian_approval=True, now=NOW)
    report = store.import_rows(
        SYSTEM, users=[guardian, minor], relationships=[link], portfolios=[portfolio], now=NOW
    )
    assert report == {
        "users": 2, "relationships": 1, "portfolios": 1, "positions": 0, "trades": 0,
        "notifications": 0, "beta_feedback": 0,
    }
    return {"guardian": guardian, "minor": minor, "link": link, "portfolio": portfolio}


def adult_with_portfolio(store: elson.Store, name: str = "Main") -> Any:
    adult = user("USER")
    add_users(store, adult)
    p = store.open_portfolio(adult, adult.id, name, now=NOW)
    assert (p.cash_balance, p.total_value) == (Decimal("0.00"), Decimal("0.00"))
    return adult, p


def test_open_migrates_and_reports_backend(store: elson.Store) -> None:
    assert store.backend in ("SQLITE", "POSTGRES")
    assert len(store.applied_migrations()) >= 8
    store.migrate()  # idempotent


def test_rows_round_trip(store: elson.Store) -> None:
    f = family(store)
    assert store.users.get(SYSTEM, f["minor"].id) == f["minor"]
    assert store.relationships.get(SYSTEM, f["link"].id) == f["link"]
    assert store.portfolios.get(SYSTEM, f["portfolio"].id) == f["portfolio"]
    assert store.relationships.list_for_minor(SYSTEM, f["minor"].id) == [f["link"]]
    assert [p.id for p in store.portfolios.list_for_user(SYSTEM, f["minor"].id)] == [
        f["portfolio"].id
    ]
    login = store.users.find_for_login(SYSTEM, f["guardian"].email.upper())
    assert login is not None and login["id"] == f["guardian"].id
    assert store.users.find_for_login(SYSTEM, "nobody@example.com") is None
    later = NOW + timedelta(minutes=5)
    renamed = store.update_portfolio_settings(SYSTEM, f["portfolio"].id, name="College", now=later)
    assert renamed == elson.Portfolio.from_dict(
        {**f["portfolio"].to_dict(), "name": "College", "updated_at": later}
    )
    assert store.portfolios.get(SYSTEM, renamed.id) == renamed
    assert not hasattr(store.portfolios, "update") and not hasattr(store.portfolios, "insert")


def test_minor_trade_waits_for_the_guardian(store: elson.Store) -> None:
    f = family(store)
    pid = f["portfolio"].id
    p = store.deposit(SYSTEM, pid, Decimal("500.00"), now=NOW)
    assert p.cash_balance == Decimal("500.00")

    placed = store.place_trade(
        f["minor"], pid, "VTI", "BUY", 2, market_price="100", asset_type="ETF", now=NOW
    )
    trade = placed.trade
    assert trade.status == elson.TradeStatus.PENDING
    assert trade.guardian_approval == elson.GuardianApproval.PENDING
    assert [n.user_id for n in placed.notifications] == [f["guardian"].id]
    queue = store.trades.approval_queue(f["guardian"], f["guardian"].id)
    assert [q["trade"].id for q in queue] == [trade.id]

    with pytest.raises(elson.ApprovalRequired):
        store.execute_trade(SYSTEM, trade.id, "100", now=NOW)
    stranger = user("GUARDIAN")
    add_users(store, stranger)
    with pytest.raises(elson.Forbidden):
        store.decide_trade(stranger, trade.id, "APPROVE", now=NOW)

    decided = store.decide_trade(f["guardian"], trade.id, "APPROVE", now=NOW)
    assert decided.trade.guardian_approval == elson.GuardianApproval.APPROVED
    with pytest.raises(elson.InvalidTransition):
        store.decide_trade(f["guardian"], trade.id, "REJECT", "late", now=NOW)

    done = store.execute_trade(
        SYSTEM, trade.id, "100.00", now=NOW + timedelta(minutes=1), asset_type="ETF"
    )
    assert done.fill is not None and done.fill.notional == Decimal("200.00")
    assert done.trade.status == elson.TradeStatus.EXECUTED
    assert done.portfolio.cash_balance == Decimal("500.00") - done.fill.total_amount
    [pos] = store.positions.list_for_portfolio(SYSTEM, pid)
    assert (pos.symbol, pos.quantity) == ("VTI", Decimal("2"))
    assert [t.id for t in store.trades.history(SYSTEM, pid)] == [trade.id]

    p, positions = store.mark_to_market(
        SYSTEM, pid, {"VTI": Decimal("110")}, now=NOW + timedelta(hours=1)
    )
    assert positions[0].current_value == Decimal("220.00")
    assert p.total_value == p.cash_balance + Decimal("220.00")


def test_errors_and_atomicity(store: elson.Store) -> None:
    f = family(store)
    pid = f["portfolio"].id
    with pytest.raises(elson.NotFound) as nf:
        store.users.get(SYSTEM, uuid.uuid4())
    assert nf.value.entity == "user"
    with pytest.raises(elson.Conflict):
        store.import_rows(SYSTEM, users=[f["guardian"]], now=NOW)
    with pytest.raises(elson.InvalidInput):
        store.deposit(SYSTEM, pid, 10.5, now=NOW)  # a float is not money
    adult, own = adult_with_portfolio(store)
    store.deposit(adult, own.id, "100", now=NOW)
    with pytest.raises(elson.Forbidden):  # an owner never executes, even at their own limit
        store.place_and_execute(
            adult, own.id, "VTI", "BUY", 5, order_type="LIMIT", limit_price="100", now=NOW
        )
    with pytest.raises(elson.InsufficientFunds):  # the price feed fills the LIMIT at its limit
        store.place_and_execute(
            SYSTEM, own.id, "VTI", "BUY", 5, order_type="LIMIT", limit_price="100", now=NOW
        )
    with pytest.raises(elson.InsufficientFunds):  # the price feed's MARKET fill
        store.place_and_execute(SYSTEM, own.id, "VTI", "BUY", 5, "100", now=NOW)
    # Nothing of the refused trades was written.
    assert store.trades.history(adult, own.id) == []
    assert store.portfolios.get(adult, own.id).cash_balance == Decimal("100.00")
    with pytest.raises(elson.InvalidInput):
        store.decide_trade(adult, uuid.uuid4(), "MAYBE", now=NOW)


def test_closed_store_raises_storage_error(tmp_path: Path) -> None:
    with elson.Store.open(f"sqlite://{tmp_path / 'x.db'}") as s:
        users = s.users
    with pytest.raises(elson.StorageError):
        s.backend
    with pytest.raises(elson.StorageError):
        s.users
    with pytest.raises(elson.StorageError):  # a repository kept past close
        users.get(SYSTEM, uuid.uuid4())
    with pytest.raises(elson.StorageError) as info:
        elson.Store.open("mysql://nowhere/db")
    assert info.value.code == "OPEN"


def test_concurrent_writers_never_overdraw(zero_fee_store: elson.Store) -> None:
    store = zero_fee_store
    adult, p = adult_with_portfolio(store)
    store.deposit(adult, p.id, "1000", now=NOW)
    outcomes: List[str] = []

    def buy() -> None:
        # The price feed fills the owner's LIMIT orders, from 3 threads at once.
        for _ in range(5):
            try:
                store.place_and_execute(
                    SYSTEM, p.id, "VTI", "BUY", 1, order_type="LIMIT", limit_price="100", now=NOW
                )
                outcomes.append("ok")
            except elson.InsufficientFunds:
                outcomes.append("funds")

    threads = [threading.Thread(target=buy) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 10 and outcomes.count("funds") == 5
    final = store.portfolios.get(adult, p.id)
    assert final.cash_balance == Decimal("0.00")
    assert final.total_value == Decimal("1000.00")


def test_batch_is_one_all_or_nothing_transaction(zero_fee_store: elson.Store) -> None:
    # MARKET orders fill at the price feed's prices: the system actor's batch.
    store = zero_fee_store
    adult, p = adult_with_portfolio(store, "Batch")
    store.deposit(adult, p.id, "1000", now=NOW)
    orders = [
        {"portfolio_id": p.id, "symbol": "VTI", "side": "BUY", "quantity": 2, "market_price": "100"},
        {"portfolio_id": p.id, "symbol": "BND", "side": "BUY", "quantity": "1.5", "market_price": "80"},
        {"portfolio_id": p.id, "symbol": "VTI", "side": "SELL", "quantity": 1, "market_price": "110"},
    ]
    # The owner cannot state the prices: refused, nothing written.
    with pytest.raises(elson.Forbidden):
        store.place_and_execute_batch(adult, orders, now=NOW)
    assert store.trades.history(adult, p.id) == []
    results = store.place_and_execute_batch(SYSTEM, orders, now=NOW)
    assert [r.trade.symbol for r in results] == ["VTI", "BND", "VTI"]
    assert all(r.trade.status == elson.TradeStatus.EXECUTED for r in results)
    after = store.portfolios.get(adult, p.id)
    assert after.cash_balance == Decimal("1000") - 200 - 120 + 110
    # LIMIT orders fill at their limit prices, by the price feed; the owner
    # who set the limit may not fill them (they would choose the price).
    mine = [
        {"portfolio_id": p.id, "symbol": "BND", "side": "SELL", "quantity": "0.5",
         "order_type": "LIMIT", "limit_price": "80"},
    ]
    with pytest.raises(elson.Forbidden):
        store.place_and_execute_batch(adult, mine, now=NOW)
    [sold] = store.place_and_execute_batch(SYSTEM, mine, now=NOW)
    assert (sold.trade.status, sold.trade.price) == (elson.TradeStatus.EXECUTED, Decimal("80.00"))
    after = store.portfolios.get(adult, p.id)
    assert after.cash_balance == Decimal("1000") - 200 - 120 + 110 + 40
    # The fourth order oversells: the whole batch is refused and nothing of it is written.
    bad = orders + [{"portfolio_id": p.id, "symbol": "BND", "side": "SELL", "quantity": 9, "market_price": "80"}]
    with pytest.raises(elson.InsufficientQuantity):
        store.place_and_execute_batch(SYSTEM, bad, now=NOW)
    assert store.portfolios.get(adult, p.id).cash_balance == after.cash_balance
    assert len(store.trades.history(adult, p.id)) == 4
    # Malformed orders are input errors, before anything runs.
    with pytest.raises(elson.InvalidInput):
        store.place_and_execute_batch(SYSTEM, [{"symbol": "VTI"}], now=NOW)
    with pytest.raises(elson.InvalidInput):
        store.place_and_execute_batch(SYSTEM, [dict(orders[0], colour="red")], now=NOW)
    with pytest.raises(elson.InvalidInput):  # fees are the platform's, not an order's
        store.place_and_execute_batch(SYSTEM, [dict(orders[0], fees=elson.FeeSchedule.zero())], now=NOW)
    with pytest.raises(elson.InvalidInput):
        store.place_and_execute_batch(SYSTEM, [42], now=NOW)
    with pytest.raises(elson.InvalidInput):
        store.place_and_execute_batch(SYSTEM, [dict(orders[0], market_price=100.5)], now=NOW)
    assert len(store.trades.history(adult, p.id)) == 4
