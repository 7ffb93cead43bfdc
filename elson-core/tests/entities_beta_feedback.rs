//! `BetaFeedback::new`, every column limit, and `advance` (forward only).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use elson_core::ElsonError;
use elson_core::entities::{BetaFeedback, NewBetaFeedback, SCREENSHOTS_MAX};
use elson_core::enums::{FeedbackSeverity, FeedbackStatus, FeedbackType};
use uuid::Uuid;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, 10, 30, 0).unwrap()
}

fn base() -> NewBetaFeedback {
    NewBetaFeedback::new(
        Uuid::new_v4(),
        FeedbackType::Bug,
        FeedbackSeverity::High,
        "Chart does not load",
        "Blank page on the portfolio chart.",
    )
}

fn invalid_field<T: std::fmt::Debug>(result: elson_core::Result<T>, field: &str) -> String {
    match result {
        Err(ElsonError::InvalidInput { field: f, reason }) => {
            assert_eq!(f, field, "wrong field; reason: {reason}");
            reason
        }
        other => panic!("expected InvalidInput on {field}, got {other:?}"),
    }
}

fn make(p: NewBetaFeedback) -> elson_core::Result<BetaFeedback> {
    BetaFeedback::new(p, None, now())
}

#[test]
fn happy_path() {
    let id = Uuid::new_v4();
    let p = NewBetaFeedback {
        category: Some("charts".into()),
        related_component: Some("portfolio-view".into()),
        environment_details: Some(serde_json::json!({"os": "iOS 19"})),
        screenshots: vec!["https://x.test/1.png".into(), "https://x.test/2.png".into()],
        ..base()
    };
    let user = p.user_id;
    let f = BetaFeedback::new(p, Some(id), now()).unwrap();
    assert_eq!((f.id, f.user_id), (id, user));
    assert_eq!(f.feedback_type, FeedbackType::Bug);
    assert_eq!(f.severity, FeedbackSeverity::High);
    assert_eq!(f.status, FeedbackStatus::New);
    assert_eq!((f.submitted_at, f.updated_at), (now(), now()));
    assert_eq!(f.category.as_deref(), Some("charts"));
    assert_eq!(f.related_component.as_deref(), Some("portfolio-view"));
    assert_eq!(f.screenshots.len(), 2);
    assert_eq!(f.assigned_to, None);
    assert_eq!(make(base()).unwrap().id.get_version_num(), 4);
}

#[test]
fn text_limits() {
    let title = |t: String| make(NewBetaFeedback { title: t, ..base() });
    assert!(title("t".repeat(255)).is_ok());
    invalid_field(title("t".repeat(256)), "title");
    invalid_field(title(String::new()), "title");

    let desc = |d: String| make(NewBetaFeedback { description: d, ..base() });
    assert!(desc(String::new()).is_ok());
    invalid_field(desc("d".repeat(65_537)), "description");

    let cat = |c: String| make(NewBetaFeedback { category: Some(c), ..base() });
    assert!(cat("c".repeat(100)).is_ok());
    invalid_field(cat("c".repeat(101)), "category");
    invalid_field(cat(String::new()), "category");

    let comp = |c: String| make(NewBetaFeedback { related_component: Some(c), ..base() });
    assert!(comp("c".repeat(100)).is_ok());
    invalid_field(comp("c".repeat(101)), "related_component");
    invalid_field(comp(String::new()), "related_component");
}

#[test]
fn screenshot_limits() {
    let shots = |s: Vec<String>| make(NewBetaFeedback { screenshots: s, ..base() });
    assert!(shots(vec!["u".into(); SCREENSHOTS_MAX]).is_ok());
    assert!(
        invalid_field(shots(vec!["u".into(); SCREENSHOTS_MAX + 1]), "screenshots")
            .contains("at most")
    );
    let r = invalid_field(shots(vec!["ok".into(), "u".repeat(256)]), "screenshots");
    assert!(r.contains("entry 1"), "{r}");
    let r = invalid_field(shots(vec![String::new()]), "screenshots");
    assert!(r.contains("entry 0"), "{r}");
}

#[test]
fn every_pair_of_advance() {
    let later = now() + Duration::days(1);
    for &from in FeedbackStatus::ALL {
        for &to in FeedbackStatus::ALL {
            let mut f = make(base()).unwrap();
            f.status = from;
            let before = f.clone();
            let result = f.advance(to, later);
            if to > from {
                result.unwrap();
                assert_eq!((f.status, f.updated_at), (to, later), "{from} → {to}");
            } else {
                assert_eq!(
                    result.unwrap_err(),
                    ElsonError::InvalidTransition {
                        entity: "beta_feedback".into(),
                        from: from.to_string(),
                        to: to.to_string(),
                    },
                    "{from} → {to}"
                );
                assert_eq!(f, before, "unchanged on error");
            }
        }
    }
}

#[test]
fn walks_the_whole_way_and_may_skip() {
    let t = now() + Duration::hours(1);
    let mut f = make(base()).unwrap();
    f.advance(FeedbackStatus::Reviewing, t).unwrap();
    f.advance(FeedbackStatus::Prioritized, t).unwrap();
    f.advance(FeedbackStatus::Implemented, t).unwrap();
    assert_eq!(f.advance(FeedbackStatus::New, t).unwrap_err().code(), "INVALID_TRANSITION");
    let mut g = make(base()).unwrap();
    g.advance(FeedbackStatus::Implemented, t).unwrap();
    assert_eq!(g.status, FeedbackStatus::Implemented);
}
