use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::{
    AssetType, CircuitBreakerState, GuardianApproval, OrderType, TradeSide, TradeStatus,
    VolatilityLevel,
};

checked_entity! {
    /// A buy or sell order and, once executed, its fill (table `trades`).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Trade {
        /// Primary key (UUID v7: time-ordered).
        pub id: Uuid,
        /// Portfolio the trade belongs to.
        pub portfolio_id: Uuid,
        /// Asset symbol, VARCHAR(20).
        pub symbol: String,
        /// MARKET or LIMIT.
        pub order_type: OrderType,
        /// BUY or SELL.
        pub side: TradeSide,
        /// Quantity, DECIMAL(15,6), > 0.
        pub quantity: Decimal,
        /// Limit price for LIMIT orders; the execution price once EXECUTED.
        pub price: Option<Decimal>,
        /// PENDING, EXECUTED, CANCELLED or REJECTED.
        pub status: TradeStatus,
        /// Creation.
        pub created_at: DateTime<Utc>,
        /// Set exactly when the status becomes EXECUTED.
        pub executed_at: Option<DateTime<Utc>>,
        /// Notional + fees (buy) or notional − fees (sell), set at execution.
        pub total_amount: Option<Decimal>,
        /// Fees charged at execution, DECIMAL(10,2).
        pub fees: Option<Decimal>,
        /// Free text; the reason of a rejection.
        pub notes: Option<String>,
        /// Governing breaker state when the trade was created.
        pub circuit_breaker_state: Option<CircuitBreakerState>,
        /// Stabilized regime of the symbol when the trade was created.
        pub volatility_level: Option<VolatilityLevel>,
        /// PENDING, APPROVED, REJECTED or NOT_REQUIRED.
        pub guardian_approval: GuardianApproval,
        /// Model confidence in [0, 1] for model-generated orders.
        pub confidence_score: Option<Decimal>,
        /// Position-sizing factor applied, in [0, 1].
        pub position_sizing: Option<Decimal>,
    }
}

/// The asset type of a trade is not a column of `trades`, but approval rules
/// need it; callers pass it alongside. Kept here so the name is shared.
pub type TradeAssetType = AssetType;

/// What a caller chooses when placing an order (see [`Trade::new`]); the
/// lifecycle fields (status, fill, approval) start at their defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewTrade {
    /// The trade's id, minted by the caller (UUID v7 at the edge, e.g. on the
    /// phone that placed the order) so a retried submission is recognisably
    /// the same trade (STYLE §9) and the core never reads a clock.
    pub id: Uuid,
    /// Portfolio the trade belongs to.
    pub portfolio_id: Uuid,
    /// Asset symbol, 1–20 characters.
    pub symbol: String,
    /// MARKET or LIMIT.
    pub order_type: OrderType,
    /// BUY or SELL.
    pub side: TradeSide,
    /// Quantity, > 0, at most 6 decimals (never rounded).
    pub quantity: Decimal,
    /// Required for LIMIT orders, forbidden for MARKET orders.
    pub limit_price: Option<Decimal>,
    /// Model confidence in [0, 1] (2 decimals) for model-generated orders.
    pub confidence_score: Option<Decimal>,
    /// Position-sizing factor applied, in [0, 1] (2 decimals).
    pub position_sizing: Option<Decimal>,
    /// Governing breaker state when the trade was created.
    pub circuit_breaker_state: Option<CircuitBreakerState>,
    /// Stabilized regime of the symbol when the trade was created.
    pub volatility_level: Option<VolatilityLevel>,
    /// Free text.
    pub notes: Option<String>,
}

impl NewTrade {
    /// A MARKET order with no optional context.
    pub fn market(
        id: Uuid,
        portfolio_id: Uuid,
        symbol: impl Into<String>,
        side: TradeSide,
        quantity: Decimal,
    ) -> NewTrade {
        NewTrade {
            id,
            portfolio_id,
            symbol: symbol.into(),
            order_type: OrderType::Market,
            side,
            quantity,
            limit_price: None,
            confidence_score: None,
            position_sizing: None,
            circuit_breaker_state: None,
            volatility_level: None,
            notes: None,
        }
    }

    /// A LIMIT order with no optional context.
    pub fn limit(
        id: Uuid,
        portfolio_id: Uuid,
        symbol: impl Into<String>,
        side: TradeSide,
        quantity: Decimal,
        limit_price: Decimal,
    ) -> NewTrade {
        NewTrade {
            order_type: OrderType::Limit,
            limit_price: Some(limit_price),
            ..NewTrade::market(id, portfolio_id, symbol, side, quantity)
        }
    }
}

