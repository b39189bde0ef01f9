//! One behaviour suite for every [`LedgerStore`]: `MemoryStore` (the reference), `SqlStore` on a
//! fresh SQLite file, and `SqlStore` on a real PostgreSQL server when `KYC_TEST_POSTGRES_URL`
//! is set (`.ci/run` starts one; each test gets a schema of its own, dropped when it passes).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, TimeDelta, Utc};
use kyc_core::{ClientId, Decision, ErrorKind, Session, Status};
use kyc_ledger::{
    AttemptRecord, Claim, EventOutcome, EventRecord, Fingerprint, KeyEntry, KeyState, LedgerStore,
    ListFilter, MemoryStore, SessionRecord, SqlStore,
};
use sqlx::{Connection, Row};

const POSTGRES_ENV: &str = "KYC_TEST_POSTGRES_URL";
const LINK_HOST: &str = "verify.example";

/// A store under test, and how to open it again (another pool: another process's view).
struct Target {
    name: &'static str,
    store: Arc<dyn LedgerStore>,
    memory: Option<Arc<MemoryStore>>,
    url: Option<String>,
    sqlite: Option<PathBuf>,
    postgres_schema: Option<(String, String)>,
}

impl Target {
    /// Another handle on the same ledger: a separate `SqlStore::open` (its own connections), or
    /// the same `MemoryStore`.
    fn reopen(&self) -> impl Future<Output = Arc<dyn LedgerStore>> + Send + 'static {
        let (url, memory) = (self.url.clone(), self.memory.clone());
        async move {
            match (url, memory) {
                (Some(url), _) => Arc::new(SqlStore::open(&url).await.expect("reopen")),
                (None, Some(memory)) => memory as Arc<dyn LedgerStore>,
                (None, None) => unreachable!(),
            }
        }
    }

    async fn cleanup(self) {
        drop(self.store);
        if let Some(path) = &self.sqlite {
            remove_sqlite(path);
        }
        if let Some((base, schema)) = &self.postgres_schema {
            let mut conn = sqlx::PgConnection::connect(base).await.expect("connect to PostgreSQL");
            sqlx::query(&format!("DROP SCHEMA {schema} CASCADE")).execute(&mut conn).await.unwrap();
            let _ = conn.close().await;
        }
    }
}

fn unique(test: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = Utc::now().timestamp_subsec_nanos();
    format!("kyc_t_{}_{}_{n}_{nanos}", std::process::id(), test)
}

fn temp_sqlite(test: &str) -> PathBuf {
    std::env::temp_dir().join(format!("{}.db", unique(test)))
}

fn remove_sqlite(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let _ = std::fs::remove_file(file);
    }
}

fn postgres_url() -> Option<String> {
    let url = std::env::var(POSTGRES_ENV).ok().filter(|url| !url.is_empty());
    if url.is_none() {
        eprintln!("skipping PostgreSQL: set {POSTGRES_ENV}=postgres://USER@HOST:PORT/DB to run it");
    }
    url
}

/// A fresh schema on the server at `base`, and the URL whose connections use it.
async fn postgres_schema(base: &str, test: &str) -> (String, String) {
    let schema = unique(test);
    let mut conn = sqlx::PgConnection::connect(base).await.expect("connect to PostgreSQL");
    sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&mut conn).await.unwrap();
    let _ = conn.close().await;
    let mut url = url::Url::parse(base).unwrap();
    url.query_pairs_mut().append_pair("options[search_path]", &schema);
    (schema, url.to_string())
}

/// Every store, each fresh.
async fn targets(test: &str) -> Vec<Target> {
    let memory = Arc::new(MemoryStore::new());
    let mut targets = vec![Target {
        name: "memory",
        store: Arc::clone(&memory) as Arc<dyn LedgerStore>,
        memory: Some(memory),
        url: None,
        sqlite: None,
        postgres_schema: None,
    }];
    let path = temp_sqlite(test);
    let url = format!("sqlite:{}", path.display());
    targets.push(Target {
        name: "sqlite",
        store: Arc::new(SqlStore::open(&url).await.expect("open SQLite")),
        memory: None,
        url: Some(url),
        sqlite: Some(path),
        postgres_schema: None,
    });
    if let Some(base) = postgres_url() {
        let (schema, url) = postgres_schema(&base, test).await;
        targets.push(Target {
            name: "postgres",
            store: Arc::new(SqlStore::open(&url).await.expect("open PostgreSQL")),
            memory: None,
            url: Some(url),
            sqlite: None,
            postgres_schema: Some((base, schema)),
        });
    }
    targets
}

