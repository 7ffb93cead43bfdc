use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::{PortfolioType, VolatilityLevel};

checked_entity! {
    /// A collection of assets owned by a user (table `portfolios`).
    ///
    /// Invariants kept by every operation of [`crate::accounting`]:
    /// `cash_balance ≥ 0` and `total_value = cash_balance + Σ position.current_value`.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Portfolio {
        /// Primary key.
        pub id: Uuid,
        /// Owner.
        pub user_id: Uuid,
        /// Display name, VARCHAR(100).
        pub name: String,
        /// Free text.
        pub description: Option<String>,
        /// Creation.
        pub created_at: DateTime<Utc>,
        /// Last update.
        pub updated_at: DateTime<Utc>,
        /// Available cash, DECIMAL(15,2), never negative.
        pub cash_balance: Decimal,
        /// Cash plus the current value of every position, DECIMAL(15,2).
        pub total_value: Decimal,
        /// 0–100.
        pub risk_score: Option<i32>,
        /// 0–100.
        pub diversification_score: Option<i32>,
        /// STANDARD, EDUCATION or RETIREMENT.
        #[serde(rename = "type")]
        pub portfolio_type: PortfolioType,
        /// Whether a minor's trades here need a guardian's approval.
        pub guardian_approval: bool,
        /// Preferred volatility regime.
        pub volatility_preference: Option<VolatilityLevel>,
        /// Historical performance data (free-form JSON).
        pub performance_metrics: Option<serde_json::Value>,
    }
}

/// What a caller chooses when opening a portfolio; everything else starts at
/// zero (see [`Portfolio::new`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewPortfolio {
    /// Owner.
    pub user_id: Uuid,
    /// Display name, 1–100 characters.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// STANDARD, EDUCATION or RETIREMENT.
    pub portfolio_type: PortfolioType,
    /// Whether a minor's trades here need a guardian's approval.
    pub guardian_approval: bool,
    /// 0–100.
    pub risk_score: Option<i32>,
    /// 0–100.
    pub diversification_score: Option<i32>,
    /// Preferred volatility regime.
    pub volatility_preference: Option<VolatilityLevel>,
}

impl NewPortfolio {
    /// A STANDARD portfolio named `name` for `user_id`, without guardian
    /// approval, scores or preferences: the common case in one call.
    pub fn standard(user_id: Uuid, name: impl Into<String>) -> NewPortfolio {
        NewPortfolio {
            user_id,
            name: name.into(),
            description: None,
            portfolio_type: PortfolioType::Standard,
            guardian_approval: false,
            risk_score: None,
            diversification_score: None,
            volatility_preference: None,
        }
    }
}

impl Portfolio {
    /// Opens an empty portfolio: cash 0, total value 0, created and updated
    /// at `now`. The caller mints `id` (UUID v4) so a retried create can be
    /// recognised as the same portfolio.
    ///
    /// # Errors
    /// [`crate::ElsonError::InvalidInput`] naming `name` (empty or longer
    /// than 100 characters), `description` (longer than a TEXT column),
    /// `risk_score` or `diversification_score` (outside 0–100).
    ///
    /// # Example
    /// ```
    /// use elson_core::entities::{NewPortfolio, Portfolio};
    /// use rust_decimal::Decimal;
    /// use uuid::Uuid;
    ///
    /// let now = chrono::DateTime::UNIX_EPOCH;
    /// let p = Portfolio::new(NewPortfolio::standard(Uuid::nil(), "College fund"), Uuid::nil(), now)?;
    /// assert_eq!(p.cash_balance, Decimal::ZERO);
    /// assert_eq!(p.total_value, Decimal::ZERO);
    /// # Ok::<(), elson_core::ElsonError>(())
    /// ```
    pub fn new(new: NewPortfolio, id: Uuid, now: DateTime<Utc>) -> crate::Result<Portfolio> {
        let portfolio = Portfolio {
            id,
            user_id: new.user_id,
            name: new.name,
            description: new.description,
            created_at: now,
            updated_at: now,
            cash_balance: Decimal::new(0, 2),
            total_value: Decimal::new(0, 2),
            risk_score: new.risk_score,
            diversification_score: new.diversification_score,
            portfolio_type: new.portfolio_type,
            guardian_approval: new.guardian_approval,
            volatility_preference: new.volatility_preference,
            performance_metrics: None,
        };
        portfolio.validate()?;
        Ok(portfolio)
    }

