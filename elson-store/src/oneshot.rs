//! PostgreSQL reads in one round trip per statement.
//!
//! A read call needs the acting user's row-level-security settings in place
//! before its query runs. Through a transaction that is two round trips at
//! least (`BEGIN` with the settings, then the query), and on a loopback
//! socket each round trip costs more than the seed queries themselves. So a
//! read call here sends each statement as one simple-query message:
//!
//! ```text
//! SELECT elson_begin_as('<actor id>'::uuid, <is system>) AS elson_standing;
//! EXECUTE elson_q_<n>(<arguments as literals>)
//! ```
//!
//! PostgreSQL runs the statements of one message as one implicit
//! transaction, so the settings `elson_begin_as` makes (transaction-local,
//! migration 13) hold for the query and end with it: nothing is left on the
//! pooled connection. Reads under READ COMMITTED took a snapshot per
//! statement before too, so a call sees what it saw inside a transaction.
//!
//! The statement is prepared once per connection (`PREPARE elson_q_<n>
//! (<types>) AS …`, sent in the same message when PostgreSQL reports that
//! the name does not exist yet), so it is planned as rarely as sqlx's own
//! statement cache would plan it, with its parameters typed as the bound
//! path types them. Names are numbered per process, one per distinct
//! statement text, so two texts never share a name.
//!
//! Arguments travel as literals because a simple query has no parameters.
//! Each is formatted from its typed value ([`Arg`]): ids, numbers, booleans,
//! decimals, timestamps and dates from their own `Display`, and text as an
//! escape-string literal (`E'…'`) in which every quote and backslash is
//! doubled — the whole escaping PostgreSQL defines for it, in UTF-8, with
//! no setting that changes its meaning. Text with a NUL is refused (no
//! PostgreSQL text can hold one).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Mutex, OnceLock};

use elson_core::limits::DecimalLimit;
use futures_util::TryStreamExt;
use sqlx::PgConnection;
use sqlx::postgres::PgRow;

use crate::actor::Actor;
use crate::db::{Arg, map_err};
use crate::error::{StoreError, StoreResult};

/// SQLSTATE of `EXECUTE` naming a statement this connection has not
/// prepared.
const UNDEFINED_STATEMENT: &str = "26000";
/// SQLSTATE of `PREPARE` naming a statement that exists already.
const DUPLICATE_STATEMENT: &str = "42P05";

/// The acting user of a read call, as the statement each of its messages
/// starts with.
#[derive(Debug)]
pub(crate) struct PgActor {
    prefix: String,
}

impl PgActor {
    /// The id is formatted from a `Uuid` (hex and dashes) and the flag from
    /// a `bool`: nothing from a caller's text.
    pub(crate) fn new(actor: &Actor) -> PgActor {
        PgActor {
            prefix: format!(
                "SELECT elson_begin_as('{}'::uuid, {}) AS elson_standing; ",
                actor.id,
                actor.is_system()
            ),
        }
    }
}

/// The name of `sql`'s prepared statement: numbered per process in order of
/// first use.
fn statement_name(sql: &'static str) -> String {
    static NAMES: OnceLock<Mutex<HashMap<&'static str, usize>>> = OnceLock::new();
    let names = NAMES.get_or_init(|| Mutex::new(HashMap::new()));
    // A poisoned lock still holds a consistent map (insertions only).
    let mut names = names.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let next = names.len();
    let n = *names.entry(sql).or_insert(next);
    format!("elson_q_{n}")
}

