//! Migrates an empty database one migration at a time, then checks from the
//! database's own catalog that every table, column and index of the data
//! model exists.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use elson_store::{Backend, Store, StoreOptions};
use sqlx::{ConnectOptions, Row};

/// Every table of the data model (plus `audit_log`) and its columns.
const TABLES: &[(&str, &[&str])] = &[
    (
        "users",
        &[
            "id",
            "email",
            "password_hash",
            "role",
            "first_name",
            "last_name",
            "date_of_birth",
            "created_at",
            "updated_at",
            "last_login",
            "status",
            "two_factor_enabled",
            "two_factor_secret",
            "risk_profile",
            "education_progress",
            "preferences",
            "beta_feedback",
            "pii_kek_id",
            "pii_data_key",
            "two_factor_last_step",
        ],
    ),
    (
        "portfolios",
        &[
            "id",
            "user_id",
            "name",
            "description",
            "created_at",
            "updated_at",
            "cash_balance",
            "total_value",
            "risk_score",
            "diversification_score",
            "type",
            "guardian_approval",
            "volatility_preference",
            "performance_metrics",
        ],
    ),
    (
        "positions",
        &[
            "id",
            "portfolio_id",
            "symbol",
            "quantity",
            "average_price",
            "current_price",
            "current_value",
            "created_at",
            "updated_at",
            "last_price_update",
            "gain_loss",
            "gain_loss_percent",
            "asset_type",
            "sector",
        ],
    ),
    (
        "trades",
        &[
            "id",
            "portfolio_id",
            "symbol",
            "order_type",
            "side",
            "quantity",
            "price",
            "status",
            "created_at",
            "executed_at",
            "total_amount",
            "fees",
            "notes",
            "circuit_breaker_state",
            "volatility_level",
            "guardian_approval",
            "confidence_score",
            "position_sizing",
        ],
    ),
    (
        "relationships",
        &[
            "id",
            "guardian_id",
            "minor_id",
            "relationship_type",
            "created_at",
            "updated_at",
            "status",
            "approval_settings",
            "permissions",
        ],
    ),
    (
        "notifications",
        &[
            "id",
            "user_id",
            "related_entity_id",
            "related_entity_type",
            "type",
            "title",
            "message",
            "created_at",
            "read_at",
            "status",
            "priority",
            "action_url",
        ],
    ),
    (
        "volatility_regimes",
        &[
            "id",
            "symbol",
            "timestamp",
            "volatility_value",
            "volatility_level",
            "lookback_period",
            "calculation_method",
            "circuit_breaker_state",
            "confidence_score",
            "stabilization_count",
        ],
    ),
    (
        "model_parameters",
        &[
            "id",
            "volatility_level",
            "parameter_type",
            "parameter_name",
            "parameter_value",
            "effective_from",
            "effective_to",
            "created_by",
            "created_at",
            "updated_at",
            "description",
        ],
    ),
    (
        "backtest_results",
        &[
            "id",
            "model_version",
            "symbol",
            "start_date",
            "end_date",
            "total_trades",
            "win_rate",
            "profit_loss",
            "sharpe_ratio",
            "drawdown_max",
            "volatility_breakdown",
            "parameters_used",
            "created_at",
            "notes",
        ],
    ),
    (
        "beta_feedback",
        &[
            "id",
            "user_id",
            "feedback_type",
            "category",
            "title",
            "description",
            "severity",
            "status",
            "submitted_at",
            "updated_at",
            "related_component",
            "environment_details",
            "screenshots",
            "assigned_to",
        ],
    ),
    (
        "feature_flags",
        &[
            "id",
            "flag_name",
            "description",
            "enabled",
            "environment",
            "user_percentage",
            "user_whitelist",
            "created_at",
            "updated_at",
            "created_by",
            "expires_at",
        ],
    ),
    ("audit_log", &["id", "actor_id", "action", "entity", "entity_id", "at", "outcome", "detail"]),
    // Migration 12 (beta safeguards): the database's environment stamp.
    ("store_environment", &["singleton", "environment", "stamped_at"]),
    // Migration 15: the record of idempotent commands.
    ("command_log", &["actor_id", "command_id", "operation", "digest", "result", "at"]),
];

