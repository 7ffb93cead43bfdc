//! `authorize` for the four roles (DESIGN §3).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod families_support;

use elson_core::entities::Relationship;
use elson_core::enums::*;
use elson_core::families::*;
use families_support::*;
use proptest::prelude::*;
use uuid::Uuid;

fn actor(role: UserRole) -> Actor {
    Actor { id: Uuid::new_v4(), role, status: UserStatus::Active }
}

/// Every resource, owned by `owner` where it has an owner.
fn resources_of(owner: Uuid, other: Uuid) -> Vec<Resource> {
    vec![
        Resource::User { id: owner },
        Resource::UserStanding { id: owner },
        Resource::Portfolio { owner_id: owner },
        Resource::Trade { owner_id: owner },
        Resource::Notification { user_id: owner },
        Resource::BetaFeedback { user_id: owner },
        Resource::Relationship { guardian_id: other, minor_id: owner },
    ]
}

const GLOBALS: [Resource; 5] = [
    Resource::FeatureFlag,
    Resource::ModelParameter,
    Resource::BacktestResult,
    Resource::VolatilityRegime,
    Resource::CircuitBreaker,
];

fn allowed(a: &Actor, action: Action, r: &Resource, links: &[Relationship]) -> Option<Access> {
    match authorize(a, action, r, links) {
        Ok(access) => Some(access),
        Err(e) => {
            assert_eq!(e.code(), "FORBIDDEN", "{e:?}");
            None
        }
    }
}

fn granted_actions(a: &Actor, r: &Resource, links: &[Relationship]) -> Vec<Action> {
    Action::ALL.iter().copied().filter(|act| allowed(a, *act, r, links).is_some()).collect()
}

use Action::*;

#[test]
fn inactive_and_suspended_users_may_do_nothing() {
    for role in UserRole::ALL {
        for status in [UserStatus::Inactive, UserStatus::Suspended] {
            let a = Actor { id: Uuid::new_v4(), role: *role, status };
            let links = [active_link(a.id, Uuid::new_v4())];
            let mut all = resources_of(a.id, Uuid::new_v4());
            all.extend(GLOBALS);
            for r in &all {
                for act in Action::ALL {
                    let e = authorize(&a, *act, r, &links).unwrap_err();
                    assert_eq!(e.code(), "FORBIDDEN");
                    assert!(e.to_string().contains(status.as_str()), "{e}");
                }
            }
        }
    }
}

#[test]
fn beta_testers_act_like_active_users() {
    let a = Actor { status: UserStatus::BetaTester, ..actor(UserRole::User) };
    let access = authorize(&a, Withdraw, &Resource::Portfolio { owner_id: a.id }, &[]).unwrap();
    assert_eq!(access, Access { basis: AccessBasis::Owner, audited: false });
}

#[test]
fn everyone_reads_market_state_and_only_admins_trip_the_breaker() {
    for role in UserRole::ALL {
        let a = actor(*role);
        for r in [Resource::VolatilityRegime, Resource::CircuitBreaker] {
            let access = authorize(&a, Read, &r, &[]).unwrap();
            assert_eq!(access, Access { basis: AccessBasis::Public, audited: false });
        }
        // Regimes come only from the detector.
        assert_eq!(granted_actions(&a, &Resource::VolatilityRegime, &[]), vec![Read]);
        let breaker = granted_actions(&a, &Resource::CircuitBreaker, &[]);
        if *role == UserRole::Admin {
            assert_eq!(breaker, vec![Read, Update]);
            let trip = authorize(&a, Update, &Resource::CircuitBreaker, &[]).unwrap();
            assert_eq!(trip, Access { basis: AccessBasis::Admin, audited: true });
        } else {
            assert_eq!(breaker, vec![Read]);
        }
    }
}

