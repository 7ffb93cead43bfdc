//! Several write statements in one round trip on PostgreSQL.
//!
//! A trading operation ends with a handful of independent writes (the trade
//! row, its notifications, the portfolio row, the changed positions). Each
//! costs a client–server round trip; on PostgreSQL they can travel as ONE
//! statement of data-modifying CTEs:
//! `WITH w0 AS (INSERT …), w1 AS (UPDATE …) UPDATE …`. The statements are
//! this crate's own constants, their `$N` placeholders renumbered; the
//! values are bound as usual. Every sub-statement sees the same snapshot and
//! none sees another's effects, so only writes that do not depend on each
//! other may be combined (distinct rows; no delete-then-insert of one key).
//! SQLite runs them one by one: its statements are in-process calls.

use crate::db::{Arg, Conn};
use crate::error::StoreResult;

/// Write statements collected to run together.
#[derive(Default)]
pub(crate) struct Combined<'a> {
    statements: Vec<(&'static str, Vec<Arg<'a>>)>,
}

/// `sql` with every placeholder `$k` renumbered to `$(k + offset)`.
fn renumber(sql: &str, offset: usize, out: &mut String) {
    let mut chars = sql.char_indices().peekable();
    while let Some((i, ch)) = chars.next() {
        if ch != '$' {
            out.push(ch);
            continue;
        }
        let start = i + 1;
        let mut end = start;
        while let Some(&(j, d)) = chars.peek() {
            if d.is_ascii_digit() {
                end = j + 1;
                chars.next();
            } else {
                break;
            }
        }
        match sql[start..end].parse::<usize>() {
            Ok(k) => {
                out.push('$');
                out.push_str(&(k + offset).to_string());
            }
            Err(_) => out.push('$'),
        }
    }
}

impl<'a> Combined<'a> {
    /// Adds one statement whose placeholders are `$1..$n` for `args`.
    pub(crate) fn push(&mut self, sql: &'static str, args: Vec<Arg<'a>>) {
        self.statements.push((sql, args));
    }

    /// Runs every statement: one round trip on PostgreSQL, in order on SQLite.
    pub(crate) async fn run(self, c: &mut Conn<'_>, op: &'static str) -> StoreResult<()> {
        match c {
            // A read call's connection refuses the writes (`execute`).
            Conn::Sqlite(_) | Conn::PgAs(..) => {
                for (sql, args) in &self.statements {
                    c.execute(op, sql, args).await?;
                }
                Ok(())
            }
            Conn::Pg(_) => {
                let Some(((last_sql, last_args), rest)) = self.statements.split_last() else {
                    return Ok(());
                };
                if rest.is_empty() {
                    c.execute(op, last_sql, last_args).await?;
                    return Ok(());
                }
                let mut sql = String::from("WITH ");
                let mut args: Vec<Arg<'a>> = Vec::new();
                for (k, (s, a)) in rest.iter().enumerate() {
                    if k > 0 {
                        sql.push_str(", ");
                    }
                    sql.push_str(&format!("w{k} AS ("));
                    renumber(s, args.len(), &mut sql);
                    sql.push(')');
                    args.extend(a.iter().copied());
                }
                sql.push(' ');
                renumber(last_sql, args.len(), &mut sql);
                args.extend(last_args.iter().copied());
                c.fetch_all_composed(op, sql, &args).await.map(|_| ())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_renumbered() {
        let mut out = String::new();
        renumber("UPDATE t SET a = $2, b = $10 WHERE id = $1", 3, &mut out);
        assert_eq!(out, "UPDATE t SET a = $5, b = $13 WHERE id = $4");
        let mut out = String::new();
        renumber("SELECT '$' || $1", 0, &mut out);
        assert_eq!(out, "SELECT '$' || $1");
    }
}