/// Every index of the seed's "Database Indices": (table, leading columns,
/// must be unique). An index matches when its first columns are these, in
/// order (the primary key counts for `id`).
const INDICES: &[(&str, &[&str], bool)] = &[
    // Primary indices.
    ("users", &["id"], true),
    ("users", &["email"], true),
    ("users", &["pii_kek_id"], false),
    ("portfolios", &["id"], true),
    ("portfolios", &["user_id"], false),
    ("positions", &["id"], true),
    ("positions", &["portfolio_id"], false),
    ("positions", &["symbol"], false),
    ("trades", &["id"], true),
    ("trades", &["portfolio_id"], false),
    ("trades", &["created_at"], false),
    ("relationships", &["id"], true),
    ("relationships", &["guardian_id"], false),
    ("relationships", &["minor_id"], false),
    ("notifications", &["id"], true),
    ("notifications", &["user_id"], false),
    ("notifications", &["created_at"], false),
    ("volatility_regimes", &["id"], true),
    ("volatility_regimes", &["symbol"], false),
    ("volatility_regimes", &["timestamp"], false),
    ("model_parameters", &["id"], true),
    ("model_parameters", &["volatility_level"], false),
    ("model_parameters", &["parameter_name"], false),
    ("backtest_results", &["id"], true),
    ("backtest_results", &["model_version"], false),
    ("backtest_results", &["symbol"], false),
    ("beta_feedback", &["id"], true),
    ("beta_feedback", &["user_id"], false),
    ("beta_feedback", &["submitted_at"], false),
    ("feature_flags", &["id"], true),
    ("feature_flags", &["flag_name"], false),
    ("feature_flags", &["environment"], false),
    // Performance indices.
    ("users", &["role", "status"], false),
    ("users", &["last_login"], false),
    ("portfolios", &["total_value"], false),
    ("positions", &["portfolio_id", "asset_type"], false),
    ("positions", &["current_value"], false),
    ("trades", &["portfolio_id", "status"], false),
    ("trades", &["symbol", "side"], false),
    ("trades", &["executed_at"], false),
    ("notifications", &["user_id", "status"], false),
    ("notifications", &["user_id", "type"], false),
    ("volatility_regimes", &["symbol", "volatility_level"], false),
    ("volatility_regimes", &["circuit_breaker_state"], false),
    ("backtest_results", &["symbol", "model_version"], false),
    ("backtest_results", &["win_rate"], false),
    ("beta_feedback", &["status", "severity"], false),
    ("beta_feedback", &["feedback_type"], false),
];

const MIGRATION_NAMES: &[&str] = &[
    "initial schema",
    "user role extensions",
    "portfolio analytics fields",
    "trading engine integration",
    "volatility regime tracking",
    "beta feedback mechanism",
    "feature flag system",
    "performance optimization indices",
];

/// The SDK's own migrations after the seed's eight (security, row-level
/// security, partitioning, environments, the per-call actor, the approval
/// queue's table), in order. Every backend has every
/// number, so the two histories line up; a step one backend does not need is
/// a documented no-op there.
const SDK_MIGRATION_NAMES: &[&str] = &[
    "security",
    "row level security",
    "partitioning and analytics",
    "environments",
    "per call overhead",
    "pending approval queue",
    "command log",
    "append only audit",
];

/// Columns of the `portfolio_analytics` view (migration 11): a materialized
/// view on PostgreSQL, a plain view on SQLite.
const ANALYTICS_COLUMNS: &[&str] = &[
    "portfolio_id",
    "user_id",
    "cash_balance",
    "total_value",
    "position_count",
    "positions_value",
    "gain_loss",
    "trades_pending",
    "trades_executed",
    "trades_cancelled",
    "trades_rejected",
    "last_trade_at",
];