/// Now, to the millisecond (what the SQL stores keep).
fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap()
}

fn fingerprint(name: &str) -> Fingerprint {
    Fingerprint::from_hex(format!("{name:0>64}"))
}

fn link_of(provider: &str, id: &str) -> String {
    format!("https://{LINK_HOST}/s/{provider}/{id}?token=bearer-secret")
}

fn session(
    provider: &str,
    id: &str,
    client: &str,
    fp: &Fingerprint,
    key: Option<&str>,
    created_at: DateTime<Utc>,
) -> SessionRecord {
    let url = url::Url::parse(&link_of(provider, id)).unwrap();
    let mut session = Session::new(provider, id, url, ClientId::new(client).unwrap());
    session.created_at = created_at;
    session.expires_at = Some(created_at + TimeDelta::hours(1));
    let mut record = SessionRecord::new(&session, fp.clone(), key);
    record.attempts = vec![AttemptRecord::from_error(
        "other",
        &kyc_core::testing::ErrorExt::timeout("other", true),
    )];
    record
}

fn event(
    provider: &str,
    id: &str,
    status: Status,
    is_final: bool,
    at: DateTime<Utc>,
) -> EventRecord {
    let vendor = status.as_ref().to_owned();
    let mut decision = Decision::new(provider, id, status, vendor, is_final);
    decision.decided_at = Some(at);
    decision.attempt_id = Some(format!("{}", at.timestamp_millis()));
    EventRecord::from_decision(&decision, "webhook", at)
}

fn assert_same_session(name: &str, got: &SessionRecord, want: &SessionRecord) {
    assert_eq!(got.provider, want.provider, "{name}");
    assert_eq!(got.session_id, want.session_id, "{name}");
    assert_eq!(got.kind, want.kind, "{name}");
    assert_eq!(got.client_id, want.client_id, "{name}");
    assert_eq!(got.idempotency_key, want.idempotency_key, "{name}");
    assert_eq!(got.fingerprint, want.fingerprint, "{name}");
    assert_eq!(got.link(), want.link(), "{name}");
    assert_eq!(got.created_at, want.created_at, "{name}");
    assert_eq!(got.expires_at, want.expires_at, "{name}");
    assert_eq!(got.status, want.status, "{name}");
    assert_eq!(got.is_final, want.is_final, "{name}");
    assert_eq!(got.updated_at, want.updated_at, "{name}");
    assert_eq!(got.attempts, want.attempts, "{name}");
}

/// The entry a claim found; a claim that won is a failure of the test named `name`.
fn existing(claim: Claim, name: &str) -> KeyEntry {
    match claim {
        Claim::Existing(entry) => entry,
        other => panic!("{name}: expected the key's entry, got {other:?}"),
    }
}

#[tokio::test]
async fn claim_finish_and_replay() {
    for target in targets("claim").await {
        let (name, store) = (target.name, &target.store);
        let t = now();
        let fp = fingerprint("a1");
        let claim = store.claim("k-1", &fp, t + TimeDelta::seconds(30), t).await.unwrap();
        assert!(matches!(claim, Claim::Claimed), "{name}: {claim:?}");

        // Held: another caller sees the lease.
        match store.claim("k-1", &fingerprint("b2"), t + TimeDelta::seconds(30), t).await.unwrap() {
            Claim::Existing(entry) => {
                assert_eq!(entry.fingerprint, fp, "{name}: the first request's fingerprint");
                assert!(
                    matches!(entry.state, KeyState::Pending { until } if until == t + TimeDelta::seconds(30)),
                    "{name}: {:?}",
                    entry.state
                );
            }
            other => panic!("{name}: {other:?}"),
        }

        let record = session("stub", "s-1", "u1", &fp, Some("k-1"), t);
        store.finish(Some("k-1"), &record).await.unwrap();
        let claim = store.claim("k-1", &fp, t + TimeDelta::seconds(30), t).await.unwrap();
        match existing(claim, name).state {
            KeyState::Done(done) => assert_same_session(name, &done, &record),
            other => panic!("{name}: {other:?}"),
        }
        let stored = store.session("stub", "s-1").await.unwrap().expect("recorded");
        assert_same_session(name, &stored, &record);
        assert!(store.session("stub", "s-2").await.unwrap().is_none(), "{name}");
        assert!(store.session("other", "s-1").await.unwrap().is_none(), "{name}");

        // Without a key: recorded, no key touched.
        let keyless = session("stub", "s-2", "u1", &fp, None, t);
        store.finish(None, &keyless).await.unwrap();
        let stored = store.session("stub", "s-2").await.unwrap().expect("recorded");
        assert_same_session(name, &stored, &keyless);
        target.cleanup().await;
    }
}

