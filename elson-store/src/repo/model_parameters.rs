//! Table `model_parameters`: effective-dated overrides of the core's
//! defaults.

use chrono::{DateTime, Utc};
use elson_core::ElsonError;
use elson_core::entities::ModelParameter;
use elson_core::enums::VolatilityLevel;
use elson_core::limits::{DecimalLimit, TextLimit};
use uuid::Uuid;

use elson_core::families::{Action, Resource};

use crate::access::{Call, Mode, live};
use crate::actor::Actor;
use crate::check;
use crate::db::{Arg, DbRow, dec, enum_text, opt_text, text, ts, uuid};
use crate::error::{StoreError, StoreResult};
use crate::store::Store;

macro_rules! cols {
    () => {
        "id, volatility_level, parameter_type, parameter_name, parameter_value, effective_from, \
         effective_to, created_by, created_at, updated_at, description"
    };
}
const INSERT: &str = concat!(
    "INSERT INTO model_parameters (",
    cols!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
);
const UPDATE: &str = "UPDATE model_parameters SET volatility_level = $2, parameter_type = $3, \
     parameter_name = $4, parameter_value = $5, effective_from = $6, effective_to = $7, \
     created_by = $8, created_at = $9, updated_at = $10, description = $11 WHERE id = $1";
const GET: &str = concat!("SELECT ", cols!(), " FROM model_parameters WHERE id = $1");
// Two intervals [a, b) and [c, d) overlap when a < d and c < b (open ends = +∞).
const OVERLAPPING: &str = "SELECT id FROM model_parameters \
     WHERE volatility_level = $1 AND parameter_type = $2 AND parameter_name = $3 AND id <> $4 \
     AND ($6 IS NULL OR effective_from < $6) AND (effective_to IS NULL OR effective_to > $5) \
     LIMIT 1";
const FOR_KEY: &str = concat!(
    "SELECT ",
    cols!(),
    " FROM model_parameters WHERE volatility_level = $1 AND parameter_type = $2 \
     AND parameter_name = $3 ORDER BY effective_from"
);

/// Repository of `model_parameters`; from [`Store::model_parameters`].
#[derive(Debug, Clone, Copy)]
pub struct ModelParameters<'s> {
    store: &'s Store,
}

fn validate(m: &ModelParameter) -> Result<(), ElsonError> {
    check::text("parameter_type", &m.parameter_type, TextLimit::SHORT.identifier())?;
    check::text("parameter_name", &m.parameter_name, TextLimit::NAME.identifier())?;
    check::dec("parameter_value", m.parameter_value, DecimalLimit::PARAMETER)?;
    check::text("created_by", &m.created_by, TextLimit::NAME)?;
    check::opt_text("description", &m.description, TextLimit::TEXT)?;
    if let Some(to) = m.effective_to
        && to <= m.effective_from
    {
        return Err(ElsonError::invalid("effective_to", "must be after effective_from"));
    }
    Ok(())
}

fn from_row(r: &DbRow) -> StoreResult<ModelParameter> {
    Ok(ModelParameter {
        id: r.uuid("id")?,
        volatility_level: r.parse("volatility_level")?,
        parameter_type: r.text("parameter_type")?,
        parameter_name: r.text("parameter_name")?,
        parameter_value: r.dec("parameter_value", DecimalLimit::PARAMETER)?,
        effective_from: r.ts("effective_from")?,
        effective_to: r.opt_ts("effective_to")?,
        created_by: r.text("created_by")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
        description: r.opt_text("description")?,
    })
}