/// (table → columns, [(table, index columns, unique)]) read from the catalog.
struct Catalog {
    columns: Vec<(String, String)>,
    indices: Vec<(String, Vec<String>, bool)>,
}

async fn sqlite_catalog(path: &std::path::Path) -> Catalog {
    let mut c = sqlx::sqlite::SqliteConnectOptions::new().filename(path).connect().await.unwrap();
    let mut columns = Vec::new();
    let mut indices = Vec::new();
    for (table, _) in TABLES {
        let rows = sqlx::query("SELECT name FROM pragma_table_info($1)")
            .bind(*table)
            .fetch_all(&mut c)
            .await
            .unwrap();
        for r in rows {
            columns.push((table.to_string(), r.get::<String, _>("name")));
        }
        // The primary key of a non-rowid table shows up as an autoindex; a
        // rowid alias (INTEGER PRIMARY KEY) does not, so add it explicitly.
        let pk: Vec<String> =
            sqlx::query("SELECT name FROM pragma_table_info($1) WHERE pk > 0 ORDER BY pk")
                .bind(*table)
                .fetch_all(&mut c)
                .await
                .unwrap()
                .iter()
                .map(|r| r.get::<String, _>("name"))
                .collect();
        indices.push((table.to_string(), pk, true));
        let list = sqlx::query("SELECT name, \"unique\" AS u FROM pragma_index_list($1)")
            .bind(*table)
            .fetch_all(&mut c)
            .await
            .unwrap();
        for idx in list {
            let name: String = idx.get("name");
            let unique: i64 = idx.get("u");
            let cols: Vec<String> =
                sqlx::query("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                    .bind(&name)
                    .fetch_all(&mut c)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.get::<String, _>("name"))
                    .collect();
            indices.push((table.to_string(), cols, unique == 1));
        }
    }
    Catalog { columns, indices }
}

async fn pg_catalog(url: &str) -> Catalog {
    use std::str::FromStr;
    let mut c = sqlx::postgres::PgConnectOptions::from_str(url).unwrap().connect().await.unwrap();
    let columns = sqlx::query(
        "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns \
         WHERE table_schema = current_schema()",
    )
    .fetch_all(&mut c)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get::<String, _>("t"), r.get::<String, _>("c")))
    .collect();
    // pg_indexes has only the definition text; pg_index has the columns.
    let indices = sqlx::query(
        "SELECT t.relname::text AS t, ix.indisunique AS u, \
                array_agg(a.attname::text ORDER BY k.ord) AS cols \
         FROM pg_index ix \
         JOIN pg_class t ON t.oid = ix.indrelid \
         JOIN pg_class i ON i.oid = ix.indexrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema() \
         CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord) \
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
         GROUP BY t.relname, i.relname, ix.indisunique",
    )
    .fetch_all(&mut c)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get::<String, _>("t"), r.get::<Vec<String>, _>("cols"), r.get::<bool, _>("u")))
    .collect();
    // Cross-check with pg_indexes that every index is a real, listed one.
    let listed: i64 =
        sqlx::query("SELECT count(*) AS n FROM pg_indexes WHERE schemaname = current_schema()")
            .fetch_one(&mut c)
            .await
            .unwrap()
            .get("n");
    assert!(listed >= INDICES.len() as i64 / 2, "pg_indexes lists {listed} indices");
    Catalog { columns, indices }
}

fn assert_catalog(backend: &str, cat: &Catalog) {
    let mut missing = Vec::new();
    for (table, cols) in TABLES {
        for col in *cols {
            if !cat.columns.iter().any(|(t, c)| t == table && c == col) {
                missing.push(format!("column {table}.{col}"));
            }
        }
    }
    for (table, cols, unique) in INDICES {
        let found = cat.indices.iter().any(|(t, ic, u)| {
            t == table
                && ic.len() >= cols.len()
                && ic.iter().zip(cols.iter()).all(|(a, b)| a == b)
                && (!unique || *u)
        });
        if !found {
            missing.push(format!(
                "index {table}({}){}",
                cols.join(", "),
                if *unique { " UNIQUE" } else { "" }
            ));
        }
    }
    assert!(missing.is_empty(), "{backend}: missing from the catalog: {missing:#?}");
}

