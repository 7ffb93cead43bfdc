"""Idempotent commands from Python, on SQLite and — when `ELSON_TEST_PG_URL`
is set (`scripts/with-postgres`) — on PostgreSQL.

Every command takes a keyword-only `command_id`. The same id (for the same
actor) with the same arguments has one effect and returns the first result,
also when eight threads send it at once (the binding releases the GIL while
the store works); the same id with other arguments or for another command
raises `elson.IdempotencyConflict` and changes nothing."""

from __future__ import annotations

import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, Iterator, Tuple

import pytest

import elson

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=timezone.utc)
LATER = NOW + timedelta(minutes=3)
SYSTEM = elson.system_actor()

BACKENDS = ["sqlite"] + (["postgres"] if os.environ.get("ELSON_TEST_PG_URL") else [])


def test_postgres_is_there_when_required() -> None:
    # CI sets ELSON_REQUIRE_PG so that the PostgreSQL cases cannot skip.
    if os.environ.get("ELSON_REQUIRE_PG"):
        assert "postgres" in BACKENDS, "ELSON_REQUIRE_PG is set but ELSON_TEST_PG_URL is not"


@pytest.fixture(params=BACKENDS)
def store(request: Any, tmp_path: Path) -> Iterator[elson.Store]:
    if request.param == "sqlite":
        url = f"sqlite://{tmp_path / 'idempotency.db'}"
    else:
        url = os.environ["ELSON_TEST_PG_URL"]
    # bcrypt cost 4: `create_user` hashes its password (12 by default).
    with elson.Store.open(url, bcrypt_cost=4) as s:
        yield s