#[tokio::test]
async fn release_lets_a_later_claim_succeed() {
    for target in targets("release").await {
        let (name, store) = (target.name, &target.store);
        let t = now();
        let fp = fingerprint("a1");
        assert!(matches!(
            store.claim("k", &fp, t + TimeDelta::seconds(30), t).await.unwrap(),
            Claim::Claimed
        ));
        store.release("k").await.unwrap();
        let again =
            store.claim("k", &fingerprint("c3"), t + TimeDelta::seconds(30), t).await.unwrap();
        assert!(matches!(again, Claim::Claimed), "{name}: {again:?}");
        // Releasing a key nobody holds is harmless.
        store.release("never-claimed").await.unwrap();
        target.cleanup().await;
    }
}

#[tokio::test]
async fn unresolved_keys_keep_their_attempts() {
    for target in targets("unresolved").await {
        let (name, store) = (target.name, &target.store);
        let t = now();
        let fp = fingerprint("a1");
        assert!(matches!(
            store.claim("k", &fp, t + TimeDelta::seconds(30), t).await.unwrap(),
            Claim::Claimed
        ));
        let attempts = vec![AttemptRecord::from_error(
            "stub",
            &kyc_core::testing::ErrorExt::timeout("stub", true),
        )];
        assert!(attempts[0].may_have_created_session);
        store.mark_unresolved("k", &attempts).await.unwrap();
        let claim = store.claim("k", &fp, t + TimeDelta::seconds(30), t).await.unwrap();
        match existing(claim, name).state {
            KeyState::Unresolved(got) => assert_eq!(got, attempts, "{name}"),
            other => panic!("{name}: {other:?}"),
        }
        target.cleanup().await;
    }
}

#[tokio::test]
async fn an_expired_lease_becomes_unresolved() {
    for target in targets("lease").await {
        let (name, store) = (target.name, &target.store);
        let t = now();
        let fp = fingerprint("a1");
        let until = t + TimeDelta::seconds(5);
        assert!(matches!(store.claim("k", &fp, until, t).await.unwrap(), Claim::Claimed));
        // Still held at its last instant.
        let held = existing(store.claim("k", &fp, until, until).await.unwrap(), name);
        assert!(matches!(held.state, KeyState::Pending { .. }), "{name}");
        let later = until + TimeDelta::milliseconds(1);
        for _ in 0..2 {
            let claim = store.claim("k", &fp, later + TimeDelta::seconds(5), later).await.unwrap();
            match existing(claim, name).state {
                KeyState::Unresolved(attempts) => assert!(attempts.is_empty(), "{name}"),
                other => panic!("{name}: {other:?}"),
            }
        }
        target.cleanup().await;
    }
}

#[tokio::test]
async fn concurrent_claims_from_separate_connections_claim_once() {
    for target in targets("race").await {
        let name = target.name;
        let t = now();
        let tasks: Vec<_> = (0..12)
            .map(|_| {
                let store = target.reopen();
                tokio::spawn(async move {
                    let store = store.await;
                    let fp = fingerprint("a1");
                    store.claim("race", &fp, t + TimeDelta::seconds(30), t).await.unwrap()
                })
            })
            .collect();
        let mut claimed = 0;
        for task in tasks {
            match task.await.unwrap() {
                Claim::Claimed => claimed += 1,
                Claim::Existing(entry) => {
                    assert!(matches!(entry.state, KeyState::Pending { .. }), "{name}: {entry:?}");
                }
                other => panic!("{name}: {other:?}"),
            }
        }
        assert_eq!(claimed, 1, "{name}: exactly one claim");
        target.cleanup().await;
    }
}

