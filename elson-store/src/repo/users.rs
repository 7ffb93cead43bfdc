//! Table `users`, and the authentication query.

use elson_core::ElsonError;
use elson_core::entities::User;
use elson_core::enums::{UserRole, UserStatus};
use elson_core::limits::TextLimit;
use uuid::Uuid;

use elson_core::families::{Action, Resource};

use crate::access::{Call, Mode, NOBODY, WithStanding, live, standing_pg, standing_sqlite};
use crate::actor::Actor;
use crate::db::{Arg, Conn, DbRow, enum_text, opt_text, text, ts, uuid};
use crate::error::{StoreError, StoreResult};
use crate::pii::{PiiField, WrappedKey};
use crate::security::wrapped_key;
use crate::store::Store;
use crate::{check, codec};

/// The column list, each name after the prefix `$p` (a table alias).
macro_rules! cols {
    () => {
        cols!("")
    };
    ($p:literal) => {
        concat!(
            $p,
            "id, ",
            $p,
            "email, ",
            $p,
            "password_hash, ",
            $p,
            "role, ",
            $p,
            "first_name, ",
            $p,
            "last_name, ",
            $p,
            "date_of_birth, ",
            $p,
            "created_at, ",
            $p,
            "updated_at, ",
            $p,
            "last_login, ",
            $p,
            "status, ",
            $p,
            "two_factor_enabled, ",
            $p,
            "two_factor_secret, ",
            $p,
            "risk_profile, ",
            $p,
            "education_progress, ",
            $p,
            "preferences, ",
            $p,
            "beta_feedback, ",
            $p,
            "pii_kek_id, ",
            $p,
            "pii_data_key"
        )
    };
}
/// A portfolio with its owner's row and the acting user's standing
/// (`Session::offer_standing`): what a trading call reads first, in one
/// round trip. The portfolio's `id`, `created_at` and `updated_at` come back
/// as `portfolio_id`, `portfolio_created_at` and `portfolio_updated_at`
/// (`portfolios::from_owner_row`); the user's columns keep their names.
/// `$standing` is the standing's expression, `$tail` what follows `WHERE`.
///
/// The positions are read by their own query after the lock: a statement
/// that waited for the lock re-reads only the locked row, so positions
/// joined here could predate the commit it waited for. (The owner's row has
/// the age of a read just before the lock.)
macro_rules! portfolio_with_owner {
    ($standing:expr, $tail:literal) => {
        concat!(
            "SELECT p.id AS portfolio_id, p.user_id, p.name, p.description, \
             p.created_at AS portfolio_created_at, p.updated_at AS portfolio_updated_at, \
             p.cash_balance, p.total_value, p.type, p.risk_score, p.diversification_score, \
             p.guardian_approval, p.volatility_preference, p.performance_metrics, ",
            cols!("u."),
            ", ",
            $standing,
            " AS elson_standing FROM portfolios p JOIN users u ON u.id = p.user_id WHERE p.id = $1",
            $tail
        )
    };
}
/// [`portfolio_with_owner!`]: on PostgreSQL the portfolio row locked, on
/// SQLite not (the write lock is the database's, taken by `BEGIN
/// IMMEDIATE`).
pub(crate) const PORTFOLIO_WITH_OWNER: WithStanding = WithStanding {
    pg: portfolio_with_owner!(standing_pg!(), " FOR UPDATE OF p"),
    sqlite: portfolio_with_owner!(standing_sqlite!("2"), ""),
};
pub(crate) const INSERT: &str = concat!(
    "INSERT INTO users (",
    cols!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
);
pub(crate) const UPDATE: &str = "UPDATE users SET email = $2, password_hash = $3, role = $4, \
     first_name = $5, last_name = $6, date_of_birth = $7, created_at = $8, updated_at = $9, \
     last_login = $10, status = $11, two_factor_enabled = $12, two_factor_secret = $13, \
     risk_profile = $14, education_progress = $15, preferences = $16, beta_feedback = $17, \
     pii_kek_id = $18, pii_data_key = $19 WHERE id = $1";
pub(crate) const GET: &str = concat!("SELECT ", cols!(), " FROM users WHERE id = $1");
/// Every row (a restore checks a whole snapshot).
pub(crate) const ALL: &str = concat!("SELECT ", cols!(), " FROM users");
/// Whether the database holds encrypted PII (one probe of `idx_users_pii_kek_id`).
const ANY_SEALED: &str = "SELECT 1 AS sealed FROM users WHERE pii_kek_id IS NOT NULL LIMIT 1";
/// [`GET`] under the write lock, for the commands.
pub(crate) const LOCKED: crate::commands::LockedGet = crate::commands::LockedGet {
    plain: GET,
    for_update: concat!("SELECT ", cols!(), " FROM users WHERE id = $1 FOR UPDATE"),
};
pub(crate) const AUTH: &str = "SELECT id, password_hash, role, status FROM users WHERE email = $1";
const BY_ROLE_STATUS: &str = concat!(
    "SELECT ",
    cols!(),
    " FROM users WHERE role = $1 AND status = $2 ORDER BY id LIMIT $3 OFFSET $4"
);
const TOUCH_LOGIN: &str = "UPDATE users SET last_login = $2, updated_at = $2 WHERE id = $1";