async fn step_by_step(store: &Store) {
    let known = store.known_migrations();
    let expected: Vec<&str> = MIGRATION_NAMES.iter().chain(SDK_MIGRATION_NAMES).copied().collect();
    assert_eq!(known.len(), expected.len(), "{known:?}");
    for (i, (version, description)) in known.iter().enumerate() {
        assert_eq!(*version, i as i64 + 1);
        assert_eq!(description, expected[i], "migration {version}");
    }
    assert!(store.applied_migrations().await.unwrap().is_empty());
    for (version, _) in &known {
        store.migrate_to(*version).await.unwrap();
        let applied = store.applied_migrations().await.unwrap();
        assert_eq!(applied, (1..=*version).collect::<Vec<_>>(), "after migration {version}");
    }
    // Re-running is a no-op.
    store.migrate().await.unwrap();
    assert_eq!(store.applied_migrations().await.unwrap().len(), known.len());
}

#[tokio::test]
async fn sqlite_migrates_step_by_step_and_catalog_has_the_data_model() {
    let dir = std::env::temp_dir().join(format!("elson-mig-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("elson.db");
    let url = format!("sqlite://{}", path.display());
    let store = Store::open_with(&url, StoreOptions { migrate: false, ..StoreOptions::default() })
        .await
        .unwrap();
    assert_eq!(store.backend(), Backend::Sqlite);
    assert!(path.exists(), "the file is created on open");
    step_by_step(&store).await;
    store.close().await;
    let cat = sqlite_catalog(&path).await;
    assert_catalog("sqlite", &cat);
    {
        let mut c =
            sqlx::sqlite::SqliteConnectOptions::new().filename(&path).connect().await.unwrap();
        let kind: String =
            sqlx::query("SELECT type FROM sqlite_master WHERE name = 'portfolio_analytics'")
                .fetch_one(&mut c)
                .await
                .unwrap()
                .get(0);
        assert_eq!(kind, "view");
        let cols: Vec<String> =
            sqlx::query("SELECT name FROM pragma_table_info('portfolio_analytics') ORDER BY cid")
                .fetch_all(&mut c)
                .await
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect();
        assert_eq!(cols, ANALYTICS_COLUMNS);
    }
    // A deliberately wrong expectation must fail the check.
    let broken = Catalog {
        columns: cat.columns.iter().filter(|(t, _)| t != "trades").cloned().collect(),
        indices: cat.indices,
    };
    assert!(std::panic::catch_unwind(|| assert_catalog("sqlite", &broken)).is_err());
    // Reopening migrates nothing and keeps the data.
    let again = Store::open(&url).await.unwrap();
    assert_eq!(again.applied_migrations().await.unwrap().len(), again.known_migrations().len());
    again.close().await;
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn postgres_migrates_step_by_step_and_catalog_has_the_data_model() {
    let Some(url) = common::pg_fresh_url().await else { return };
    let store = Store::open_with(&url, StoreOptions { migrate: false, ..StoreOptions::default() })
        .await
        .unwrap();
    assert_eq!(store.backend(), Backend::Postgres);
    step_by_step(&store).await;
    store.close().await;
    let cat = pg_catalog(&url).await;
    assert_catalog("postgres", &cat);
    // Migration 11: partitioned tables, their strategies and keys, and the
    // materialized view with the unique index CONCURRENTLY needs.
    use std::str::FromStr;
    let mut c = sqlx::postgres::PgConnectOptions::from_str(&url).unwrap().connect().await.unwrap();
    let parts: Vec<(String, String, String)> = sqlx::query(
        "SELECT c.relname::text, p.partstrat::text, pg_get_partkeydef(c.oid) \
         FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid ORDER BY 1",
    )
    .fetch_all(&mut c)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2)))
    .collect();
    let expected = [
        ("notifications", "h", "HASH (user_id)"),
        ("trades", "r", "RANGE (created_at)"),
        ("volatility_regimes", "r", "RANGE (\"timestamp\")"),
    ];
    assert_eq!(
        parts.iter().map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str())).collect::<Vec<_>>(),
        expected
    );
    for default in ["trades_default", "volatility_regimes_default"] {
        let bound: String =
            sqlx::query("SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = $1")
                .bind(default)
                .fetch_one(&mut c)
                .await
                .unwrap()
                .get(0);
        assert_eq!(bound, "DEFAULT");
    }
    let cols: Vec<String> = sqlx::query(
        "SELECT attname::text FROM pg_attribute WHERE attrelid = 'portfolio_analytics'::regclass \
         AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
    )
    .fetch_all(&mut c)
    .await
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect();
    assert_eq!(cols, ANALYTICS_COLUMNS);
    let unique = cat.indices.iter().any(|(t, cols, u)| {
        t == "portfolio_analytics" && *u && cols == &["portfolio_id".to_string()]
    });
    assert!(unique, "REFRESH … CONCURRENTLY needs a unique index");
    assert_row_level_security(&url).await;
}

