//! Each seed query uses an index: on a populated, analyzed database, no
//! query plan reads a large table in full.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use elson_store::demo::{self, DemoSizes};
use elson_store::{SeedQueryParams, Store};

both_backends!(seed_queries_use_indices, |store: Store| async move {
    let a = common::admin();
    let started = std::time::Instant::now();
    let sizes = DemoSizes::explain();
    let summary = demo::generate(&store, &a, 42, &sizes).await.unwrap();
    eprintln!(
        "{:?}: generated {} users, {} trades in {:?}",
        store.backend(),
        summary.users,
        summary.trades,
        started.elapsed()
    );
    assert!(summary.trades >= 10_000 && summary.users >= 2_000);
    store.analyze().await.unwrap();

    // A minor's user id has feedback (every 2nd user) and a portfolio.
    let params = SeedQueryParams {
        email: "user2500@example.com".to_string(),
        user_id: summary.user_ids[10],
        portfolio_id: summary.portfolio_ids[11],
        guardian_id: summary.guardian_ids[7],
        symbol: "MSFT".to_string(),
    };
    let plans = store.explain_seed_queries(&params).await.unwrap();
    assert_eq!(plans.len(), 7);
    let mut bad = Vec::new();
    for p in &plans {
        eprintln!("-- {}\n{}", p.query, if p.plan.len() > 600 { &p.plan[..600] } else { &p.plan });
        // Every table of the data model holds ≥ 1,000 rows here: any full
        // scan is a full scan of a large table.
        if !p.full_scans.is_empty() {
            bad.push(format!("{}: full scan of {:?}\n{}", p.query, p.full_scans, p.plan));
        }
    }
    assert!(bad.is_empty(), "{:?}: {}", store.backend(), bad.join("\n\n"));

    // And the queries answer on the populated store.
    let queue = store.trades().approval_queue(&a, params.guardian_id).await.unwrap();
    assert!(
        queue.iter().all(|q| q.trade.guardian_approval
            == elson_store::elson_core::enums::GuardianApproval::Pending)
    );
    assert_eq!(store.trades().history(&a, params.portfolio_id, 5, 0).await.unwrap().len(), 5);
    assert_eq!(store.volatility_regimes().recent(&a, "MSFT").await.unwrap().len(), 30);
});

both_backends!(maintenance_runs, |store: Store| async move {
    demo::generate(&store, &common::admin(), 1, &DemoSizes::small()).await.unwrap();
    store.maintain().await.unwrap();
    store.analyze().await.unwrap();
});