/// What login needs of a user (the seed's "User Authentication" query).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthRecord {
    /// The user's id.
    pub id: Uuid,
    /// The stored bcrypt hash.
    pub password_hash: String,
    /// The user's role.
    pub role: UserRole,
    /// The user's status; only ACTIVE and BETA_TESTER may log in.
    pub status: UserStatus,
}

/// Repository of `users`; from [`Store::users`].
#[derive(Debug, Clone, Copy)]
pub struct Users<'s> {
    store: &'s Store,
}

/// Email as stored: trimmed and lower case (DESIGN §10).
pub(crate) fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn validate(u: &User) -> Result<(), ElsonError> {
    check::text("email", &u.email, TextLimit::LONG)?;
    if u.email != normalize_email(&u.email) {
        return Err(ElsonError::invalid("email", "must be trimmed and lower case"));
    }
    if !u.email.contains('@') {
        return Err(ElsonError::invalid("email", "must contain @"));
    }
    check::text("password_hash", &u.password_hash, TextLimit::LONG)?;
    check::opt_text("first_name", &u.first_name, TextLimit::NAME)?;
    check::opt_text("last_name", &u.last_name, TextLimit::NAME)?;
    check::opt_text("two_factor_secret", &u.two_factor_secret, TextLimit::LONG)?;
    check::opt_text("beta_feedback", &u.beta_feedback, TextLimit::TEXT)?;
    Ok(())
}

/// PII columns after the cipher, and the row's data key.
struct Sealed {
    first_name: Option<String>,
    last_name: Option<String>,
    date_of_birth: Option<String>,
    two_factor_secret: Option<String>,
    key: Option<WrappedKey>,
}

/// The PII columns, in the order [`Sealed`] and the row readers use.
fn pii_fields(
    first_name: Option<String>,
    last_name: Option<String>,
    date_of_birth: Option<String>,
    two_factor_secret: Option<String>,
) -> [PiiField; 4] {
    [
        PiiField { column: "first_name", value: first_name },
        PiiField { column: "last_name", value: last_name },
        PiiField { column: "date_of_birth", value: date_of_birth },
        PiiField { column: "two_factor_secret", value: two_factor_secret },
    ]
}

