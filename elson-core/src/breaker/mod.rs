//! The graduated circuit breaker (DESIGN §6) and order admission.
//!
//! A [`Breaker`] is a pure state machine over
//! `CLOSED < CAUTIOUS < RESTRICTED < OPEN`, one per [`Scope`] (global, a
//! symbol, a portfolio), kept together in [`Breakers`]. The state that
//! governs a trade is the most severe of the three that apply
//! ([`Breakers::governing`]); [`admit`] says whether an order may be placed
//! under it. Time is always an argument; nothing here reads a clock.
//!
//! # How a step works
//! Each trigger remembers the state it demands:
//! - the symbol's stabilized regime (LOW → CLOSED, NORMAL → CAUTIOUS,
//!   HIGH → RESTRICTED, EXTREME → OPEN), standing until the next reading;
//! - a portfolio's loss since the day's open ≥ 2 % → OPEN until the next UTC
//!   midnight (later, smaller losses that day do not lift it);
//! - 3 consecutive execution failures on a symbol → OPEN for one OPEN
//!   cool-down from the trip (a success resets the count; a trip starts a
//!   fresh count). Without this hold a symbol that cannot trade while OPEN
//!   could never report the success that clears it;
//! - an ADMIN's manual trip → the chosen state, until a manual reset.
//!
//! The breaker is never below the most severe demand. Escalation goes
//! straight to the demanded state at the event's time. Recovery moves down
//! one state at a time (OPEN → RESTRICTED → CAUTIOUS → CLOSED); each step is
//! due when the current state's cool-down (OPEN 90, RESTRICTED 45, CAUTIOUS 20
//! minutes, counted from entering the state) has passed *and* the demand is
//! below the current state. A step is stamped with the moment it came due,
//! so the transitions are the same whether the caller ticks every second or
//! once an hour: a [`BreakerEvent::Tick`] at 15:00 after an OPEN entered at
//! 12:00 whose trigger cleared at once yields three steps at 13:30, 14:15
//! and 14:35.
//!
//! # Manual reset and graduation
//! A reset lifts the ADMIN's hold and the execution-failure hold (both are
//! about the operation of the system, which the ADMIN has inspected); it does
//! not lift the regime or the daily-loss hold, which are measured risk. It
//! never skips graduation or a cool-down: "nothing ever jumps more than one
//! state down" holds for ADMINs too. If the current state's cool-down has
//! already passed, the reset's own step happens at once; the next steps
//! follow their cool-downs. An ADMIN who needs trading back sooner changes
//! the cool-downs in [`BreakerConfig`].
//!
//! # The table
//! Every event is a fact and is legal in every state; the errors are about
//! the event itself (wrong role, wrong scope, time going back, bad values).
//! What depends on the state is the move, decided by one exhaustive
//! (state, demanded state) table with no wildcard.

mod admission;
mod config;
mod event;
mod machine;
mod registry;
mod scope;

pub use admission::{OrderIntent, admit};
pub use config::BreakerConfig;
pub use event::{BreakerEvent, Transition, TransitionReason};
pub use machine::{Breaker, state_for_regime, step};
pub use registry::{Breakers, Governing};
pub use scope::Scope;
