//! One breaker: the graduated state machine of DESIGN §6 for one scope.

use chrono::{DateTime, Days, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::config::BreakerConfig;
use super::event::{BreakerEvent, Transition, TransitionReason};
use super::scope::Scope;
use crate::enums::{CircuitBreakerState, UserRole, VolatilityLevel};
use crate::error::{ElsonError, Result};
use crate::limits::DecimalLimit;

use CircuitBreakerState::{Cautious, Closed, Open, Restricted};

/// The state a stabilized regime demands (DESIGN §6).
///
/// ```
/// use elson_core::breaker::state_for_regime;
/// use elson_core::enums::{CircuitBreakerState, VolatilityLevel};
/// assert_eq!(state_for_regime(VolatilityLevel::High), CircuitBreakerState::Restricted);
/// ```
pub const fn state_for_regime(level: VolatilityLevel) -> CircuitBreakerState {
    match level {
        VolatilityLevel::Low => Closed,
        VolatilityLevel::Normal => Cautious,
        VolatilityLevel::High => Restricted,
        VolatilityLevel::Extreme => Open,
    }
}

/// What the triggers of a breaker remember between events. Each trigger
/// contributes a demanded state; the breaker is never below the most severe.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Triggers {
    /// Last stabilized regime read (symbol scope).
    regime: Option<VolatilityLevel>,
    /// The daily-loss trip demands OPEN while `now < loss_hold_until`.
    loss_hold_until: Option<DateTime<Utc>>,
    /// Consecutive execution failures since the last success, trip or reset.
    failures_consecutive: u32,
    /// The failure trip demands OPEN while `now < failure_hold_until`.
    failure_hold_until: Option<DateTime<Utc>>,
    /// An ADMIN's hold, until a manual reset.
    manual_hold: Option<CircuitBreakerState>,
}

impl Triggers {
    /// The demand that does not expire by itself: regime and manual hold.
    fn standing_demand(&self) -> CircuitBreakerState {
        let regime = self.regime.map_or(Closed, state_for_regime);
        regime.max(self.manual_hold.unwrap_or(Closed))
    }

    /// When the timed holds (loss, failures) stop demanding OPEN.
    fn holds_until(&self) -> Option<DateTime<Utc>> {
        self.loss_hold_until.max(self.failure_hold_until)
    }

    /// Everything demanded at `t`.
    fn demand_at(&self, t: DateTime<Utc>) -> CircuitBreakerState {
        let held = self.holds_until().is_some_and(|until| t < until);
        if held { Open } else { self.standing_demand() }
    }
}

/// What an event does to the triggers, decided before anything changes.
struct Update {
    triggers: Triggers,
    /// What this event itself demands at `now` (CLOSED when nothing).
    demand: CircuitBreakerState,
    /// The reason recorded if this event escalates the breaker.
    reason: TransitionReason,
}

/// The move the table asks for, given the current and the demanded state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Move {
    Stay,
    /// Straight to the demanded state, now.
    Escalate(CircuitBreakerState),
    /// One state down, once the current state's cool-down has passed.
    StepDown(CircuitBreakerState),
}

/// The (state, demanded state) table of DESIGN §6. Every event is a fact
/// and is legal in every state; what depends on the state is only the
/// move, so the event is first reduced to the state its triggers demand.
/// Exhaustive on purpose: no wildcard, so a new state cannot slip through.
const fn table(current: CircuitBreakerState, demanded: CircuitBreakerState) -> Move {
    match (current, demanded) {
        (Closed, Closed) => Move::Stay,
        (Closed, to @ (Cautious | Restricted | Open)) => Move::Escalate(to),
        (Cautious, Closed) => Move::StepDown(Closed),
        (Cautious, Cautious) => Move::Stay,
        (Cautious, to @ (Restricted | Open)) => Move::Escalate(to),
        // Trigger fully cleared, still only one step: nothing jumps two states down.
        (Restricted, Closed) => Move::StepDown(Cautious),
        (Restricted, Cautious) => Move::StepDown(Cautious),
        (Restricted, Restricted) => Move::Stay,
        (Restricted, Open) => Move::Escalate(Open),
        // Leaving OPEN always passes RESTRICTED, whatever the trigger now says.
        (Open, Closed | Cautious) => Move::StepDown(Restricted),
        (Open, Restricted) => Move::StepDown(Restricted),
        (Open, Open) => Move::Stay,
    }
}

