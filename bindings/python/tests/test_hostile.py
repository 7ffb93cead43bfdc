"""Hostile routes (issue 14), on SQLite and — under `scripts/with-postgres` —
on PostgreSQL: every way the issue found to change money, holdings, a
trade's status or approval, or a family link behind the core's back is gone
or refused. Each refused route raises its typed error and writes no domain
row; each denial (`Forbidden`) leaves a FORBIDDEN row in the audit log; each
allowed route does what the core says.

The write API is commands: the repositories only read; whole rows come in
through `import_rows`, the system actor's migration path; market prices
(fills, marks) are the system actor's — the price feed's — and fees the
platform's."""

from __future__ import annotations

import inspect
import os
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest

import elson

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=timezone.utc)
SYSTEM = elson.system_actor()
BACKENDS = ["sqlite"] + (["postgres"] if os.environ.get("ELSON_TEST_PG_URL") else [])

REPOSITORIES = (
    "users",
    "portfolios",
    "positions",
    "trades",
    "relationships",
    "notifications",
    "beta_feedback",
)


def test_postgres_is_there_when_required() -> None:
    if os.environ.get("ELSON_REQUIRE_PG"):
        assert "postgres" in BACKENDS, "ELSON_REQUIRE_PG is set but ELSON_TEST_PG_URL is not"


@pytest.fixture(params=BACKENDS)
def store(request: Any, tmp_path: Path) -> Iterator[elson.Store]:
    if request.param == "sqlite":
        url = f"sqlite://{tmp_path / 'hostile.db'}"
    else:
        url = os.environ["ELSON_TEST_PG_URL"]
    with elson.Store.open(url) as s:
        yield s


def user(role: str, dob: Optional[date] = None) -> elson.User:
    uid = uuid.uuid4()
    return elson.User.from_dict(
        {
            "id": uid,
            "email": f"{role.lower()}-{uid.hex[:12]}@example.com",
            "password_hash": "$2b$12$" + "h" * 53,
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
            "preferences": None,
            "beta_feedback": None,
        }
    )


@pytest.fixture
def world(store: elson.Store) -> Dict[str, Any]:
    """Two families and an adult. Family 1: guardian `g`, minor `m` (ACTIVE
    link, trading and LIMIT orders allowed), the minor's portfolio `p` with
    guardian approval and 1,000.00. Family 2: guardian `o` and minor `m2`.
    An adult `u` with portfolio `q` holding 100.00, and an admin `a`."""
    g, o, u, a = user("GUARDIAN"), user("GUARDIAN"), user("USER"), user("ADMIN")
    m, m2 = user("MINOR", date(2014, 3, 1)), user("MINOR", date(2015, 6, 1))
    perms = {"trading": True, "advanced_orders": True}
    link = elson.new_relationship(g.id, m.id, status="ACTIVE", permissions=perms, now=NOW)
    link2 = elson.new_relationship(o.id, m2.id, status="ACTIVE", permissions=perms, now=NOW)
    p = elson.new_portfolio(m.id, "Savings", guardian_approval=True, now=NOW)
    q = elson.new_portfolio(u.id, "Main", now=NOW)
    report = store.import_rows(
        SYSTEM,
        users=[g, m, o, m2, u, a],
        relationships=[link, link2],
        portfolios=[p, q],
        now=NOW,
    )
    assert report["users"] == 6 and report["relationships"] == 2 and report["portfolios"] == 2
    store.deposit(SYSTEM, p.id, "1000", now=NOW)
    store.deposit(u, q.id, "100", now=NOW)
    return {"g": g, "m": m, "o": o, "m2": m2, "u": u, "a": a, "link": link, "link2": link2,
            "p": p, "q": q}


def state(store: elson.Store, portfolio_id: uuid.UUID, *user_ids: uuid.UUID) -> Dict[str, Any]:
    """Every domain row a route on this portfolio could have changed."""
    store.clear_portfolio_cache()
    return {
        "portfolio": store.portfolios.get(SYSTEM, portfolio_id),
        "positions": store.positions.list_for_portfolio(SYSTEM, portfolio_id),
        "trades": store.trades.history(SYSTEM, portfolio_id),
        "notifications": [store.notifications.list_for_user(SYSTEM, i) for i in user_ids],
        "links": [store.relationships.list_for_minor(SYSTEM, i) for i in user_ids],
    }


