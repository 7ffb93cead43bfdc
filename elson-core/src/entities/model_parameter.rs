use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::VolatilityLevel;
use crate::error::{ElsonError, Result};
use crate::limits::{DecimalLimit, TextLimit};

checked_entity! {
    /// An effective-dated model parameter (table `model_parameters`): the value
    /// for (level, type, name) at time t is the row with
    /// `effective_from ≤ t < effective_to` (open end when `None`).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct ModelParameter {
        /// Primary key.
        pub id: Uuid,
        /// Regime the parameter applies to.
        pub volatility_level: VolatilityLevel,
        /// Parameter family (`position_sizing`, `confidence_threshold`, …), VARCHAR(50).
        pub parameter_type: String,
        /// Parameter name, VARCHAR(100).
        pub parameter_name: String,
        /// Value, DECIMAL(15,6).
        pub parameter_value: Decimal,
        /// Start of validity, inclusive.
        pub effective_from: DateTime<Utc>,
        /// End of validity, exclusive; `None` for open-ended.
        pub effective_to: Option<DateTime<Utc>>,
        /// Who created it, VARCHAR(100).
        pub created_by: String,
        /// Creation.
        pub created_at: DateTime<Utc>,
        /// Last update.
        pub updated_at: DateTime<Utc>,
        /// Free text.
        pub description: Option<String>,
    }
}

/// Everything a caller chooses when creating a [`ModelParameter`]; the id
/// and timestamps are filled in by [`ModelParameter::new`].
#[derive(Debug, Clone, PartialEq)]
pub struct NewModelParameter {
    /// Regime the parameter applies to.
    pub volatility_level: VolatilityLevel,
    /// Parameter family, 1–50 characters.
    pub parameter_type: String,
    /// Parameter name, 1–100 characters.
    pub parameter_name: String,
    /// Value, DECIMAL(15,6), checked exactly (never rounded).
    pub parameter_value: Decimal,
    /// Start of validity, inclusive.
    pub effective_from: DateTime<Utc>,
    /// End of validity, exclusive; after `effective_from` when set.
    pub effective_to: Option<DateTime<Utc>>,
    /// Who creates it, 1–100 characters.
    pub created_by: String,
    /// Free text, TEXT.
    pub description: Option<String>,
}

impl ModelParameter {
    /// Creates a parameter row after checking every column limit. `id` is
    /// used when given, else a fresh UUID v4; `created_at = updated_at = now`.
    /// Overlap with other rows of the same key is checked where all rows are
    /// known ([`crate::params`]), not here.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] naming the column:
    /// - `parameter_type`: empty or longer than 50 characters;
    /// - `parameter_name`, `created_by`: empty or longer than 100 characters;
    /// - `parameter_value`: more than 6 decimals or 9 integer digits;
    /// - `effective_to`: not after `effective_from` (an empty interval);
    /// - `description`: longer than the TEXT bound.
    pub fn new(
        params: NewModelParameter,
        id: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<ModelParameter> {
        let NewModelParameter {
            volatility_level,
            parameter_type,
            parameter_name,
            parameter_value,
            effective_from,
            effective_to,
            created_by,
            description,
        } = params;
        let parameter = ModelParameter {
            id: id.unwrap_or_else(Uuid::new_v4),
            volatility_level,
            parameter_type,
            parameter_name,
            parameter_value,
            effective_from,
            effective_to,
            created_by,
            created_at: now,
            updated_at: now,
            description,
        };
        parameter.validate()?;
        Ok(parameter)
    }

    /// Checks a whole row by the rules of [`ModelParameter::new`]: serde
    /// runs it on every parameter it reads (issue 14 item 3). Overlaps with
    /// other rows need all rows and stay with [`crate::params`].
    ///
    /// # Errors
    /// As [`ModelParameter::new`].
    pub fn validate(&self) -> Result<()> {
        TextLimit::SHORT.identifier().check("parameter_type", &self.parameter_type)?;
        TextLimit::NAME.identifier().check("parameter_name", &self.parameter_name)?;
        DecimalLimit::PARAMETER.check("parameter_value", self.parameter_value)?;
        if let Some(to) = self.effective_to
            && to <= self.effective_from
        {
            return Err(ElsonError::invalid(
                "effective_to",
                format!("{to} is not after effective_from {}", self.effective_from),
            ));
        }
        TextLimit::NAME.check("created_by", &self.created_by)?;
        if let Some(v) = &self.description {
            TextLimit::TEXT.check("description", v)?;
        }
        Ok(())
    }
}
