//! [`ParameterSet`]: effective-dated lookup over `model_parameters` rows.

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::defaults::{BUILTIN_CREATOR, builtin_rows};
use crate::entities::ModelParameter;
use crate::enums::VolatilityLevel;
use crate::error::{ElsonError, Result};
use crate::limits::{DecimalLimit, TextLimit};

/// One row's validity `[from, to)` and value, as stored in the index.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Span {
    from: DateTime<Utc>,
    /// `None` = open end.
    to: Option<DateTime<Utc>>,
    value: Decimal,
    /// Index of the row in [`Layer::rows`].
    row: usize,
}

impl Span {
    fn contains(&self, at: DateTime<Utc>) -> bool {
        self.from <= at && self.to.is_none_or(|to| at < to)
    }
}

/// `[from, to)` for messages; `to = None` prints as `open`.
struct Interval(DateTime<Utc>, Option<DateTime<Utc>>);

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {
            Some(to) => write!(f, "[{}, {})", rfc3339(self.0), rfc3339(to)),
            None => write!(f, "[{}, open)", rfc3339(self.0)),
        }
    }
}

/// RFC 3339 with `Z`, as the shared vectors write timestamps.
fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// Spans of one key, one list per level, each sorted by `from`.
type PerLevel = [Vec<Span>; 4];

/// A set of rows indexed by type → name → level, with spans sorted by
/// start, so a lookup is two hash probes (by `&str`, no allocation) and one
/// binary search.
#[derive(Debug, Clone, Default)]
struct Layer {
    rows: Vec<ModelParameter>,
    index: HashMap<String, HashMap<String, PerLevel>>,
}

const fn level_slot(level: VolatilityLevel) -> usize {
    match level {
        VolatilityLevel::Low => 0,
        VolatilityLevel::Normal => 1,
        VolatilityLevel::High => 2,
        VolatilityLevel::Extreme => 3,
    }
}

