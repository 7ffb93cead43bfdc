//! A deterministic generator of realistic, sanitized demo data: families
//! (a guardian, a minor, their relationship), solo users, portfolios,
//! positions, trade histories, notifications, regime readings, beta feedback
//! and feature flags — the same rows for the same seed, on either backend.
//!
//! Used by the EXPLAIN tests, the benches and the quickstart. Each
//! portfolio's holdings are bought through the core's `Book` (so cash,
//! positions and total value agree as the core keeps them, and each
//! position has its opening buy); the rest of the trade history is
//! plausible (statuses, fees, approval states) but is not replayed through
//! accounting: use the commands when every trade must agree with the book.
//!
//! ## Sanitized (data model "Beta Safeguards")
//! - Names only from [`FIRST_NAMES`] and [`LAST_NAMES`], obviously fake.
//! - Emails only `<role><n>@example.com` ([`EMAIL_DOMAIN`], reserved for
//!   documentation by RFC 2606), so no mail can reach a real person.
//! - No phone numbers, addresses, government ids or free text about people;
//!   password hashes are not usable hashes (demo users cannot log in).
//! - Deterministic: every value comes from the seed (splitmix64) and a fixed
//!   base time; no clock, no OS randomness. The same seed and sizes give the
//!   same rows on either backend.
//! - Environment-aware: on a store opened for an environment, every flag is
//!   that environment's, and a PRODUCTION store gets no BETA_TESTER users
//!   (see [`crate::environment`]); the generator draws the same random
//!   numbers either way.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use elson_core::accounting::{Book, Execution, FeeSchedule};
use elson_core::entities::{
    BetaFeedback, FeatureFlag, NewTrade, Notification, Portfolio, Relationship, Trade, User,
    VolatilityRegime,
};
use elson_core::enums::*;
use elson_core::families::{Action, ApprovalSettings, Permissions, Resource};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::access::Call;
use crate::actor::Actor;
use crate::db::Conn;
use crate::error::StoreResult;
use crate::repo::{notifications, portfolios, positions, trades, volatility_regimes};
use crate::store::{Store, Tx};

/// How much to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSizes {
    /// Guardian–minor pairs; each minor has one EDUCATION portfolio that
    /// needs guardian approval, each guardian one STANDARD portfolio.
    pub families: usize,
    /// Users without family links, one STANDARD portfolio each.
    pub solo_users: usize,
    /// Positions per portfolio (distinct symbols).
    pub positions_per_portfolio: usize,
    /// Trades per portfolio.
    pub trades_per_portfolio: usize,
    /// Notifications per user.
    pub notifications_per_user: usize,
    /// Distinct symbols (at most [`SYMBOLS`]'s length).
    pub symbols: usize,
    /// Regime readings per symbol.
    pub regimes_per_symbol: usize,
    /// One feedback from every n-th user (0: none).
    pub feedback_every_nth_user: usize,
    /// Feature flags, spread over the four environments (on a store opened
    /// for an environment: all of that environment).
    pub flags: usize,
}

impl DemoSizes {
    /// A few hundred rows: quick tests and the quickstart.
    pub fn small() -> Self {
        DemoSizes {
            families: 5,
            solo_users: 5,
            positions_per_portfolio: 3,
            trades_per_portfolio: 10,
            notifications_per_user: 2,
            symbols: 10,
            regimes_per_symbol: 40,
            feedback_every_nth_user: 3,
            flags: 8,
        }
    }

    /// Tens of thousands of rows: enough for both planners to prefer
    /// indices, so EXPLAIN tests mean something.
    pub fn explain() -> Self {
        DemoSizes {
            families: 1_000,
            solo_users: 1_000,
            positions_per_portfolio: 4,
            trades_per_portfolio: 8,
            notifications_per_user: 3,
            symbols: 60,
            regimes_per_symbol: 200,
            feedback_every_nth_user: 2,
            flags: 2_000,
        }
    }
}