    /// Checks a whole row by the rules of [`Portfolio::new`] and of the
    /// accounting that changes it: serde runs it on every portfolio it reads
    /// (issue 14 item 3).
    ///
    /// # Errors
    /// [`crate::ElsonError::InvalidInput`] naming the column: as
    /// [`Portfolio::new`]; `cash_balance` or `total_value` when not valid
    /// money (negative, more than 2 decimals, over DECIMAL(15,2));
    /// `total_value` when below `cash_balance` (it is cash plus the value of
    /// positions, which is never negative).
    pub fn validate(&self) -> crate::Result<()> {
        use crate::ElsonError;
        use crate::limits::{DecimalLimit, TextLimit, check_score};
        TextLimit::NAME.check("name", &self.name)?;
        if let Some(description) = &self.description {
            TextLimit::TEXT.check("description", description)?;
        }
        if let Some(score) = self.risk_score {
            check_score("risk_score", score)?;
        }
        if let Some(score) = self.diversification_score {
            check_score("diversification_score", score)?;
        }
        DecimalLimit::MONEY.check("cash_balance", self.cash_balance)?;
        DecimalLimit::MONEY.check("total_value", self.total_value)?;
        if self.total_value < self.cash_balance {
            return Err(ElsonError::invalid(
                "total_value",
                format!(
                    "{} is below cash_balance {}; it is cash plus the value of positions",
                    self.total_value, self.cash_balance
                ),
            ));
        }
        Ok(())
    }
}

/// The settings of a portfolio its owner (or, for a minor's portfolio, a
/// guardian) may change: the `update_portfolio_settings` command. Money,
/// `total_value`, the owner and `performance_metrics` are not settings: they
/// change only as the consequence of a command the core decides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortfolioSettings {
    /// VARCHAR(100).
    pub name: String,
    /// Free text; `None` clears it.
    pub description: Option<String>,
    /// STANDARD, EDUCATION or RETIREMENT.
    #[serde(rename = "type")]
    pub portfolio_type: PortfolioType,
    /// Whether a minor's trades here need a guardian's approval.
    pub guardian_approval: bool,
    /// 0–100.
    pub risk_score: Option<i32>,
    /// 0–100.
    pub diversification_score: Option<i32>,
    /// Preferred volatility regime.
    pub volatility_preference: Option<VolatilityLevel>,
}

impl PortfolioSettings {
    /// The portfolio's current settings, to change one field of.
    pub fn of(p: &Portfolio) -> PortfolioSettings {
        PortfolioSettings {
            name: p.name.clone(),
            description: p.description.clone(),
            portfolio_type: p.portfolio_type,
            guardian_approval: p.guardian_approval,
            risk_score: p.risk_score,
            diversification_score: p.diversification_score,
            volatility_preference: p.volatility_preference,
        }
    }
}

impl Portfolio {
    /// Applies new settings, checked as [`Portfolio::new`] checks them. All
    /// or nothing.
    ///
    /// # Errors
    /// `InvalidInput` naming the field.
    pub fn update_settings(
        &mut self,
        s: PortfolioSettings,
        now: DateTime<Utc>,
    ) -> crate::Result<()> {
        use crate::limits::{TextLimit, check_score};
        TextLimit::NAME.check("name", &s.name)?;
        if let Some(description) = &s.description {
            TextLimit::TEXT.check("description", description)?;
        }
        if let Some(score) = s.risk_score {
            check_score("risk_score", score)?;
        }
        if let Some(score) = s.diversification_score {
            check_score("diversification_score", score)?;
        }
        self.name = s.name;
        self.description = s.description;
        self.portfolio_type = s.portfolio_type;
        self.guardian_approval = s.guardian_approval;
        self.risk_score = s.risk_score;
        self.diversification_score = s.diversification_score;
        self.volatility_preference = s.volatility_preference;
        self.updated_at = now;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ElsonError;

    fn field_of(r: crate::Result<Portfolio>) -> String {
        match r {
            Err(ElsonError::InvalidInput { field, .. }) => field,
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    #[test]
    fn new_portfolio_starts_empty_and_validates() {
        let now = DateTime::UNIX_EPOCH;
        let id = Uuid::from_u128(7);
        let mut new = NewPortfolio::standard(Uuid::from_u128(1), "Main");
        new.description = Some("for school".into());
        new.risk_score = Some(40);
        let p = Portfolio::new(new.clone(), id, now).unwrap();
        assert_eq!((p.id, p.user_id), (id, Uuid::from_u128(1)));
        assert_eq!(p.cash_balance.to_string(), "0.00");
        assert_eq!(p.total_value.to_string(), "0.00");
        assert_eq!((p.created_at, p.updated_at), (now, now));
        assert_eq!(p.risk_score, Some(40));
        assert!(!p.guardian_approval);

        let bad = |f: &dyn Fn(&mut NewPortfolio)| {
            let mut n = new.clone();
            f(&mut n);
            field_of(Portfolio::new(n, id, now))
        };
        assert_eq!(bad(&|n| n.name = " ".into()), "name");
        assert_eq!(bad(&|n| n.name = "x".repeat(101)), "name");
        assert_eq!(bad(&|n| n.description = Some("x".repeat(65_537))), "description");
        assert_eq!(bad(&|n| n.risk_score = Some(101)), "risk_score");
        assert_eq!(bad(&|n| n.diversification_score = Some(-1)), "diversification_score");
    }
}