/// The breaker of one scope: a value you step with events and times.
///
/// Starts CLOSED with no trigger. [`Breaker::step`] is atomic: on error the
/// breaker is unchanged.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc, TimeDelta};
/// use elson_core::breaker::{Breaker, BreakerConfig, BreakerEvent, Scope};
/// use elson_core::enums::{CircuitBreakerState as S, VolatilityLevel as V};
///
/// let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 14, 0, 0).unwrap();
/// let mut b = Breaker::new(Scope::Symbol("AAPL".into()), BreakerConfig::default()).unwrap();
/// b.step(&BreakerEvent::Regime { level: V::Extreme }, t0).unwrap();
/// assert_eq!(b.state(), S::Open); // escalation is immediate
/// b.step(&BreakerEvent::Regime { level: V::Low }, t0 + TimeDelta::minutes(5)).unwrap();
/// assert_eq!(b.state(), S::Open); // OPEN's 90-minute cool-down has not passed
/// let moves = b.step(&BreakerEvent::Tick, t0 + TimeDelta::hours(3)).unwrap();
/// // one state at a time, each after its own cool-down: 90 + 45 + 20 minutes
/// assert_eq!(moves.len(), 3);
/// assert_eq!(moves[0].at, t0 + TimeDelta::minutes(90));
/// assert_eq!(moves[2].at, t0 + TimeDelta::minutes(155));
/// assert_eq!(b.state(), S::Closed);
/// ```
///
/// # Persistence
/// A breaker serializes to JSON (`scope`, `config`, `state`, `entered_at`,
/// `last_event_at`, `triggers`) so a store can keep it between processes.
/// Deserializing checks the invariants a [`Breaker::step`] keeps, and
/// refuses a record that breaks one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "BreakerRecord")]
pub struct Breaker {
    scope: Scope,
    config: BreakerConfig,
    state: CircuitBreakerState,
    /// When the current state was entered; `None` only for the initial CLOSED.
    entered_at: Option<DateTime<Utc>>,
    /// Time of the last accepted event; time never goes back.
    last_event_at: Option<DateTime<Utc>>,
    triggers: Triggers,
}

/// The pure form of DESIGN §6: `step(state, event, now) → (state, transitions)`.
/// The input breaker is not modified.
///
/// # Errors
/// As [`Breaker::step`].
pub fn step(
    breaker: &Breaker,
    event: &BreakerEvent,
    now: DateTime<Utc>,
) -> Result<(Breaker, Vec<Transition>)> {
    let mut next = breaker.clone();
    let transitions = next.step(event, now)?;
    Ok((next, transitions))
}

/// The unchecked wire form of a [`Breaker`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BreakerRecord {
    scope: Scope,
    config: BreakerConfig,
    state: CircuitBreakerState,
    entered_at: Option<DateTime<Utc>>,
    last_event_at: Option<DateTime<Utc>>,
    triggers: Triggers,
}

impl TryFrom<BreakerRecord> for Breaker {
    type Error = ElsonError;

