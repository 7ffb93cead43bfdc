//! `Notification::new`, every column limit, and the `mark_read` / `archive`
//! table.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use elson_core::ElsonError;
use elson_core::entities::{NewNotification, Notification, NotificationEvent};
use elson_core::enums::{NotificationPriority, NotificationStatus, NotificationType};
use proptest::prelude::*;
use uuid::Uuid;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, 10, 30, 0).unwrap()
}

fn base() -> NewNotification {
    NewNotification::new(Uuid::new_v4(), NotificationType::Trade, "Trade executed", "AAPL ×3")
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

fn make(p: NewNotification) -> elson_core::Result<Notification> {
    Notification::new(p, None, now())
}

fn with_status(status: NotificationStatus) -> Notification {
    let mut n = make(base()).unwrap();
    match status {
        NotificationStatus::Unread => {}
        NotificationStatus::Read => n.mark_read(now()).unwrap(),
        NotificationStatus::Archived => n.archive(now()).unwrap(),
    }
    n
}

#[test]
fn happy_path() {
    let p = base();
    let user = p.user_id;
    let n = make(p).unwrap();
    assert_eq!(n.id.get_version_num(), 4);
    assert_eq!(n.user_id, user);
    assert_eq!(n.notification_type, NotificationType::Trade);
    assert_eq!(n.title, "Trade executed");
    assert_eq!(n.message, "AAPL ×3");
    assert_eq!(n.status, NotificationStatus::Unread);
    assert_eq!(n.priority, NotificationPriority::Normal);
    assert_eq!((n.created_at, n.read_at), (now(), None));
    assert_eq!((n.related_entity_id, n.related_entity_type.as_deref()), (None, None));

    let trade = Uuid::new_v4();
    let id = Uuid::new_v4();
    let n = Notification::new(
        NewNotification {
            priority: NotificationPriority::High,
            related_entity_id: Some(trade),
            related_entity_type: Some("trade".into()),
            action_url: Some(format!("/trades/{trade}")),
            ..base()
        },
        Some(id),
        now(),
    )
    .unwrap();
    assert_eq!(n.id, id);
    assert_eq!(n.priority, NotificationPriority::High);
    assert_eq!(n.related_entity_id, Some(trade));
    assert_eq!(n.related_entity_type.as_deref(), Some("trade"));
    assert_eq!(n.action_url, Some(format!("/trades/{trade}")));
}

#[test]
fn title_limits() {
    let title = |t: String| make(NewNotification { title: t, ..base() });
    assert!(title("t".repeat(100)).is_ok());
    assert!(title("é".repeat(100)).is_ok(), "characters, not bytes");
    assert!(invalid_field(title("t".repeat(101)), "title").contains("101"));
    invalid_field(title(String::new()), "title");
    invalid_field(title("   ".into()), "title");
}

#[test]
fn message_limit() {
    let msg = |m: String| make(NewNotification { message: m, ..base() });
    assert!(msg(String::new()).is_ok());
    assert!(msg("m".repeat(65_536)).is_ok());
    invalid_field(msg("m".repeat(65_537)), "message");
}

#[test]
fn related_entity_limits() {
    let rel = |id: Option<Uuid>, kind: Option<String>| {
        make(NewNotification { related_entity_id: id, related_entity_type: kind, ..base() })
    };
    let id = Some(Uuid::new_v4());
    assert!(rel(id, Some("k".repeat(50))).is_ok());
    invalid_field(rel(id, Some("k".repeat(51))), "related_entity_type");
    invalid_field(rel(id, Some(String::new())), "related_entity_type");
    assert!(invalid_field(rel(id, None), "related_entity_type").contains("required"));
    assert!(
        invalid_field(rel(None, Some("trade".into())), "related_entity_id").contains("required")
    );
}

#[test]
fn action_url_limits() {
    let url = |u: String| make(NewNotification { action_url: Some(u), ..base() });
    assert!(url("u".repeat(255)).is_ok());
    invalid_field(url("u".repeat(256)), "action_url");
    invalid_field(url(String::new()), "action_url");
}

#[test]
fn every_row_of_the_status_table() {
    use NotificationEvent as E;
    use NotificationStatus as S;
    let t = now() + Duration::minutes(10);
    let table = [
        (S::Unread, E::MarkRead, Some(S::Read)),
        (S::Read, E::MarkRead, Some(S::Read)),
        (S::Unread, E::Archive, Some(S::Archived)),
        (S::Read, E::Archive, Some(S::Archived)),
        (S::Archived, E::MarkRead, None),
        // A retry of the archive is a no-op, not an error.
        (S::Archived, E::Archive, Some(S::Archived)),
    ];
    for (from, event, expected) in table {
        let mut n = with_status(from);
        let before = n.clone();
        let result = n.apply(event, t);
        match expected {
            Some(to) => {
                result.unwrap();
                assert_eq!(n.status, to, "{from} {event:?}");
                let expected_read_at = match from {
                    S::Unread if event == E::MarkRead => Some(t),
                    _ => before.read_at,
                };
                assert_eq!(n.read_at, expected_read_at, "{from} {event:?}");
            }
            None => {
                assert_eq!(
                    result.unwrap_err(),
                    ElsonError::InvalidTransition {
                        entity: "notification".into(),
                        from: from.to_string(),
                        to: event.target().to_string(),
                    }
                );
                assert_eq!(n, before, "unchanged on error");
            }
        }
    }
}

#[test]
fn mark_read_is_idempotent_and_keeps_the_first_read_time() {
    let mut n = make(base()).unwrap();
    let first = now() + Duration::minutes(1);
    n.mark_read(first).unwrap();
    n.mark_read(first + Duration::hours(5)).unwrap();
    assert_eq!(n.read_at, Some(first));
    n.archive(first + Duration::hours(6)).unwrap();
    assert_eq!(n.read_at, Some(first), "archiving keeps read_at");
}

#[test]
fn archive_unread_leaves_read_at_empty() {
    let mut n = make(base()).unwrap();
    n.archive(now()).unwrap();
    assert_eq!((n.status, n.read_at), (NotificationStatus::Archived, None));
}

#[test]
fn time_before_creation_is_refused() {
    let early = now() - Duration::seconds(1);
    let mut n = make(base()).unwrap();
    let before = n.clone();
    invalid_field(n.mark_read(early), "now");
    invalid_field(n.archive(early), "now");
    assert_eq!(n, before);
    // Archived is final even when the time is also wrong: the state is the
    // first thing checked.
    let mut a = with_status(NotificationStatus::Archived);
    assert_eq!(a.mark_read(early).unwrap_err().code(), "INVALID_TRANSITION");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Any sequence of events keeps the invariants: READ has `read_at`,
    /// `read_at` never moves once set, ARCHIVED never changes.
    #[test]
    fn event_sequences_keep_invariants(events in prop::collection::vec((any::<bool>(), 0i64..1000), 0..20)) {
        let mut n = make(base()).unwrap();
        let mut first_read = None;
        for (read, minutes) in events {
            let event = if read { NotificationEvent::MarkRead } else { NotificationEvent::Archive };
            let before = n.clone();
            let result = n.apply(event, now() + Duration::minutes(minutes));
            if before.status == NotificationStatus::Archived {
                // MarkRead is refused, a repeated Archive is a no-op: either
                // way nothing changes.
                prop_assert_eq!(result.is_err(), read);
                prop_assert_eq!(&n, &before);
            } else {
                prop_assert!(result.is_ok());
            }
            if n.status == NotificationStatus::Read {
                prop_assert!(n.read_at.is_some());
            }
            if let Some(t) = first_read {
                prop_assert_eq!(n.read_at, Some(t));
            } else {
                first_read = n.read_at;
            }
        }
    }
}