/// What was generated, with sample ids for queries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    /// Users inserted.
    pub users: usize,
    /// Portfolios inserted.
    pub portfolios: usize,
    /// Trades inserted.
    pub trades: usize,
    /// Every guardian id, in generation order.
    pub guardian_ids: Vec<Uuid>,
    /// Every minor id, in generation order.
    pub minor_ids: Vec<Uuid>,
    /// Every portfolio id, in generation order.
    pub portfolio_ids: Vec<Uuid>,
    /// Every user id, in generation order.
    pub user_ids: Vec<Uuid>,
}

/// Symbols the generator draws from.
pub const SYMBOLS: &[&str] = &[
    "AAPL", "MSFT", "GOOG", "AMZN", "META", "NVDA", "TSLA", "BRK.B", "JPM", "V", "JNJ", "WMT",
    "PG", "MA", "HD", "DIS", "BAC", "XOM", "KO", "PEP", "CSCO", "ORCL", "INTC", "AMD", "NFLX",
    "ADBE", "CRM", "NKE", "MCD", "T", "VZ", "PFE", "MRK", "ABT", "TMO", "COST", "AVGO", "QCOM",
    "TXN", "IBM", "SPY", "QQQ", "VTI", "VOO", "IWM", "EFA", "AGG", "BND", "GLD", "TLT", "VXUS",
    "SCHD", "VIG", "ARKK", "DIA", "XLK", "XLF", "XLE", "BTC", "ETH",
];

/// Every first name the generator uses: none is a plausible real person's.
pub const FIRST_NAMES: &[&str] =
    &["Testy", "Sample", "Demo", "Placeholder", "Fictional", "Mock", "Dummy", "Example"];
/// Every last name the generator uses.
pub const LAST_NAMES: &[&str] =
    &["Testperson", "Samplesson", "Demoford", "Mockington", "Fakerly", "Stubbs", "Fixture"];
/// Every generated email is `…@EMAIL_DOMAIN`, a domain reserved by RFC 2606.
pub const EMAIL_DOMAIN: &str = "example.com";

/// splitmix64: tiny, fast, good enough to vary demo data deterministically.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    fn uuid(&mut self) -> Uuid {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.next().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next().to_le_bytes());
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Rows per transaction while loading.
const BATCH_ROWS: usize = 2_000;
const OP: &str = "demo.generate";

/// Streams rows into transactions of [`BATCH_ROWS`]; without a store it
/// writes nothing (a dry run that only replays the generator).
struct Writer<'s> {
    store: Option<&'s Store>,
    tx: Option<Tx>,
    pending: usize,
}

/// Runs `$insert` with a connection (`$c`) and the store (`$s`) when the
/// writer is live; a dry run skips it but still advances the generator.
macro_rules! put {
    ($w:ident, |$c:ident, $s:ident| $insert:expr) => {
        if let Some((mut $c, $s)) = $w.conn().await? {
            let _ = $s;
            $insert.await?;
            $w.row_done().await?;
        }
    };
}

impl<'s> Writer<'s> {
    async fn conn(&mut self) -> StoreResult<Option<(Conn<'_>, &'s Store)>> {
        let Some(store) = self.store else { return Ok(None) };
        let tx = match self.tx.take() {
            Some(tx) => tx,
            None => {
                // Authorized once for the system actor (`generate`); set it
                // for row-level security too.
                let mut tx = store.begin_write(OP).await?;
                crate::access::act_as_system(&mut tx.conn(), OP).await?;
                tx
            }
        };
        Ok(Some((self.tx.insert(tx).conn(), store)))
    }

