//! What a breaker watches: the whole system, one symbol, or one portfolio.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

use crate::error::{ElsonError, Result};
use crate::limits::TextLimit;

/// The scope of one breaker (DESIGN §6). A trade is governed by the most
/// severe of the global breaker, its symbol's and its portfolio's.
///
/// Its text form, used in logs, JSON and vectors, is `GLOBAL`,
/// `SYMBOL:<symbol>` or `PORTFOLIO:<uuid>`. `Ord` only gives registries a
/// deterministic iteration order; it means nothing about severity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// The whole system: only a manual trip moves it.
    Global,
    /// One symbol: moved by its regime and by execution failures.
    Symbol(String),
    /// One portfolio: moved by its daily loss.
    Portfolio(Uuid),
}

impl Scope {
    /// Checks what the type cannot: a symbol scope needs a non-empty symbol
    /// of at most 20 characters (`VARCHAR(20)`). A colon inside a symbol is
    /// fine, since the text form splits on the first `:` only.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] naming `scope` for an empty or oversized symbol.
    pub fn validate(&self) -> Result<()> {
        match self {
            Scope::Global | Scope::Portfolio(_) => Ok(()),
            Scope::Symbol(symbol) => TextLimit::SYMBOL.check("scope", symbol),
        }
    }

    /// The kind of scope as an upper-case word, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Scope::Global => "GLOBAL",
            Scope::Symbol(_) => "SYMBOL",
            Scope::Portfolio(_) => "PORTFOLIO",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Global => f.write_str("GLOBAL"),
            Scope::Symbol(symbol) => write!(f, "SYMBOL:{symbol}"),
            Scope::Portfolio(id) => write!(f, "PORTFOLIO:{id}"),
        }
    }
}

impl FromStr for Scope {
    type Err = ElsonError;

    /// Strict parse of the text form; the symbol is validated.
    fn from_str(s: &str) -> Result<Self> {
        let scope = match s.split_once(':') {
            None if s == "GLOBAL" => Scope::Global,
            Some(("SYMBOL", symbol)) => Scope::Symbol(symbol.to_string()),
            Some(("PORTFOLIO", id)) => Scope::Portfolio(
                Uuid::parse_str(id)
                    .map_err(|e| ElsonError::invalid("scope", format!("bad portfolio id: {e}")))?,
            ),
            _ => {
                return Err(ElsonError::invalid(
                    "scope",
                    format!("{s:?} is not GLOBAL, SYMBOL:<symbol> or PORTFOLIO:<uuid>"),
                ));
            }
        };
        scope.validate()?;
        Ok(scope)
    }
}

impl Serialize for Scope {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Scope {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