#[tokio::test]
async fn find_live_skips_expired_decided_and_erased_sessions() {
    for target in targets("live").await {
        let (name, store) = (target.name, &target.store);
        let t = now();
        let fp = fingerprint("a1");
        let mut expired = session("stub", "expired", "u1", &fp, None, t - TimeDelta::hours(3));
        expired.expires_at = Some(t - TimeDelta::seconds(1));
        let decided = session("stub", "decided", "u1", &fp, None, t - TimeDelta::minutes(3));
        let erased = session("stub", "erased", "u1", &fp, None, t - TimeDelta::minutes(2));
        let started = session("stub", "started", "u1", &fp, None, t - TimeDelta::minutes(1));
        let other_request = session("stub", "other-fp", "u1", &fingerprint("b2"), None, t);
        let other_client = session("stub", "other-client", "u2", &fp, None, t);
        for record in [&expired, &decided, &erased, &started, &other_request, &other_client] {
            store.finish(None, record).await.unwrap();
        }
        store.record_event(&event("stub", "decided", Status::Approved, true, t)).await.unwrap();
        store.record_event(&event("stub", "started", Status::Started, false, t)).await.unwrap();
        assert!(store.remove_link("stub", "erased").await.unwrap());
        assert!(
            store.find_live("u1", &fp, t).await.unwrap().is_none(),
            "{name}: expired, decided, started, erased: none is live"
        );

        let older_live = session("stub", "live-1", "u1", &fp, None, t - TimeDelta::minutes(10));
        let mut newer_live = session("stub", "live-2", "u1", &fp, None, t - TimeDelta::minutes(5));
        newer_live.expires_at = Some(t + TimeDelta::minutes(10));
        store.finish(None, &older_live).await.unwrap();
        store.finish(None, &newer_live).await.unwrap();

        let live = store.find_live("u1", &fp, t).await.unwrap().expect("a live session");
        assert_eq!(live.session_id, "live-2", "{name}: the newest live one");
        assert_same_session(name, &live, &newer_live);
        let live = store.find_live("u2", &fp, t).await.unwrap().expect("the other client's");
        assert_eq!(live.session_id, "other-client", "{name}");

        // Past their expiry, none.
        let late = t + TimeDelta::hours(2);
        assert!(store.find_live("u1", &fp, late).await.unwrap().is_none(), "{name}");
        // Expiring at exactly `now`: no longer live.
        let at_expiry = newer_live.expires_at.unwrap();
        let live = store.find_live("u1", &fp, at_expiry).await.unwrap().expect("the older one");
        assert_eq!(live.session_id, "live-1", "{name}");
        target.cleanup().await;
    }
}

#[tokio::test]
async fn list_filters_and_orders_newest_first() {
    for target in targets("list").await {
        let (name, store) = (target.name, &target.store);
        let t = now();
        let fp = fingerprint("a1");
        let records = [
            session("idenfy", "a", "u1", &fp, None, t - TimeDelta::minutes(4)),
            session("veriff", "b", "u1", &fp, None, t - TimeDelta::minutes(3)),
            session("idenfy", "c", "u2", &fp, None, t - TimeDelta::minutes(2)),
            session("veriff", "d", "u2", &fp, None, t - TimeDelta::minutes(1)),
        ];
        for record in &records {
            store.finish(None, record).await.unwrap();
        }
        store.record_event(&event("veriff", "b", Status::Approved, true, t)).await.unwrap();
        store.record_event(&event("idenfy", "c", Status::Started, false, t)).await.unwrap();

        let ids = |sessions: Vec<SessionRecord>| -> Vec<String> {
            sessions.into_iter().map(|s| s.session_id).collect()
        };
        let all = store.list(&ListFilter::default()).await.unwrap();
        assert_eq!(ids(all), ["d", "c", "b", "a"], "{name}");

        let mut filter = ListFilter::default();
        filter.client_id = Some("u1".into());
        assert_eq!(ids(store.list(&filter).await.unwrap()), ["b", "a"], "{name}");

        let mut filter = ListFilter::default();
        filter.provider = Some("idenfy".into());
        assert_eq!(ids(store.list(&filter).await.unwrap()), ["c", "a"], "{name}");

        let mut filter = ListFilter::default();
        filter.status = Some(Status::Created);
        assert_eq!(ids(store.list(&filter).await.unwrap()), ["d", "a"], "{name}");

        let mut filter = ListFilter::default();
        filter.open_only = true;
        assert_eq!(ids(store.list(&filter).await.unwrap()), ["d", "c", "a"], "{name}");

        let mut filter = ListFilter::default();
        filter.limit = Some(2);
        assert_eq!(ids(store.list(&filter).await.unwrap()), ["d", "c"], "{name}");

        let mut filter = ListFilter::default();
        filter.client_id = Some("u2".into());
        filter.provider = Some("veriff".into());
        filter.status = Some(Status::Created);
        filter.open_only = true;
        filter.limit = Some(10);
        assert_eq!(ids(store.list(&filter).await.unwrap()), ["d"], "{name}");

        let mut filter = ListFilter::default();
        filter.client_id = Some("nobody".into());
        assert!(store.list(&filter).await.unwrap().is_empty(), "{name}");
        target.cleanup().await;
    }
}

