//! One SQL text, two backends.
//!
//! Repositories write each statement once, with `$N` placeholders (which
//! sqlx's SQLite driver accepts too), and pass their values as [`Arg`]s.
//! [`Conn`] binds each argument the way its backend stores it (natively on
//! PostgreSQL, through [`crate::codec`] on SQLite) and [`DbRow`] decodes
//! columns back. Dialect differences live in the per-backend migrations, not
//! in the repositories.

use chrono::{DateTime, NaiveDate, Utc};
use elson_core::ElsonError;
use elson_core::limits::DecimalLimit;
use rust_decimal::Decimal;
use serde_json::Value;
use sqlx::error::ErrorKind;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{PgConnection, Postgres, Row, Sqlite, SqliteConnection};
use uuid::Uuid;

use crate::codec;
use crate::error::{StoreError, StoreResult};
use crate::oneshot::{self, PgActor};

/// A value bound to a statement.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Arg<'a> {
    Uuid(Option<Uuid>),
    Text(Option<&'a str>),
    I32(Option<i32>),
    I64(i64),
    Bool(bool),
    /// A decimal and the limit of its column (scale for SQLite, precision check).
    Dec(Option<Decimal>, DecimalLimit, &'static str),
    Ts(Option<DateTime<Utc>>),
    Date(Option<NaiveDate>),
    Json(Option<&'a Value>),
    TextArray(&'a [String]),
    UuidArray(&'a [Uuid]),
}

/// Shorthands so argument lists read like the column lists.
pub(crate) fn uuid(v: Uuid) -> Arg<'static> {
    Arg::Uuid(Some(v))
}
pub(crate) fn text(v: &str) -> Arg<'_> {
    Arg::Text(Some(v))
}
pub(crate) fn opt_text(v: &Option<String>) -> Arg<'_> {
    Arg::Text(v.as_deref())
}
pub(crate) fn ts(v: DateTime<Utc>) -> Arg<'static> {
    Arg::Ts(Some(v))
}
pub(crate) fn dec(field: &'static str, v: Decimal, limit: DecimalLimit) -> Arg<'static> {
    Arg::Dec(Some(v), limit, field)
}
pub(crate) fn opt_dec(
    field: &'static str,
    v: Option<Decimal>,
    limit: DecimalLimit,
) -> Arg<'static> {
    Arg::Dec(v, limit, field)
}
pub(crate) fn enum_text<E: SeedEnum>(v: E) -> Arg<'static> {
    Arg::Text(Some(v.seed()))
}
pub(crate) fn opt_enum<E: SeedEnum>(v: Option<E>) -> Arg<'static> {
    Arg::Text(v.map(SeedEnum::seed))
}

/// The core's seed enums, bound by their `'static` seed name.
pub(crate) trait SeedEnum: Copy {
    fn seed(self) -> &'static str;
}

macro_rules! seed_enums {
    ($($t:ident),+ $(,)?) => {
        $(impl SeedEnum for elson_core::enums::$t {
            fn seed(self) -> &'static str {
                self.as_str()
            }
        })+
    };
}
seed_enums!(
    UserRole,
    UserStatus,
    RiskProfile,
    PortfolioType,
    VolatilityLevel,
    AssetType,
    OrderType,
    TradeSide,
    TradeStatus,
    CircuitBreakerState,
    GuardianApproval,
    RelationshipType,
    RelationshipStatus,
    NotificationType,
    NotificationStatus,
    NotificationPriority,
    FeedbackType,
    FeedbackSeverity,
    FeedbackStatus,
    Environment,
    VolatilityMethod,
);

