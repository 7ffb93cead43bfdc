//! Query plans of the data model's seed queries, so a test (or an operator)
//! can check that each one is served by an index.

use serde_json::Value;
use uuid::Uuid;

use crate::access::WithStanding;
use crate::db::{Arg, enum_text, text, uuid};
use crate::error::StoreResult;
use crate::repo::{beta_feedback, feature_flags, portfolios, trades, users, volatility_regimes};
use crate::store::{Backend, Store};

/// Parameter values to plan the seed queries with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedQueryParams {
    /// For "User Authentication".
    pub email: String,
    /// For "Portfolio Overview" and "Beta User Feedback Collection".
    pub user_id: Uuid,
    /// For "Trade History".
    pub portfolio_id: Uuid,
    /// For "Guardian Approval Queue".
    pub guardian_id: Uuid,
    /// For "Volatility Tracking".
    pub symbol: String,
}

/// The plan of one seed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryPlan {
    /// The seed's name of the query.
    pub query: &'static str,
    /// The plan as the database printed it (SQLite `EXPLAIN QUERY PLAN`
    /// lines, PostgreSQL `EXPLAIN (FORMAT JSON)`).
    pub plan: String,
    /// Tables the plan reads in full (a sequential scan, or a scan of a
    /// whole index). Empty when every table is reached through an index
    /// search. A PostgreSQL sequential scan the planner costs at zero — a
    /// relation its statistics show as empty, such as a monthly partition
    /// not yet reached — reads no page and is not listed.
    pub full_scans: Vec<String>,
}

fn sqlite_full_scans(lines: &[String]) -> Vec<String> {
    // "SCAN trades" or "SCAN t USING INDEX …" read everything;
    // "SEARCH … USING INDEX …" is an index lookup. A subquery the plan
    // materializes or runs as a co-routine is planned on lines of its own;
    // scanning its result reads only the rows it produced.
    let first_word = |rest: &str| rest.split_whitespace().next().unwrap_or_default().to_string();
    let subqueries: Vec<String> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("MATERIALIZE ").or_else(|| l.strip_prefix("CO-ROUTINE ")))
        .map(first_word)
        .collect();
    lines
        .iter()
        .filter_map(|l| l.strip_prefix("SCAN "))
        .filter(|rest| !rest.starts_with("CONSTANT ROW"))
        .map(first_word)
        .filter(|name| !subqueries.contains(name))
        .collect()
}

