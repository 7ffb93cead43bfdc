use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::Environment;
use crate::error::{ElsonError, Result};
use crate::limits::{TextLimit, check_score};

checked_entity! {
    /// A feature flag with percentage rollout (table `feature_flags`).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct FeatureFlag {
        /// Primary key.
        pub id: Uuid,
        /// Flag name, VARCHAR(100); also the rollout group id.
        pub flag_name: String,
        /// Free text.
        pub description: Option<String>,
        /// Master switch.
        pub enabled: bool,
        /// DEV, BETA, STAGING or PRODUCTION.
        pub environment: Environment,
        /// 0–100: share of users (by bucket) that get the feature.
        pub user_percentage: i32,
        /// Users that always get the feature while it is enabled.
        pub user_whitelist: Vec<Uuid>,
        /// Creation.
        pub created_at: DateTime<Utc>,
        /// Last update.
        pub updated_at: DateTime<Utc>,
        /// Who created it, VARCHAR(100).
        pub created_by: String,
        /// The flag is off from this instant on.
        pub expires_at: Option<DateTime<Utc>>,
    }
}

/// Everything a caller chooses when creating a [`FeatureFlag`]; the id and
/// timestamps are filled in by [`FeatureFlag::new`].
///
/// Start from [`NewFeatureFlag::new`] (disabled, 0 %, no whitelist, no
/// expiry) and override fields with struct-update syntax.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFeatureFlag {
    /// Flag name, 1–100 characters, no surrounding whitespace.
    pub flag_name: String,
    /// DEV, BETA, STAGING or PRODUCTION.
    pub environment: Environment,
    /// Who creates it, 1–100 characters.
    pub created_by: String,
    /// Master switch; default false.
    pub enabled: bool,
    /// 0–100; default 0.
    pub user_percentage: i32,
    /// Users that always get the feature while it is enabled.
    pub user_whitelist: Vec<Uuid>,
    /// Free text, TEXT.
    pub description: Option<String>,
    /// The flag is off from this instant on; must lie after creation.
    pub expires_at: Option<DateTime<Utc>>,
}

impl NewFeatureFlag {
    /// The required values; disabled, 0 %, empty whitelist, no expiry.
    pub fn new(
        flag_name: impl Into<String>,
        environment: Environment,
        created_by: impl Into<String>,
    ) -> Self {
        NewFeatureFlag {
            flag_name: flag_name.into(),
            environment,
            created_by: created_by.into(),
            enabled: false,
            user_percentage: 0,
            user_whitelist: Vec::new(),
            description: None,
            expires_at: None,
        }
    }
}

impl FeatureFlag {
    /// Most user ids one flag's whitelist may carry (the whole list is
    /// read for every evaluation).
    pub const WHITELIST_MAX: usize = 10_000;

    /// Creates a flag after checking every column limit. `id` is used when
    /// given, else a fresh UUID v4; `created_at = updated_at = now`.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] naming the column:
    /// - `flag_name`: empty, longer than 100 characters, with leading or
    ///   trailing whitespace (the name is hashed for bucketing, DESIGN §9, so
    ///   an invisible space would silently move every user's bucket), or
    ///   with a control or bidirectional control character (an identifier,
    ///   see [`TextLimit::identifier`]);
    /// - `user_percentage`: outside 0–100;
    /// - `user_whitelist`: more than [`Self::WHITELIST_MAX`] ids;
    /// - `created_by`: empty or longer than 100 characters;
    /// - `description`: longer than the TEXT bound, or with a NUL;
    /// - `expires_at`: not after `now` (a flag born expired is a mistake).
    pub fn new(
        params: NewFeatureFlag,
        id: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<FeatureFlag> {
        let NewFeatureFlag {
            flag_name,
            environment,
            created_by,
            enabled,
            user_percentage,
            user_whitelist,
            description,
            expires_at,
        } = params;
        let flag = FeatureFlag {
            id: id.unwrap_or_else(Uuid::new_v4),
            flag_name,
            description,
            enabled,
            environment,
            user_percentage,
            user_whitelist,
            created_at: now,
            updated_at: now,
            created_by,
            expires_at,
        };
        flag.validate()?;
        Ok(flag)
    }

    /// Checks a whole row by the rules of [`Self::new`], with `created_at`
    /// in place of `now` (so `expires_at` must lie after creation).
    ///
    /// Why: a flag also reaches storage as a row built or edited by hand
    /// (an update, an import, a binding's dict). The store checks it here,
    /// so no row is stored that the constructor would refuse — before, the
    /// store had column checks of its own and took a name with surrounding
    /// spaces.
    ///
    /// # Errors
    /// As [`Self::new`].
    pub fn validate(&self) -> Result<()> {
        if self.flag_name.trim() != self.flag_name {
            return Err(ElsonError::invalid("flag_name", "must not start or end with whitespace"));
        }
        TextLimit::NAME.identifier().check("flag_name", &self.flag_name)?;
        check_score("user_percentage", self.user_percentage)?;
        if self.user_whitelist.len() > Self::WHITELIST_MAX {
            return Err(ElsonError::invalid(
                "user_whitelist",
                format!(
                    "{} ids, at most {} allowed",
                    self.user_whitelist.len(),
                    Self::WHITELIST_MAX
                ),
            ));
        }
        TextLimit::NAME.check("created_by", &self.created_by)?;
        if let Some(v) = &self.description {
            TextLimit::TEXT.check("description", v)?;
        }
        if let Some(at) = self.expires_at
            && at <= self.created_at
        {
            return Err(ElsonError::invalid(
                "expires_at",
                format!("{at} is not after {}", self.created_at),
            ));
        }
        Ok(())
    }
}