/// A borrowed connection of either backend (a pooled connection or an open
/// transaction).
pub(crate) enum Conn<'c> {
    Pg(&'c mut PgConnection),
    /// A PostgreSQL read call's pooled connection: each statement runs in
    /// one round trip with the actor's settings ([`crate::oneshot`]). Reads
    /// only.
    PgAs(&'c mut PgConnection, &'c PgActor),
    Sqlite(&'c mut SqliteConnection),
}

/// The error of a write attempted through a read call's connection (a bug
/// in the store, never the caller's input).
fn read_only(op: &'static str) -> StoreError {
    StoreError::storage(op, "a read call's connection cannot write")
}

fn bind_pg<'q>(
    mut q: sqlx::query::Query<'q, Postgres, PgArguments>,
    args: &[Arg<'_>],
    op: &'static str,
) -> StoreResult<sqlx::query::Query<'q, Postgres, PgArguments>> {
    for a in args {
        q = match *a {
            Arg::Uuid(v) => q.bind(v),
            Arg::Text(v) => q.bind(v),
            Arg::I32(v) => q.bind(v),
            Arg::I64(v) => q.bind(v),
            Arg::Bool(v) => q.bind(v),
            Arg::Dec(v, limit, field) => {
                if let Some(d) = v {
                    DecimalLimit { min: None, max: None, ..limit }.check(field, d)?;
                }
                q.bind(v)
            }
            Arg::Ts(v) => q.bind(v),
            Arg::Date(v) => q.bind(v),
            Arg::Json(v) => q.bind(v.map(sqlx::types::Json)),
            Arg::TextArray(v) => q.bind(v),
            Arg::UuidArray(v) => q.bind(v),
        };
    }
    let _ = op;
    Ok(q)
}

fn bind_sqlite<'q>(
    mut q: sqlx::query::Query<'q, Sqlite, SqliteArguments>,
    args: &[Arg<'_>],
    op: &'static str,
) -> StoreResult<sqlx::query::Query<'q, Sqlite, SqliteArguments>> {
    for a in args {
        q = match *a {
            Arg::Uuid(v) => q.bind(v),
            Arg::Text(v) => q.bind(v.map(str::to_owned)),
            Arg::I32(v) => q.bind(v),
            Arg::I64(v) => q.bind(v),
            Arg::Bool(v) => q.bind(v),
            Arg::Dec(v, limit, field) => {
                q.bind(v.map(|d| codec::decimal_to_scaled(field, d, limit)).transpose()?)
            }
            Arg::Ts(v) => q.bind(v.map(codec::timestamp_to_micros)),
            Arg::Date(v) => q.bind(v.map(codec::date_to_text)),
            Arg::Json(v) => q.bind(v.map(Value::to_string)),
            Arg::TextArray(v) => q.bind(json_array(op, v)?),
            Arg::UuidArray(v) => {
                let texts: Vec<String> = v.iter().map(|u| u.hyphenated().to_string()).collect();
                q.bind(json_array(op, &texts)?)
            }
        };
    }
    Ok(q)
}

fn json_array(op: &'static str, v: &[String]) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| StoreError::storage(op, e.to_string()))
}

impl Conn<'_> {
    /// Runs a statement; returns the number of rows it changed.
    pub(crate) async fn execute(
        &mut self,
        op: &'static str,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> StoreResult<u64> {
        match self {
            Conn::Pg(c) => {
                let q = bind_pg(sqlx::query(sql), args, op)?;
                q.execute(&mut **c).await.map(|r| r.rows_affected()).map_err(|e| map_err(op, e))
            }
            Conn::PgAs(..) => Err(read_only(op)),
            Conn::Sqlite(c) => {
                let q = bind_sqlite(sqlx::query(sql), args, op)?;
                q.execute(&mut **c).await.map(|r| r.rows_affected()).map_err(|e| map_err(op, e))
            }
        }
    }

    /// Runs a query expected to return at most one row.
    pub(crate) async fn fetch_optional(
        &mut self,
        op: &'static str,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> StoreResult<Option<DbRow>> {
        match self {
            Conn::Pg(c) => {
                let q = bind_pg(sqlx::query(sql), args, op)?;
                q.fetch_optional(&mut **c)
                    .await
                    .map(|r| r.map(DbRow::Pg))
                    .map_err(|e| map_err(op, e))
            }
            Conn::PgAs(c, actor) => {
                let rows = oneshot::fetch(c, actor, op, sql, args).await?;
                Ok(rows.into_iter().next().map(DbRow::Pg))
            }
            Conn::Sqlite(c) => {
                let q = bind_sqlite(sqlx::query(sql), args, op)?;
                q.fetch_optional(&mut **c)
                    .await
                    .map(|r| r.map(DbRow::Sqlite))
                    .map_err(|e| map_err(op, e))
            }
        }
    }

    /// Runs a query and returns every row.
    pub(crate) async fn fetch_all(
        &mut self,
        op: &'static str,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> StoreResult<Vec<DbRow>> {
        match self {
            Conn::Pg(c) => {
                let q = bind_pg(sqlx::query(sql), args, op)?;
                q.fetch_all(&mut **c)
                    .await
                    .map(|r| r.into_iter().map(DbRow::Pg).collect())
                    .map_err(|e| map_err(op, e))
            }
            Conn::PgAs(c, actor) => {
                let rows = oneshot::fetch(c, actor, op, sql, args).await?;
                Ok(rows.into_iter().map(DbRow::Pg).collect())
            }
            Conn::Sqlite(c) => {
                let q = bind_sqlite(sqlx::query(sql), args, op)?;
                q.fetch_all(&mut **c)
                    .await
                    .map(|r| r.into_iter().map(DbRow::Sqlite).collect())
                    .map_err(|e| map_err(op, e))
            }
        }
    }
}