impl Layer {
    /// Indexes `rows` without validating them (the caller has).
    fn index(rows: Vec<ModelParameter>) -> Layer {
        let mut index: HashMap<String, HashMap<String, PerLevel>> = HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            let spans = &mut index
                .entry(r.parameter_type.clone())
                .or_default()
                .entry(r.parameter_name.clone())
                .or_default()[level_slot(r.volatility_level)];
            spans.push(Span {
                from: r.effective_from,
                to: r.effective_to,
                value: r.parameter_value,
                row: i,
            });
        }
        for per_level in index.values_mut().flat_map(|names| names.values_mut()) {
            for spans in per_level.iter_mut() {
                spans.sort_by_key(|s| s.from);
            }
        }
        Layer { rows, index }
    }

    /// Refuses two rows of one key whose intervals overlap. Spans are
    /// sorted by start, so checking neighbours is enough: if `a` ends before
    /// `b` starts and `b` starts before `c`, then `a` ends before `c` starts.
    fn check_overlaps(&self) -> Result<()> {
        for (parameter_type, names) in &self.index {
            for (parameter_name, per_level) in names {
                for (level, spans) in VolatilityLevel::ALL.iter().zip(per_level) {
                    for pair in spans.windows(2) {
                        let (a, b) = (&pair[0], &pair[1]);
                        if a.to.is_none_or(|a_to| b.from < a_to) {
                            return Err(ElsonError::Conflict {
                                reason: format!(
                                    "model_parameters for ({level}, {parameter_type}, \
                                     {parameter_name}) overlap: {} and {}",
                                    Interval(a.from, a.to),
                                    Interval(b.from, b.to)
                                ),
                            });
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn find(
        &self,
        level: VolatilityLevel,
        parameter_type: &str,
        parameter_name: &str,
        at: DateTime<Utc>,
    ) -> Option<&Span> {
        let spans = &self.index.get(parameter_type)?.get(parameter_name)?[level_slot(level)];
        // Last span starting at or before `at`; non-overlapping, so it is
        // the only candidate.
        let after = spans.partition_point(|s| s.from <= at);
        let span = spans.get(after.checked_sub(1)?)?;
        span.contains(at).then_some(span)
    }
}

/// Built once per process: the defaults never change at run time.
static BUILTINS: LazyLock<Layer> = LazyLock::new(|| Layer::index(builtin_rows()));

/// Effective-dated model parameters (DESIGN §7): the value for
/// (level, type, name) at `t` is the row with `effective_from ≤ t <
/// effective_to` (open end when `None`).
///
/// Two layers: caller rows ("overrides", e.g. loaded from
/// `model_parameters`) and, unless built with [`ParameterSet::from_rows`],
/// the built-in defaults of [`super::defaults`]. An override answers for its
/// interval; outside it the built-in answers. Overlapping intervals for the
/// same key are refused among the caller's rows.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use elson_core::entities::ModelParameter;
/// use elson_core::enums::VolatilityLevel::Normal;
/// use elson_core::params::{ParameterSet, defaults::types};
/// use rust_decimal::Decimal;
/// use uuid::Uuid;
///
/// let t1 = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
/// let row = ModelParameter {
///     id: Uuid::nil(),
///     volatility_level: Normal,
///     parameter_type: types::POSITION_SIZING.into(),
///     parameter_name: "CLOSED".into(),
///     parameter_value: Decimal::new(75, 2),
///     effective_from: t1,
///     effective_to: None,
///     created_by: "risk-team".into(),
///     created_at: t1,
///     updated_at: t1,
///     description: None,
/// };
/// let params = ParameterSet::with_overrides([row])?;
/// let before = t1 - chrono::Duration::seconds(1);
/// assert_eq!(params.value(Normal, "position_sizing", "CLOSED", before), Some(Decimal::new(90, 2)));
/// assert_eq!(params.value(Normal, "position_sizing", "CLOSED", t1), Some(Decimal::new(75, 2)));
/// # Ok::<(), elson_core::ElsonError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ParameterSet {
    overrides: Layer,
    use_builtins: bool,
}

impl Default for ParameterSet {
    /// The built-in defaults only.
    fn default() -> Self {
        ParameterSet::builtin()
    }
}

impl ParameterSet {
    /// The built-in defaults alone (DESIGN §5–§7).
    pub fn builtin() -> ParameterSet {
        ParameterSet { overrides: Layer::default(), use_builtins: true }
    }

    /// The built-in defaults overridden by `rows` where a row is in force.
    ///
    /// A row that merely repeats a built-in (`created_by = "builtin"`, same
    /// key, value and interval — what a database seeded from
    /// [`super::defaults::builtin_rows`] returns) is skipped, so loading every
    /// stored row back is safe.
    ///
    /// # Errors
    /// - [`ElsonError::InvalidInput`] for a row whose `effective_to` is not
    ///   after its `effective_from`, whose value does not fit DECIMAL(15,6),
    ///   or whose type/name/creator is empty or too long (field
    ///   `model_parameters[i].<column>`).
    /// - [`ElsonError::Conflict`] when two rows of one key overlap, naming
    ///   the key and both intervals.
    pub fn with_overrides(rows: impl IntoIterator<Item = ModelParameter>) -> Result<ParameterSet> {
        let rows = rows.into_iter().filter(|r| !repeats_builtin(r)).collect();
        Ok(ParameterSet { overrides: validated(rows)?, use_builtins: true })
    }

    /// Exactly `rows`, without the built-in defaults: a key no row covers
    /// at `t` has no value.
    ///
    /// # Errors
    /// As [`ParameterSet::with_overrides`].
    pub fn from_rows(rows: impl IntoIterator<Item = ModelParameter>) -> Result<ParameterSet> {
        Ok(ParameterSet { overrides: validated(rows.into_iter().collect())?, use_builtins: false })
    }

    /// The value for (level, type, name) at `at`, or `None` when no row is
    /// in force then.
    pub fn value(
        &self,
        level: VolatilityLevel,
        parameter_type: &str,
        parameter_name: &str,
        at: DateTime<Utc>,
    ) -> Option<Decimal> {
        self.find(level, parameter_type, parameter_name, at).map(|(span, _)| span.value)
    }

    /// The row in force for (level, type, name) at `at` — to show who set a
    /// value and why.
    pub fn row(
        &self,
        level: VolatilityLevel,
        parameter_type: &str,
        parameter_name: &str,
        at: DateTime<Utc>,
    ) -> Option<&ModelParameter> {
        self.find(level, parameter_type, parameter_name, at)
            .and_then(|(span, layer)| layer.rows.get(span.row))
    }

    /// Like [`ParameterSet::value`], for callers that cannot go on without
    /// the value.
    ///
    /// # Errors
    /// [`ElsonError::NotFound`] (entity `model_parameter`, id
    /// `"(LEVEL, type, name) at <time>"`) when no row is in force.
    pub fn require(
        &self,
        level: VolatilityLevel,
        parameter_type: &str,
        parameter_name: &str,
        at: DateTime<Utc>,
    ) -> Result<Decimal> {
        self.value(level, parameter_type, parameter_name, at).ok_or_else(|| ElsonError::NotFound {
            entity: "model_parameter".to_owned(),
            id: format!("({level}, {parameter_type}, {parameter_name}) at {}", rfc3339(at)),
        })
    }

    /// The caller's rows (not the built-ins), in input order.
    pub fn overrides(&self) -> &[ModelParameter] {
        &self.overrides.rows
    }

    /// Whether lookups fall back to the built-in defaults.
    pub fn uses_builtins(&self) -> bool {
        self.use_builtins
    }

    fn find(
        &self,
        level: VolatilityLevel,
        parameter_type: &str,
        parameter_name: &str,
        at: DateTime<Utc>,
    ) -> Option<(&Span, &Layer)> {
        if let Some(span) = self.overrides.find(level, parameter_type, parameter_name, at) {
            return Some((span, &self.overrides));
        }
        if !self.use_builtins {
            return None;
        }
        let builtins: &Layer = &BUILTINS;
        builtins.find(level, parameter_type, parameter_name, at).map(|span| (span, builtins))
    }
}

/// Whether `row` is a copy of a built-in row (seeded into a database and
/// read back).
fn repeats_builtin(row: &ModelParameter) -> bool {
    row.created_by == BUILTIN_CREATOR
        && BUILTINS
            .find(
                row.volatility_level,
                &row.parameter_type,
                &row.parameter_name,
                row.effective_from,
            )
            .is_some_and(|s| {
                s.from == row.effective_from
                    && s.to == row.effective_to
                    && s.value == row.parameter_value
            })
}

/// Checks every row's columns and interval, then indexes and checks overlaps.
fn validated(rows: Vec<ModelParameter>) -> Result<Layer> {
    for (i, r) in rows.iter().enumerate() {
        let field = |column: &str| format!("model_parameters[{i}].{column}");
        TextLimit::SHORT.identifier().check(&field("parameter_type"), &r.parameter_type)?;
        TextLimit::NAME.identifier().check(&field("parameter_name"), &r.parameter_name)?;
        TextLimit::NAME.check(&field("created_by"), &r.created_by)?;
        DecimalLimit::PARAMETER.check(&field("parameter_value"), r.parameter_value)?;
        if let Some(to) = r.effective_to
            && to <= r.effective_from
        {
            return Err(ElsonError::invalid(
                field("effective_to"),
                format!(
                    "{} is not after effective_from {}",
                    rfc3339(to),
                    rfc3339(r.effective_from)
                ),
            ));
        }
    }
    let layer = Layer::index(rows);
    layer.check_overlaps()?;
    Ok(layer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_do_not_overlap() {
        assert!(BUILTINS.check_overlaps().is_ok());
        assert!(ParameterSet::from_rows(builtin_rows()).is_ok());
    }

    #[test]
    fn seeded_builtins_read_back_are_skipped() {
        let set = ParameterSet::with_overrides(builtin_rows()).unwrap();
        assert!(set.overrides().is_empty());
    }
}