    fn try_from(r: BreakerRecord) -> Result<Self> {
        r.scope.validate()?;
        r.config.validate()?;
        let broken = |why: &str| Err(ElsonError::invalid("breaker", why.to_string()));
        if r.entered_at.is_none() && r.state != Closed {
            return broken("a state other than CLOSED needs entered_at");
        }
        match (r.entered_at, r.last_event_at) {
            (Some(_), None) => return broken("entered_at needs last_event_at"),
            (Some(entered), Some(last)) if entered > last => {
                return broken("entered_at is later than last_event_at");
            }
            (None | Some(_), _) => {}
        }
        if r.triggers.manual_hold == Some(Closed) {
            return broken("a manual hold cannot be CLOSED");
        }
        if r.triggers.failures_consecutive >= r.config.failure_trip_count {
            return broken("failures_consecutive has reached the trip count without tripping");
        }
        if let Some(last) = r.last_event_at
            && r.state < r.triggers.demand_at(last)
        {
            return broken("the state is below what its triggers demand");
        }
        Ok(Breaker {
            scope: r.scope,
            config: r.config,
            state: r.state,
            entered_at: r.entered_at,
            last_event_at: r.last_event_at,
            triggers: r.triggers,
        })
    }
}

impl Breaker {
    /// A CLOSED breaker for `scope` with no trigger in force.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] for an invalid symbol scope or config
    /// (see [`Scope::validate`], [`BreakerConfig::validate`]).
    pub fn new(scope: Scope, config: BreakerConfig) -> Result<Self> {
        scope.validate()?;
        config.validate()?;
        Ok(Breaker {
            scope,
            config,
            state: Closed,
            entered_at: None,
            last_event_at: None,
            triggers: Triggers::default(),
        })
    }

    /// The scope this breaker watches.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The settings it runs on.
    pub fn config(&self) -> &BreakerConfig {
        &self.config
    }

    /// The current state, as of the last event. Step a
    /// [`BreakerEvent::Tick`] first if recovery may have come due since.
    pub fn state(&self) -> CircuitBreakerState {
        self.state
    }

    /// When the current state was entered (`None` for a breaker that never
    /// left its initial CLOSED).
    pub fn entered_at(&self) -> Option<DateTime<Utc>> {
        self.entered_at
    }

    /// Time of the last accepted event.
    pub fn last_event_at(&self) -> Option<DateTime<Utc>> {
        self.last_event_at
    }

    /// The state the triggers demand at `t` (the breaker may be above it
    /// while cooling down, never below it).
    pub fn demand_at(&self, t: DateTime<Utc>) -> CircuitBreakerState {
        self.triggers.demand_at(t)
    }

    /// The last stabilized regime read, if any.
    pub fn regime(&self) -> Option<VolatilityLevel> {
        self.triggers.regime
    }

    /// Consecutive execution failures counted towards the next trip.
    pub fn failures_consecutive(&self) -> u32 {
        self.triggers.failures_consecutive
    }

    /// The ADMIN's hold, if one is in force.
    pub fn manual_hold(&self) -> Option<CircuitBreakerState> {
        self.triggers.manual_hold
    }

    /// Until when the daily-loss trip demands OPEN (next UTC midnight after it fired).
    pub fn loss_hold_until(&self) -> Option<DateTime<Utc>> {
        self.triggers.loss_hold_until
    }

    /// Until when the execution-failure trip demands OPEN (one OPEN
    /// cool-down after it fired).
    pub fn failure_hold_until(&self) -> Option<DateTime<Utc>> {
        self.triggers.failure_hold_until
    }

