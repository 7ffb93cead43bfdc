"""Issue 5 from Python: passwords (bcrypt interop with the `bcrypt` package),
login and two-factor, encryption at rest with key rotation, environments,
snapshots, partitions, portfolio analytics and the read cache — on SQLite
and, under `scripts/with-postgres`, on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import bcrypt
import pytest

import elson

NOW = datetime(2026, 11, 25, 14, 0, 10, tzinfo=timezone.utc)
SYSTEM = elson.system_actor()
BACKENDS = ["sqlite"] + (["postgres"] if os.environ.get("ELSON_TEST_PG_URL") else [])


def url_for(backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite://{tmp_path / 'elson.db'}"
    return os.environ["ELSON_TEST_PG_URL"]


@pytest.fixture(params=BACKENDS)
def backend(request: Any) -> str:
    return str(request.param)


def new_user(store: elson.Store, password: str, status: str = "ACTIVE") -> elson.User:
    uid = uuid.uuid4()
    u = store.create_user(
        SYSTEM,
        id=uid,
        email=f"user-{uid.hex[:12]}@example.com",
        password=password,
        role="USER",
        first_name="Quillon",
        last_name="Vexbridge",
        date_of_birth=date(1980, 5, 17),
        now=NOW,
    )
    assert u.password_hash.startswith("$2b$") and elson.verify_password(password, u.password_hash)
    if status != "ACTIVE":
        u = store.set_status(SYSTEM, u.id, status, now=NOW)
    assert store.users.get(SYSTEM, u.id) == u
    return u


# --- bcrypt interoperability -------------------------------------------------


def test_our_hashes_verify_in_python_bcrypt_and_back() -> None:
    ours = elson.hash_password("correct horse", cost=4)
    assert ours.startswith("$2b$04$")
    assert bcrypt.checkpw(b"correct horse", ours.encode())
    assert not bcrypt.checkpw(b"wrong horse", ours.encode())
    theirs = bcrypt.hashpw(b"battery staple", bcrypt.gensalt(rounds=5)).decode()
    assert elson.verify_password("battery staple", theirs)
    assert not elson.verify_password("battery stapler", theirs)
    # The default cost is 12.
    assert elson.hash_password("x").startswith("$2b$12$")
    with pytest.raises(elson.InvalidInput):
        elson.hash_password("x", cost=3)
    with pytest.raises(elson.InvalidInput):
        elson.verify_password("x", "not a bcrypt hash")


def test_rfc6238_code_of_the_reference_secret() -> None:
    # RFC 6238 appendix B, SHA-1 seed "12345678901234567890" (base32 below),
    # T = 59 s -> 94287082; the 6-digit code is its last six digits.
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert elson.totp_code(secret, datetime(1970, 1, 1, 0, 0, 59, tzinfo=timezone.utc)) == "287082"
    assert elson.totp_code(secret, datetime.fromtimestamp(1111111109, timezone.utc)) == "081804"


# --- login and two-factor ----------------------------------------------------


def test_login_two_factor_and_replay(backend: str, tmp_path: Path) -> None:
    with elson.Store.open(url_for(backend, tmp_path), bcrypt_cost=4) as store:
        u = new_user(store, "s3cret pass")
        actor = store.login(u.email.upper(), "s3cret pass", now=NOW)
        assert isinstance(actor, dict) and actor["id"] == u.id
        assert store.users.get(SYSTEM, u.id).last_login == NOW

        with pytest.raises(elson.AuthenticationFailed) as wrong:
            store.login(u.email, "not it", now=NOW)
        with pytest.raises(elson.AuthenticationFailed) as unknown:
            store.login("nobody-" + u.email, "s3cret pass", now=NOW)
        assert str(wrong.value) == str(unknown.value)  # tells nothing apart
        assert wrong.value.code == "AUTHENTICATION_FAILED"

        enrollment = store.enroll_two_factor(actor, u.id, now=NOW)
        assert enrollment.otpauth_uri.startswith("otpauth://totp/")
        assert enrollment.secret_base32 not in repr(enrollment)
        assert not store.users.get(SYSTEM, u.id).two_factor_enabled
        code = elson.totp_code(enrollment.secret_base32, NOW)
        store.confirm_two_factor(actor, u.id, code, now=NOW)
        assert store.users.get(SYSTEM, u.id).two_factor_enabled

        later = NOW + timedelta(seconds=30)
        challenge = store.login(u.email, "s3cret pass", now=later)
        assert isinstance(challenge, elson.TwoFactorChallenge)
        assert challenge.user_id == u.id
        with pytest.raises(elson.AuthenticationFailed):  # the code already used
            store.complete_login(challenge, code, now=later)
        fresh = elson.totp_code(enrollment.secret_base32, later)
        assert store.complete_login(challenge, fresh, now=later)["id"] == u.id
        with pytest.raises(elson.AuthenticationFailed):  # replay
            store.complete_login(challenge, fresh, now=later)

        suspended = new_user(store, "pw", status="SUSPENDED")
        with pytest.raises(elson.Forbidden):
            store.login(suspended.email, "pw", now=NOW)


# --- encryption at rest ------------------------------------------------------


def test_failed_logins_are_limited(backend: str, tmp_path: Path) -> None:
    url = url_for(backend, tmp_path)
    with elson.Store.open(url, bcrypt_cost=4, login_max_failures=2, login_lockout=60) as store:
        u = new_user(store, "s3cret pass")
        for i in range(2):
            with pytest.raises(elson.AuthenticationFailed):
                store.login(u.email, "not it", now=NOW + timedelta(seconds=i))
        with pytest.raises(elson.AuthenticationFailed) as locked:
            store.login(u.email, "s3cret pass", now=NOW + timedelta(seconds=2))
        assert "too many failed attempts" in str(locked.value)
        actor = store.login(u.email, "s3cret pass", now=NOW + timedelta(seconds=62))
        assert actor["id"] == u.id
    with pytest.raises(elson.InvalidInput):
        elson.Store.open(url, login_lockout=-1.0)


def test_pii_is_ciphertext_at_rest_and_keys_rotate(tmp_path: Path) -> None:
    path = tmp_path / "enc.db"
    old = elson.LocalKeyProvider("k1", elson.LocalKeyProvider.generate_key())
    with elson.Store.open(f"sqlite://{path}", bcrypt_cost=4, key_provider=old) as store:
        u = new_user(store, "pw")
        assert store.users.get(SYSTEM, u.id).first_name == "Quillon"
        assert store.pii_key_usage(SYSTEM) == [("k1", 1)]
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("enc.db"))
    assert b"Quillon" not in raw and b"Vexbridge" not in raw and b"1980-05-17" not in raw

    both = old.with_key("k2", elson.LocalKeyProvider.generate_key()).with_current("k2")
    with elson.Store.open(f"sqlite://{path}", key_provider=both) as store:
        report = store.rotate_pii_keys(SYSTEM, batch_size=10)
        assert report["current_key_id"] == "k2" and report["rewrapped"] == 1
        assert report["failed"] == []
        assert store.pii_key_usage(SYSTEM) == [("k2", 1)]
        only_new = store.with_key_provider(both.without_key("k1"))
        assert only_new.users.get(SYSTEM, u.id).last_name == "Vexbridge"

    stranger = elson.LocalKeyProvider("k2", elson.LocalKeyProvider.generate_key())
    with elson.Store.open(f"sqlite://{path}", key_provider=stranger) as store:
        with pytest.raises(elson.CryptoError) as e:
            store.users.get(SYSTEM, u.id)
        assert e.value.code  # a stable code such as UNWRAP_FAILED
    with pytest.raises(elson.InvalidInput):
        elson.LocalKeyProvider("k", b"too short")


# --- beta safeguards ---------------------------------------------------------


def test_environment_stamp_and_snapshot_restore(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'beta.db'}"
    snap = tmp_path / "beta-snapshot.db"
    with elson.Store.open(url, environment="BETA", bcrypt_cost=4) as store:
        assert store.environment == elson.Environment.BETA
        kept = new_user(store, "pw")
        store.snapshot(SYSTEM, snap)
        with pytest.raises(elson.Conflict):
            store.snapshot(SYSTEM, snap)  # never overwrites
        gone = new_user(store, "pw")
        store.restore(SYSTEM, snap)
        assert store.users.get(SYSTEM, kept.id).id == kept.id
        with pytest.raises(elson.NotFound):
            store.users.get(SYSTEM, gone.id)
        with pytest.raises(elson.NotFound):
            store.restore(SYSTEM, tmp_path / "missing.db")
        bad = tmp_path / "garbage.db"
        bad.write_bytes(b"not a database at all" * 100)
        with pytest.raises(elson.SnapshotError):
            store.restore(SYSTEM, bad)
    with pytest.raises(elson.EnvironmentMismatch) as e:
        elson.Store.open(url, environment="PRODUCTION")
    assert (e.value.found, e.value.expected) == ("BETA", "PRODUCTION")


@pytest.mark.skipif("postgres" not in BACKENDS, reason="needs the test PostgreSQL")
def test_postgres_snapshot_points_to_pg_dump(tmp_path: Path) -> None:
    with elson.Store.open(os.environ["ELSON_TEST_PG_URL"]) as store:
        with pytest.raises(elson.Unsupported) as e:
            store.snapshot(SYSTEM, tmp_path / "x.db")
        assert "pg_dump" in e.value.hint


# --- scale: partitions, analytics, cache -------------------------------------


def test_partitions_analytics_and_cache(backend: str, tmp_path: Path) -> None:
    url = url_for(backend, tmp_path)
    with elson.Store.open(url, bcrypt_cost=4, fees=elson.FeeSchedule.zero()) as store:
        created = store.ensure_partitions(SYSTEM, NOW + timedelta(days=800), months_ahead=1)
        if backend == "sqlite":
            assert created == []
        else:
            assert {c["table"] for c in created} == {"trades", "volatility_regimes"}
            assert store.ensure_partitions(SYSTEM, NOW + timedelta(days=800), months_ahead=1) == []
        u = new_user(store, "pw")
        p = store.open_portfolio(u, u.id, "Main", now=NOW)
        store.deposit(u, p.id, "500", now=NOW)
        # The price feed fills the MARKET order, at the store's (zero) fees.
        store.place_and_execute(SYSTEM, p.id, "VTI", "BUY", 2, "100", now=NOW)
        store.refresh_portfolio_analytics(SYSTEM)
        a = store.portfolio_analytics(u, p.id)
        assert a["portfolio_id"] == p.id and a["user_id"] == u.id
        assert a["cash_balance"] == Decimal("300.00") and a["position_count"] == 1
        assert a["trades_executed"] == 1 and a["last_trade_at"] == NOW
        assert [r["portfolio_id"] for r in store.portfolio_analytics_for_user(u, u.id)] == [p.id]

        store.clear_portfolio_cache()
        before = store.portfolio_cache_stats()
        store.portfolios.get(u, p.id)
        store.portfolios.get(u, p.id)
        after = store.portfolio_cache_stats()
        assert after["misses"] - before["misses"] == 1 and after["hits"] - before["hits"] == 1
        store.deposit(u, p.id, "1", now=NOW)  # a write invalidates
        assert store.portfolios.get(u, p.id).cash_balance == Decimal("301.00")
    with pytest.raises(elson.InvalidInput):
        elson.Store.open(url_for(backend, tmp_path), portfolio_cache_ttl=-1.0)


# --- access control and the audit log ----------------------------------------


def test_audit_log_records_writes_and_denials_admins_only(backend: str, tmp_path: Path) -> None:
    with elson.Store.open(url_for(backend, tmp_path), bcrypt_cost=4) as store:
        u = new_user(store, "pw")
        me = store.login(u.email, "pw", now=NOW)
        stranger = new_user(store, "pw2")
        with pytest.raises(elson.Forbidden):
            store.users.get(me, stranger.id)  # another user's profile
        with pytest.raises(elson.Forbidden):
            store.audit_log(me)  # only admins read the log
        log = store.audit_log(SYSTEM, limit=50)
        assert log == sorted(log, key=lambda e: e["id"], reverse=True)
        inserts = [e for e in log if e["action"] == "create_user" and e["entity_id"] == str(u.id)]
        assert len(inserts) == 1 and inserts[0]["outcome"] == "OK"
        assert inserts[0]["actor_id"] == uuid.UUID(int=0)
        assert isinstance(inserts[0]["at"], datetime) and inserts[0]["at"].tzinfo is not None
        denied = [e for e in log if e["actor_id"] == u.id and e["outcome"] == "FORBIDDEN"]
        assert {e["entity"] for e in denied} >= {"users", "audit_log"}
        assert len(store.audit_log(SYSTEM, limit=2)) == 2
        with pytest.raises(elson.InvalidInput):
            store.audit_log(SYSTEM, limit=-1)