#[test]
fn platform_configuration_is_for_admins_only() {
    for r in [Resource::FeatureFlag, Resource::ModelParameter, Resource::BacktestResult] {
        for role in [UserRole::User, UserRole::Guardian, UserRole::Minor] {
            assert!(granted_actions(&actor(role), &r, &[]).is_empty(), "{role} {r:?}");
        }
        let admin = actor(UserRole::Admin);
        assert_eq!(granted_actions(&admin, &r, &[]), vec![Read, Create, Update, Delete]);
        assert!(
            !authorize(&admin, Read, &r, &[]).unwrap().audited,
            "config reads are not user data"
        );
        assert!(authorize(&admin, Update, &r, &[]).unwrap().audited, "config writes are audited");
    }
}

#[test]
fn adults_act_on_their_own_data_unaudited() {
    for role in [UserRole::User, UserRole::Guardian, UserRole::Admin] {
        let a = actor(role);
        let me = a.id;
        // Sign-up: a USER or GUARDIAN creates their own profile; admins are made by admins.
        let profile =
            if role == UserRole::Admin { vec![Read, Update] } else { vec![Read, Create, Update] };
        let expect = [
            (Resource::User { id: me }, profile),
            (Resource::UserStanding { id: me }, vec![Read]),
            (
                Resource::Portfolio { owner_id: me },
                vec![Read, Create, Update, Delete, Deposit, Withdraw],
            ),
            (Resource::Trade { owner_id: me }, vec![Read, Create, Update]),
            (Resource::Notification { user_id: me }, vec![Read, Update, Delete]),
            (Resource::BetaFeedback { user_id: me }, vec![Read, Create]),
        ];
        for (r, actions) in expect {
            assert_eq!(granted_actions(&a, &r, &[]), actions, "{role} {r:?}");
            for act in actions {
                let access = authorize(&a, act, &r, &[]).unwrap();
                assert_eq!(access, Access { basis: AccessBasis::Owner, audited: false });
            }
        }
    }
}

#[test]
fn users_and_guardians_get_nothing_of_strangers() {
    for role in [UserRole::User, UserRole::Guardian, UserRole::Minor] {
        let a = actor(role);
        let stranger = Uuid::new_v4();
        // Even with a PENDING or INACTIVE link, or an active link to someone else.
        let links = [
            link(
                a.id,
                stranger,
                RelationshipStatus::Pending,
                trading(),
                ApprovalSettings::default(),
            ),
            link(
                a.id,
                stranger,
                RelationshipStatus::Inactive,
                trading(),
                ApprovalSettings::default(),
            ),
            active_link(a.id, Uuid::new_v4()),
        ];
        for r in resources_of(stranger, Uuid::new_v4()) {
            assert!(granted_actions(&a, &r, &links).is_empty(), "{role} {r:?}");
        }
    }
}

#[test]
fn a_guardian_reads_an_active_minors_data_audited_and_approves_their_trades() {
    let g = actor(UserRole::Guardian);
    let kid = Uuid::new_v4();
    let links = [active_link(g.id, kid)];
    let expect = [
        (Resource::User { id: kid }, vec![Read]),
        (Resource::UserStanding { id: kid }, vec![Read]),
        (Resource::Portfolio { owner_id: kid }, vec![Read, Create, Update, Deposit]),
        (Resource::Trade { owner_id: kid }, vec![Read, Approve]),
        (Resource::Notification { user_id: kid }, vec![Read]),
        (Resource::BetaFeedback { user_id: kid }, vec![]),
        // A co-guardian's link to the same child.
        (Resource::Relationship { guardian_id: Uuid::new_v4(), minor_id: kid }, vec![Read]),
    ];
    for (r, actions) in expect {
        assert_eq!(granted_actions(&g, &r, &links), actions, "{r:?}");
        for act in actions {
            let access = authorize(&g, act, &r, &links).unwrap();
            assert_eq!(access, Access { basis: AccessBasis::Guardian, audited: true });
        }
    }
}