impl Trade {
    /// Places an order: validates every column and returns a PENDING trade
    /// with `guardian_approval` NOT_REQUIRED (the families rules set it
    /// afterwards), no fill, created at `now`. `price` holds the limit price
    /// until execution replaces it with the execution price.
    ///
    /// # Errors
    /// [`crate::ElsonError::InvalidInput`] naming the field: `symbol` (empty
    /// or longer than 20), `quantity` (not > 0, more than 6 decimals, too
    /// large — never rounded), `limit_price` (missing on a LIMIT order,
    /// present on a MARKET order, not > 0 or not valid money),
    /// `confidence_score` / `position_sizing` (outside [0, 1] or more than 2
    /// decimals), `notes` (longer than a TEXT column).
    ///
    /// # Example
    /// ```
    /// use elson_core::entities::{NewTrade, Trade};
    /// use elson_core::enums::{TradeSide, TradeStatus};
    /// use rust_decimal_macros::dec;
    /// use uuid::Uuid;
    ///
    /// let now = chrono::DateTime::UNIX_EPOCH;
    /// let t = Trade::new(NewTrade::market(Uuid::nil(), Uuid::nil(), "AAPL", TradeSide::Buy, dec!(2.5)), now)?;
    /// assert_eq!(t.status, TradeStatus::Pending);
    /// assert!(Trade::new(NewTrade::market(Uuid::nil(), Uuid::nil(), "AAPL", TradeSide::Buy, dec!(0.0000001)), now).is_err());
    /// # Ok::<(), elson_core::ElsonError>(())
    /// ```
    pub fn new(new: NewTrade, now: DateTime<Utc>) -> crate::Result<Trade> {
        use crate::ElsonError;
        use crate::limits::{DecimalLimit, TextLimit};
        TextLimit::SYMBOL.check("symbol", &new.symbol)?;
        DecimalLimit::QUANTITY.check("quantity", new.quantity)?;
        if new.quantity.is_zero() {
            return Err(ElsonError::invalid("quantity", "must be greater than 0"));
        }
        match (new.order_type, new.limit_price) {
            (OrderType::Limit, None) => {
                return Err(ElsonError::invalid(
                    "limit_price",
                    "a LIMIT order needs a limit price",
                ));
            }
            (OrderType::Market, Some(_)) => {
                return Err(ElsonError::invalid(
                    "limit_price",
                    "a MARKET order must not carry a limit price",
                ));
            }
            (OrderType::Limit, Some(limit)) => {
                DecimalLimit::MONEY.check("limit_price", limit)?;
                if limit.is_zero() {
                    return Err(ElsonError::invalid("limit_price", "must be greater than 0"));
                }
            }
            (OrderType::Market, None) => {}
        }
        if let Some(score) = new.confidence_score {
            DecimalLimit::UNIT_FRACTION.check("confidence_score", score)?;
        }
        if let Some(sizing) = new.position_sizing {
            DecimalLimit::UNIT_FRACTION.check("position_sizing", sizing)?;
        }
        if let Some(notes) = &new.notes {
            TextLimit::TEXT.check("notes", notes)?;
        }
        Ok(Trade {
            id: new.id,
            portfolio_id: new.portfolio_id,
            symbol: new.symbol,
            order_type: new.order_type,
            side: new.side,
            quantity: new.quantity,
            price: new.limit_price,
            status: TradeStatus::Pending,
            created_at: now,
            executed_at: None,
            total_amount: None,
            fees: None,
            notes: new.notes,
            circuit_breaker_state: new.circuit_breaker_state,
            volatility_level: new.volatility_level,
            guardian_approval: GuardianApproval::NotRequired,
            confidence_score: new.confidence_score,
            position_sizing: new.position_sizing,
        })
    }
}