def denials(store: elson.Store, actor_id: uuid.UUID, action: str) -> List[Dict[str, Any]]:
    log = store.audit_log(SYSTEM, limit=500)
    return [
        e for e in log
        if e["actor_id"] == actor_id and e["action"] == action and e["outcome"] == "FORBIDDEN"
    ]


def refused(store: elson.Store, actor: elson.User, action: str, call: Any,
            before: Dict[str, Any], after: Any, entity_id: Optional[uuid.UUID] = None) -> None:
    """`call()` raises Forbidden, changes none of `before`, and is on record."""
    n = len(denials(store, actor.id, action))
    with pytest.raises(elson.Forbidden):
        call()
    assert after() == before
    new = denials(store, actor.id, action)
    assert len(new) == n + 1, f"no FORBIDDEN audit row for {action}"
    if entity_id is not None:
        assert new[0]["entity_id"] == str(entity_id)


# --- no row writes at all ----------------------------------------------------


def test_repositories_only_read(store: elson.Store) -> None:
    for name in REPOSITORIES:
        repo = getattr(store, name)
        assert not hasattr(repo, "insert"), f"store.{name}.insert still exists"
        assert not hasattr(repo, "update"), f"store.{name}.update still exists"
        assert hasattr(repo, "get")
    for name in ("Users", "Portfolios", "Positions", "Trades", "Relationships", "Notifications",
                 "BetaFeedbackRepository"):
        cls = getattr(elson, name)
        assert not hasattr(cls, "insert") and not hasattr(cls, "update")
    # Fees are the platform's: no trading call takes them.
    for method in ("execute_trade", "place_and_execute", "place_trade"):
        assert "fees" not in str(inspect.signature(getattr(store, method)))


def test_owner_cannot_set_cash_or_total_value(store: elson.Store, world: Dict[str, Any]) -> None:
    u, q = world["u"], world["q"]
    before = state(store, q.id, u.id)
    for field in ("cash_balance", "total_value", "user_id", "performance_metrics"):
        with pytest.raises(TypeError):
            store.update_portfolio_settings(u, q.id, now=NOW, **{field: "1000000.00"})
    assert state(store, q.id, u.id) == before
    # The settings that are settings change; the money does not.
    renamed = store.update_portfolio_settings(u, q.id, name="Rainy day", risk_score=40, now=NOW)
    assert (renamed.name, renamed.risk_score) == ("Rainy day", 40)
    assert (renamed.cash_balance, renamed.total_value) == (Decimal("100.00"), Decimal("100.00"))
    # A second portfolio opens empty.
    second = store.open_portfolio(u, u.id, "Second", now=NOW)
    assert (second.cash_balance, second.total_value) == (Decimal("0.00"), Decimal("0.00"))
    # Nobody opens one for someone else.
    o = world["o"]
    refused(store, o, "open_portfolio",
            lambda: store.open_portfolio(o, u.id, "Gift", now=NOW),
            [p.id for p in store.portfolios.list_for_user(SYSTEM, u.id)],
            lambda: [p.id for p in store.portfolios.list_for_user(SYSTEM, u.id)])
    # A profile update is no way to a new role or standing.
    for field in ("role", "status", "email", "password_hash", "date_of_birth"):
        with pytest.raises(TypeError):
            store.update_profile(u, u.id, now=NOW, **{field: "ADMIN"})