#[test]
fn a_guardian_manages_their_own_links_but_never_deletes_them() {
    let g = actor(UserRole::Guardian);
    let kid = Uuid::new_v4();
    let r = Resource::Relationship { guardian_id: g.id, minor_id: kid };
    assert_eq!(granted_actions(&g, &r, &[]), vec![Read, Create, Update]);
    // A guardian listed as the *minor* of a link gains nothing from it.
    let odd = Resource::Relationship { guardian_id: Uuid::new_v4(), minor_id: g.id };
    assert!(granted_actions(&g, &odd, &[]).is_empty());
    // A plain USER may not be a guardian.
    let u = actor(UserRole::User);
    let r = Resource::Relationship { guardian_id: u.id, minor_id: kid };
    assert!(granted_actions(&u, &r, &[]).is_empty());
}

#[test]
fn a_minor_acts_on_their_own_within_permissions() {
    let m = actor(UserRole::Minor);
    let g = Uuid::new_v4();
    let me = m.id;
    // Default permissions: deposits yes, withdrawals no, trading no.
    let links = [link(
        g,
        me,
        RelationshipStatus::Active,
        Permissions::default(),
        ApprovalSettings::default(),
    )];
    let expect = [
        (Resource::User { id: me }, vec![Read, Update]),
        (Resource::UserStanding { id: me }, vec![Read]),
        (Resource::Portfolio { owner_id: me }, vec![Read, Deposit]),
        // Placing is allowed even without `trading`: the approval decision
        // records the rejection with its reason.
        (Resource::Trade { owner_id: me }, vec![Read, Create, Update]),
        (Resource::Notification { user_id: me }, vec![Read, Update, Delete]),
        (Resource::BetaFeedback { user_id: me }, vec![Read, Create]),
        (Resource::Relationship { guardian_id: g, minor_id: me }, vec![Read]),
    ];
    for (r, actions) in expect {
        assert_eq!(granted_actions(&m, &r, &links), actions, "{r:?}");
    }
    let e = authorize(&m, Withdraw, &Resource::Portfolio { owner_id: me }, &links).unwrap_err();
    assert!(e.to_string().contains("withdrawals"), "{e}");
}

#[test]
fn a_minors_money_permissions_need_every_active_guardian() {
    let m = actor(UserRole::Minor);
    let mine = Resource::Portfolio { owner_id: m.id };
    let both = Permissions { withdrawals: true, ..Permissions::default() };
    let none = Permissions { deposits: false, ..Permissions::default() };
    let mk = |status, p| link(Uuid::new_v4(), m.id, status, p, ApprovalSettings::default());
    let a = RelationshipStatus::Active;
    assert!(allowed(&m, Withdraw, &mine, &[mk(a, both)]).is_some());
    assert!(allowed(&m, Withdraw, &mine, &[mk(a, both), mk(a, Permissions::default())]).is_none());
    assert!(allowed(&m, Deposit, &mine, &[mk(a, both), mk(a, none)]).is_none());
    // Inactive or pending guardians' permissions do not count, either way.
    assert!(
        allowed(&m, Withdraw, &mine, &[mk(a, both), mk(RelationshipStatus::Inactive, none)])
            .is_some()
    );
    // No active guardian at all: no money moves.
    let e = authorize(&m, Deposit, &mine, &[mk(RelationshipStatus::Pending, both)]).unwrap_err();
    assert!(e.to_string().contains("ACTIVE guardian"), "{e}");
    assert!(allowed(&m, Deposit, &mine, &[]).is_none());
    // Another minor's permissions do not lend themselves.
    let other = link(Uuid::new_v4(), Uuid::new_v4(), a, both, ApprovalSettings::default());
    assert!(allowed(&m, Withdraw, &mine, &[other]).is_none());
}

#[test]
fn a_minor_reads_nothing_of_their_guardian() {
    let m = actor(UserRole::Minor);
    let g = Uuid::new_v4();
    let links = [active_link(g, m.id)];
    for r in [
        Resource::Portfolio { owner_id: g },
        Resource::Trade { owner_id: g },
        Resource::User { id: g },
    ] {
        assert!(granted_actions(&m, &r, &links).is_empty(), "{r:?}");
    }
}

