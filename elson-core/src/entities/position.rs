use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::AssetType;

checked_entity! {
    /// A holding of one symbol in a portfolio (table `positions`).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Position {
        /// Primary key.
        pub id: Uuid,
        /// Owning portfolio.
        pub portfolio_id: Uuid,
        /// Asset symbol, VARCHAR(20).
        pub symbol: String,
        /// Quantity held, DECIMAL(15,6), > 0 while the position exists.
        pub quantity: Decimal,
        /// Average purchase price, DECIMAL(15,2).
        pub average_price: Decimal,
        /// Last known market price, DECIMAL(15,2).
        pub current_price: Decimal,
        /// `round2(quantity × current_price)`.
        pub current_value: Decimal,
        /// Creation.
        pub created_at: DateTime<Utc>,
        /// Last update.
        pub updated_at: DateTime<Utc>,
        /// When `current_price` was last set.
        pub last_price_update: Option<DateTime<Utc>>,
        /// Unrealized gain/loss: `current_value − round2(quantity × average_price)`.
        pub gain_loss: Decimal,
        /// `round2(100 × gain_loss / cost basis)`, 0 when the cost basis is 0.
        pub gain_loss_percent: Decimal,
        /// STOCK, ETF, MUTUAL_FUND, CRYPTO or OTHER.
        pub asset_type: AssetType,
        /// Industry sector, VARCHAR(100).
        pub sector: Option<String>,
    }
}

impl Position {
    /// Checks a whole row as [`crate::accounting::Book::from_rows`] checks
    /// each position: symbol and sector, a quantity above zero with at most
    /// 6 decimals, valid money prices, and the derived columns
    /// `current_value = round2(quantity × current_price)`, `gain_loss` and
    /// `gain_loss_percent` exactly as DESIGN §2 computes them. serde runs it
    /// on every position it reads (issue 14 item 3). The portfolio's side
    /// (its id, `total_value`) needs the portfolio row and stays with
    /// `Book::from_rows`.
    ///
    /// # Errors
    /// [`crate::ElsonError::InvalidInput`] naming the column.
    pub fn validate(&self) -> crate::Result<()> {
        crate::accounting::check_position_row(self).map(|_| ())
    }
}