def test_user_cannot_import_money_positions_or_trades(
    store: elson.Store, world: Dict[str, Any]
) -> None:
    u, q = world["u"], world["q"]
    rich = elson.Portfolio.from_dict(
        {**elson.new_portfolio(u.id, "Rich", now=NOW).to_dict(),
         "cash_balance": Decimal("1000000.00"), "total_value": Decimal("1000000.00")}
    )
    fake_buy = elson.Trade.from_dict({
        "id": uuid.uuid4(), "portfolio_id": q.id, "symbol": "VTI", "order_type": "MARKET",
        "side": "SELL", "quantity": Decimal("1000"), "price": Decimal("100.00"),
        "status": "EXECUTED", "created_at": NOW, "executed_at": NOW,
        "total_amount": Decimal("99650.00"), "fees": Decimal("350.00"), "notes": None,
        "circuit_breaker_state": None, "volatility_level": None,
        "guardian_approval": "NOT_REQUIRED", "confidence_score": None, "position_sizing": None,
    })
    before = state(store, q.id, u.id)
    before_list = store.portfolios.list_for_user(SYSTEM, u.id)
    for batch in ({"portfolios": [rich]}, {"trades": [fake_buy]}, {"users": [user("USER")]}):
        refused(store, u, "import",
                lambda: store.import_rows(u, now=NOW, **batch),
                before, lambda: state(store, q.id, u.id))
    assert store.portfolios.list_for_user(SYSTEM, u.id) == before_list
    with pytest.raises(elson.NotFound):
        store.portfolios.get(SYSTEM, rich.id)


# --- prices are the price feed's ---------------------------------------------


def test_owner_cannot_execute_at_a_price_they_choose(
    store: elson.Store, world: Dict[str, Any]
) -> None:
    u, q = world["u"], world["q"]
    placed = store.place_trade(u, q.id, "VTI", "BUY", 100, market_price="0.50", now=NOW)
    tid = placed.trade.id
    before = state(store, q.id, u.id)
    after = lambda: state(store, q.id, u.id)  # noqa: E731
    refused(store, u, "execute",
            lambda: store.execute_trade(u, tid, "0.01", now=NOW), before, after, tid)
    # A MARKET order without the feed's price: still the owner naming none.
    refused(store, u, "execute", lambda: store.execute_trade(u, tid, now=NOW), before, after, tid)
    refused(store, u, "place_execute",
            lambda: store.place_and_execute(u, q.id, "VTI", "BUY", 100, "0.01", now=NOW),
            before, after)
    trade = store.trades.get(u, tid)
    assert (trade.status, trade.price, trade.executed_at) == (elson.TradeStatus.PENDING, None, None)
    # The price feed fills it, at the platform's fees (0.35 %, at least 0.50).
    done = store.execute_trade(SYSTEM, tid, "0.50", now=NOW + timedelta(seconds=1))
    assert done.fill is not None
    assert (done.fill.notional, done.fill.fees) == (Decimal("50.00"), Decimal("0.50"))
    assert done.portfolio.cash_balance == Decimal("49.50")
    with pytest.raises(TypeError):
        store.execute_trade(SYSTEM, tid, "0.50", now=NOW, fees=elson.FeeSchedule.zero())


def test_owner_cannot_mint_money_with_limit_prices(
    store: elson.Store, world: Dict[str, Any]
) -> None:
    # The money machine (100.00 → 1,000,099.00) with the prices named
    # as LIMITs: an owner who sets the limit sets the price, so owners never
    # execute; the price feed (the system actor) does.
    u, q = world["u"], world["q"]
    before = state(store, q.id, u.id)
    after = lambda: state(store, q.id, u.id)  # noqa: E731
    refused(store, u, "place_execute",
            lambda: store.place_and_execute(u, q.id, "VTI", "BUY", 100, order_type="LIMIT",
                                            limit_price="0.01", now=NOW),
            before, after)
    placed = store.place_trade(u, q.id, "VTI", "BUY", 100, order_type="LIMIT",
                               limit_price="0.01", now=NOW)
    tid = placed.trade.id
    before = state(store, q.id, u.id)
    refused(store, u, "execute", lambda: store.execute_trade(u, tid, now=NOW), before, after, tid)
    store.clear_portfolio_cache()
    assert store.portfolios.get(SYSTEM, q.id).cash_balance <= Decimal("100.00")


