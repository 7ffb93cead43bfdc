//! Table `volatility_regimes`, and the last-30-readings query.

use elson_core::ElsonError;
use elson_core::entities::VolatilityRegime;
use elson_core::limits::{DecimalLimit, TextLimit};
use uuid::Uuid;

use elson_core::families::{Action, Resource};

use crate::access::{Call, Mode, WithStanding, live, with_standing};
use crate::actor::Actor;
use crate::check;
use crate::db::{Arg, Conn, DbRow, dec, enum_text, opt_enum, text, ts, uuid};
use crate::error::{StoreError, StoreResult};
use crate::store::Store;

macro_rules! cols {
    () => {
        "id, symbol, timestamp, volatility_value, volatility_level, lookback_period, \
         calculation_method, circuit_breaker_state, confidence_score, stabilization_count"
    };
}
pub(crate) const INSERT: &str = concat!(
    "INSERT INTO volatility_regimes (",
    cols!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
);
const GET: &str = concat!("SELECT ", cols!(), " FROM volatility_regimes WHERE id = $1");
/// The seed's "Volatility Tracking" with the actor's standing
/// ([`with_standing!`]).
pub(crate) const RECENT: WithStanding = with_standing!(
    concat!(
        "SELECT ",
        cols!(),
        " FROM volatility_regimes WHERE symbol = $1 ORDER BY timestamp DESC LIMIT 30"
    ),
    "q.timestamp DESC",
    "2"
);

/// Number of readings [`VolatilityRegimes::recent`] returns (the seed's
/// "Volatility Tracking" query).
pub const RECENT_READINGS_MAX: usize = 30;

/// Repository of `volatility_regimes`; from [`Store::volatility_regimes`].
#[derive(Debug, Clone, Copy)]
pub struct VolatilityRegimes<'s> {
    store: &'s Store,
}

fn validate(v: &VolatilityRegime) -> Result<(), ElsonError> {
    check::text("symbol", &v.symbol, TextLimit::SYMBOL)?;
    check::dec("volatility_value", v.volatility_value, DecimalLimit::RATIO)?;
    check::dec("confidence_score", v.confidence_score, DecimalLimit::UNIT_FRACTION)?;
    if v.lookback_period < 1 {
        return Err(ElsonError::invalid("lookback_period", "must be at least 1"));
    }
    if v.stabilization_count < 1 {
        return Err(ElsonError::invalid("stabilization_count", "must be at least 1"));
    }
    Ok(())
}

pub(crate) fn args(v: &VolatilityRegime) -> [Arg<'_>; 10] {
    [
        uuid(v.id),
        text(&v.symbol),
        ts(v.timestamp),
        dec("volatility_value", v.volatility_value, DecimalLimit::RATIO),
        enum_text(v.volatility_level),
        Arg::I32(Some(v.lookback_period)),
        enum_text(v.calculation_method),
        opt_enum(v.circuit_breaker_state),
        dec("confidence_score", v.confidence_score, DecimalLimit::UNIT_FRACTION),
        Arg::I32(Some(v.stabilization_count)),
    ]
}

/// Validates and inserts on an open connection (inside a caller's transaction).
pub(crate) async fn insert_in(c: &mut Conn<'_>, v: &VolatilityRegime) -> StoreResult<()> {
    validate(v)?;
    c.execute("volatility_regimes.insert", INSERT, &args(v)).await?;
    Ok(())
}

fn from_row(r: &DbRow) -> StoreResult<VolatilityRegime> {
    Ok(VolatilityRegime {
        id: r.uuid("id")?,
        symbol: r.text("symbol")?,
        timestamp: r.ts("timestamp")?,
        volatility_value: r.dec("volatility_value", DecimalLimit::RATIO)?,
        volatility_level: r.parse("volatility_level")?,
        lookback_period: r.i32("lookback_period")?,
        calculation_method: r.parse("calculation_method")?,
        circuit_breaker_state: r.opt_parse("circuit_breaker_state")?,
        confidence_score: r.dec("confidence_score", DecimalLimit::UNIT_FRACTION)?,
        stabilization_count: r.i32("stabilization_count")?,
    })
}

impl VolatilityRegimes<'_> {
    /// Appends a regime reading. The database refuses a reading whose level
    /// differs from the symbol's previous reading unless its
    /// `stabilization_count` is at least 3 (DESIGN §5).
    ///
    /// # Errors
    /// `InvalidInput` for a value that does not fit or an unstabilized
    /// regime change, `Conflict` for a reused id.
    pub async fn insert(self, actor: &Actor, v: &VolatilityRegime) -> StoreResult<()> {
        let call =
            Call::new("volatility_regimes.insert", "insert", "volatility_regimes", Some(v.id));
        let mut s = self.store.session(&call, actor, Mode::Write).await;
        let r = async {
            let s = live(&mut s)?;
            s.authorize(Action::Create, Resource::VolatilityRegime).await?;
            insert_in(&mut s.conn(), v).await
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }

    /// One reading by id.
    ///
    /// # Errors
    /// `NotFound` for an unknown id.
    pub async fn get(self, actor: &Actor, id: Uuid) -> StoreResult<VolatilityRegime> {
        let call = Call::new("volatility_regimes.get", "get", "volatility_regimes", Some(id));
        let mut s = self.store.session(&call, actor, Mode::Read).await;
        let r = async {
            let s = live(&mut s)?;
            s.authorize(Action::Read, Resource::VolatilityRegime).await?;
            match s.conn().fetch_optional(call.op, GET, &[uuid(id)]).await? {
                Some(row) => from_row(&row),
                None => Err(StoreError::not_found("volatility_regime", id)),
            }
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }

    /// The seed's "Volatility Tracking": the last
    /// [`RECENT_READINGS_MAX`] readings of a symbol, newest first.
    ///
    /// # Errors
    /// Only storage failures.
    pub async fn recent(self, actor: &Actor, symbol: &str) -> StoreResult<Vec<VolatilityRegime>> {
        let call = Call::new("volatility_regimes.recent", "query", "volatility_regimes", None);
        let mut s = self.store.session(&call, actor, Mode::Read).await;
        let r = async {
            let s = live(&mut s)?;
            // One round trip: the readings and the actor's standing;
            // nothing leaves before `authorize` agrees.
            let rows = s.fetch_all_with_standing(call.op, RECENT, &[text(symbol)]).await?;
            s.authorize(Action::Read, Resource::VolatilityRegime).await?;
            rows.iter().map(from_row).collect()
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }
}

impl Store {
    /// The `volatility_regimes` repository.
    pub fn volatility_regimes(&self) -> VolatilityRegimes<'_> {
        VolatilityRegimes { store: self }
    }
}