/// User-owned tables under row-level security (migration 0010).
const RLS_TABLES: &[&str] = &[
    "users",
    "portfolios",
    "positions",
    "trades",
    "notifications",
    "relationships",
    "beta_feedback",
    "audit_log",
    "command_log",
];

/// Migration 0010: RLS on the user-owned tables, the application role
/// without BYPASSRLS or LOGIN, and no UPDATE/DELETE on `audit_log` for it.
async fn assert_row_level_security(url: &str) {
    use std::str::FromStr;
    let mut c = sqlx::postgres::PgConnectOptions::from_str(url).unwrap().connect().await.unwrap();
    let secured: Vec<String> = sqlx::query(
        "SELECT c.relname::text AS t FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() \
         WHERE c.relrowsecurity",
    )
    .fetch_all(&mut c)
    .await
    .unwrap()
    .iter()
    .map(|r| r.get("t"))
    .collect();
    for t in RLS_TABLES {
        assert!(secured.iter().any(|s| s == t), "row-level security off on {t}: {secured:?}");
        let policies: i64 =
            sqlx::query("SELECT count(*) AS n FROM pg_policies WHERE tablename = $1")
                .bind(t)
                .fetch_one(&mut c)
                .await
                .unwrap()
                .get("n");
        assert!(policies >= 1, "no policy on {t}");
    }
    let role =
        sqlx::query("SELECT rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = 'elson_app'")
            .fetch_one(&mut c)
            .await
            .unwrap();
    assert!(!role.get::<bool, _>("rolbypassrls"), "elson_app must not bypass RLS");
    assert!(!role.get::<bool, _>("rolcanlogin"), "elson_app is a group role");
    for (table, privilege, granted) in [
        ("audit_log", "INSERT", true),
        ("audit_log", "SELECT", true),
        ("audit_log", "UPDATE", false),
        ("audit_log", "DELETE", false),
        ("command_log", "INSERT", true),
        ("command_log", "DELETE", false),
        ("trades", "UPDATE", true),
        ("users", "DELETE", true),
    ] {
        let has: bool = sqlx::query("SELECT has_table_privilege('elson_app', $1, $2) AS h")
            .bind(table)
            .bind(privilege)
            .fetch_one(&mut c)
            .await
            .unwrap()
            .get("h");
        assert_eq!(has, granted, "elson_app {privilege} on {table}");
    }
}

#[tokio::test]
async fn unknown_url_scheme_is_an_open_error() {
    let e = Store::open("mysql://localhost/x").await.unwrap_err();
    assert_eq!(e.code(), "OPEN");
}