def test_minor_cannot_approve_or_price_their_own_trade(
    store: elson.Store, world: Dict[str, Any]
) -> None:
    g, m, p = world["g"], world["m"], world["p"]
    placed = store.place_trade(m, p.id, "VTI", "BUY", 1, market_price="100", now=NOW)
    tid = placed.trade.id
    assert placed.trade.guardian_approval == elson.GuardianApproval.PENDING
    before = state(store, p.id, m.id, g.id)
    after = lambda: state(store, p.id, m.id, g.id)  # noqa: E731
    refused(store, m, "decide",
            lambda: store.decide_trade(m, tid, "APPROVE", now=NOW), before, after, tid)
    with pytest.raises(elson.ApprovalRequired):
        store.execute_trade(SYSTEM, tid, "100", now=NOW)
    assert after() == before
    # No row write to set the approval, the quantity or the status either.
    assert not hasattr(store.trades, "update") and not hasattr(store.trades, "insert")
    # Nor may the minor import a trade that needs no approval.
    free = elson.new_trade(p.id, "VTI", "BUY", 5, now=NOW)
    refused(store, m, "import",
            lambda: store.import_rows(m, trades=[free], now=NOW), before, after)

    approved = store.decide_trade(g, tid, "APPROVE", now=NOW)
    assert approved.trade.guardian_approval == elson.GuardianApproval.APPROVED
    before = state(store, p.id, m.id, g.id)
    refused(store, m, "execute",
            lambda: store.execute_trade(m, tid, "0.01", now=NOW), before, after, tid)
    refused(store, m, "execute", lambda: store.execute_trade(m, tid, now=NOW), before, after, tid)
    done = store.execute_trade(SYSTEM, tid, "100", now=NOW)
    assert done.trade.status == elson.TradeStatus.EXECUTED
    assert (done.trade.quantity, done.trade.price) == (Decimal("1"), Decimal("100.00"))


def test_minor_and_owner_cannot_mark_to_market(store: elson.Store, world: Dict[str, Any]) -> None:
    g, m, p, u, q = world["g"], world["m"], world["p"], world["u"], world["q"]
    store.place_and_execute(SYSTEM, q.id, "VTI", "BUY", "0.5", "100", now=NOW)
    placed = store.place_trade(m, p.id, "VTI", "BUY", 1, market_price="100", now=NOW)
    store.decide_trade(g, placed.trade.id, "APPROVE", now=NOW)
    store.execute_trade(SYSTEM, placed.trade.id, "100", now=NOW)
    for actor, pid in ((m, p.id), (g, p.id), (u, q.id)):
        before = state(store, pid, actor.id)
        refused(store, actor, "mark_to_market",
                lambda: store.mark_to_market(actor, pid, {"VTI": Decimal("1000000")}, now=NOW),
                before, lambda: state(store, pid, actor.id), pid)
    # The price feed marks; every price it states is checked.
    before = state(store, q.id, u.id)
    for bad in ({"VTI": "0"}, {"VTI": "-1"}, {"XYZ": "0"}):
        with pytest.raises(elson.InvalidInput):
            store.mark_to_market(SYSTEM, q.id, bad, now=NOW)
        assert state(store, q.id, u.id) == before
    marked, [pos] = store.mark_to_market(SYSTEM, q.id, {"VTI": "110"}, now=NOW)
    assert pos.current_value == Decimal("55.00")
    assert marked.total_value == marked.cash_balance + Decimal("55.00")


# --- families ----------------------------------------------------------------


def test_guardian_of_another_family_cannot_take_a_child(
    store: elson.Store, world: Dict[str, Any]
) -> None:
    g, m, o, p = world["g"], world["m"], world["o"], world["p"]
    proposed = store.link_guardian(o, m.id, o.id, now=NOW)
    assert proposed.status == elson.RelationshipStatus.PENDING
    assert (proposed.guardian_id, proposed.minor_id) == (o.id, m.id)
    before = state(store, p.id, m.id, o.id)
    after = lambda: state(store, p.id, m.id, o.id)  # noqa: E731
    refused(store, o, "accept_link",
            lambda: store.accept_link(o, proposed.id, now=NOW), before, after, proposed.id)
    assert store.relationships.get(SYSTEM, proposed.id).status == elson.RelationshipStatus.PENDING
    # A PENDING link gives them nothing: no decision, no reads.
    placed = store.place_trade(world["m"], p.id, "VTI", "BUY", 1, market_price="100", now=NOW)
    before = state(store, p.id, m.id, o.id)
    refused(store, o, "decide",
            lambda: store.decide_trade(o, placed.trade.id, "APPROVE", now=NOW),
            before, after, placed.trade.id)
    with pytest.raises(elson.Forbidden):
        store.users.get(o, m.id)
    with pytest.raises(elson.Forbidden):
        store.portfolios.get(o, p.id)
    assert all(i["trade"].id != placed.trade.id for i in store.trades.approval_queue(o, o.id))
    # Nor can they repoint their own ACTIVE link at this child: the minor of
    # a link is no setting.
    link2 = world["link2"]
    with pytest.raises(TypeError):
        store.update_link_settings(o, link2.id, minor_id=m.id, now=NOW)  # type: ignore[call-arg]
    assert "minor_id" not in str(inspect.signature(store.update_link_settings))
    assert store.relationships.get(SYSTEM, link2.id).minor_id == world["m2"].id
    # The child's own guardian still decides.
    assert store.decide_trade(g, placed.trade.id, "APPROVE", now=NOW).trade.guardian_approval == (
        elson.GuardianApproval.APPROVED
    )