#[test]
fn an_admin_reads_everyone_audited_and_writes_only_to_operate() {
    let admin = actor(UserRole::Admin);
    let someone = Uuid::new_v4();
    let expect = [
        (Resource::User { id: someone }, vec![Read, Create]),
        (Resource::UserStanding { id: someone }, vec![Read, Update]),
        (Resource::Portfolio { owner_id: someone }, vec![Read]),
        (Resource::Trade { owner_id: someone }, vec![Read]),
        (Resource::Notification { user_id: someone }, vec![Read]),
        (Resource::BetaFeedback { user_id: someone }, vec![Read, Update]),
        (
            Resource::Relationship { guardian_id: Uuid::new_v4(), minor_id: someone },
            vec![Read, Create, Update],
        ),
    ];
    for (r, actions) in expect {
        assert_eq!(granted_actions(&admin, &r, &[]), actions, "{r:?}");
        for act in actions {
            let access = authorize(&admin, act, &r, &[]).unwrap();
            assert_eq!(access, Access { basis: AccessBasis::Admin, audited: true });
        }
    }
    // No self-promotion.
    assert!(allowed(&admin, Update, &Resource::UserStanding { id: admin.id }, &[]).is_none());
}

#[test]
fn denials_say_who_may_not_do_what() {
    let g = actor(UserRole::Guardian);
    let e = authorize(&g, Withdraw, &Resource::Portfolio { owner_id: Uuid::new_v4() }, &[])
        .unwrap_err();
    assert_eq!(e.to_string(), "forbidden: GUARDIAN may not Withdraw Portfolio (Other)");
}

#[test]
fn actor_comes_from_a_user_and_resources_serialize_flat() {
    let u = user(UserRole::Guardian);
    let a = Actor::from(&u);
    assert_eq!((a.id, a.role, a.status), (u.id, UserRole::Guardian, UserStatus::Active));
    let id = Uuid::nil();
    let json = serde_json::to_value(Resource::Portfolio { owner_id: id }).unwrap();
    assert_eq!(json, serde_json::json!({"kind": "PORTFOLIO", "owner_id": id}));
    let back: Resource =
        serde_json::from_value(serde_json::json!({"kind": "CIRCUIT_BREAKER"})).unwrap();
    assert_eq!(back, Resource::CircuitBreaker);
    assert_eq!(serde_json::to_value(Action::Withdraw).unwrap(), "WITHDRAW");
}