/// A row of either backend with typed getters that undo the SQLite codec.
pub(crate) enum DbRow {
    Pg(PgRow),
    Sqlite(SqliteRow),
}

fn decode_err(col: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::storage("decode", format!("column {col}: {e}"))
}

fn corrupt(col: &str, e: ElsonError) -> StoreError {
    StoreError::storage("decode", format!("column {col}: {e}"))
}

impl DbRow {
    pub(crate) fn uuid(&self, col: &str) -> StoreResult<Uuid> {
        self.opt_uuid(col)?.ok_or_else(|| decode_err(col, "unexpected NULL"))
    }

    pub(crate) fn opt_uuid(&self, col: &str) -> StoreResult<Option<Uuid>> {
        match self {
            DbRow::Pg(r) => r.try_get(col).map_err(|e| decode_err(col, e)),
            DbRow::Sqlite(r) => r.try_get(col).map_err(|e| decode_err(col, e)),
        }
    }

    pub(crate) fn text(&self, col: &str) -> StoreResult<String> {
        self.opt_text(col)?.ok_or_else(|| decode_err(col, "unexpected NULL"))
    }

    pub(crate) fn opt_text(&self, col: &str) -> StoreResult<Option<String>> {
        match self {
            DbRow::Pg(r) => r.try_get(col).map_err(|e| decode_err(col, e)),
            DbRow::Sqlite(r) => r.try_get(col).map_err(|e| decode_err(col, e)),
        }
    }

    pub(crate) fn parse<E: std::str::FromStr<Err = ElsonError>>(
        &self,
        col: &str,
    ) -> StoreResult<E> {
        self.text(col)?.parse().map_err(|e| corrupt(col, e))
    }

    pub(crate) fn opt_parse<E: std::str::FromStr<Err = ElsonError>>(
        &self,
        col: &str,
    ) -> StoreResult<Option<E>> {
        self.opt_text(col)?.map(|s| s.parse().map_err(|e| corrupt(col, e))).transpose()
    }

    pub(crate) fn i32(&self, col: &str) -> StoreResult<i32> {
        self.opt_i32(col)?.ok_or_else(|| decode_err(col, "unexpected NULL"))
    }

    pub(crate) fn opt_i32(&self, col: &str) -> StoreResult<Option<i32>> {
        match self {
            DbRow::Pg(r) => r.try_get(col).map_err(|e| decode_err(col, e)),
            DbRow::Sqlite(r) => r.try_get(col).map_err(|e| decode_err(col, e)),
        }
    }

    pub(crate) fn i64(&self, col: &str) -> StoreResult<i64> {
        match self {
            DbRow::Pg(r) => r.try_get(col).map_err(|e| decode_err(col, e)),
            DbRow::Sqlite(r) => r.try_get(col).map_err(|e| decode_err(col, e)),
        }
    }

    pub(crate) fn bool(&self, col: &str) -> StoreResult<bool> {
        match self {
            DbRow::Pg(r) => r.try_get(col).map_err(|e| decode_err(col, e)),
            DbRow::Sqlite(r) => r.try_get(col).map_err(|e| decode_err(col, e)),
        }
    }