    /// Feeds one event at `now` and returns the transitions it caused, in
    /// time order: first any recovery steps that came due since the last
    /// event (stamped with the time each came due), then the event's own
    /// escalation or recovery step at `now`.
    ///
    /// # Errors
    /// - [`ElsonError::InvalidInput`] (field `now`) when `now` is earlier than
    ///   the previous event: time never goes back.
    /// - [`ElsonError::InvalidInput`] (field `event`) for an event that does not
    ///   belong to this scope (REGIME or EXECUTION_* on a non-symbol scope,
    ///   PORTFOLIO_VALUE on a non-portfolio scope), or (field `level`) a
    ///   manual trip to CLOSED.
    /// - [`ElsonError::InvalidInput`] (fields `day_open_value`, `current_value`)
    ///   for a non-positive opening value, a negative current value or a
    ///   value that does not fit DECIMAL(15,2).
    /// - [`ElsonError::Forbidden`] for a manual trip or reset by anyone but an ADMIN.
    pub fn step(&mut self, event: &BreakerEvent, now: DateTime<Utc>) -> Result<Vec<Transition>> {
        if let Some(last) = self.last_event_at
            && now < last
        {
            return Err(ElsonError::invalid(
                "now",
                format!("{now} is earlier than the previous event at {last}"),
            ));
        }
        let update = self.interpret(event, now)?;

        // After this point it must succeed.
        let mut transitions = Vec::new();
        self.recover_until(now, &mut transitions);
        self.triggers = update.triggers;
        self.last_event_at = Some(now);
        let demanded = self.triggers.demand_at(now).max(update.demand);
        if let Move::Escalate(to) = table(self.state, demanded) {
            self.enter(to, update.reason, now, &mut transitions);
        }
        // A step may be due at `now` itself: the event cleared a trigger, or
        // (with zero cool-downs) a momentary trip ends as soon as it starts.
        self.recover_until(now, &mut transitions);

        debug_assert!(
            self.state >= self.triggers.demand_at(now),
            "Invariant: the state is never below what the triggers demand"
        );
        debug_assert!(
            self.entered_at.is_none_or(|t| t <= now),
            "Invariant: the current state was entered no later than now"
        );
        debug_assert!(
            transitions.windows(2).all(|w| w[0].at <= w[1].at),
            "Invariant: transitions are in time order"
        );
        Ok(transitions)
    }

    /// Validates `event` for this scope and computes the triggers after it.
    /// Pure: nothing changes here, so a refused event leaves no trace.
    fn interpret(&self, event: &BreakerEvent, now: DateTime<Utc>) -> Result<Update> {
        let mut triggers = self.triggers.clone();
        let (demand, reason) = match event {
            BreakerEvent::Tick => (Closed, TransitionReason::Recovery),
            BreakerEvent::Regime { level } => {
                self.require_symbol_scope("REGIME")?;
                triggers.regime = Some(*level);
                (state_for_regime(*level), TransitionReason::Regime)
            }
            BreakerEvent::PortfolioValue { day_open_value, current_value } => {
                if !matches!(self.scope, Scope::Portfolio(_)) {
                    return Err(self.wrong_scope("PORTFOLIO_VALUE", "a portfolio"));
                }
                let tripped = self.daily_loss_trips(*day_open_value, *current_value)?;
                if tripped {
                    let midnight = next_utc_midnight(now)?;
                    triggers.loss_hold_until = triggers.loss_hold_until.max(Some(midnight));
                }
                (if tripped { Open } else { Closed }, TransitionReason::PortfolioLoss)
            }
            BreakerEvent::ExecutionFailure => {
                self.require_symbol_scope("EXECUTION_FAILURE")?;
                triggers.failures_consecutive = triggers.failures_consecutive.saturating_add(1);
                let tripped = triggers.failures_consecutive >= self.config.failure_trip_count;
                if tripped {
                    // A trip starts a fresh count and holds OPEN for one OPEN cool-down.
                    triggers.failures_consecutive = 0;
                    let until =
                        now.checked_add_signed(self.config.cooldown(Open)).ok_or_else(|| {
                            ElsonError::invalid(
                                "now",
                                format!("{now} plus the OPEN cool-down is out of range"),
                            )
                        })?;
                    triggers.failure_hold_until = triggers.failure_hold_until.max(Some(until));
                }
                (if tripped { Open } else { Closed }, TransitionReason::ExecutionFailures)
            }
            BreakerEvent::ExecutionSuccess => {
                self.require_symbol_scope("EXECUTION_SUCCESS")?;
                triggers.failures_consecutive = 0;
                (Closed, TransitionReason::ExecutionFailures)
            }
            BreakerEvent::ManualTrip { actor_role, level } => {
                require_admin(*actor_role, "trip")?;
                if *level == Closed {
                    return Err(ElsonError::invalid(
                        "level",
                        "a manual trip must demand CAUTIOUS, RESTRICTED or OPEN",
                    ));
                }
                triggers.manual_hold = Some(*level);
                (*level, TransitionReason::Manual)
            }
            BreakerEvent::ManualReset { actor_role } => {
                require_admin(*actor_role, "reset")?;
                triggers.manual_hold = None;
                triggers.failures_consecutive = 0;
                triggers.failure_hold_until = None;
                (Closed, TransitionReason::Manual)
            }
        };
        Ok(Update { triggers, demand, reason })
    }