#[tokio::test]
async fn list_pages_through_every_session_once_newest_first() {
    for target in targets("pages").await {
        let (name, store) = (target.name, &target.store);
        let t = now();
        let fp = fingerprint("a2");
        let micros = TimeDelta::microseconds;
        // Recorded out of order; "d" and "c" share a millisecond (the SQL store keeps no finer),
        // "d" recorded first, and "c" later in that millisecond: "d" comes first in every store.
        let records = [
            session("idenfy", "e", "u1", &fp, None, t - TimeDelta::minutes(1)),
            session("veriff", "d", "u1", &fp, None, t - TimeDelta::minutes(3) + micros(200)),
            session("idenfy", "a", "u1", &fp, None, t - TimeDelta::minutes(5)),
            session("veriff", "c", "u1", &fp, None, t - TimeDelta::minutes(3) + micros(700)),
            session("idenfy", "b", "u1", &fp, None, t - TimeDelta::minutes(4)),
            session("veriff", "x", "u2", &fp, None, t - TimeDelta::minutes(2)),
        ];
        for record in &records {
            store.finish(None, record).await.unwrap();
        }
        let ids = |sessions: Vec<SessionRecord>| -> Vec<String> {
            sessions.into_iter().map(|s| s.session_id).collect()
        };
        let page = |offset: usize, limit: Option<usize>| {
            let mut filter = ListFilter::default();
            filter.client_id = Some("u1".into());
            filter.offset = offset;
            filter.limit = limit;
            filter
        };

        let mut pages = Vec::new();
        for offset in [0, 2, 4] {
            pages.push(ids(store.list(&page(offset, Some(2))).await.unwrap()));
        }
        assert_eq!(pages, [vec!["e", "d"], vec!["c", "b"], vec!["a"]], "{name}");
        assert_eq!(ids(store.list(&page(0, None)).await.unwrap()), ["e", "d", "c", "b", "a"]);

        // An offset with no limit: the rest.
        assert_eq!(ids(store.list(&page(3, None)).await.unwrap()), ["b", "a"], "{name}");
        let mut filter = ListFilter::default();
        filter.offset = 1;
        assert_eq!(ids(store.list(&filter).await.unwrap()), ["x", "d", "c", "b", "a"], "{name}");

        for offset in [5, 6, usize::MAX] {
            assert!(store.list(&page(offset, Some(2))).await.unwrap().is_empty(), "{name}");
            assert!(store.list(&page(offset, None)).await.unwrap().is_empty(), "{name}");
        }
        target.cleanup().await;
    }
}