    pub(crate) fn dec(&self, col: &str, limit: DecimalLimit) -> StoreResult<Decimal> {
        self.opt_dec(col, limit)?.ok_or_else(|| decode_err(col, "unexpected NULL"))
    }

    pub(crate) fn opt_dec(&self, col: &str, limit: DecimalLimit) -> StoreResult<Option<Decimal>> {
        match self {
            DbRow::Pg(r) => {
                let v: Option<Decimal> = r.try_get(col).map_err(|e| decode_err(col, e))?;
                // NUMERIC(p,s) keeps the column scale; make the Rust value
                // carry it too so both backends return identical decimals.
                Ok(v.map(|mut d| {
                    d.rescale(limit.scale);
                    d
                }))
            }
            DbRow::Sqlite(r) => {
                let v: Option<i64> = r.try_get(col).map_err(|e| decode_err(col, e))?;
                Ok(v.map(|s| codec::scaled_to_decimal(s, limit)))
            }
        }
    }

    pub(crate) fn ts(&self, col: &str) -> StoreResult<DateTime<Utc>> {
        self.opt_ts(col)?.ok_or_else(|| decode_err(col, "unexpected NULL"))
    }

    pub(crate) fn opt_ts(&self, col: &str) -> StoreResult<Option<DateTime<Utc>>> {
        match self {
            DbRow::Pg(r) => r.try_get(col).map_err(|e| decode_err(col, e)),
            DbRow::Sqlite(r) => {
                let v: Option<i64> = r.try_get(col).map_err(|e| decode_err(col, e))?;
                v.map(|m| codec::micros_to_timestamp(m).map_err(|e| corrupt(col, e))).transpose()
            }
        }
    }

    pub(crate) fn opt_date(&self, col: &str) -> StoreResult<Option<NaiveDate>> {
        match self {
            DbRow::Pg(r) => r.try_get(col).map_err(|e| decode_err(col, e)),
            DbRow::Sqlite(r) => {
                let v: Option<String> = r.try_get(col).map_err(|e| decode_err(col, e))?;
                v.map(|s| codec::text_to_date(&s).map_err(|e| corrupt(col, e))).transpose()
            }
        }
    }

    pub(crate) fn date(&self, col: &str) -> StoreResult<NaiveDate> {
        self.opt_date(col)?.ok_or_else(|| decode_err(col, "unexpected NULL"))
    }

    pub(crate) fn opt_json(&self, col: &str) -> StoreResult<Option<Value>> {
        match self {
            DbRow::Pg(r) => {
                let v: Option<sqlx::types::Json<Value>> =
                    r.try_get(col).map_err(|e| decode_err(col, e))?;
                Ok(v.map(|j| j.0))
            }
            DbRow::Sqlite(r) => {
                let v: Option<String> = r.try_get(col).map_err(|e| decode_err(col, e))?;
                v.map(|s| serde_json::from_str(&s).map_err(|e| decode_err(col, e))).transpose()
            }
        }
    }

    pub(crate) fn json(&self, col: &str) -> StoreResult<Value> {
        self.opt_json(col)?.ok_or_else(|| decode_err(col, "unexpected NULL"))
    }

    pub(crate) fn text_array(&self, col: &str) -> StoreResult<Vec<String>> {
        match self {
            DbRow::Pg(r) => r.try_get(col).map_err(|e| decode_err(col, e)),
            DbRow::Sqlite(r) => {
                let s: String = r.try_get(col).map_err(|e| decode_err(col, e))?;
                serde_json::from_str(&s).map_err(|e| decode_err(col, e))
            }
        }
    }

    pub(crate) fn uuid_array(&self, col: &str) -> StoreResult<Vec<Uuid>> {
        match self {
            DbRow::Pg(r) => r.try_get(col).map_err(|e| decode_err(col, e)),
            DbRow::Sqlite(r) => {
                let s: String = r.try_get(col).map_err(|e| decode_err(col, e))?;
                serde_json::from_str(&s).map_err(|e| decode_err(col, e))
            }
        }
    }
}

