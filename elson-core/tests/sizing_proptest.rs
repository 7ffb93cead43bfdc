//! Sizing invariants: an accepted buy never exceeds the limit; a resized
//! quantity always fits, is the largest 6-decimal quantity that does, and
//! never exceeds what was asked.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{TimeZone, Utc};
use elson_core::ElsonError;
use elson_core::enums::{CircuitBreakerState, RiskProfile, VolatilityLevel};
use elson_core::params::ParameterSet;
use elson_core::sizing::{SizingContext, SizingDecision, SizingMode, check_buy, max_buy_notional};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn money() -> impl Strategy<Value = Decimal> {
    // 0.01 … 100 000 000.00, log-ish spread via two ranges.
    prop_oneof![1i64..100_000, 1i64..10_000_000_000].prop_map(|cents| Decimal::new(cents, 2))
}

fn quantity() -> impl Strategy<Value = Decimal> {
    // 0.000001 … 100 000 with up to 6 decimals.
    prop_oneof![1i64..1_000_000, 1i64..100_000_000_000].prop_map(|micros| Decimal::new(micros, 6))
}

fn context_parts()
-> impl Strategy<Value = (Decimal, RiskProfile, CircuitBreakerState, VolatilityLevel)> {
    (
        money(),
        prop::sample::select(RiskProfile::ALL.to_vec()),
        prop::sample::select(CircuitBreakerState::ALL.to_vec()),
        prop::sample::select(VolatilityLevel::ALL.to_vec()),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn accepted_never_exceeds_and_resized_always_fits(
        (total_value, risk_profile, breaker_state, regime) in context_parts(),
        q in quantity(),
        price in money(),
    ) {
        let params = ParameterSet::builtin();
        let at = Utc.with_ymd_and_hms(2026, 1, 15, 15, 30, 0).unwrap();
        let ctx = SizingContext { params: &params, total_value, risk_profile, breaker_state, regime, at };
        let limit = max_buy_notional(total_value, risk_profile, breaker_state, regime, &params, at).unwrap();
        prop_assert!(limit >= Decimal::ZERO && limit <= total_value);

        let rejected = check_buy(q, price, &ctx, SizingMode::Reject);
        match &rejected {
            Ok(d) => {
                prop_assert!(!d.was_resized());
                prop_assert_eq!(d.quantity(), q);
                prop_assert!(d.notional() <= limit);
                prop_assert_eq!(d.limit(), limit);
            }
            Err(ElsonError::PositionLimitExceeded { requested, limit: l }) => {
                prop_assert!(*requested > limit);
                prop_assert_eq!(*l, limit);
            }
            Err(e) => prop_assert!(false, "unexpected error {}", e),
        }

        match check_buy(q, price, &ctx, SizingMode::Resize) {
            Ok(SizingDecision::Accepted { quantity, notional, .. }) => {
                prop_assert!(rejected.is_ok(), "resize accepts exactly what reject accepts");
                prop_assert_eq!(quantity, q);
                prop_assert!(notional <= limit);
            }
            Ok(SizingDecision::Resized { requested_quantity, quantity, notional, limit: l }) => {
                prop_assert!(rejected.is_err());
                prop_assert_eq!(requested_quantity, q);
                prop_assert_eq!(l, limit);
                prop_assert!(quantity > Decimal::ZERO && quantity < q, "scaled down, not to zero");
                prop_assert!(quantity.normalize().scale() <= 6, "at most 6 decimals");
                prop_assert!(quantity * price <= limit, "exact notional fits");
                prop_assert!(notional <= limit, "rounded notional fits");
                let step = Decimal::new(1, 6);
                prop_assert!((quantity + step) * price > limit, "largest quantity that fits");
                // The resized buy passes a plain check.
                let again = check_buy(quantity, price, &ctx, SizingMode::Reject).unwrap();
                prop_assert_eq!(again.quantity(), quantity);
            }
            Err(ElsonError::PositionLimitExceeded { .. }) => {
                prop_assert!(rejected.is_err());
                // Not even the smallest quantity fits.
                prop_assert!(Decimal::new(1, 6) * price > limit);
            }
            Err(e) => prop_assert!(false, "unexpected error {}", e),
        }
    }
}