#[tokio::test]
async fn events_are_recorded_once_and_move_forward_only() {
    for target in targets("events").await {
        let (name, store) = (target.name, &target.store);
        let t = now();
        let fp = fingerprint("a1");
        let record = session("stub", "s", "u1", &fp, None, t);
        store.finish(None, &record).await.unwrap();

        let started = event("stub", "s", Status::Started, false, t + TimeDelta::seconds(10));
        assert_eq!(
            store.record_event(&started).await.unwrap(),
            EventOutcome::Recorded { advanced: true },
            "{name}"
        );
        assert_eq!(store.record_event(&started).await.unwrap(), EventOutcome::Duplicate, "{name}");

        // An older non-final event is recorded but does not move it back.
        let older = event("stub", "s", Status::Submitted, false, t + TimeDelta::seconds(5));
        assert_eq!(
            store.record_event(&older).await.unwrap(),
            EventOutcome::Recorded { advanced: false },
            "{name}"
        );
        let stored = store.session("stub", "s").await.unwrap().unwrap();
        assert_eq!((stored.status, stored.is_final), (Status::Started, false), "{name}");
        assert_eq!(stored.updated_at, t + TimeDelta::seconds(10), "{name}");

        // One at the same instant moves it.
        let same = event("stub", "s", Status::Submitted, false, t + TimeDelta::seconds(10));
        let mut same = same;
        same.dedup_key.push_str(":same");
        assert_eq!(
            store.record_event(&same).await.unwrap(),
            EventOutcome::Recorded { advanced: true },
            "{name}"
        );

        let approved = event("stub", "s", Status::Approved, true, t + TimeDelta::seconds(20));
        assert_eq!(
            store.record_event(&approved).await.unwrap(),
            EventOutcome::Recorded { advanced: true },
            "{name}"
        );
        // A late event, older or newer, never reopens a final one.
        let late = event("stub", "s", Status::Declined, true, t + TimeDelta::seconds(15));
        assert_eq!(
            store.record_event(&late).await.unwrap(),
            EventOutcome::Recorded { advanced: false },
            "{name}"
        );
        let newer = event("stub", "s", Status::Started, false, t + TimeDelta::seconds(30));
        assert_eq!(
            store.record_event(&newer).await.unwrap(),
            EventOutcome::Recorded { advanced: false },
            "{name}"
        );
        let stored = store.session("stub", "s").await.unwrap().unwrap();
        assert_eq!((stored.status, stored.is_final), (Status::Approved, true), "{name}");
        assert_eq!(stored.updated_at, t + TimeDelta::seconds(20), "{name}");

        // A notice (no status) never moves it.
        let mut notice = event("stub", "s", Status::Started, false, t + TimeDelta::seconds(40));
        notice.status = None;
        notice.dedup_key = "stub:s:notice".into();
        assert_eq!(
            store.record_event(&notice).await.unwrap(),
            EventOutcome::Recorded { advanced: false },
            "{name}"
        );

        // Oldest first, client id filled in from the session.
        let events = store.events("stub", "s").await.unwrap();
        let at: Vec<i64> = events.iter().map(|e| (e.occurred_at - t).num_seconds()).collect();
        assert_eq!(at, [5, 10, 10, 15, 20, 30, 40], "{name}");
        assert!(events.iter().all(|e| e.client_id.as_deref() == Some("u1")), "{name}: {events:?}");
        assert_eq!(
            events[3],
            {
                let mut late = late.clone();
                late.client_id = Some("u1".into());
                late
            },
            "{name}"
        );

        // The event's own client id is kept.
        let mut own = event("stub", "s", Status::Approved, true, t + TimeDelta::seconds(50));
        own.client_id = Some("from-vendor".into());
        store.record_event(&own).await.unwrap();
        let events = store.events("stub", "s").await.unwrap();
        assert_eq!(events.last().unwrap().client_id.as_deref(), Some("from-vendor"), "{name}");

        // An event for a session the ledger lacks is recorded, once, without a client id.
        let stray = event("stub", "unknown", Status::Approved, true, t);
        assert_eq!(
            store.record_event(&stray).await.unwrap(),
            EventOutcome::Recorded { advanced: false },
            "{name}"
        );
        assert_eq!(store.record_event(&stray).await.unwrap(), EventOutcome::Duplicate, "{name}");
        assert_eq!(store.events("stub", "unknown").await.unwrap(), [stray], "{name}");
        // The same dedup key at another provider is another event.
        let mut elsewhere = event("stub", "s", Status::Approved, true, t);
        elsewhere.provider = "elsewhere".into();
        assert_eq!(
            store.record_event(&elsewhere).await.unwrap(),
            EventOutcome::Recorded { advanced: false },
            "{name}"
        );
        target.cleanup().await;
    }
}

#[tokio::test]
async fn a_duplicate_event_is_recorded_once_across_connections() {
    for target in targets("dup_race").await {
        let name = target.name;
        let t = now();
        target
            .store
            .finish(None, &session("stub", "s", "u1", &fingerprint("a1"), None, t))
            .await
            .unwrap();
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let store = target.reopen();
                tokio::spawn(async move {
                    let store = store.await;
                    let approved = event("stub", "s", Status::Approved, true, t);
                    store.record_event(&approved).await.unwrap()
                })
            })
            .collect();
        let mut outcomes = Vec::new();
        for task in tasks {
            outcomes.push(task.await.unwrap());
        }
        let recorded =
            outcomes.iter().filter(|o| matches!(o, EventOutcome::Recorded { .. })).count();
        assert_eq!(recorded, 1, "{name}: {outcomes:?}");
        assert_eq!(target.store.events("stub", "s").await.unwrap().len(), 1, "{name}");
        target.cleanup().await;
    }
}

#[tokio::test]
async fn remove_link_forgets_the_link_once() {
    for target in targets("erase").await {
        let (name, store) = (target.name, &target.store);
        let t = now();
        store.finish(None, &session("stub", "s", "u1", &fingerprint("a1"), None, t)).await.unwrap();
        assert!(store.remove_link("stub", "s").await.unwrap(), "{name}");
        assert!(!store.remove_link("stub", "s").await.unwrap(), "{name}: already gone");
        assert!(!store.remove_link("stub", "missing").await.unwrap(), "{name}");
        let stored = store.session("stub", "s").await.unwrap().unwrap();
        assert!(stored.link.is_none() && stored.link().is_none(), "{name}");
        target.cleanup().await;
    }
}