/// Known unique constraints: (PostgreSQL constraint/index name, SQLite
/// "table.col[, table.col]" key, what the conflict means).
const UNIQUES: &[(&str, &str, &str)] = &[
    ("ux_users_email", "users.email", "email is already registered"),
    (
        "ux_positions_portfolio_symbol",
        "positions.portfolio_id, positions.symbol",
        "the portfolio already holds a position in this symbol",
    ),
    (
        "ux_relationships_guardian_minor",
        "relationships.guardian_id, relationships.minor_id",
        "a relationship between these users already exists",
    ),
    (
        "ux_feature_flags_name_environment",
        "feature_flags.flag_name, feature_flags.environment",
        "a flag with this name already exists in this environment",
    ),
];

/// Entity name used for foreign-key violations until the operation, which
/// knows what it referenced, replaces it (see [`StoreError::refine_fk`]).
pub(crate) const FK_ENTITY: &str = "referenced row";

/// Maps a database error to a typed store error; `sqlx::Error` stops here.
pub(crate) fn map_err(op: &'static str, e: sqlx::Error) -> StoreError {
    let sqlx::Error::Database(db) = &e else {
        return StoreError::storage(op, e.to_string());
    };
    let message = db.message().to_string();
    let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
    // SQLite: constraint name or columns follow "… constraint failed: ".
    let sqlite_detail =
        message.split_once("constraint failed: ").map(|(_, d)| d.to_string()).unwrap_or_default();
    let name = db.constraint().map(str::to_string).unwrap_or_else(|| sqlite_detail.clone());
    match db.kind() {
        ErrorKind::UniqueViolation => {
            let reason = UNIQUES
                .iter()
                .find(|(pg, lite, _)| *pg == name || *lite == name)
                .map(|(_, _, r)| (*r).to_string())
                .unwrap_or_else(|| {
                    if name.ends_with("_pkey") || name.ends_with(".id") {
                        "a row with this id already exists".to_string()
                    } else {
                        format!("duplicate value ({name})")
                    }
                });
            StoreError::Domain(ElsonError::Conflict { reason })
        }
        ErrorKind::ForeignKeyViolation => StoreError::Domain(ElsonError::NotFound {
            entity: FK_ENTITY.to_string(),
            id: if name.is_empty() { "unknown".to_string() } else { name },
        }),
        ErrorKind::CheckViolation | ErrorKind::NotNullViolation => {
            StoreError::Domain(ElsonError::invalid(
                constraint_field(&name),
                format!("violates database constraint {name}"),
            ))
        }
        _ => {
            // Triggers: SQLite RAISE(ABORT, 'ck_…: why') and the audit guard.
            if let Some(rest) = message.strip_prefix("ck_") {
                let (cname, why) = rest.split_once(": ").unwrap_or((rest, "constraint"));
                return StoreError::Domain(ElsonError::invalid(
                    constraint_field(&format!("ck_{cname}")),
                    why.to_string(),
                ));
            }
            if message.contains("append-only") {
                return StoreError::Domain(ElsonError::forbidden(message));
            }
            StoreError::storage(op, format!("{message} (code {code})"))
        }
    }
}

/// `ck_portfolios_cash_balance` → `cash_balance` where the table prefix is
/// known; otherwise the raw constraint text.
fn constraint_field(name: &str) -> String {
    const TABLES: &[&str] = &[
        "users_",
        "portfolios_",
        "positions_",
        "trades_",
        "relationships_",
        "notifications_",
        "volatility_regimes_",
        "model_parameters_",
        "backtest_results_",
        "beta_feedback_",
        "feature_flags_",
    ];
    let bare = name.strip_prefix("ck_").unwrap_or(name);
    for t in TABLES {
        if let Some(col) = bare.strip_prefix(t) {
            return col.strip_suffix("_check").unwrap_or(col).to_string();
        }
    }
    name.to_string()
}

/// Whether an error is a transient lock conflict worth retrying.
pub(crate) fn is_busy(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
            // SQLite: BUSY (5), LOCKED (6) and their extended codes;
            // PostgreSQL: serialization failure, deadlock.
            matches!(code.as_str(), "5" | "6" | "261" | "517" | "262" | "40001" | "40P01")
        }
        sqlx::Error::PoolTimedOut => true,
        _ => false,
    }
}