    async fn row_done(&mut self) -> StoreResult<()> {
        self.pending += 1;
        if self.pending >= BATCH_ROWS {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> StoreResult<()> {
        if let Some(tx) = self.tx.take() {
            tx.commit(OP).await?;
        }
        self.pending = 0;
        Ok(())
    }
}

fn base_time() -> DateTime<Utc> {
    DateTime::from_timestamp(1_735_689_600, 0).unwrap_or_default() // 2025-01-01T00:00:00Z
}

fn money(cents: u64) -> Decimal {
    Decimal::new(cents as i64, 2)
}

fn demo_user(
    rng: &mut Rng,
    n: usize,
    role: UserRole,
    created: DateTime<Utc>,
    env: Option<Environment>,
) -> User {
    let dob = match role {
        UserRole::Minor => NaiveDate::from_ymd_opt(
            2010 + (n % 10) as i32,
            1 + (n % 12) as u32,
            1 + (n % 28) as u32,
        ),
        _ => NaiveDate::from_ymd_opt(
            1970 + (n % 30) as i32,
            1 + (n % 12) as u32,
            1 + (n % 28) as u32,
        ),
    };
    User {
        id: rng.uuid(),
        email: format!("{}{n}@{EMAIL_DOMAIN}", role.as_str().to_lowercase()),
        // Not a usable hash: demo users cannot log in.
        password_hash: "$2b$12$demo.demo.demo.demo.demo.demo.demo.demo.demo.demo.dem".to_string(),
        role,
        first_name: Some(rng.pick(FIRST_NAMES).to_string()),
        last_name: Some(rng.pick(LAST_NAMES).to_string()),
        date_of_birth: dob,
        created_at: created,
        updated_at: created,
        last_login: Some(created + Duration::hours(rng.below(2_000) as i64)),
        // Beta testers do not live in production (crate::environment).
        status: if rng.below(20) == 0 && env != Some(Environment::Production) {
            UserStatus::BetaTester
        } else {
            UserStatus::Active
        },
        two_factor_enabled: false,
        two_factor_secret: None,
        risk_profile: [RiskProfile::Low, RiskProfile::Moderate, RiskProfile::Aggressive]
            [rng.below(3) as usize],
        education_progress: None,
        preferences: None,
        beta_feedback: None,
    }
}

fn demo_portfolio(rng: &mut Rng, owner: &User, kind: PortfolioType, approval: bool) -> Portfolio {
    let cash = money(10_000 + rng.below(5_000_000));
    Portfolio {
        id: rng.uuid(),
        user_id: owner.id,
        name: match kind {
            PortfolioType::Education => "Education fund".to_string(),
            PortfolioType::Retirement => "Retirement".to_string(),
            PortfolioType::Standard => "Main".to_string(),
        },
        description: None,
        created_at: owner.created_at,
        updated_at: owner.created_at,
        cash_balance: cash,
        total_value: cash,
        risk_score: Some(rng.below(101) as i32),
        diversification_score: Some(rng.below(101) as i32),
        portfolio_type: kind,
        guardian_approval: approval,
        volatility_preference: Some(VolatilityLevel::Normal),
        performance_metrics: None,
    }
}

/// Generates demo data into `store` (which should be empty) and returns a
/// summary with the ids it used.
///
/// # Errors
/// Storage failures, or `Conflict` when the store already holds rows with
/// the generated emails.
pub async fn generate(
    store: &Store,
    actor: &Actor,
    seed: u64,
    sizes: &DemoSizes,
) -> StoreResult<DemoSummary> {
    // Accounts, money and trades for many users at once: the system's job
    // (`authorize` grants placing trades on others' portfolios to no one else).
    let call = Call::new("demo.generate", "insert", "demo", None);
    let nobody = Resource::Trade { owner_id: crate::access::NOBODY };
    let summary = match store.authorize_call(actor, &call, Action::Create, nobody).await {
        Ok(()) => {
            let summary = run(Some(store), seed, sizes).await;
            let outcome = summary.as_ref().map_or_else(crate::StoreError::code, |_| "OK");
            store.record_outcome(actor, &call, outcome).await;
            summary
        }
        Err(e) => Err(e),
    };
    store.audited(actor, "insert", "demo", None, summary)
}

/// What [`generate`] would produce for `seed` and `sizes` (the same ids),
/// without writing anything: for reusing a store generated earlier.
///
/// # Errors
/// None in practice (nothing is written); the signature matches
/// [`generate`].
pub async fn plan(seed: u64, sizes: &DemoSizes) -> StoreResult<DemoSummary> {
    run(None, seed, sizes).await
}

async fn run(store: Option<&Store>, seed: u64, sizes: &DemoSizes) -> StoreResult<DemoSummary> {
    let mut rng = Rng(seed);
    let env = store.and_then(Store::environment);
    let mut w = Writer { store, tx: None, pending: 0 };
    let symbols: Vec<&str> =
        SYMBOLS.iter().copied().take(sizes.symbols.clamp(1, SYMBOLS.len())).collect();
    let mut summary = DemoSummary {
        users: 0,
        portfolios: 0,
        trades: 0,
        guardian_ids: Vec::new(),
        minor_ids: Vec::new(),
        portfolio_ids: Vec::new(),
        user_ids: Vec::new(),
    };
    let t0 = base_time();
    let mut owners: Vec<(User, Portfolio)> = Vec::new();
    let mut n = 0usize;
    for f in 0..sizes.families {
        let created = t0 + Duration::minutes(f as i64);
        let g = demo_user(&mut rng, n, UserRole::Guardian, created, env);
        let m = demo_user(&mut rng, n + 1, UserRole::Minor, created, env);
        n += 2;
        for u in [&g, &m] {
            put!(w, |c, s| s.users().write_in(&mut c, "demo.users", crate::repo::users::INSERT, u));
        }
        let rel = Relationship {
            id: rng.uuid(),
            guardian_id: g.id,
            minor_id: m.id,
            relationship_type: RelationshipType::Parent,
            created_at: created,
            updated_at: created,
            status: RelationshipStatus::Active,
            approval_settings: ApprovalSettings::default(),
            permissions: Permissions { trading: true, ..Permissions::default() },
        };
        put!(w, |c, s| s.relationships().write_in(
            &mut c,
            "demo.relationships",
            crate::repo::relationships::INSERT,
            &rel
        ));
        summary.guardian_ids.push(g.id);
        summary.minor_ids.push(m.id);
        let gp = demo_portfolio(&mut rng, &g, PortfolioType::Standard, false);
        let mp = demo_portfolio(&mut rng, &m, PortfolioType::Education, true);
        owners.push((g, gp));
        owners.push((m, mp));
    }
    for s in 0..sizes.solo_users {
        let created = t0 + Duration::minutes((sizes.families + s) as i64);
        let u = demo_user(&mut rng, n, UserRole::User, created, env);
        n += 1;
        put!(w, |c, s| s.users().write_in(&mut c, "demo.users", crate::repo::users::INSERT, &u));
        let p = demo_portfolio(&mut rng, &u, PortfolioType::Standard, false);
        owners.push((u, p));
    }
    summary.users = owners.len();
    for (i, (u, p)) in owners.iter().enumerate() {
        summary.user_ids.push(u.id);
        summary.portfolio_ids.push(p.id);
        // The holdings are bought through the core's book (each buy funded
        // by a deposit of its cost, so the drawn cash stays), then marked at
        // a drawn price: cash, positions and total value agree as the core
        // keeps them, and each position is explained by its opening buy.
        let fees = FeeSchedule::default();
        let mut book = Book::new(p.clone())?;
        let mut opening = Vec::new();
        let offset = rng.below(symbols.len() as u64) as usize;
        for k in 0..sizes.positions_per_portfolio.min(symbols.len()) {
            let symbol = symbols[(offset + k) % symbols.len()];
            let qty = Decimal::new(1 + rng.below(100_000_000) as i64, 6);
            let avg = money(100 + rng.below(50_000));
            let px = money(100 + rng.below(50_000));
            let asset_type = if symbol.len() == 3 && symbol.ends_with('Y') {
                AssetType::Etf
            } else {
                AssetType::Stock
            };
            let at = p.created_at;
            let new = NewTrade::market(rng.uuid(), p.id, symbol, TradeSide::Buy, qty);
            let mut buy = Trade::new(new, at)?;
            buy.guardian_approval = if p.guardian_approval {
                GuardianApproval::Approved
            } else {
                GuardianApproval::NotRequired
            };
            let notional = elson_core::accounting::notional(qty, avg)?;
            book.deposit(notional + fees.fee(notional)?, at)?;
            let exec = Execution { market_price: avg, asset_type, fees: &fees, now: at };
            book.execute(&mut buy, exec)?;
            book.mark_to_market(symbol, px, at)?;
            opening.push(buy);
        }
        let held = book.portfolio().clone();
        put!(w, |c, s| portfolios::insert_in(&mut c, &held));
        // The book names new positions with random ids: the seed's instead.
        for pos in book.positions() {
            let pos = elson_core::entities::Position { id: rng.uuid(), ..pos.clone() };
            put!(w, |c, s| positions::insert_in(&mut c, &pos));
        }
        for buy in &opening {
            put!(w, |c, s| trades::insert_in(&mut c, buy));
            summary.trades += 1;
        }
        for k in 0..sizes.trades_per_portfolio {
            let created =
                p.created_at + Duration::minutes(1 + k as i64 * 37 + rng.below(30) as i64);
            let roll = rng.below(100);
            let status = match roll {
                0..70 => TradeStatus::Executed,
                70..90 => TradeStatus::Pending,
                90..95 => TradeStatus::Cancelled,
                _ => TradeStatus::Rejected,
            };
            let qty = Decimal::new(1 + rng.below(10_000_000) as i64, 6);
            let price = money(100 + rng.below(50_000));
            let notional = (qty * price).round_dp(2);
            let fees = (notional * Decimal::new(35, 4)).round_dp(2).max(Decimal::new(50, 2));
            let side = if rng.below(2) == 0 { TradeSide::Buy } else { TradeSide::Sell };
            let executed = status == TradeStatus::Executed;
            let t = Trade {
                id: rng.uuid(),
                portfolio_id: p.id,
                symbol: symbols[rng.below(symbols.len() as u64) as usize].to_string(),
                order_type: if rng.below(4) == 0 { OrderType::Limit } else { OrderType::Market },
                side,
                quantity: qty,
                price: Some(price),
                status,
                created_at: created,
                executed_at: executed.then(|| created + Duration::seconds(1)),
                total_amount: executed.then(|| match side {
                    TradeSide::Buy => notional + fees,
                    TradeSide::Sell => (notional - fees).max(Decimal::ZERO),
                }),
                fees: executed.then_some(fees),
                notes: (status == TradeStatus::Rejected)
                    .then(|| "over the daily limit".to_string()),
                circuit_breaker_state: Some(CircuitBreakerState::Closed),
                volatility_level: Some(VolatilityLevel::Normal),
                guardian_approval: match (p.guardian_approval, status) {
                    (false, _) => GuardianApproval::NotRequired,
                    (true, TradeStatus::Pending) => GuardianApproval::Pending,
                    (true, TradeStatus::Rejected) => GuardianApproval::Rejected,
                    (true, _) => GuardianApproval::Approved,
                },
                confidence_score: None,
                position_sizing: Some(Decimal::ONE),
            };
            put!(w, |c, s| trades::insert_in(&mut c, &t));
            summary.trades += 1;
        }
        for k in 0..sizes.notifications_per_user {
            let note = Notification {
                id: rng.uuid(),
                user_id: u.id,
                related_entity_id: None,
                related_entity_type: None,
                notification_type: [
                    NotificationType::Trade,
                    NotificationType::Approval,
                    NotificationType::System,
                ][rng.below(3) as usize],
                title: "Portfolio update".to_string(),
                message: "Something happened in your portfolio.".to_string(),
                created_at: u.created_at + Duration::hours(k as i64),
                read_at: None,
                status: NotificationStatus::Unread,
                priority: NotificationPriority::Normal,
                action_url: None,
            };
            put!(w, |c, s| notifications::insert_in(&mut c, &note));
        }
        if sizes.feedback_every_nth_user > 0 && i % sizes.feedback_every_nth_user == 0 {
            let fb = BetaFeedback {
                id: rng.uuid(),
                user_id: u.id,
                feedback_type: FeedbackType::General,
                category: Some("general".to_string()),
                title: "Nice app".to_string(),
                description: "Generated demo feedback.".to_string(),
                severity: FeedbackSeverity::Low,
                status: FeedbackStatus::New,
                submitted_at: u.created_at + Duration::days(1),
                updated_at: u.created_at + Duration::days(1),
                related_component: None,
                environment_details: None,
                screenshots: Vec::new(),
                assigned_to: None,
            };
            put!(w, |c, s| s.beta_feedback().write_in(
                &mut c,
                "demo.feedback",
                crate::repo::beta_feedback::INSERT,
                &fb
            ));
        }
    }
    summary.portfolios = owners.len();
    for symbol in &symbols {
        let level = [VolatilityLevel::Low, VolatilityLevel::Normal, VolatilityLevel::High]
            [rng.below(3) as usize];
        for k in 0..sizes.regimes_per_symbol {
            let r = VolatilityRegime {
                id: rng.uuid(),
                symbol: (*symbol).to_string(),
                timestamp: t0 + Duration::days(k as i64),
                volatility_value: Decimal::new(500 + rng.below(5_000) as i64, 4),
                volatility_level: level,
                lookback_period: 20,
                calculation_method: VolatilityMethod::CloseToClose,
                circuit_breaker_state: Some(CircuitBreakerState::Closed),
                confidence_score: Decimal::new(50 + rng.below(51) as i64, 2),
                stabilization_count: k as i32 + 1,
            };
            put!(w, |c, s| volatility_regimes::insert_in(&mut c, &r));
        }
    }
    for k in 0..sizes.flags {
        let f = FeatureFlag {
            id: rng.uuid(),
            flag_name: format!("flag-{k}"),
            description: None,
            enabled: rng.below(10) == 0,
            // Spread over the four environments, or all the store's own.
            environment: env.unwrap_or(Environment::ALL[k % Environment::ALL.len()]),
            user_percentage: rng.below(101) as i32,
            user_whitelist: Vec::new(),
            created_at: t0,
            updated_at: t0,
            created_by: "demo".to_string(),
            expires_at: None,
        };
        put!(w, |c, s| s.feature_flags().write_in(
            &mut c,
            "demo.flags",
            crate::repo::feature_flags::INSERT,
            &f
        ));
    }
    w.flush().await?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn longest_digit_run(s: &str) -> usize {
        s.split(|c: char| !c.is_ascii_digit()).map(str::len).max().unwrap_or(0)
    }

    #[tokio::test]
    async fn the_plan_is_a_function_of_the_seed() {
        let sizes = DemoSizes::small();
        let a = plan(7, &sizes).await.unwrap();
        assert_eq!(a, plan(7, &sizes).await.unwrap());
        let b = plan(8, &sizes).await.unwrap();
        assert_ne!(a.user_ids, b.user_ids);
        assert_eq!(a.users, sizes.families * 2 + sizes.solo_users);
    }

    #[test]
    fn users_are_sanitized_and_deterministic() {
        let t = base_time();
        for env in [None, Some(Environment::Beta), Some(Environment::Production)] {
            let (mut r1, mut r2) = (Rng(42), Rng(42));
            for n in 0..500 {
                let role = [UserRole::Guardian, UserRole::Minor, UserRole::User][n % 3];
                let u = demo_user(&mut r1, n, role, t, env);
                assert_eq!(u, demo_user(&mut r2, n, role, t, env), "same seed, same user");
                let (local, domain) = u.email.split_once('@').unwrap();
                assert_eq!(domain, EMAIL_DOMAIN);
                assert!(local.chars().all(|c| c.is_ascii_alphanumeric()), "{}", u.email);
                assert!(FIRST_NAMES.contains(&u.first_name.as_deref().unwrap()));
                assert!(LAST_NAMES.contains(&u.last_name.as_deref().unwrap()));
                assert!(u.two_factor_secret.is_none() && u.preferences.is_none());
                // Nothing phone- or SSN-like: no run of 7+ digits anywhere.
                for text in [&u.email, &u.password_hash] {
                    assert!(longest_digit_run(text) < 7, "{text}");
                }
                if env == Some(Environment::Production) {
                    assert_ne!(u.status, UserStatus::BetaTester);
                }
            }
        }
        assert_eq!(longest_digit_run("555-123-4567 / 1234567"), 7);
    }
}