impl Trade {
    /// Checks a whole row by the rules of [`Trade::new`] and of the
    /// lifecycle that moves it on: serde runs it on every trade it reads
    /// (issue 14 item 3), so a trade no command could produce is not read
    /// into memory either.
    ///
    /// The rules: the column limits of [`Trade::new`] (on `price`, which
    /// holds the limit price, where the constructor names `limit_price`); a
    /// LIMIT order always carries its price, a MARKET order only once
    /// EXECUTED (the execution price); `fees` and `total_amount` valid
    /// money; `executed_at` not before `created_at`; and
    /// [`crate::accounting::check_trade_row`]'s lifecycle rules —
    /// `executed_at`, fees and total set exactly when EXECUTED, with
    /// `total_amount = notional ± fees`, and a guardian approval that goes
    /// with the status (PENDING approval only on a PENDING trade, REJECTED
    /// only on a REJECTED one). Whether the owner is a minor at all needs
    /// the user row and stays with the store's import.
    ///
    /// # Errors
    /// [`crate::ElsonError::InvalidInput`] naming the column.
    pub fn validate(&self) -> crate::Result<()> {
        use crate::ElsonError;
        use crate::limits::{DecimalLimit, TextLimit};
        TextLimit::SYMBOL.check("symbol", &self.symbol)?;
        DecimalLimit::QUANTITY.check("quantity", self.quantity)?;
        if self.quantity.is_zero() {
            return Err(ElsonError::invalid("quantity", "must be greater than 0"));
        }
        if let Some(price) = self.price {
            DecimalLimit::MONEY.check("price", price)?;
            if price.is_zero() {
                return Err(ElsonError::invalid("price", "must be greater than 0"));
            }
        }
        match (self.order_type, self.price, self.status) {
            (OrderType::Limit, None, _) => {
                return Err(ElsonError::invalid("price", "a LIMIT order carries its limit price"));
            }
            (OrderType::Market, Some(_), status) if status != TradeStatus::Executed => {
                return Err(ElsonError::invalid(
                    "price",
                    format!("a MARKET order has a price only once EXECUTED, not {status}"),
                ));
            }
            _ => {}
        }
        if let Some(fees) = self.fees {
            DecimalLimit::FEES.check("fees", fees)?;
        }
        if let Some(total) = self.total_amount {
            DecimalLimit::MONEY.check("total_amount", total)?;
        }
        if let Some(score) = self.confidence_score {
            DecimalLimit::UNIT_FRACTION.check("confidence_score", score)?;
        }
        if let Some(sizing) = self.position_sizing {
            DecimalLimit::UNIT_FRACTION.check("position_sizing", sizing)?;
        }
        if let Some(notes) = &self.notes {
            TextLimit::TEXT.check("notes", notes)?;
        }
        if let Some(at) = self.executed_at
            && at < self.created_at
        {
            return Err(ElsonError::invalid(
                "executed_at",
                format!("{at} is before created_at {}", self.created_at),
            ));
        }
        // An owner who is a minor allows every approval the lifecycle can
        // reach; an adult's trades are narrowed further by the store.
        crate::accounting::check_trade_row(self, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ElsonError;
    use rust_decimal_macros::dec;

    fn base() -> NewTrade {
        NewTrade::limit(
            Uuid::from_u128(9),
            Uuid::from_u128(1),
            "AAPL",
            TradeSide::Buy,
            dec!(1.5),
            dec!(150.00),
        )
    }

    fn field_of(new: NewTrade) -> String {
        match Trade::new(new, DateTime::UNIX_EPOCH) {
            Err(ElsonError::InvalidInput { field, .. }) => field,
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    #[test]
    fn new_trade_is_pending_and_unfilled() {
        let mut new = base();
        new.confidence_score = Some(dec!(0.75));
        new.notes = Some("first".into());
        let t = Trade::new(new, DateTime::UNIX_EPOCH).unwrap();
        assert_eq!(t.id, Uuid::from_u128(9));
        assert_eq!(t.status, TradeStatus::Pending);
        assert_eq!(t.guardian_approval, GuardianApproval::NotRequired);
        assert_eq!(t.price, Some(dec!(150.00)));
        assert_eq!((t.executed_at, t.fees, t.total_amount), (None, None, None));
        assert_eq!(t.confidence_score, Some(dec!(0.75)));
        let m = Trade::new(
            NewTrade::market(Uuid::nil(), Uuid::nil(), "X", TradeSide::Sell, dec!(1)),
            DateTime::UNIX_EPOCH,
        )
        .unwrap();
        assert_eq!((m.order_type, m.price), (OrderType::Market, None));
    }

    #[test]
    fn every_column_limit_is_checked() {
        let bad = |f: &dyn Fn(&mut NewTrade)| {
            let mut n = base();
            f(&mut n);
            field_of(n)
        };
        assert_eq!(bad(&|n| n.symbol = String::new()), "symbol");
        assert_eq!(bad(&|n| n.symbol = "X".repeat(21)), "symbol");
        assert_eq!(bad(&|n| n.quantity = dec!(0)), "quantity");
        assert_eq!(bad(&|n| n.quantity = dec!(-1)), "quantity");
        assert_eq!(bad(&|n| n.quantity = dec!(1.0000001)), "quantity");
        assert_eq!(bad(&|n| n.quantity = dec!(1000000000)), "quantity");
        assert_eq!(bad(&|n| n.limit_price = None), "limit_price");
        assert_eq!(bad(&|n| n.limit_price = Some(dec!(0))), "limit_price");
        assert_eq!(bad(&|n| n.limit_price = Some(dec!(1.001))), "limit_price");
        assert_eq!(
            bad(&|n| {
                n.order_type = OrderType::Market;
            }),
            "limit_price"
        );
        assert_eq!(bad(&|n| n.confidence_score = Some(dec!(1.01))), "confidence_score");
        assert_eq!(bad(&|n| n.confidence_score = Some(dec!(-0.01))), "confidence_score");
        assert_eq!(bad(&|n| n.position_sizing = Some(dec!(2))), "position_sizing");
        assert_eq!(bad(&|n| n.notes = Some("x".repeat(65_537))), "notes");
        // Trailing zeros are not extra decimals.
        let mut ok = base();
        ok.quantity = dec!(1.50000000);
        assert!(Trade::new(ok, DateTime::UNIX_EPOCH).is_ok());
    }
}