def test_link_settings_and_the_last_guardian(store: elson.Store, world: Dict[str, Any]) -> None:
    g, m, link, p = world["g"], world["m"], world["link"], world["p"]
    later = NOW + timedelta(minutes=1)
    changed = store.update_link_settings(
        g, link.id, permissions={"trading": True, "withdrawals": True}, now=later
    )
    assert changed.permissions["withdrawals"] is True
    assert (changed.guardian_id, changed.minor_id) == (g.id, m.id)
    assert changed.approval_settings == store.relationships.get(SYSTEM, link.id).approval_settings
    # The minor never changes their own.
    before = state(store, p.id, m.id)
    refused(store, m, "update_link_settings",
            lambda: store.update_link_settings(
                m, link.id, approval_settings={"require_approval": False}, now=later),
            before, lambda: state(store, p.id, m.id), link.id)
    # The last ACTIVE guardian cannot leave.
    with pytest.raises(elson.Conflict):
        store.deactivate_link(g, link.id, now=later)
    assert state(store, p.id, m.id) == before
    assert store.relationships.get(SYSTEM, link.id).status == elson.RelationshipStatus.ACTIVE
    # Only the minor's guardian switches the approval of a minor's portfolio.
    refused(store, m, "update_settings",
            lambda: store.update_portfolio_settings(m, p.id, guardian_approval=False, now=later),
            before, lambda: state(store, p.id, m.id), p.id)
    off = store.update_portfolio_settings(g, p.id, guardian_approval=False, now=later)
    assert off.guardian_approval is False and off.cash_balance == Decimal("1000.00")


def test_suspended_user_moves_no_money(store: elson.Store, world: Dict[str, Any]) -> None:
    u, q = world["u"], world["q"]
    store.set_status(SYSTEM, u.id, "SUSPENDED", now=NOW)
    before = state(store, q.id, u.id)
    after = lambda: state(store, q.id, u.id)  # noqa: E731
    refused(store, u, "deposit", lambda: store.deposit(u, q.id, "10", now=NOW), before, after, q.id)
    refused(store, u, "withdraw",
            lambda: store.withdraw(u, q.id, "10", now=NOW), before, after, q.id)
    refused(store, u, "place",
            lambda: store.place_trade(u, q.id, "VTI", "BUY", 1, order_type="LIMIT",
                                      limit_price="1", now=NOW), before, after)
    # Standing is an admin's: not the user's own, not another user's.
    refused(store, u, "set_status",
            lambda: store.set_status(u, u.id, "ACTIVE", now=NOW), before, after, u.id)
    a = world["a"]
    assert store.set_status(a, u.id, "ACTIVE", now=NOW).status == elson.UserStatus.ACTIVE
    assert store.withdraw(u, q.id, "10", now=NOW).cash_balance == Decimal("90.00")


