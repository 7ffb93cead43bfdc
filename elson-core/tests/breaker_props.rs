#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Property tests of the graduated breaker against a separate, simple
//! reference model of what the triggers demand.

use chrono::{DateTime, Days, TimeDelta, TimeZone, Utc};
use elson_core::breaker::{Breaker, BreakerConfig, BreakerEvent, Scope, TransitionReason};
use elson_core::enums::{CircuitBreakerState as S, UserRole, VolatilityLevel as V};
use proptest::prelude::*;
use rust_decimal::Decimal;
use uuid::Uuid;

fn severity(s: S) -> i32 {
    match s {
        S::Closed => 0,
        S::Cautious => 1,
        S::Restricted => 2,
        S::Open => 3,
    }
}

/// What the triggers demand, kept independently of the implementation.
#[derive(Debug, Default, Clone)]
struct Reference {
    regime: Option<V>,
    manual: Option<S>,
    failures: u32,
    failure_until: Option<DateTime<Utc>>,
    loss_until: Option<DateTime<Utc>>,
}

impl Reference {
    fn demand(&self, t: DateTime<Utc>) -> S {
        let timed = [self.failure_until, self.loss_until].into_iter().flatten().any(|u| t < u);
        if timed {
            return S::Open;
        }
        let regime = match self.regime {
            None | Some(V::Low) => S::Closed,
            Some(V::Normal) => S::Cautious,
            Some(V::High) => S::Restricted,
            Some(V::Extreme) => S::Open,
        };
        regime.max(self.manual.unwrap_or(S::Closed))
    }

    /// Applies the event if it is valid for the scope; says whether it was
    /// and what the event itself demands at `now` (a zero cool-down makes
    /// a failure trip last no time, yet it still trips).
    fn apply(
        &mut self,
        e: &BreakerEvent,
        symbol_scope: bool,
        now: DateTime<Utc>,
        c: &BreakerConfig,
    ) -> (bool, S) {
        let before = self.clone();
        let valid = self.apply_inner(e, symbol_scope, now, c);
        let own = match e {
            _ if !valid => S::Closed,
            BreakerEvent::Regime { .. } => self.demand(now),
            BreakerEvent::ExecutionFailure if before.failures + 1 >= c.failure_trip_count => {
                S::Open
            }
            BreakerEvent::ManualTrip { level, .. } => *level,
            _ => S::Closed,
        };
        (valid, own)
    }

    fn apply_inner(
        &mut self,
        e: &BreakerEvent,
        symbol_scope: bool,
        now: DateTime<Utc>,
        c: &BreakerConfig,
    ) -> bool {
        match e {
            BreakerEvent::Tick => true,
            BreakerEvent::Regime { level } if symbol_scope => {
                self.regime = Some(*level);
                true
            }
            BreakerEvent::ExecutionFailure if symbol_scope => {
                self.failures += 1;
                if self.failures >= c.failure_trip_count {
                    self.failures = 0;
                    let until = now + TimeDelta::minutes(i64::from(c.cooldown_open_minutes));
                    self.failure_until = Some(self.failure_until.map_or(until, |u| u.max(until)));
                }
                true
            }
            BreakerEvent::ExecutionSuccess if symbol_scope => {
                self.failures = 0;
                true
            }
            BreakerEvent::PortfolioValue { day_open_value, current_value } if !symbol_scope => {
                let loss_fraction = (*day_open_value - *current_value) / *day_open_value;
                if loss_fraction >= c.loss_trip_fraction {
                    let midnight =
                        (now.date_naive() + Days::new(1)).and_hms_opt(0, 0, 0).unwrap().and_utc();
                    self.loss_until = Some(self.loss_until.map_or(midnight, |u| u.max(midnight)));
                }
                true
            }
            BreakerEvent::ManualTrip { actor_role: UserRole::Admin, level }
                if *level != S::Closed =>
            {
                self.manual = Some(*level);
                true
            }
            BreakerEvent::ManualReset { actor_role: UserRole::Admin } => {
                self.manual = None;
                self.failures = 0;
                self.failure_until = None;
                true
            }
            _ => false,
        }
    }
}

fn role(i: u8) -> UserRole {
    // Mostly ADMIN, so that manual events usually go through.
    match i % 6 {
        0 => UserRole::User,
        1 => UserRole::Minor,
        2 => UserRole::Guardian,
        _ => UserRole::Admin,
    }
}

