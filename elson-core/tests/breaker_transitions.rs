#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Every row of the (state, demanded) table through real events, the four
//! triggers, the manual-reset rule, the registry, and the error paths.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use elson_core::breaker::{
    Breaker, BreakerConfig, BreakerEvent, Breakers, Scope, Transition, TransitionReason, step,
};
use elson_core::enums::{CircuitBreakerState as S, UserRole, VolatilityLevel as V};
use elson_core::error::ElsonError;
use rust_decimal_macros::dec;
use uuid::Uuid;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 14, 0, 0).unwrap()
}
fn at(minutes: i64) -> DateTime<Utc> {
    t0() + TimeDelta::minutes(minutes)
}
fn symbol() -> Breaker {
    Breaker::new(Scope::Symbol("AAPL".into()), BreakerConfig::default()).unwrap()
}
fn portfolio() -> Breaker {
    Breaker::new(Scope::Portfolio(Uuid::from_u128(7)), BreakerConfig::default()).unwrap()
}
fn regime(level: V) -> BreakerEvent {
    BreakerEvent::Regime { level }
}
fn level_for(state: S) -> V {
    match state {
        S::Closed => V::Low,
        S::Cautious => V::Normal,
        S::Restricted => V::High,
        S::Open => V::Extreme,
    }
}
fn one_below(state: S) -> S {
    match state {
        S::Closed | S::Cautious => S::Closed,
        S::Restricted => S::Cautious,
        S::Open => S::Restricted,
    }
}
fn admin_trip(level: S) -> BreakerEvent {
    BreakerEvent::ManualTrip { actor_role: UserRole::Admin, level }
}
fn admin_reset() -> BreakerEvent {
    BreakerEvent::ManualReset { actor_role: UserRole::Admin }
}
fn value(open: rust_decimal::Decimal, now: rust_decimal::Decimal) -> BreakerEvent {
    BreakerEvent::PortfolioValue { day_open_value: open, current_value: now }
}
fn moves(ts: &[Transition]) -> Vec<(S, S, TransitionReason, DateTime<Utc>)> {
    ts.iter().map(|t| (t.from, t.to, t.reason, t.at)).collect()
}
fn field(e: &ElsonError) -> String {
    match e {
        ElsonError::InvalidInput { field, .. } => field.clone(),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

/// All 16 rows: reach `from` by a regime reading at t0, then read the
/// regime demanding `demanded` well after every cool-down.
#[test]
fn every_table_row_after_the_cooldown() {
    for &from in S::ALL {
        for &demanded in S::ALL {
            let mut b = symbol();
            b.step(&regime(level_for(from)), t0()).unwrap();
            assert_eq!(b.state(), from);
            let ts = b.step(&regime(level_for(demanded)), at(300)).unwrap();
            let expected = if demanded > from {
                vec![(from, demanded, TransitionReason::Regime, at(300))]
            } else if demanded < from {
                vec![(from, one_below(from), TransitionReason::Recovery, at(300))]
            } else {
                vec![]
            };
            assert_eq!(moves(&ts), expected, "row ({from}, {demanded})");
        }
    }
}

/// The same rows one minute before the cool-down ends: escalation still
/// immediate, recovery waits; exactly at the end it steps.
#[test]
fn every_table_row_around_the_cooldown_boundary() {
    let config = BreakerConfig::default();
    for &from in &[S::Cautious, S::Restricted, S::Open] {
        let cooldown = config.cooldown(from).num_minutes();
        for &demanded in S::ALL {
            let mut b = symbol();
            b.step(&regime(level_for(from)), t0()).unwrap();
            let ts = b.step(&regime(level_for(demanded)), at(cooldown - 1)).unwrap();
            if demanded > from {
                assert_eq!(
                    moves(&ts),
                    vec![(from, demanded, TransitionReason::Regime, at(cooldown - 1))]
                );
                continue;
            }
            assert!(ts.is_empty(), "({from}, {demanded}) must wait for the cool-down");
            let ts = b.step(&BreakerEvent::Tick, at(cooldown)).unwrap();
            if demanded < from {
                assert_eq!(
                    moves(&ts),
                    vec![(from, one_below(from), TransitionReason::Recovery, at(cooldown))]
                );
            } else {
                assert!(ts.is_empty());
            }
        }
    }
}

#[test]
fn a_late_tick_replays_each_step_when_it_came_due() {
    let mut b = symbol();
    b.step(&regime(V::Extreme), t0()).unwrap();
    // The trigger clears after OPEN's cool-down: the first step is due at the reading.
    let ts = b.step(&regime(V::Low), at(100)).unwrap();
    assert_eq!(moves(&ts), vec![(S::Open, S::Restricted, TransitionReason::Recovery, at(100))]);
    let ts = b.step(&BreakerEvent::Tick, at(1000)).unwrap();
    assert_eq!(
        moves(&ts),
        vec![
            (S::Restricted, S::Cautious, TransitionReason::Recovery, at(145)),
            (S::Cautious, S::Closed, TransitionReason::Recovery, at(165)),
        ]
    );
    assert_eq!(b.entered_at(), Some(at(165)));
}

#[test]
fn recovery_stops_at_the_demanded_state_and_escalates_from_mid_recovery() {
    let mut b = symbol();
    b.step(&regime(V::Extreme), t0()).unwrap();
    b.step(&regime(V::Normal), at(1)).unwrap();
    let ts = b.step(&BreakerEvent::Tick, at(500)).unwrap();
    // NORMAL demands CAUTIOUS: OPEN → RESTRICTED (90) → CAUTIOUS (135), then stop.
    assert_eq!(
        moves(&ts),
        vec![
            (S::Open, S::Restricted, TransitionReason::Recovery, at(90)),
            (S::Restricted, S::Cautious, TransitionReason::Recovery, at(135)),
        ]
    );
    // Escalation in the middle of a cool-down is immediate.
    let ts = b.step(&regime(V::High), at(501)).unwrap();
    assert_eq!(moves(&ts), vec![(S::Cautious, S::Restricted, TransitionReason::Regime, at(501))]);
}

#[test]
fn an_event_catches_up_recovery_before_escalating() {
    let mut b = symbol();
    b.step(&regime(V::Extreme), t0()).unwrap();
    b.step(&regime(V::Low), at(1)).unwrap();
    let ts = b.step(&regime(V::Extreme), at(100)).unwrap();
    assert_eq!(
        moves(&ts),
        vec![
            (S::Open, S::Restricted, TransitionReason::Recovery, at(90)),
            (S::Restricted, S::Open, TransitionReason::Regime, at(100)),
        ]
    );
    assert_eq!(b.entered_at(), Some(at(100)), "the cool-down restarts on re-entry");
}

#[test]
fn daily_loss_trips_at_exactly_two_percent_and_holds_until_midnight() {
    let mut b = portfolio();
    assert!(b.step(&value(dec!(1000.00), dec!(980.01)), t0()).unwrap().is_empty());
    let ts = b.step(&value(dec!(1000.00), dec!(980.00)), at(1)).unwrap();
    assert_eq!(moves(&ts), vec![(S::Closed, S::Open, TransitionReason::PortfolioLoss, at(1))]);
    let midnight = Utc.with_ymd_and_hms(2026, 3, 3, 0, 0, 0).unwrap();
    assert_eq!(b.loss_hold_until(), Some(midnight));
    // A recovered value later that day does not lift the hold.
    assert!(b.step(&value(dec!(1000.00), dec!(1010.00)), at(200)).unwrap().is_empty());
    let before = midnight - TimeDelta::seconds(1);
    assert!(b.step(&BreakerEvent::Tick, before).unwrap().is_empty());
    let ts = b.step(&BreakerEvent::Tick, midnight + TimeDelta::minutes(60)).unwrap();
    assert_eq!(
        moves(&ts),
        vec![
            (S::Open, S::Restricted, TransitionReason::Recovery, midnight),
            (
                S::Restricted,
                S::Cautious,
                TransitionReason::Recovery,
                midnight + TimeDelta::minutes(45)
            ),
        ]
    );
}

#[test]
fn a_gain_or_small_loss_does_nothing() {
    let mut b = portfolio();
    assert!(b.step(&value(dec!(500.00), dec!(600.00)), t0()).unwrap().is_empty());
    assert!(b.step(&value(dec!(500.00), dec!(490.01)), at(1)).unwrap().is_empty());
    assert_eq!(b.state(), S::Closed);
    assert_eq!(b.loss_hold_until(), None);
}

#[test]
fn three_consecutive_failures_trip_open_and_a_success_resets_the_count() {
    let mut b = symbol();
    b.step(&BreakerEvent::ExecutionFailure, at(0)).unwrap();
    b.step(&BreakerEvent::ExecutionFailure, at(1)).unwrap();
    b.step(&BreakerEvent::ExecutionSuccess, at(2)).unwrap();
    assert_eq!(b.failures_consecutive(), 0);
    b.step(&BreakerEvent::ExecutionFailure, at(3)).unwrap();
    assert!(b.step(&BreakerEvent::ExecutionFailure, at(4)).unwrap().is_empty());
    assert_eq!(b.failures_consecutive(), 2);
    let ts = b.step(&BreakerEvent::ExecutionFailure, at(5)).unwrap();
    assert_eq!(moves(&ts), vec![(S::Closed, S::Open, TransitionReason::ExecutionFailures, at(5))]);
    assert_eq!(b.failures_consecutive(), 0, "a trip starts a fresh count");
    assert_eq!(b.failure_hold_until(), Some(at(95)));
    let ts = b.step(&BreakerEvent::Tick, at(95)).unwrap();
    assert_eq!(moves(&ts), vec![(S::Open, S::Restricted, TransitionReason::Recovery, at(95))]);
}

#[test]
fn a_failure_trip_while_open_extends_the_hold() {
    let mut b = symbol();
    b.step(&regime(V::Extreme), t0()).unwrap();
    b.step(&regime(V::Low), at(1)).unwrap();
    for m in 78..81 {
        assert!(b.step(&BreakerEvent::ExecutionFailure, at(m)).unwrap().is_empty());
    }
    assert_eq!(b.failure_hold_until(), Some(at(170)));
    assert!(b.step(&BreakerEvent::Tick, at(169)).unwrap().is_empty());
    let ts = b.step(&BreakerEvent::Tick, at(170)).unwrap();
    assert_eq!(moves(&ts), vec![(S::Open, S::Restricted, TransitionReason::Recovery, at(170))]);
}

#[test]
fn manual_trip_holds_until_reset_and_reset_steps_one_state_at_a_time() {
    let mut b = symbol();
    let ts = b.step(&admin_trip(S::Open), t0()).unwrap();
    assert_eq!(moves(&ts), vec![(S::Closed, S::Open, TransitionReason::Manual, t0())]);
    b.step(&regime(V::Low), at(1)).unwrap();
    assert!(b.step(&BreakerEvent::Tick, at(500)).unwrap().is_empty(), "the hold keeps it OPEN");
    assert_eq!(b.manual_hold(), Some(S::Open));
    let ts = b.step(&admin_reset(), at(600)).unwrap();
    assert_eq!(
        moves(&ts),
        vec![(S::Open, S::Restricted, TransitionReason::Recovery, at(600))],
        "a reset never jumps more than one state"
    );
    assert_eq!(b.manual_hold(), None);
    let ts = b.step(&BreakerEvent::Tick, at(700)).unwrap();
    assert_eq!(
        moves(&ts),
        vec![
            (S::Restricted, S::Cautious, TransitionReason::Recovery, at(645)),
            (S::Cautious, S::Closed, TransitionReason::Recovery, at(665)),
        ]
    );
}

#[test]
fn a_reset_within_the_cooldown_waits_for_it() {
    let mut b = symbol();
    b.step(&admin_trip(S::Restricted), t0()).unwrap();
    assert!(b.step(&admin_reset(), at(10)).unwrap().is_empty());
    let ts = b.step(&BreakerEvent::Tick, at(50)).unwrap();
    assert_eq!(moves(&ts), vec![(S::Restricted, S::Cautious, TransitionReason::Recovery, at(45))]);
}

#[test]
fn a_reset_lifts_failures_but_not_regime_or_daily_loss() {
    let mut b = symbol();
    for m in 0..3 {
        b.step(&BreakerEvent::ExecutionFailure, at(m)).unwrap();
    }
    b.step(&BreakerEvent::ExecutionFailure, at(3)).unwrap();
    assert_eq!(b.failures_consecutive(), 1);
    b.step(&admin_reset(), at(4)).unwrap();
    assert_eq!((b.failure_hold_until(), b.failures_consecutive()), (None, 0));
    // OPEN's cool-down still applies after the reset.
    assert!(b.step(&BreakerEvent::Tick, at(91)).unwrap().is_empty());
    assert_eq!(b.step(&BreakerEvent::Tick, at(92)).unwrap().len(), 1);

    let mut b = symbol();
    b.step(&regime(V::Extreme), t0()).unwrap();
    assert!(b.step(&admin_reset(), at(200)).unwrap().is_empty(), "EXTREME still demands OPEN");

    let mut p = portfolio();
    p.step(&value(dec!(100.00), dec!(90.00)), t0()).unwrap();
    assert!(p.step(&admin_reset(), at(200)).unwrap().is_empty(), "the daily-loss hold stands");
    assert_eq!(p.state(), S::Open);
}

#[test]
fn a_lower_manual_trip_replaces_the_hold_and_recovery_stops_there() {
    let mut b = symbol();
    b.step(&admin_trip(S::Open), t0()).unwrap();
    assert!(b.step(&admin_trip(S::Cautious), at(1)).unwrap().is_empty());
    let ts = b.step(&BreakerEvent::Tick, at(1000)).unwrap();
    assert_eq!(ts.last().map(|t| t.to), Some(S::Cautious));
    assert_eq!(b.state(), S::Cautious);
    // A trip to the state it is in changes nothing.
    assert!(b.step(&admin_trip(S::Cautious), at(1001)).unwrap().is_empty());
}

#[test]
fn manual_events_need_an_admin() {
    for role in [UserRole::User, UserRole::Guardian, UserRole::Minor] {
        let mut b = symbol();
        let before = b.clone();
        let e = b
            .step(&BreakerEvent::ManualTrip { actor_role: role, level: S::Open }, t0())
            .unwrap_err();
        assert_eq!(e.code(), "FORBIDDEN");
        let e = b.step(&BreakerEvent::ManualReset { actor_role: role }, t0()).unwrap_err();
        assert_eq!(e.code(), "FORBIDDEN");
        assert_eq!(b, before, "a refused event leaves no trace");
    }
}

#[test]
fn a_manual_trip_to_closed_is_refused() {
    let e = symbol().step(&admin_trip(S::Closed), t0()).unwrap_err();
    assert_eq!(field(&e), "level");
}

#[test]
fn events_of_another_scope_are_refused() {
    let mut global = Breaker::new(Scope::Global, BreakerConfig::default()).unwrap();
    for event in [regime(V::High), BreakerEvent::ExecutionFailure, BreakerEvent::ExecutionSuccess] {
        assert_eq!(field(&global.step(&event, t0()).unwrap_err()), "event");
        assert_eq!(field(&portfolio().step(&event, t0()).unwrap_err()), "event");
    }
    let loss = value(dec!(100.00), dec!(50.00));
    assert_eq!(field(&global.step(&loss, t0()).unwrap_err()), "event");
    assert_eq!(field(&symbol().step(&loss, t0()).unwrap_err()), "event");
    // Manual events and ticks belong to every scope.
    global.step(&admin_trip(S::Restricted), t0()).unwrap();
    global.step(&BreakerEvent::Tick, t0()).unwrap();
    assert_eq!(global.state(), S::Restricted);
}

#[test]
fn bad_portfolio_values_are_refused() {
    let mut p = portfolio();
    assert_eq!(field(&p.step(&value(dec!(0), dec!(10)), t0()).unwrap_err()), "day_open_value");
    assert_eq!(field(&p.step(&value(dec!(-5), dec!(10)), t0()).unwrap_err()), "day_open_value");
    assert_eq!(field(&p.step(&value(dec!(10), dec!(-1)), t0()).unwrap_err()), "current_value");
    assert_eq!(field(&p.step(&value(dec!(10.001), dec!(10)), t0()).unwrap_err()), "day_open_value");
    assert_eq!(p, portfolio());
}

#[test]
fn time_never_goes_back_but_may_stand_still() {
    let mut b = symbol();
    b.step(&regime(V::High), at(10)).unwrap();
    let before = b.clone();
    assert_eq!(field(&b.step(&BreakerEvent::Tick, at(9)).unwrap_err()), "now");
    assert_eq!(b, before);
    b.step(&BreakerEvent::Tick, at(10)).unwrap();
}

#[test]
fn the_pure_step_leaves_its_input_alone() {
    let b = symbol();
    let (next, ts) = step(&b, &regime(V::Extreme), t0()).unwrap();
    assert_eq!(b.state(), S::Closed);
    assert_eq!(next.state(), S::Open);
    assert_eq!(ts.len(), 1);
    assert_eq!(ts[0].scope, Scope::Symbol("AAPL".into()));
    assert!(step(&b, &admin_trip(S::Closed), t0()).is_err());
}

#[test]
fn config_and_scope_are_validated() {
    let bad = BreakerConfig { loss_trip_fraction: dec!(0), ..BreakerConfig::default() };
    assert_eq!(field(&bad.validate().unwrap_err()), "loss_trip_fraction");
    let bad = BreakerConfig { loss_trip_fraction: dec!(1.5), ..BreakerConfig::default() };
    assert_eq!(field(&Breaker::new(Scope::Global, bad).unwrap_err()), "loss_trip_fraction");
    let bad = BreakerConfig { failure_trip_count: 0, ..BreakerConfig::default() };
    assert_eq!(field(&Breakers::new(bad).unwrap_err()), "failure_trip_count");
    assert_eq!(BreakerConfig::default().full_recovery(), TimeDelta::minutes(155));
    assert_eq!(
        field(&Breaker::new(Scope::Symbol("  ".into()), BreakerConfig::default()).unwrap_err()),
        "scope"
    );
    assert!(Breaker::new(Scope::Symbol("X".repeat(21)), BreakerConfig::default()).is_err());
}

#[test]
fn config_serializes_with_decimal_strings_and_refuses_unknown_keys() {
    let json = serde_json::to_value(BreakerConfig::default()).unwrap();
    assert_eq!(json["loss_trip_fraction"], "0.02");
    assert_eq!(json["cooldown_open_minutes"], 90);
    let back: BreakerConfig = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, BreakerConfig::default());
    let mut extra = json;
    extra["surprise"] = 1.into();
    assert!(serde_json::from_value::<BreakerConfig>(extra).is_err());
}

#[test]
fn scope_text_round_trips_and_is_strict() {
    let id = Uuid::from_u128(42);
    for scope in [Scope::Global, Scope::Symbol("BRK.B".into()), Scope::Portfolio(id)] {
        let text = scope.to_string();
        assert_eq!(text.parse::<Scope>().unwrap(), scope);
        let json = serde_json::to_string(&scope).unwrap();
        assert_eq!(serde_json::from_str::<Scope>(&json).unwrap(), scope);
    }
    assert_eq!(Scope::Symbol("AAPL".into()).to_string(), "SYMBOL:AAPL");
    for bad in ["global", "SYMBOL:", "PORTFOLIO:nope", "ACCOUNT:1", "GLOBAL:x"] {
        assert!(bad.parse::<Scope>().is_err(), "{bad}");
    }
    assert!(serde_json::from_str::<Scope>("\"SYMBOL:\"").is_err());
}

#[test]
fn events_and_transitions_have_a_flat_json_form() {
    let e: BreakerEvent =
        serde_json::from_str(r#"{"type":"MANUAL_TRIP","actor_role":"ADMIN","level":"OPEN"}"#)
            .unwrap();
    assert_eq!(e, admin_trip(S::Open));
    let e: BreakerEvent = serde_json::from_str(
        r#"{"type":"PORTFOLIO_VALUE","day_open_value":"100.00","current_value":"97.50"}"#,
    )
    .unwrap();
    assert_eq!(e, value(dec!(100.00), dec!(97.50)));
    assert_eq!(serde_json::to_string(&BreakerEvent::Tick).unwrap(), r#"{"type":"TICK"}"#);
    assert!(
        serde_json::from_str::<BreakerEvent>(r#"{"type":"REGIME","level":"LOW","x":1}"#).is_err()
    );
    assert!(serde_json::from_str::<BreakerEvent>(r#"{"type":"REGIME","level":"low"}"#).is_err());
    assert!(serde_json::from_str::<BreakerEvent>(r#"{"type":"PANIC"}"#).is_err());
    let mut b = symbol();
    let ts = b.step(&regime(V::High), t0()).unwrap();
    let json = serde_json::to_value(&ts[0]).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"scope": "SYMBOL:AAPL", "from": "CLOSED", "to": "RESTRICTED",
                           "reason": "REGIME", "at": "2026-03-02T14:00:00Z"})
    );
    for reason in TransitionReason::ALL {
        assert_eq!(reason.as_str().parse::<TransitionReason>().unwrap(), *reason);
    }
    assert!("recovery".parse::<TransitionReason>().is_err());
}

#[test]
fn registry_governs_by_the_most_severe_scope() {
    let p = Uuid::from_u128(1);
    let other = Uuid::from_u128(2);
    let mut r = Breakers::new(BreakerConfig::default()).unwrap();
    assert_eq!(r.governing("AAPL", p).state, S::Closed);
    assert_eq!(r.governing("AAPL", p).scope, Scope::Global);
    r.step(&Scope::Symbol("AAPL".into()), &regime(V::Normal), t0()).unwrap();
    r.step(&Scope::Portfolio(p), &value(dec!(100.00), dec!(97.00)), t0()).unwrap();
    r.step(&Scope::Global, &admin_trip(S::Restricted), t0()).unwrap();
    let g = r.governing("AAPL", p);
    assert_eq!((g.state, g.scope), (S::Open, Scope::Portfolio(p)));
    let g = r.governing("AAPL", other);
    assert_eq!((g.state, g.scope), (S::Restricted, Scope::Global));
    r.step(&Scope::Global, &admin_trip(S::Cautious), at(1)).unwrap();
    // Global holds RESTRICTED until its cool-down; on a tie the global scope is named.
    r.step(&Scope::Symbol("MSFT".into()), &regime(V::High), at(1)).unwrap();
    let g = r.governing("MSFT", other);
    assert_eq!((g.state, g.scope), (S::Restricted, Scope::Global));
    assert_eq!(r.state(&Scope::Symbol("TSLA".into())), S::Closed);
    assert!(r.get(&Scope::Symbol("TSLA".into())).is_none());
    assert_eq!(r.iter().count(), 4);
}

#[test]
fn registry_tick_recovers_every_scope_in_time_order_or_nothing() {
    let p = Uuid::from_u128(1);
    let mut r = Breakers::new(BreakerConfig::default()).unwrap();
    r.step(&Scope::Symbol("AAPL".into()), &regime(V::High), t0()).unwrap();
    r.step(&Scope::Symbol("AAPL".into()), &regime(V::Low), at(1)).unwrap();
    r.step(&Scope::Global, &admin_trip(S::Cautious), at(10)).unwrap();
    r.step(&Scope::Global, &admin_reset(), at(11)).unwrap();
    r.step(&Scope::Portfolio(p), &value(dec!(100.00), dec!(99.00)), at(50)).unwrap();
    let before = r.clone();
    assert_eq!(field(&r.tick(at(49)).unwrap_err()), "now");
    assert_eq!(r, before);
    let ts = r.tick(at(100)).unwrap();
    let got: Vec<_> = ts.iter().map(|t| (t.scope.clone(), t.to, t.at)).collect();
    assert_eq!(
        got,
        vec![
            (Scope::Global, S::Closed, at(30)),
            (Scope::Symbol("AAPL".into()), S::Cautious, at(45)),
            (Scope::Symbol("AAPL".into()), S::Closed, at(65)),
        ]
    );
    // Same scope, bad symbol: refused before a breaker is created.
    assert!(r.step(&Scope::Symbol(String::new()), &BreakerEvent::Tick, at(100)).is_err());
    assert_eq!(r.iter().count(), 3);
}

#[test]
fn a_breaker_survives_a_json_round_trip_mid_recovery() {
    let mut b = symbol();
    b.step(&regime(V::Extreme), t0()).unwrap();
    b.step(&BreakerEvent::ExecutionFailure, at(1)).unwrap();
    b.step(&admin_trip(S::Restricted), at(2)).unwrap();
    b.step(&regime(V::Low), at(3)).unwrap();
    let json = serde_json::to_value(&b).unwrap();
    assert_eq!(json["state"], "OPEN");
    assert_eq!(json["scope"], "SYMBOL:AAPL");
    let mut back: Breaker = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, b);
    let ts_original = b.step(&admin_reset(), at(500)).unwrap();
    let ts_restored = back.step(&admin_reset(), at(500)).unwrap();
    assert_eq!(ts_original, ts_restored);
    // The hold at RESTRICTED let OPEN step down at 90; the reset lets RESTRICTED go at 500.
    assert_eq!(
        moves(&ts_original),
        vec![
            (S::Open, S::Restricted, TransitionReason::Recovery, at(90)),
            (S::Restricted, S::Cautious, TransitionReason::Recovery, at(500)),
        ]
    );

    let tamper = |key: &str, value: serde_json::Value| {
        let mut j = json.clone();
        j[key] = value;
        serde_json::from_value::<Breaker>(j)
    };
    assert!(tamper("state", "CLOSED".into()).is_err(), "below what EXTREME demands");
    assert!(tamper("entered_at", serde_json::Value::Null).is_err());
    assert!(tamper("entered_at", "2026-03-02T15:00:00Z".into()).is_err(), "after the last event");
    assert!(tamper("scope", "SYMBOL:".into()).is_err());
    let mut j = json.clone();
    j["triggers"]["manual_hold"] = "CLOSED".into();
    assert!(serde_json::from_value::<Breaker>(j).is_err());
    let mut j = json.clone();
    j["triggers"]["failures_consecutive"] = 3.into();
    assert!(serde_json::from_value::<Breaker>(j).is_err());
    let mut j = json.clone();
    j["config"]["failure_trip_count"] = 0.into();
    assert!(serde_json::from_value::<Breaker>(j).is_err());
    let mut j = json.clone();
    j["last_event_at"] = serde_json::Value::Null;
    assert!(serde_json::from_value::<Breaker>(j).is_err());
    let mut j = json;
    j["extra"] = 1.into();
    assert!(serde_json::from_value::<Breaker>(j).is_err());
    // A fresh breaker round-trips too.
    let fresh: Breaker = serde_json::from_value(serde_json::to_value(symbol()).unwrap()).unwrap();
    assert_eq!(fresh, symbol());
}

#[test]
fn a_registry_takes_back_a_kept_breaker_on_the_same_config() {
    let mut kept = symbol();
    kept.step(&regime(V::High), t0()).unwrap();
    let json = serde_json::to_string(&kept).unwrap();
    let mut r = Breakers::new(BreakerConfig::default()).unwrap();
    assert_eq!(r.restore(serde_json::from_str(&json).unwrap()).unwrap(), None);
    assert_eq!(r.state(&Scope::Symbol("AAPL".into())), S::Restricted);
    assert_eq!(r.restore(kept.clone()).unwrap(), Some(kept));
    let other = BreakerConfig { cooldown_open_minutes: 1, ..BreakerConfig::default() };
    let stranger = Breaker::new(Scope::Global, other).unwrap();
    assert_eq!(r.restore(stranger).unwrap_err().code(), "CONFLICT");
    assert!(r.get(&Scope::Global).is_none());
}