def test_notification_and_feedback_status_follow_their_machines(
    store: elson.Store, world: Dict[str, Any]
) -> None:
    g, m, p, u = world["g"], world["m"], world["p"], world["u"]
    placed = store.place_trade(m, p.id, "VTI", "BUY", 1, market_price="100", now=NOW)
    [note] = [n for n in placed.notifications if n.user_id == g.id]
    n_before = store.notifications.get(SYSTEM, note.id)
    refused(store, u, "mark",
            lambda: store.mark_notification(u, note.id, "READ", now=NOW),
            n_before, lambda: store.notifications.get(SYSTEM, note.id), note.id)
    read = store.mark_notification(g, note.id, elson.NotificationStatus.READ, now=NOW)
    assert read.status == elson.NotificationStatus.READ and read.read_at == NOW
    archived = store.mark_notification(g, note.id, "ARCHIVED", now=NOW)
    assert archived.status == elson.NotificationStatus.ARCHIVED
    # Archiving again (a second device, a retried sync) is a no-op, not an
    # error: one status machine, whose repeats keep the first read_at.
    again = store.mark_notification(g, note.id, "ARCHIVED", now=NOW)
    assert again == archived and again.read_at == NOW
    with pytest.raises(elson.InvalidTransition):
        store.mark_notification(g, note.id, "READ", now=NOW)
    with pytest.raises(elson.InvalidInput):
        store.mark_notification(g, note.id, "UNREAD", now=NOW)

    f = store.submit_feedback(u, u.id, "BUG", "HIGH", "Chart is blank", "Since today.", now=NOW)
    assert f.status == elson.FeedbackStatus.NEW
    with pytest.raises(elson.Forbidden):  # filed for someone else
        store.submit_feedback(u, g.id, "BUG", "LOW", "Not mine", "x", now=NOW)
    refused(store, u, "advance",
            lambda: store.advance_feedback(u, f.id, "IMPLEMENTED", now=NOW),
            f, lambda: store.beta_feedback.get(SYSTEM, f.id), f.id)
    moved = store.advance_feedback(SYSTEM, f.id, "REVIEWING", now=NOW)
    assert moved.status == elson.FeedbackStatus.REVIEWING
    with pytest.raises(elson.InvalidTransition):
        store.advance_feedback(SYSTEM, f.id, "NEW", now=NOW)


# --- the import path ---------------------------------------------------------


def test_import_is_the_system_actors_alone(store: elson.Store, world: Dict[str, Any]) -> None:
    newcomer = user("USER")
    p = elson.new_portfolio(newcomer.id, "Main", now=NOW)
    for who in ("u", "a", "g", "m"):
        actor = world[who]
        n = len(denials(store, actor.id, "import"))
        with pytest.raises(elson.Forbidden):
            store.import_rows(actor, users=[newcomer], portfolios=[p], now=NOW)
        [entry, *_] = denials(store, actor.id, "import")
        assert len(denials(store, actor.id, "import")) == n + 1
        assert entry["entity"] == "batch"
        with pytest.raises(elson.NotFound):
            store.users.get(SYSTEM, newcomer.id)
        with pytest.raises(elson.NotFound):
            store.portfolios.get(SYSTEM, p.id)
    assert store.import_rows(SYSTEM, users=[newcomer], portfolios=[p], now=NOW)["users"] == 1