impl Conn<'_> {
    /// Inserts many rows with one multi-row `INSERT … VALUES (…), (…)` per
    /// chunk: `prefix` is a constant `INSERT INTO t (cols) VALUES `, and the
    /// placeholders are generated, never data.
    pub(crate) async fn insert_rows<const N: usize>(
        &mut self,
        op: &'static str,
        prefix: &'static str,
        rows: &[[Arg<'_>; N]],
    ) -> StoreResult<()> {
        // Well under SQLite's 32,766 and PostgreSQL's 65,535 bind parameters.
        const ROWS_PER_STATEMENT: usize = 100;
        // SQLite looks a named parameter (`$N`) up by a linear scan of the
        // statement's parameter list, which makes binding N of them O(N²);
        // anonymous `?` parameters bind in order with no lookup.
        let anonymous = matches!(self, Conn::Sqlite(_));
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut sql = String::with_capacity(prefix.len() + chunk.len() * N * 6);
            sql.push_str(prefix);
            let mut n = 0;
            for (r, _) in chunk.iter().enumerate() {
                sql.push_str(if r == 0 { "(" } else { ", (" });
                for col in 0..N {
                    n += 1;
                    if col > 0 {
                        sql.push_str(", ");
                    }
                    if anonymous {
                        sql.push('?');
                    } else {
                        sql.push('$');
                        sql.push_str(&n.to_string());
                    }
                }
                sql.push(')');
            }
            let args: Vec<Arg<'_>> = chunk.iter().flat_map(|r| r.iter().copied()).collect();
            match self {
                Conn::Pg(c) => {
                    let q = bind_pg(sqlx::query(sqlx::AssertSqlSafe(sql)), &args, op)?;
                    q.execute(&mut **c).await.map_err(|e| map_err(op, e))?;
                }
                Conn::PgAs(..) => return Err(read_only(op)),
                Conn::Sqlite(c) => {
                    let q = bind_sqlite(sqlx::query(sqlx::AssertSqlSafe(sql)), &args, op)?;
                    q.execute(&mut **c).await.map_err(|e| map_err(op, e))?;
                }
            }
        }
        Ok(())
    }

    /// Runs SQL assembled from this crate's own constant statements (never
    /// from input), e.g. `EXPLAIN` + a statement, or maintenance commands.
    pub(crate) async fn fetch_all_composed(
        &mut self,
        op: &'static str,
        sql: String,
        args: &[Arg<'_>],
    ) -> StoreResult<Vec<DbRow>> {
        match self {
            Conn::Pg(c) => {
                let q = bind_pg(sqlx::query(sqlx::AssertSqlSafe(sql)), args, op)?;
                q.fetch_all(&mut **c)
                    .await
                    .map(|r| r.into_iter().map(DbRow::Pg).collect())
                    .map_err(|e| map_err(op, e))
            }
            // Composed text is not a `'static` statement to prepare; no read
            // call composes one (only `EXPLAIN`, on a pooled connection).
            Conn::PgAs(..) => Err(StoreError::storage(op, "composed SQL needs a plain connection")),
            Conn::Sqlite(c) => {
                let q = bind_sqlite(sqlx::query(sqlx::AssertSqlSafe(sql)), args, op)?;
                q.fetch_all(&mut **c)
                    .await
                    .map(|r| r.into_iter().map(DbRow::Sqlite).collect())
                    .map_err(|e| map_err(op, e))
            }
        }
    }
}

impl DbRow {
    /// Column by position, as text (EXPLAIN output).
    pub(crate) fn text_at(&self, idx: usize) -> StoreResult<String> {
        match self {
            DbRow::Pg(r) => {
                // EXPLAIN (FORMAT JSON) returns one json column.
                let v: sqlx::types::Json<Value> =
                    r.try_get(idx).map_err(|e| decode_err("explain", e))?;
                Ok(v.0.to_string())
            }
            DbRow::Sqlite(r) => r.try_get(idx).map_err(|e| decode_err("explain", e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraint_names_become_fields() {
        assert_eq!(constraint_field("ck_portfolios_cash_balance"), "cash_balance");
        assert_eq!(constraint_field("portfolios_risk_score_check"), "risk_score");
        assert_eq!(constraint_field("length(x) > 1"), "length(x) > 1");
    }
}