fn pg_full_scans(plan: &Value, out: &mut Vec<String>) {
    match plan {
        Value::Object(map) => {
            // pgscale: a zero-cost scan reads no page (an empty partition).
            let empty = map.get("Total Cost").and_then(Value::as_f64) == Some(0.0);
            if map.get("Node Type").and_then(Value::as_str) == Some("Seq Scan")
                && !empty
                && let Some(rel) = map.get("Relation Name").and_then(Value::as_str)
            {
                out.push(rel.to_string());
            }
            for v in map.values() {
                pg_full_scans(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| pg_full_scans(v, out)),
        _ => {}
    }
}

impl Store {
    /// Updates the planner's statistics (`ANALYZE`); worth running after a
    /// bulk load.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn analyze(&self) -> StoreResult<()> {
        let mut c = self.acquire("analyze").await?;
        c.conn().execute("analyze", "ANALYZE", &[]).await.map(|_| ())
    }

    /// Routine maintenance ("regular VACUUM and index maintenance", data
    /// model): PostgreSQL `VACUUM (ANALYZE)`; SQLite `ANALYZE` and
    /// `PRAGMA optimize` (a full `VACUUM` rewrites the file and is left to
    /// the operator). Worth running after a bulk load, so readers are not
    /// competing with autovacuum.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn maintain(&self) -> StoreResult<()> {
        let mut c = self.acquire("maintain").await?;
        let mut conn = c.conn();
        match conn {
            crate::db::Conn::Pg(_) | crate::db::Conn::PgAs(..) => {
                conn.execute("maintain", "VACUUM (ANALYZE)", &[]).await.map(|_| ())
            }
            crate::db::Conn::Sqlite(_) => {
                conn.execute("maintain", "ANALYZE", &[]).await?;
                conn.execute("maintain", "PRAGMA optimize", &[]).await.map(|_| ())
            }
        }
    }

    /// Plans of the seven common and two beta queries of the data model.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn explain_seed_queries(&self, p: &SeedQueryParams) -> StoreResult<Vec<QueryPlan>> {
        use elson_core::enums::Environment;
        // Statements that also bring back the actor's standing take the
        // actor's id as their last SQLite parameter (here the user's).
        let backend = self.backend();
        let standing = |sql: WithStanding, args, actor| sql.bind(backend, args, actor);
        let (overview, overview_args) =
            standing(portfolios::OVERVIEW, vec![uuid(p.user_id)], p.user_id);
        let (history, history_args) = standing(
            trades::HISTORY,
            vec![uuid(p.portfolio_id), Arg::I64(20), Arg::I64(40)],
            p.user_id,
        );
        let (queue, queue_args) =
            standing(trades::APPROVAL_QUEUE, vec![uuid(p.guardian_id)], p.guardian_id);
        let (recent, recent_args) =
            standing(volatility_regimes::RECENT, vec![text(&p.symbol)], p.user_id);
        let (feedback, feedback_args) =
            standing(beta_feedback::BY_USER, vec![uuid(p.user_id)], p.user_id);
        let (flags, flags_args) =
            standing(feature_flags::ENABLED_IN, vec![enum_text(Environment::Beta)], p.user_id);
        let queries: [(&'static str, &'static str, Vec<Arg<'_>>); 7] = [
            ("User Authentication", users::AUTH, vec![text(&p.email)]),
            ("Portfolio Overview", overview, overview_args),
            ("Trade History", history, history_args),
            ("Guardian Approval Queue", queue, queue_args),
            ("Volatility Tracking", recent, recent_args),
            ("Beta User Feedback Collection", feedback, feedback_args),
            ("Feature Flag Evaluation", flags, flags_args),
        ];
        let mut c = self.acquire("explain").await?;
        let mut plans = Vec::new();
        for (name, sql, args) in queries {
            let (plan, full_scans) = match backend {
                Backend::Sqlite => {
                    let rows = c
                        .conn()
                        .fetch_all_composed("explain", format!("EXPLAIN QUERY PLAN {sql}"), &args)
                        .await?;
                    let lines: Vec<String> =
                        rows.iter().map(|r| r.text_at(3)).collect::<StoreResult<_>>()?;
                    let scans = sqlite_full_scans(&lines);
                    (lines.join("\n"), scans)
                }
                Backend::Postgres => {
                    let rows = c
                        .conn()
                        .fetch_all_composed(
                            "explain",
                            format!("EXPLAIN (FORMAT JSON) {sql}"),
                            &args,
                        )
                        .await?;
                    let text = rows.first().map(|r| r.text_at(0)).transpose()?.unwrap_or_default();
                    let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                    let mut scans = Vec::new();
                    pg_full_scans(&json, &mut scans);
                    (text, scans)
                }
            };
            plans.push(QueryPlan { query: name, plan, full_scans });
        }
        Ok(plans)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_scans_are_recognized() {
        let lines = vec![
            "SEARCH p USING INDEX idx_portfolios_user_id (user_id=?)".to_string(),
            "SCAN trades".to_string(),
            "SCAN t USING INDEX idx_trades_created_at".to_string(),
            "USE TEMP B-TREE FOR ORDER BY".to_string(),
            "SCAN CONSTANT ROW".to_string(),
        ];
        assert_eq!(sqlite_full_scans(&lines), vec!["trades", "t"]);
        // The result of a materialized subquery is not a table read in full.
        let lines = vec![
            "MATERIALIZE t".to_string(),
            "SEARCH trades USING INDEX idx_trades_portfolio_created (portfolio_id=?)".to_string(),
            "SCAN t LEFT-JOIN".to_string(),
            "SCAN users".to_string(),
        ];
        assert_eq!(sqlite_full_scans(&lines), vec!["users"]);
        let plan = serde_json::json!([{"Plan": {"Node Type": "Nested Loop", "Plans": [
            {"Node Type": "Seq Scan", "Relation Name": "users", "Total Cost": 12.5},
            {"Node Type": "Seq Scan", "Relation Name": "trades_2031_05", "Total Cost": 0.0},
            {"Node Type": "Index Scan", "Relation Name": "trades"}]}}]);
        let mut out = Vec::new();
        pg_full_scans(&plan, &mut out);
        assert_eq!(out, vec!["users"]);
    }
}