fn event() -> impl Strategy<Value = BreakerEvent> {
    prop_oneof![
        6 => (0..4usize).prop_map(|i| BreakerEvent::Regime { level: V::ALL[i] }),
        4 => Just(BreakerEvent::Tick),
        4 => Just(BreakerEvent::ExecutionFailure),
        1 => Just(BreakerEvent::ExecutionSuccess),
        2 => (any::<u8>(), 0..4usize)
            .prop_map(|(r, l)| BreakerEvent::ManualTrip { actor_role: role(r), level: S::ALL[l] }),
        2 => any::<u8>().prop_map(|r| BreakerEvent::ManualReset { actor_role: role(r) }),
        4 => (1_000i64..200_000, 0i64..60).prop_map(|(open, loss_pct_x10)| {
            // Loss between 0 % and 6 %, often around the 2 % trip.
            let open = Decimal::new(open, 2);
            let current = (open - open * Decimal::new(loss_pct_x10, 3)).round_dp(2);
            BreakerEvent::PortfolioValue { day_open_value: open, current_value: current }
        }),
    ]
}

fn gap() -> impl Strategy<Value = TimeDelta> {
    prop_oneof![
        Just(TimeDelta::zero()),
        (1i64..5).prop_map(TimeDelta::minutes),
        prop::sample::select(vec![20i64, 45, 90, 135, 155]).prop_map(TimeDelta::minutes),
        (0i64..300 * 60).prop_map(TimeDelta::seconds),
        (0i64..3000).prop_map(TimeDelta::minutes),
    ]
}

fn config() -> impl Strategy<Value = BreakerConfig> {
    prop_oneof![
        3 => Just(BreakerConfig::default()),
        1 => (0u32..120, 0u32..60, 0u32..30, 1u32..5).prop_map(|(o, r, c, f)| BreakerConfig {
            cooldown_open_minutes: o,
            cooldown_restricted_minutes: r,
            cooldown_cautious_minutes: c,
            failure_trip_count: f,
            ..BreakerConfig::default()
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn graduated_recovery_and_immediate_escalation(
        symbol_scope in any::<bool>(),
        config in config(),
        steps in prop::collection::vec((gap(), event()), 1..50),
    ) {
        let scope = if symbol_scope { Scope::Symbol("AAPL".into()) } else { Scope::Portfolio(Uuid::from_u128(3)) };
        let mut b = Breaker::new(scope, config).unwrap();
        let mut reference = Reference::default();
        let mut now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).unwrap();
        let mut previous_event = now;
        for (gap, e) in steps {
            now += gap;
            let before = b.clone();
            let (valid, own_demand) = reference.apply(&e, symbol_scope, now, &config);
            let result = b.step(&e, now);
            prop_assert_eq!(result.is_ok(), valid, "{:?}", e);
            let Ok(transitions) = result else {
                prop_assert_eq!(&b, &before, "a refused event leaves no trace");
                continue;
            };
            let demand = reference.demand(now);
            let mut state = before.state();
            let mut entered = before.entered_at();
            for t in &transitions {
                prop_assert_eq!(t.from, state, "transitions chain");
                prop_assert!(t.at <= now && t.at >= previous_event, "stamped within the interval");
                let down = severity(t.from) - severity(t.to);
                prop_assert!(down != 0);
                if down > 0 {
                    prop_assert_eq!(down, 1, "never more than one state down: {:?}", t);
                    prop_assert_eq!(t.reason, TransitionReason::Recovery);
                    prop_assert!(t.from != S::Open || t.to == S::Restricted, "OPEN only leaves for RESTRICTED");
                    let entered_at = entered.expect("a recovering state was entered");
                    prop_assert!(t.at - entered_at >= config.cooldown(t.from), "never before the cool-down: {:?}", t);
                } else {
                    prop_assert!(t.reason != TransitionReason::Recovery);
                    prop_assert_eq!(t.at, now, "escalation is immediate");
                    prop_assert_eq!(t.to, demand.max(own_demand), "escalation goes straight to the demanded state");
                }
                state = t.to;
                entered = Some(t.at);
            }
            prop_assert_eq!(b.state(), state);
            prop_assert_eq!(b.entered_at(), entered);
            prop_assert!(b.state() >= demand, "never below the demand: {} < {}", b.state(), demand);
            prop_assert_eq!(b.demand_at(now), demand, "the breaker's view of the triggers");
            if b.state() > demand {
                // Recovery is never late: only the cool-down can hold it up.
                let cooled = b.entered_at().unwrap() + config.cooldown(b.state());
                prop_assert!(cooled > now, "a due step was not taken at {}", now);
            }
            previous_event = now;
        }
    }
}