/// `s` as an escape-string literal.
fn text_literal(op: &'static str, s: &str, out: &mut String) -> StoreResult<()> {
    if s.contains('\0') {
        return Err(StoreError::storage(op, "text contains a NUL character"));
    }
    out.reserve(s.len() + 3);
    out.push_str("E'");
    for ch in s.chars() {
        match ch {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('\'');
    Ok(())
}

/// A value PostgreSQL parses into the parameter's type: quoted, so it stays
/// an untyped constant until the prepared statement's parameter types it.
fn quoted(v: impl std::fmt::Display, out: &mut String) {
    // Writing to a String cannot fail.
    let _ = write!(out, "'{v}'");
}

/// Appends `items`, each written by `each`, separated by commas.
fn push_list<T>(
    out: &mut String,
    items: &[T],
    mut each: impl FnMut(&T, &mut String) -> StoreResult<()>,
) -> StoreResult<()> {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        each(item, out)?;
    }
    Ok(())
}

/// Appends `a` as a literal.
fn literal(op: &'static str, a: &Arg<'_>, out: &mut String) -> StoreResult<()> {
    match *a {
        Arg::Uuid(None)
        | Arg::Text(None)
        | Arg::I32(None)
        | Arg::Dec(None, ..)
        | Arg::Ts(None)
        | Arg::Date(None)
        | Arg::Json(None) => out.push_str("NULL"),
        Arg::Uuid(Some(u)) => quoted(u.hyphenated(), out),
        Arg::Text(Some(s)) => text_literal(op, s, out)?,
        Arg::I32(Some(n)) => quoted(n, out),
        Arg::I64(n) => quoted(n, out),
        Arg::Bool(b) => out.push_str(if b { "TRUE" } else { "FALSE" }),
        Arg::Dec(Some(d), limit, field) => {
            // The same check the bound path makes: precision, not range.
            DecimalLimit { min: None, max: None, ..limit }.check(field, d)?;
            quoted(d, out);
        }
        // Microseconds, truncated like sqlx's binary encoding (PostgreSQL
        // would round a longer fraction).
        Arg::Ts(Some(t)) => quoted(t.format("%Y-%m-%dT%H:%M:%S%.6fZ"), out),
        Arg::Date(Some(d)) => quoted(d.format("%Y-%m-%d"), out),
        Arg::Json(Some(v)) => text_literal(op, &v.to_string(), out)?,
        Arg::TextArray(items) => {
            out.push_str("ARRAY[");
            push_list(out, items, |s, out| text_literal(op, s, out))?;
            out.push_str("]::text[]");
        }
        Arg::UuidArray(items) => {
            out.push_str("ARRAY[");
            push_list(out, items, |u, out| {
                quoted(u.hyphenated(), out);
                Ok(())
            })?;
            out.push_str("]::uuid[]");
        }
    }
    Ok(())
}

/// The PostgreSQL type `a` is bound as on the extended-protocol path (sqlx
/// sends the same types), declared when the statement is prepared so both
/// paths type its parameters alike.
fn pg_type(a: &Arg<'_>) -> &'static str {
    match a {
        Arg::Uuid(_) => "uuid",
        Arg::Text(_) => "text",
        Arg::I32(_) => "int4",
        Arg::I64(_) => "int8",
        Arg::Bool(_) => "bool",
        Arg::Dec(..) => "numeric",
        Arg::Ts(_) => "timestamptz",
        Arg::Date(_) => "date",
        Arg::Json(_) => "jsonb",
        Arg::TextArray(_) => "text[]",
        Arg::UuidArray(_) => "uuid[]",
    }
}

/// `PREPARE` of `sql` under `name`, its parameters typed from `args`.
fn prepare(name: &str, sql: &str, args: &[Arg<'_>]) -> String {
    let types: Vec<&str> = args.iter().map(pg_type).collect();
    if types.is_empty() {
        format!("PREPARE {name} AS {sql}; ")
    } else {
        format!("PREPARE {name} ({}) AS {sql}; ", types.join(", "))
    }
}

/// The message of one call: the actor's settings, then `EXECUTE`.
fn message(op: &'static str, actor: &PgActor, name: &str, args: &[Arg<'_>]) -> StoreResult<String> {
    let mut m = String::with_capacity(actor.prefix.len() + 32 + args.len() * 40);
    m.push_str(&actor.prefix);
    m.push_str("EXECUTE ");
    m.push_str(name);
    if !args.is_empty() {
        m.push('(');
        push_list(&mut m, args, |a, out| literal(op, a, out))?;
        m.push(')');
    }
    Ok(m)
}

/// The rows of the last statement of a simple-query message.
async fn last_rows(c: &mut PgConnection, message: &str) -> Result<Vec<PgRow>, sqlx::Error> {
    let mut stream = sqlx::raw_sql(sqlx::AssertSqlSafe(message.to_owned())).fetch_many(c);
    let mut current = Vec::new();
    let mut last = Vec::new();
    while let Some(item) = stream.try_next().await? {
        match item {
            sqlx::Either::Left(_) => last = std::mem::take(&mut current),
            sqlx::Either::Right(row) => current.push(row),
        }
    }
    Ok(last)
}

fn sqlstate(e: &sqlx::Error) -> Option<String> {
    e.as_database_error().and_then(|d| d.code()).map(|c| c.into_owned())
}

/// Runs the read `sql` with `args` as `actor`, in one round trip (two the
/// first time this connection meets `sql`); returns its rows.
///
/// # Errors
/// Storage failures; a text argument with a NUL; a decimal beyond its
/// column's precision.
pub(crate) async fn fetch(
    c: &mut PgConnection,
    actor: &PgActor,
    op: &'static str,
    sql: &'static str,
    args: &[Arg<'_>],
) -> StoreResult<Vec<PgRow>> {
    let name = statement_name(sql);
    let call = message(op, actor, &name, args)?;
    let first = last_rows(c, &call).await;
    let rows = match first {
        Err(e) if sqlstate(&e).as_deref() == Some(UNDEFINED_STATEMENT) => {
            // Any failure rolled the whole message back: nothing ran.
            let prepared = format!("{}{call}", prepare(&name, sql, args));
            match last_rows(c, &prepared).await {
                Err(e) if sqlstate(&e).as_deref() == Some(DUPLICATE_STATEMENT) => {
                    last_rows(c, &call).await
                }
                r => r,
            }
        }
        r => r,
    };
    rows.map_err(|e| map_err(op, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, TimeZone, Utc};
    use rust_decimal::Decimal;
    use uuid::Uuid;

    fn lit(a: Arg<'_>) -> String {
        let mut s = String::new();
        literal("test", &a, &mut s).unwrap();
        s
    }

    #[test]
    fn text_doubles_quotes_and_backslashes_only() {
        assert_eq!(lit(Arg::Text(Some("plain"))), "E'plain'");
        assert_eq!(lit(Arg::Text(Some("it's"))), "E'it''s'");
        assert_eq!(
            lit(Arg::Text(Some(r"a\'; DROP TABLE users; --"))),
            r"E'a\\''; DROP TABLE users; --'"
        );
        assert_eq!(lit(Arg::Text(Some("ünïcødé ✓"))), "E'ünïcødé ✓'");
        assert_eq!(lit(Arg::Text(None)), "NULL");
        let mut s = String::new();
        assert!(literal("test", &Arg::Text(Some("a\0b")), &mut s).is_err());
    }

    #[test]
    fn typed_values_format_from_their_types() {
        let id = Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);
        assert_eq!(lit(Arg::Uuid(Some(id))), "'01234567-89ab-cdef-0123-456789abcdef'");
        assert_eq!(lit(Arg::I64(-20)), "'-20'");
        assert_eq!(lit(Arg::Bool(true)), "TRUE");
        let d = Decimal::new(-12345, 2);
        assert_eq!(lit(Arg::Dec(Some(d), DecimalLimit::MONEY, "cash")), "'-123.45'");
        let t = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(lit(Arg::Ts(Some(t))), "'2026-01-02T03:04:05.000000Z'");
        let t = t + chrono::TimeDelta::nanoseconds(1_999_999);
        assert_eq!(lit(Arg::Ts(Some(t))), "'2026-01-02T03:04:05.001999Z'");
        assert_eq!(
            lit(Arg::UuidArray(&[id])),
            "ARRAY['01234567-89ab-cdef-0123-456789abcdef']::uuid[]"
        );
        assert_eq!(lit(Arg::TextArray(&["a'b".to_string()])), "ARRAY[E'a''b']::text[]");
    }

    #[test]
    fn prepare_declares_the_bound_types() {
        let args = [Arg::Uuid(None), Arg::I64(1), Arg::Text(Some("x")), Arg::Ts(None)];
        assert_eq!(
            prepare("elson_q_1", "SELECT $1, $2, $3, $4", &args),
            "PREPARE elson_q_1 (uuid, int8, text, timestamptz) AS SELECT $1, $2, $3, $4; "
        );
        assert_eq!(prepare("elson_q_2", "SELECT 1", &[]), "PREPARE elson_q_2 AS SELECT 1; ");
    }

    #[test]
    fn one_name_per_statement_text() {
        let a = statement_name("SELECT 1 AS oneshot_test_a");
        let b = statement_name("SELECT 1 AS oneshot_test_b");
        assert_ne!(a, b);
        assert_eq!(statement_name("SELECT 1 AS oneshot_test_a"), a);
        assert!(a.starts_with("elson_q_"));
    }

    /// A connection to the test server, or `None` when none is configured
    /// and none is required (as the store's PostgreSQL tests do).
    async fn pg() -> Option<PgConnection> {
        use sqlx::Connection;
        let Ok(url) = std::env::var("ELSON_TEST_PG_URL") else {
            assert!(
                std::env::var_os("ELSON_REQUIRE_PG").is_none(),
                "ELSON_REQUIRE_PG is set but ELSON_TEST_PG_URL is not"
            );
            return None;
        };
        Some(PgConnection::connect(&url).await.unwrap())
    }

    /// Whatever a caller's text holds (quotes, backslashes, `$$`, comment
    /// and statement syntax, any Unicode but NUL) reaches PostgreSQL as
    /// exactly that value through the literal path, and so do typed values.
    #[test]
    fn values_round_trip_through_a_real_server() {
        use proptest::prelude::*;
        use sqlx::Row;
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let Some(c) = rt.block_on(pg()) else { return };
        let c = std::cell::RefCell::new(c);
        // No actor statement: this checks the arguments only (the empty
        // prefix needs no migrated database).
        let bare = PgActor { prefix: String::new() };
        const ECHO: &str = "SELECT $1::text AS s, $2::bigint AS n, $3::numeric AS d, \
                            $4::timestamptz AS t, $5::uuid AS u";
        let text = prop_oneof![
            "[^\\x00]{0,40}",
            Just("'; DROP TABLE users; --".to_string()),
            Just("\\'\\\\''$$ $1 E'x' /* */".to_string()),
        ];
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(2_000));
        runner
            .run(
                &(
                    text,
                    any::<i64>(),
                    any::<i64>(),
                    0u32..20,
                    0i64..4_000_000_000,
                    0i64..1_000_000,
                    any::<u128>(),
                ),
                |(s, n, m, scale, secs, micros, u)| {
                    let d = Decimal::try_new(m, scale).unwrap();
                    let t = Utc.timestamp_opt(secs, 0).unwrap()
                        + chrono::TimeDelta::microseconds(micros);
                    let id = Uuid::from_u128(u);
                    let args = [
                        Arg::Text(Some(&s)),
                        Arg::I64(n),
                        Arg::Dec(
                            Some(d),
                            DecimalLimit { min: None, max: None, precision: 38, scale: 19 },
                            "d",
                        ),
                        Arg::Ts(Some(t)),
                        Arg::Uuid(Some(id)),
                    ];
                    let rows = rt
                        .block_on(fetch(&mut c.borrow_mut(), &bare, "test", ECHO, &args))
                        .unwrap();
                    let r = &rows[0];
                    prop_assert_eq!(r.get::<String, _>("s"), s.clone());
                    prop_assert_eq!(r.get::<i64, _>("n"), n);
                    prop_assert_eq!(r.get::<Decimal, _>("d"), d);
                    prop_assert_eq!(r.get::<DateTime<Utc>, _>("t"), t);
                    prop_assert_eq!(r.get::<Uuid, _>("u"), id);
                    Ok(())
                },
            )
            .unwrap();
    }

    #[test]
    fn the_message_sets_the_actor_then_executes() {
        let actor = PgActor::new(&Actor::system());
        let m = message("test", &actor, "elson_q_7", &[Arg::I64(3), Arg::Text(Some("x"))]).unwrap();
        assert_eq!(
            m,
            "SELECT elson_begin_as('00000000-0000-0000-0000-000000000000'::uuid, true) \
             AS elson_standing; EXECUTE elson_q_7('3', E'x')"
        );
    }
}