def user(role: str = "USER") -> elson.User:
    uid = uuid.uuid4()
    return elson.User.from_dict(
        {
            "id": uid,
            "email": f"idem-{uid.hex[:12]}@example.com",
            "password_hash": "$2b$12$" + "i" * 53,
            "role": role,
            "first_name": "Pat",
            "last_name": None,
            "date_of_birth": None,
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


def owner(store: elson.Store, cash: str = "0.00") -> Tuple[elson.User, elson.Portfolio]:
    """An adult and their portfolio (no guardian approval) holding `cash`."""
    me = user()
    p = elson.new_portfolio(me.id, "Main", now=NOW)
    store.import_rows(SYSTEM, users=[me], portfolios=[p], now=NOW)
    if Decimal(cash) > 0:
        p = store.deposit(SYSTEM, p.id, Decimal(cash), now=NOW)
    return me, p


def cash(store: elson.Store, portfolio_id: uuid.UUID) -> Decimal:
    return store.portfolios.get(SYSTEM, portfolio_id).cash_balance


def test_a_retry_has_no_second_effect(store: elson.Store) -> None:
    me, p = owner(store)
    cid = uuid.uuid4()
    first = store.deposit(me, p.id, Decimal("100.00"), now=NOW, command_id=cid)
    assert first.cash_balance == Decimal("100.00")
    # The phone never heard back and sends it again, later, with the id as text.
    again = store.deposit(me, p.id, Decimal("100.00"), now=LATER, command_id=str(cid))
    assert again == first, "the first result, as it was"
    assert cash(store, p.id) == Decimal("100.00"), "one effect"
    # Ids are the actor's own: the system's deposit under the same id is another command.
    assert store.deposit(SYSTEM, p.id, Decimal("1.00"), now=NOW, command_id=cid).cash_balance == (
        Decimal("101.00")
    )
    # Without an id every call is a new command.
    store.withdraw(me, p.id, Decimal("1.00"), now=NOW)
    store.withdraw(me, p.id, Decimal("1.00"), now=NOW)
    assert cash(store, p.id) == Decimal("99.00")


def test_a_retried_order_keeps_its_trade_id(store: elson.Store) -> None:
    # An order without an `id`: under a command id the binding derives the
    # trade's id from it, so the retry is the same order, not a conflict.
    me, p = owner(store, "1000.00")
    cid = uuid.uuid4()
    order: Dict[str, Any] = dict(side="BUY", quantity=Decimal("2"), market_price=Decimal("10.00"))
    first = store.place_trade(me, p.id, "AAPL", now=NOW, command_id=cid, **order)
    again = store.place_trade(me, p.id, "AAPL", now=LATER, command_id=cid, **order)
    assert again.trade == first.trade and again.portfolio == first.portfolio
    assert [t.id for t in store.trades.history(SYSTEM, p.id)] == [first.trade.id]
    # Another order under a new id is another trade.
    other = store.place_trade(me, p.id, "AAPL", now=LATER, command_id=uuid.uuid4(), **order)
    assert other.trade.id != first.trade.id
    # A batch (the system's, at the feed's prices): one effect, the same trades.
    rows = [
        {"portfolio_id": p.id, "symbol": s, "side": "BUY", "quantity": 1, "market_price": "10.00"}
        for s in ("MSFT", "VTI")
    ]
    batch_id = uuid.uuid4()
    done = store.place_and_execute_batch(SYSTEM, rows, now=NOW, command_id=batch_id)
    redone = store.place_and_execute_batch(SYSTEM, rows, now=LATER, command_id=batch_id)
    assert [r.trade for r in redone] == [r.trade for r in done]
    assert len({r.trade.id for r in done}) == 2
    assert len(store.trades.history(SYSTEM, p.id)) == 4
    assert cash(store, p.id) == done[-1].portfolio.cash_balance
    # A portfolio opened without an `id`, twice: one portfolio.
    oid = uuid.uuid4().hex  # the id's text, in its short form
    opened = store.open_portfolio(me, me.id, "Second", now=NOW, command_id=oid)
    reopened = store.open_portfolio(me, me.id, "Second", now=LATER, command_id=oid)
    assert reopened == opened
    assert len(store.portfolios.list_for_user(SYSTEM, me.id)) == 2


def test_eight_threads_at_once_have_one_effect(store: elson.Store) -> None:
    me, p = owner(store, "1000.00")
    cid = uuid.uuid4()
    start = threading.Barrier(8)

    def place(_: int) -> elson.TradeResult:
        start.wait()
        return store.place_trade(
            me, p.id, "AAPL", "BUY", Decimal("1"), market_price=Decimal("10.00"),
            now=NOW, command_id=cid,
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(place, range(8)))
    assert all(r.trade == results[0].trade for r in results), "one trade, the first answer"
    assert len(store.trades.history(SYSTEM, p.id)) == 1, "one effect"

    # A deposit sent by 8 threads at once, too.
    did = uuid.uuid4()
    start.reset()

    def deposit(_: int) -> elson.Portfolio:
        start.wait()
        return store.deposit(me, p.id, Decimal("5.00"), now=NOW, command_id=did)

    with ThreadPoolExecutor(max_workers=8) as pool:
        portfolios = list(pool.map(deposit, range(8)))
    assert {q.cash_balance for q in portfolios} == {Decimal("1005.00")}
    assert cash(store, p.id) == Decimal("1005.00")


def test_the_same_id_with_another_payload_is_a_conflict(store: elson.Store) -> None:
    me, p = owner(store)
    cid = uuid.uuid4()
    store.deposit(me, p.id, Decimal("100.00"), now=NOW, command_id=cid)
    with pytest.raises(elson.IdempotencyConflict) as info:
        store.deposit(me, p.id, Decimal("999.00"), now=NOW, command_id=cid)
    e = info.value
    assert isinstance(e, elson.ElsonError)
    assert e.code == "IDEMPOTENCY_CONFLICT"
    assert e.command_id == cid
    assert e.operation == "trading.deposit"
    assert str(cid) in str(e)
    # Another command under the same id names the first one.
    with pytest.raises(elson.IdempotencyConflict) as info:
        store.withdraw(me, p.id, Decimal("100.00"), now=NOW, command_id=cid)
    assert (info.value.command_id, info.value.operation) == (cid, "trading.deposit")
    # Nothing changed, and the refusal is on record.
    assert cash(store, p.id) == Decimal("100.00")
    log = store.audit_log(SYSTEM, 20)
    assert any(
        x["actor_id"] == me.id and x["outcome"] == "IDEMPOTENCY_CONFLICT" for x in log
    ), log


def test_a_retried_create_user_returns_the_same_user(store: elson.Store) -> None:
    cid = uuid.uuid4()
    email = f"retry-{cid.hex[:8]}@example.com"
    first = store.create_user(
        SYSTEM, email=email, password="first passphrase", first_name="Ada", now=NOW, command_id=cid
    )
    # The account's id was the store's choice; the retry gets that same user.
    again = store.create_user(
        SYSTEM, email=email, password="first passphrase", first_name="Ada", now=LATER,
        command_id=cid,
    )
    assert again == first
    assert again.password_hash == first.password_hash
    with pytest.raises(elson.IdempotencyConflict) as info:
        store.create_user(
            SYSTEM, email=email, password="first passphrase", first_name="Eve", now=LATER,
            command_id=cid,
        )
    assert info.value.operation == "accounts.create_user"
    login = store.users.find_for_login(SYSTEM, email)
    assert login is not None and login["id"] == first.id
    assert store.users.get(SYSTEM, first.id).first_name == "Ada"
    # A sign-up (acting under the new account's id), retried: one account.
    uid = uuid.uuid4()
    me = {"id": uid, "role": "USER", "status": "ACTIVE"}
    sid = uuid.uuid4()
    signed = store.create_user(
        me, email=f"self-{uid.hex[:8]}@example.com", password="pw pw pw", id=uid, now=NOW,
        command_id=sid,
    )
    assert signed.id == uid
    assert store.create_user(
        me, email=f"self-{uid.hex[:8]}@example.com", password="pw pw pw", id=uid, now=LATER,
        command_id=sid,
    ) == signed


def test_keyword_commands_keep_command_id_apart(store: elson.Store) -> None:
    # `update_profile` and `update_portfolio_settings` take their fields as
    # keywords: `command_id` is not one of them.
    me, p = owner(store)
    cid = uuid.uuid4()
    renamed = store.update_profile(me, me.id, now=NOW, command_id=cid, first_name="Ada")
    assert store.update_profile(me, me.id, now=LATER, command_id=cid, first_name="Ada") == renamed
    with pytest.raises(elson.IdempotencyConflict):
        store.update_profile(me, me.id, now=LATER, command_id=cid, first_name="Eve")
    assert store.users.get(SYSTEM, me.id).first_name == "Ada"
    sid = uuid.uuid4()
    q = store.update_portfolio_settings(me, p.id, now=NOW, command_id=sid, name="College")
    assert store.update_portfolio_settings(me, p.id, now=LATER, command_id=sid, name="College") == q


def test_a_bad_command_id_is_invalid_input(store: elson.Store) -> None:
    me, p = owner(store)
    bad_ids: Tuple[Any, ...] = ("not-a-uuid", 42)
    for bad in bad_ids:
        with pytest.raises(elson.InvalidInput) as info:
            store.deposit(me, p.id, Decimal("1.00"), now=NOW, command_id=bad)
        assert info.value.field == "command_id"
    assert cash(store, p.id) == Decimal("0.00")


def derived_id(actor_id: uuid.UUID, command_id: uuid.UUID, what: str, index: int) -> uuid.UUID:
    """The binding's id of a row not named under a command id, written out:
    FNV-1a (128 bits) over actor id, command id, index (u64, little-endian)
    and `what`, as a version 8 UUID. Retries may come from a later release:
    this must never change."""
    h = 0x6C62272E07BB014262B821756295C58D
    for b in actor_id.bytes + command_id.bytes + index.to_bytes(8, "little") + what.encode():
        h = ((h ^ b) * 0x0000000001000000000000000000013B) % (1 << 128)
    raw = bytearray(h.to_bytes(16, "big"))
    raw[6] = (raw[6] & 0x0F) | 0x80
    raw[8] = (raw[8] & 0x3F) | 0x80
    return uuid.UUID(bytes=bytes(raw))


def test_derived_ids_are_stable(store: elson.Store) -> None:
    me, p = owner(store, "100.00")
    cid = uuid.uuid4()
    opened = store.open_portfolio(me, me.id, "Derived", now=NOW, command_id=cid)
    assert opened.id == derived_id(me.id, cid, "portfolio", 0)
    assert opened.id.version == 8
    tid = uuid.uuid4()
    placed = store.place_trade(
        me, p.id, "AAPL", "BUY", 1, market_price="10.00", now=NOW, command_id=tid.hex
    )
    assert placed.trade.id == derived_id(me.id, tid, "trade", 0)
    rows = [{"portfolio_id": p.id, "symbol": "VTI", "side": "BUY", "quantity": 1,
             "market_price": "10.00"}] * 2
    bid = uuid.uuid4()
    done = store.place_and_execute_batch(SYSTEM, rows, now=NOW, command_id=bid)
    system_id = uuid.UUID(int=0)
    assert [r.trade.id for r in done] == [derived_id(system_id, bid, "trade", i) for i in (0, 1)]
    # Without a command id the ids stay fresh (v4 portfolios, v7 trades).
    assert store.open_portfolio(me, me.id, "Fresh", now=NOW).id.version == 4