#[tokio::test]
async fn debug_never_shows_a_link_or_a_password() {
    for target in targets("debug").await {
        let (name, store) = (target.name, &target.store);
        let t = now();
        let record = session("stub", "s", "u1", &fingerprint("a1"), Some("k"), t);
        store.finish(Some("k"), &record).await.unwrap();
        let stored = store.session("stub", "s").await.unwrap().unwrap();
        let claim = store.claim("k", &record.fingerprint, t, t).await.unwrap();
        for text in [
            format!("{stored:?}"),
            format!("{claim:?}"),
            format!("{store:?}"),
            format!("{record:?}"),
        ] {
            assert!(!text.contains(LINK_HOST) && !text.contains("bearer-secret"), "{name}: {text}");
            assert!(
                !text.contains(record.fingerprint.as_str()),
                "{name}: the whole fingerprint: {text}"
            );
        }
        target.cleanup().await;
    }
    // A PostgreSQL URL's password never shows; the server may ignore it (trust auth).
    if let Some(base) = postgres_url() {
        let mut url = url::Url::parse(&base).unwrap();
        if url.password().is_none() {
            url.set_password(Some("pw-must-not-show")).unwrap();
        }
        let password = url.password().unwrap().to_owned();
        match SqlStore::open(url.as_str()).await {
            Ok(store) => {
                let text = format!("{store:?}");
                assert!(text.contains("postgres") && !text.contains(&password), "{text}");
            }
            Err(error) => assert!(!error.to_string().contains(&password), "{error}"),
        }
    }
    // Nor when the server cannot be reached.
    let error =
        SqlStore::open("postgres://kyc:pw-must-not-show@127.0.0.1:1/kyc").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unavailable, "{error}");
    assert!(!format!("{error} {error:?}").contains("pw-must-not-show"), "{error:?}");
}

#[tokio::test]
async fn a_reopened_sqlite_file_keeps_everything() {
    let path = temp_sqlite("reopen");
    let t = now();
    let fp = fingerprint("a1");
    let record = session("stub", "s", "u1", &fp, Some("k-done"), t);
    {
        let store = SqlStore::open_sqlite(&path).await.unwrap();
        assert!(matches!(
            store.claim("k-done", &fp, t + TimeDelta::seconds(9), t).await.unwrap(),
            Claim::Claimed
        ));
        store.finish(Some("k-done"), &record).await.unwrap();
        assert!(matches!(
            store.claim("k-held", &fp, t + TimeDelta::seconds(9), t).await.unwrap(),
            Claim::Claimed
        ));
        store.record_event(&event("stub", "s", Status::Started, false, t)).await.unwrap();
        store.close().await;
    }
    let store = SqlStore::open(&format!("sqlite://{}", path.display())).await.unwrap();
    let stored = store.session("stub", "s").await.unwrap().unwrap();
    assert_eq!((stored.status, stored.link()), (Status::Started, record.link()));
    let done = existing(store.claim("k-done", &fp, t, t).await.unwrap(), "sqlite");
    assert!(matches!(done.state, KeyState::Done(_)));
    let held = existing(store.claim("k-held", &fp, t, t).await.unwrap(), "sqlite");
    assert!(matches!(held.state, KeyState::Pending { .. }));
    assert_eq!(store.events("stub", "s").await.unwrap().len(), 1);
    assert_eq!(store.list(&ListFilter::default()).await.unwrap().len(), 1);
    store.close().await;
    remove_sqlite(&path);
}

#[tokio::test]
async fn a_missing_directory_is_created() {
    let dir = std::env::temp_dir().join(unique("dir"));
    let path = dir.join("nested").join("ledger.db");
    let store = SqlStore::open_sqlite(&path).await.unwrap();
    store.close().await;
    assert!(path.exists());
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_a_config_error_and_stays_unchanged() {
    let path = temp_sqlite("garbage");
    let garbage: Vec<u8> =
        (0..8192u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(&path, &garbage).unwrap();
    for url in [format!("sqlite:{}", path.display())] {
        let error = SqlStore::open(&url).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Config, "{error}");
        assert!(error.to_string().contains("not a SQLite database"), "{error}");
    }
    assert_eq!(std::fs::read(&path).unwrap(), garbage, "the file is unchanged");
    assert!(!PathBuf::from(format!("{}-wal", path.display())).exists());
    remove_sqlite(&path);
}

/// The schema versions a database holds, and its tables.
async fn sqlite_schema(path: &Path) -> (Vec<i64>, Vec<String>) {
    let mut conn =
        sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display())).await.unwrap();
    let versions = sqlx::query("SELECT version FROM kyc_ledger_schema ORDER BY version")
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|row| row.get::<i64, _>(0))
        .collect();
    let tables = sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|row| row.get::<String, _>(0))
        .collect();
    conn.close().await.unwrap();
    (versions, tables)
}