/// Every (role, action, resource) in a small world: the audit and basis
/// rules hold for every grant.
#[test]
fn every_grant_is_consistently_audited() {
    let mut grants = 0;
    for role in UserRole::ALL {
        let a = actor(*role);
        let ward = Uuid::new_v4();
        let links = [active_link(a.id, ward)];
        let mut all = resources_of(a.id, Uuid::new_v4());
        all.extend(resources_of(ward, Uuid::new_v4()));
        all.extend(resources_of(Uuid::new_v4(), Uuid::new_v4()));
        all.extend(GLOBALS);
        for r in &all {
            for act in Action::ALL {
                let Some(access) = allowed(&a, *act, r, &links) else { continue };
                grants += 1;
                match access.basis {
                    AccessBasis::Owner | AccessBasis::Public => assert!(!access.audited),
                    AccessBasis::Guardian => {
                        assert!(access.audited);
                        assert_eq!(*role, UserRole::Guardian);
                    }
                    AccessBasis::Admin => {
                        assert_eq!(*role, UserRole::Admin);
                        assert!(access.audited || *act == Read);
                    }
                }
                if *act == Approve {
                    assert_eq!(access.basis, AccessBasis::Guardian, "only guardians approve");
                }
                if *act == Withdraw {
                    assert_eq!(access.basis, AccessBasis::Owner, "only owners withdraw");
                }
                if *act == Delete {
                    assert!(
                        !matches!(
                            r,
                            Resource::Trade { .. }
                                | Resource::Relationship { .. }
                                | Resource::User { .. }
                        ),
                        "trades, links and users are never deleted"
                    );
                }
            }
        }
    }
    assert!(grants > 50, "{grants}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Whatever links an actor carries, a non-admin reaches a user-owned
    /// resource only if it is theirs or an ACTIVE minor's of theirs.
    #[test]
    fn only_own_or_active_wards_data_is_reachable(
        role in prop::sample::select(UserRole::ALL),
        action in prop::sample::select(Action::ALL),
        statuses in prop::collection::vec(prop::sample::select(RelationshipStatus::ALL), 0..4),
        pick in 0usize..6,
        which in 0usize..7,
    ) {
        let a = actor(role);
        let owners: Vec<Uuid> = (0..statuses.len()).map(|_| Uuid::new_v4()).collect();
        let links: Vec<Relationship> = statuses
            .iter()
            .zip(&owners)
            .map(|(s, o)| link(a.id, *o, *s, trading(), ApprovalSettings::default()))
            .collect();
        let owner = match pick {
            0 => a.id,
            i if i <= owners.len() => owners[i - 1],
            _ => Uuid::new_v4(),
        };
        let r = resources_of(owner, Uuid::new_v4())[which];
        if let Some(access) = allowed(&a, action, &r, &links) {
            let ward = owners.iter().zip(&statuses).any(|(o, s)| *o == owner && *s == RelationshipStatus::Active);
            let own = owner == a.id;
            prop_assert!(role == UserRole::Admin || own || (ward && role == UserRole::Guardian),
                "{role} {action:?} {r:?} {access:?}");
            prop_assert_eq!(access.audited, !own || (access.basis == AccessBasis::Admin && action != Read));
        }
    }
}

#[test]
fn the_system_actor_is_granted_everything_and_always_audited() {
    let system = Actor::system();
    assert!(system.is_system());
    assert_eq!(
        (system.id, system.role, system.status),
        (SYSTEM_ACTOR_ID, UserRole::Admin, UserStatus::Active)
    );
    let mut all = resources_of(Uuid::new_v4(), Uuid::new_v4());
    all.extend(resources_of(SYSTEM_ACTOR_ID, Uuid::new_v4()));
    all.extend(GLOBALS);
    for r in &all {
        for act in Action::ALL {
            let access = authorize(&system, *act, r, &[]).unwrap();
            assert_eq!(
                access,
                Access { basis: AccessBasis::Admin, audited: true },
                "{act:?} {r:?}"
            );
        }
    }
    // An ordinary ADMIN still may not move a user's money.
    let admin = actor(UserRole::Admin);
    let e = authorize(&admin, Deposit, &Resource::Portfolio { owner_id: Uuid::new_v4() }, &[]);
    assert_eq!(e.unwrap_err().code(), "FORBIDDEN");
}

#[test]
fn only_the_exact_system_triple_is_the_system() {
    let owner = Uuid::new_v4();
    let deposit = Resource::Portfolio { owner_id: owner };
    for role in UserRole::ALL {
        for status in [
            UserStatus::Active,
            UserStatus::BetaTester,
            UserStatus::Inactive,
            UserStatus::Suspended,
        ] {
            let a = Actor { id: SYSTEM_ACTOR_ID, role: *role, status };
            if a == Actor::system() {
                continue;
            }
            assert!(!a.is_system());
            // The nil id under another role or status is an ordinary actor.
            let e = authorize(&a, Deposit, &deposit, &[]).unwrap_err();
            assert_eq!(e.code(), "FORBIDDEN", "{a:?}");
        }
    }
    // A real id claiming ADMIN is not the system either.
    let fake = Actor { id: Uuid::new_v4(), ..Actor::system() };
    assert!(!fake.is_system());
    assert_eq!(authorize(&fake, Deposit, &deposit, &[]).unwrap_err().code(), "FORBIDDEN");
}