def test_import_checks_every_invariant_all_or_nothing(store: elson.Store) -> None:
    owner = user("USER")
    empty = elson.new_portfolio(owner.id, "Main", now=NOW)
    row = empty.to_dict()

    def nothing_written() -> None:
        with pytest.raises(elson.NotFound):
            store.users.get(SYSTEM, owner.id)
        with pytest.raises(elson.NotFound):
            store.portfolios.get(SYSTEM, empty.id)

    # total_value is cash + positions, exactly.
    with pytest.raises(elson.InvalidInput):
        store.import_rows(SYSTEM, users=[owner], now=NOW, portfolios=[
            {**row, "cash_balance": Decimal("100.00"), "total_value": Decimal("1000000.00")}])
    nothing_written()
    # Cash is never negative.
    with pytest.raises(elson.InvalidInput):
        store.import_rows(SYSTEM, users=[owner], now=NOW, portfolios=[
            {**row, "cash_balance": Decimal("-1.00"), "total_value": Decimal("-1.00")}])
    nothing_written()

    # A consistent book, built by the core: deposit, then a fill.
    book = elson.Book(empty)
    book.deposit("1000", NOW)
    bought, fill = book.execute(elson.new_trade(empty.id, "VTI", "BUY", 2, now=NOW), "100", NOW)
    assert fill is not None
    [position] = book.positions
    # A position its trades do not explain (shares from nothing).
    with pytest.raises(elson.InvalidInput):
        store.import_rows(SYSTEM, users=[owner], portfolios=[book.portfolio],
                          positions=[position], now=NOW)
    nothing_written()
    # A SELL already EXECUTED that moved no position.
    sold = elson.Trade.from_dict({**bought.to_dict(), "id": uuid.uuid4(), "side": "SELL",
                                  "total_amount": fill.notional - fill.fees})
    with pytest.raises(elson.InvalidInput):
        store.import_rows(SYSTEM, users=[owner], portfolios=[book.portfolio],
                          positions=[position], trades=[bought, sold], now=NOW)
    nothing_written()
    # An adult's trade waiting for a guardian.
    waiting = elson.Trade.from_dict({**elson.new_trade(empty.id, "BND", "BUY", 1, now=NOW)
                                    .to_dict(), "guardian_approval": "PENDING"})
    with pytest.raises(elson.InvalidInput):
        store.import_rows(SYSTEM, users=[owner], portfolios=[book.portfolio],
                          positions=[position], trades=[bought, waiting], now=NOW)
    nothing_written()
    # A minor without a guardian.
    with pytest.raises(elson.InvalidInput):
        store.import_rows(SYSTEM, users=[user("MINOR", date(2014, 1, 1))], now=NOW)
    # A trade of a portfolio outside the batch.
    with pytest.raises(elson.NotFound):
        store.import_rows(SYSTEM, users=[owner], trades=[bought], now=NOW)
    nothing_written()

    report = store.import_rows(SYSTEM, users=[owner], portfolios=[book.portfolio],
                               positions=[position], trades=[bought], now=NOW)
    assert report == {"users": 1, "relationships": 0, "portfolios": 1, "positions": 1,
                      "trades": 1, "notifications": 0, "beta_feedback": 0}
    assert store.portfolios.get(SYSTEM, empty.id) == book.portfolio
    assert store.positions.list_for_portfolio(SYSTEM, empty.id) == [position]
    assert store.trades.get(SYSTEM, bought.id) == bought
    with pytest.raises(elson.Conflict):  # all or nothing, ids included
        store.import_rows(SYSTEM, users=[owner], now=NOW)


# --- nested input never crashes the interpreter (issue 15 item 3) ------------


def _self_referencing() -> List[Any]:
    loop: List[Any] = []
    loop.append(loop)
    return loop


def _deep(levels: int) -> Any:
    value: Any = 0
    for _ in range(levels):
        value = [value]
    return value


@pytest.mark.parametrize("shape", ["self", "deep", "deep_dict"])
def test_nested_input_is_refused_not_a_crash(
    store: elson.Store, world: Dict[str, Any], shape: str
) -> None:
    # A self-referencing list, or one nested 20,000 deep, used to recurse
    # until the interpreter died with SIGSEGV; now it is InvalidInput.
    bad: Any = {
        "self": _self_referencing(),
        "deep": _deep(20_000),
        "deep_dict": {"a": _deep(20_000)},
    }[shape]
    u, g, link = world["u"], world["g"], world["link"]
    before = state(store, world["q"].id, u.id)
    with pytest.raises(elson.InvalidInput) as e:
        store.update_profile(u, u.id, preferences=bad, now=NOW)
    assert "nests deeper" in str(e.value)
    with pytest.raises(elson.InvalidInput):
        store.update_link_settings(g, link.id, permissions={"trading": bad}, now=NOW)
    with pytest.raises(elson.InvalidInput):
        store.update_link_settings(g, link.id, approval_settings={"x": bad}, now=NOW)
    with pytest.raises(elson.InvalidInput):
        elson.Breaker("GLOBAL", config={"cooldowns": bad})
    with pytest.raises(elson.InvalidInput):
        elson.User.from_dict({"preferences": bad})
    assert state(store, world["q"].id, u.id) == before
    # A modest nesting is still fine.
    store.update_profile(u, u.id, preferences={"a": {"b": [1, [2, [3]]]}}, now=NOW)