    /// Whether the loss since the open reaches the trip fraction, exactly in
    /// decimals: `open − current ≥ fraction × open`.
    fn daily_loss_trips(&self, day_open_value: Decimal, current_value: Decimal) -> Result<bool> {
        DecimalLimit::MONEY.check("day_open_value", day_open_value)?;
        DecimalLimit::MONEY.check("current_value", current_value)?;
        if day_open_value.is_zero() {
            return Err(ElsonError::invalid("day_open_value", "must be greater than 0"));
        }
        // Both fit DECIMAL(15,2) and the fraction is in (0, 1]: no overflow.
        let loss = day_open_value - current_value;
        Ok(loss >= self.config.loss_trip_fraction * day_open_value)
    }

    fn require_symbol_scope(&self, event: &str) -> Result<()> {
        match self.scope {
            Scope::Symbol(_) => Ok(()),
            Scope::Global | Scope::Portfolio(_) => Err(self.wrong_scope(event, "a symbol")),
        }
    }

    fn wrong_scope(&self, event: &str, wanted: &str) -> ElsonError {
        ElsonError::invalid(
            "event",
            format!("{event} applies to {wanted} scope, not {}", self.scope.kind()),
        )
    }

    /// Takes every recovery step that comes due up to `now` under the
    /// triggers in force since the last event. A step is due at the latest
    /// of: the current state's cool-down end, the last event (the standing
    /// demand is known to hold since then), and the end of the timed holds.
    fn recover_until(&mut self, now: DateTime<Utc>, transitions: &mut Vec<Transition>) {
        // Bounded: every pass lowers the state, and there are four states.
        for _ in 0..CircuitBreakerState::ALL.len() {
            let Some(entered_at) = self.entered_at else { return };
            let to = match table(self.state, self.triggers.standing_demand()) {
                Move::StepDown(to) => to,
                Move::Stay | Move::Escalate(_) => return,
            };
            // A cool-down ending past the calendar's end never comes due.
            let Some(cooled_at) = entered_at.checked_add_signed(self.config.cooldown(self.state))
            else {
                return;
            };
            let due = [Some(cooled_at), self.last_event_at, self.triggers.holds_until()]
                .into_iter()
                .flatten()
                .max()
                .unwrap_or(entered_at);
            if due > now {
                return;
            }
            debug_assert!(
                due - entered_at >= self.config.cooldown(self.state),
                "Invariant: no step down before the cool-down"
            );
            self.enter(to, TransitionReason::Recovery, due, transitions);
        }
    }

    fn enter(
        &mut self,
        to: CircuitBreakerState,
        reason: TransitionReason,
        at: DateTime<Utc>,
        transitions: &mut Vec<Transition>,
    ) {
        transitions.push(Transition {
            scope: self.scope.clone(),
            from: self.state,
            to,
            reason,
            at,
        });
        self.state = to;
        self.entered_at = Some(at);
    }
}

fn require_admin(actor_role: UserRole, action: &str) -> Result<()> {
    match actor_role {
        UserRole::Admin => Ok(()),
        UserRole::User | UserRole::Guardian | UserRole::Minor => Err(ElsonError::forbidden(
            format!("only an ADMIN may {action} a circuit breaker, not a {actor_role}"),
        )),
    }
}

/// The start of the UTC day after `now`'s.
fn next_utc_midnight(now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    now.date_naive()
        .checked_add_days(Days::new(1))
        .and_then(|day| day.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| ElsonError::invalid("now", format!("{now} has no next day")))
}