#[tokio::test]
async fn a_newer_sqlite_schema_is_a_config_error_and_stays_unchanged() {
    let path = temp_sqlite("newer");
    let store = SqlStore::open_sqlite(&path).await.unwrap();
    store.close().await;
    let (versions, _) = sqlite_schema(&path).await;
    let known = *versions.last().unwrap();
    let newer = known + 98;
    {
        let mut conn =
            sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display())).await.unwrap();
        sqlx::query("INSERT INTO kyc_ledger_schema (version, applied_at) VALUES ($1, 0)")
            .bind(newer)
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let error = SqlStore::open_sqlite(&path).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Config, "{error}");
    let text = error.to_string();
    assert!(
        text.contains(&format!("version {newer}")) && text.contains(&format!("({known})")),
        "{text}"
    );
    assert!(text.contains("upgrade kyc-ledger"), "{text}");
    assert_eq!(std::fs::read(&path).unwrap(), before, "the file is unchanged");
    remove_sqlite(&path);
}

#[tokio::test]
async fn migrations_are_idempotent() {
    let path = temp_sqlite("twice");
    for _ in 0..3 {
        let store = SqlStore::open_sqlite(&path).await.unwrap();
        store.close().await;
    }
    let (versions, tables) = sqlite_schema(&path).await;
    let expected: Vec<i64> = (1..=*versions.last().unwrap()).collect();
    assert_eq!(versions, expected, "each version applied once");
    for table in
        ["kyc_ledger_events", "kyc_ledger_keys", "kyc_ledger_schema", "kyc_ledger_sessions"]
    {
        assert!(tables.iter().any(|t| t == table), "{table} in {tables:?}");
    }
    // And concurrently, from separate pools on a fresh file.
    let fresh = temp_sqlite("twice_racing");
    let url = format!("sqlite:{}", fresh.display());
    let opens: Vec<_> = (0..6).map(|_| tokio::spawn(open_owned(url.clone()))).collect();
    for open in opens {
        open.await.unwrap().unwrap().close().await;
    }
    assert_eq!(sqlite_schema(&fresh).await.0, expected);
    remove_sqlite(&path);
    remove_sqlite(&fresh);
}

#[tokio::test]
async fn postgres_migrations_are_idempotent_and_a_newer_schema_is_refused_unchanged() {
    let Some(base) = postgres_url() else { return };
    let (schema, url) = postgres_schema(&base, "pg_schema").await;
    let opens: Vec<_> = (0..4).map(|_| tokio::spawn(open_owned(url.clone()))).collect();
    for open in opens {
        open.await.unwrap().unwrap().close().await;
    }
    SqlStore::open(&url).await.unwrap().close().await;

    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    let (versions, tables) = pg_snapshot(&mut conn).await;
    let known = *versions.last().unwrap();
    assert_eq!(versions, (1..=known).collect::<Vec<_>>(), "each version applied once");
    assert_eq!(tables.len(), 4, "{tables:?}");

    let newer = known + 98;
    sqlx::query("INSERT INTO kyc_ledger_schema (version, applied_at) VALUES ($1, 0)")
        .bind(newer)
        .execute(&mut conn)
        .await
        .unwrap();
    let before = pg_snapshot(&mut conn).await;
    let error = SqlStore::open(&url).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Config, "{error}");
    let text = error.to_string();
    assert!(
        text.contains(&format!("version {newer}")) && text.contains(&format!("({known})")),
        "{text}"
    );
    assert_eq!(pg_snapshot(&mut conn).await, before, "unchanged");
    conn.close().await.unwrap();

    let mut conn = sqlx::PgConnection::connect(&base).await.unwrap();
    sqlx::query(&format!("DROP SCHEMA {schema} CASCADE")).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
}

/// The schema versions of the current schema, and its tables.
async fn pg_snapshot(conn: &mut sqlx::PgConnection) -> (Vec<i64>, Vec<String>) {
    let versions = sqlx::query("SELECT version FROM kyc_ledger_schema ORDER BY version")
        .fetch_all(&mut *conn)
        .await
        .unwrap()
        .iter()
        .map(|row| row.get::<i64, _>(0))
        .collect();
    let tables = sqlx::query(
        "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = current_schema() ORDER BY table_name",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap()
    .iter()
    .map(|row| row.get::<String, _>(0))
    .collect();
    (versions, tables)
}

/// `SqlStore::open` for `tokio::spawn` (an owned URL).
async fn open_owned(url: String) -> Result<SqlStore, kyc_core::Error> {
    SqlStore::open(&url).await
}