impl ModelParameters<'_> {
    /// Writes a row after checking, in the same transaction, that no other
    /// row for the same (level, type, name) overlaps its validity interval;
    /// `action` is authorized first.
    async fn write(
        self,
        actor: &Actor,
        call: Call,
        action: Action,
        sql: &'static str,
        m: &ModelParameter,
    ) -> StoreResult<u64> {
        let op = call.op;
        let mut s = self.store.session(&call, actor, Mode::Write).await;
        let r = async {
            let tx = live(&mut s)?;
            tx.authorize(action, Resource::ModelParameter).await?;
            self.write_in(tx, op, sql, m).await
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }

    async fn write_in(
        self,
        tx: &mut crate::access::Session,
        op: &'static str,
        sql: &'static str,
        m: &ModelParameter,
    ) -> StoreResult<u64> {
        validate(m)?;
        let probe = [
            enum_text(m.volatility_level),
            text(&m.parameter_type),
            text(&m.parameter_name),
            uuid(m.id),
            ts(m.effective_from),
            Arg::Ts(m.effective_to),
        ];
        if let Some(row) = tx.conn().fetch_optional(op, OVERLAPPING, &probe).await? {
            let other = row.uuid("id")?;
            return Err(ElsonError::Conflict {
                reason: format!("validity interval overlaps model parameter {other}"),
            }
            .into());
        }
        let args = [
            uuid(m.id),
            enum_text(m.volatility_level),
            text(&m.parameter_type),
            text(&m.parameter_name),
            dec("parameter_value", m.parameter_value, DecimalLimit::PARAMETER),
            ts(m.effective_from),
            Arg::Ts(m.effective_to),
            text(&m.created_by),
            ts(m.created_at),
            ts(m.updated_at),
            opt_text(&m.description),
        ];
        tx.conn().execute(op, sql, &args).await
    }

    /// Inserts a parameter row.
    ///
    /// # Errors
    /// `InvalidInput` for a value that does not fit or an empty interval,
    /// `Conflict` when the interval overlaps another row of the same key or
    /// the id is reused.
    pub async fn insert(self, actor: &Actor, m: &ModelParameter) -> StoreResult<()> {
        let call = Call::new("model_parameters.insert", "insert", "model_parameters", Some(m.id));
        self.write(actor, call, Action::Create, INSERT, m).await.map(|_| ())
    }

    /// Replaces every column of an existing row (e.g. to close its interval).
    ///
    /// # Errors
    /// `NotFound` for an unknown id; otherwise as [`ModelParameters::insert`].
    pub async fn update(self, actor: &Actor, m: &ModelParameter) -> StoreResult<()> {
        let call = Call::new("model_parameters.update", "update", "model_parameters", Some(m.id));
        match self.write(actor, call, Action::Update, UPDATE, m).await? {
            0 => Err(StoreError::not_found("model_parameter", m.id)),
            _ => Ok(()),
        }
    }

    /// One row by id.
    ///
    /// # Errors
    /// `NotFound` for an unknown id.
    pub async fn get(self, actor: &Actor, id: Uuid) -> StoreResult<ModelParameter> {
        let call = Call::new("model_parameters.get", "get", "model_parameters", Some(id));
        let mut s = self.store.session(&call, actor, Mode::Read).await;
        let r = async {
            let s = live(&mut s)?;
            s.authorize(Action::Read, Resource::ModelParameter).await?;
            match s.conn().fetch_optional(call.op, GET, &[uuid(id)]).await? {
                Some(row) => from_row(&row),
                None => Err(StoreError::not_found("model_parameter", id)),
            }
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }

    /// Every row of one key, by `effective_from`; the core picks the one in
    /// effect at a time.
    ///
    /// # Errors
    /// Only storage failures.
    pub async fn list_for_key(
        &self,
        actor: &Actor,
        level: VolatilityLevel,
        parameter_type: &str,
        parameter_name: &str,
    ) -> StoreResult<Vec<ModelParameter>> {
        let call = Call::new("model_parameters.list_for_key", "list", "model_parameters", None);
        let mut s = self.store.session(&call, actor, Mode::Read).await;
        let r = async {
            let s = live(&mut s)?;
            s.authorize(Action::Read, Resource::ModelParameter).await?;
            let args = [enum_text(level), text(parameter_type), text(parameter_name)];
            let rows = s.conn().fetch_all(call.op, FOR_KEY, &args).await?;
            rows.iter().map(from_row).collect()
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }

    /// The row of one key in effect at `at` (`effective_from ≤ at <
    /// effective_to`), if any.
    ///
    /// # Errors
    /// Only storage failures.
    pub async fn effective_at(
        &self,
        actor: &Actor,
        level: VolatilityLevel,
        parameter_type: &str,
        parameter_name: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<ModelParameter>> {
        let rows = self.list_for_key(actor, level, parameter_type, parameter_name).await?;
        Ok(rows
            .into_iter()
            .find(|m| m.effective_from <= at && m.effective_to.is_none_or(|to| at < to)))
    }
}

impl Store {
    /// The `model_parameters` repository.
    pub fn model_parameters(&self) -> ModelParameters<'_> {
        ModelParameters { store: self }
    }
}