impl Users<'_> {
    /// Seals the PII of `u` with a fresh data key (every write of a row
    /// gets a new one, under the current key-encryption key). The date of
    /// birth is sealed as `YYYY-MM-DD` text.
    fn seal(self, u: &User) -> StoreResult<Sealed> {
        let mut fields = pii_fields(
            u.first_name.clone(),
            u.last_name.clone(),
            u.date_of_birth.map(codec::date_to_text),
            u.two_factor_secret.clone(),
        );
        let key = self.store.pii().seal_row(u.id, &mut fields)?;
        let [first_name, last_name, date_of_birth, two_factor_secret] = fields.map(|f| f.value);
        Ok(Sealed { first_name, last_name, date_of_birth, two_factor_secret, key })
    }

    pub(crate) fn row_to_user(self, r: &DbRow) -> StoreResult<User> {
        let id = r.uuid("id")?;
        let mut fields = pii_fields(
            r.opt_text("first_name")?,
            r.opt_text("last_name")?,
            r.opt_text("date_of_birth")?,
            r.opt_text("two_factor_secret")?,
        );
        let key = wrapped_key(r, id)?;
        self.store.pii().open_row(id, key.as_ref(), &mut fields)?;
        let [first_name, last_name, date_of_birth, two_factor_secret] = fields.map(|f| f.value);
        let date_of_birth = date_of_birth
            .map(|d| {
                codec::text_to_date(&d).map_err(|e| {
                    StoreError::storage("decode", format!("column date_of_birth: {e}"))
                })
            })
            .transpose()?;
        Ok(User {
            id,
            email: r.text("email")?,
            password_hash: r.text("password_hash")?,
            role: r.parse("role")?,
            first_name,
            last_name,
            date_of_birth,
            created_at: r.ts("created_at")?,
            updated_at: r.ts("updated_at")?,
            last_login: r.opt_ts("last_login")?,
            status: r.parse("status")?,
            two_factor_enabled: r.bool("two_factor_enabled")?,
            two_factor_secret,
            risk_profile: r.parse("risk_profile")?,
            education_progress: r.opt_json("education_progress")?,
            preferences: r.opt_json("preferences")?,
            beta_feedback: r.opt_text("beta_feedback")?,
        })
    }

    pub(crate) async fn write_in(
        self,
        c: &mut Conn<'_>,
        op: &'static str,
        sql: &'static str,
        u: &User,
    ) -> StoreResult<u64> {
        validate(u)?;
        let sealed = self.seal(u)?;
        let has_pii =
            [&u.first_name, &u.last_name, &u.two_factor_secret].iter().any(|f| f.is_some())
                || u.date_of_birth.is_some();
        if sealed.key.is_none() && has_pii && c.fetch_optional(op, ANY_SEALED, &[]).await?.is_some()
        {
            // A store opened without its key provider on an encrypted
            // database would leave this user's PII in the clear beside
            // everyone else's ciphertext (issue 15 item 8).
            return Err(crate::security::CryptoError::NoKeyProvider {
                operation: "writing personal data into a database that encrypts it",
            }
            .into());
        }
        let args = [
            uuid(u.id),
            text(&u.email),
            text(&u.password_hash),
            enum_text(u.role),
            opt_text(&sealed.first_name),
            opt_text(&sealed.last_name),
            opt_text(&sealed.date_of_birth),
            ts(u.created_at),
            ts(u.updated_at),
            Arg::Ts(u.last_login),
            enum_text(u.status),
            Arg::Bool(u.two_factor_enabled),
            opt_text(&sealed.two_factor_secret),
            enum_text(u.risk_profile),
            Arg::Json(u.education_progress.as_ref()),
            Arg::Json(u.preferences.as_ref()),
            opt_text(&u.beta_feedback),
            Arg::Text(sealed.key.as_ref().map(|k| k.key_id.as_str())),
            Arg::Text(sealed.key.as_ref().map(|k| k.wrapped.as_str())),
        ];
        c.execute(op, sql, &args).await
    }

    /// One user by id.
    ///
    /// # Errors
    /// `NotFound` for an unknown id; `Forbidden` when `authorize` refuses.
    pub async fn get(self, actor: &Actor, id: Uuid) -> StoreResult<User> {
        let call = Call::new("users.get", "get", "users", Some(id));
        let mut s = self.store.session(&call, actor, Mode::Read).await;
        let r = async {
            let s = live(&mut s)?;
            let Some(row) = s.conn().fetch_optional(call.op, GET, &[uuid(id)]).await? else {
                return Err(StoreError::not_found("user", id));
            };
            s.authorize(Action::Read, Resource::User { id }).await?;
            self.row_to_user(&row)
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }

    /// The seed's authentication query: id, hash, role and status by email
    /// (normalized before the lookup). `None` when no user has that email.
    /// Authorized as reading the found user's standing (for a miss: someone
    /// else's), so in practice the system actor or an admin looks up logins.
    ///
    /// # Errors
    /// `Forbidden` when `authorize` refuses.
    pub async fn find_for_login(
        self,
        actor: &Actor,
        email: &str,
    ) -> StoreResult<Option<AuthRecord>> {
        let call = Call::new("users.find_for_login", "query", "users", None);
        let mut s = self.store.session(&call, actor, Mode::Read).await;
        let r = async {
            let s = live(&mut s)?;
            let email = normalize_email(email);
            let row = s.conn().fetch_optional(call.op, AUTH, &[text(&email)]).await?;
            let record = row
                .map(|r| {
                    Ok::<_, StoreError>(AuthRecord {
                        id: r.uuid("id")?,
                        password_hash: r.text("password_hash")?,
                        role: r.parse("role")?,
                        status: r.parse("status")?,
                    })
                })
                .transpose()?;
            let id = record.as_ref().map_or(NOBODY, |a| a.id);
            s.authorize(Action::Read, Resource::UserStanding { id }).await?;
            Ok(record)
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }

    /// Records a successful login at `at`.
    ///
    /// # Errors
    /// `Forbidden` when `authorize` refuses; `NotFound` for an unknown id.
    pub async fn record_login(
        &self,
        actor: &Actor,
        id: Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()> {
        let call = Call::new("users.record_login", "update", "users", Some(id));
        let mut s = self.store.session(&call, actor, Mode::Write).await;
        let r = async {
            let s = live(&mut s)?;
            s.authorize(Action::Update, Resource::User { id }).await?;
            match s.conn().execute(call.op, TOUCH_LOGIN, &[uuid(id), ts(at)]).await? {
                0 => Err(StoreError::not_found("user", id)),
                _ => Ok(()),
            }
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }

    /// Users with a role and status, by id, one page (uses the
    /// `(role, status)` index). Other users' standing: an admin's read.
    ///
    /// # Errors
    /// `InvalidInput` for a limit outside 1–1000 or a negative offset;
    /// `Forbidden` when `authorize` refuses.
    pub async fn list_by_role_status(
        &self,
        actor: &Actor,
        role: UserRole,
        status: UserStatus,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<User>> {
        let call = Call::new("users.list_by_role_status", "list", "users", None);
        let mut s = self.store.session(&call, actor, Mode::Read).await;
        let r = async {
            let s = live(&mut s)?;
            check::page(limit, offset)?;
            s.authorize(Action::Read, Resource::UserStanding { id: NOBODY }).await?;
            let args = [enum_text(role), enum_text(status), Arg::I64(limit), Arg::I64(offset)];
            let rows = s.conn().fetch_all(call.op, BY_ROLE_STATUS, &args).await?;
            rows.iter().map(|r| self.row_to_user(r)).collect()
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }
}

impl Store {
    /// The `users` repository.
    pub fn users(&self) -> Users<'_> {
        Users { store: self }
    }
}
