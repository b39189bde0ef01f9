//! What each store costs the ledger: recorded creations (a new idempotency key: claim, the
//! provider's call, the record) and idempotent replays (a key already done: the recorded session
//! back, nothing sent) per second, one caller at a time, for the in-memory store, a SQLite file
//! and PostgreSQL (when `KYC_TEST_POSTGRES_URL` is set: `.ci/run` starts one; the bench works in
//! a schema of its own, dropped after). The provider is kyc-core's in-process stub, so the store
//! is what is measured.
//!
//! ```sh
//! cargo bench -p kyc-ledger --bench stores
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use kyc_core::{ClientId, Person, SessionRequest, StubProvider};
use kyc_ledger::{Ledger, LedgerStore, MemoryStore, SqlStore};
use sqlx::Connection;

const POSTGRES_ENV: &str = "KYC_TEST_POSTGRES_URL";
/// Each measure runs this long (or this many calls: the stub keeps every request), three
/// times; the median run is reported.
const RUN: Duration = Duration::from_millis(1500);
const MAX_CALLS: u64 = 100_000;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let run = format!("bench{}", std::process::id());
    println!("| store | recorded creations per second | idempotent replays per second |");
    println!("|---|---|---|");
    measure("in memory", Arc::new(MemoryStore::new())).await;

    let file = std::env::temp_dir().join(format!("kyc-ledger-{run}.sqlite"));
    let sqlite = SqlStore::open(&format!("sqlite:{}", file.display())).await.expect("SQLite");
    measure("SQLite (a file, WAL)", Arc::new(sqlite)).await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }

    match std::env::var(POSTGRES_ENV).ok().filter(|url| !url.is_empty()) {
        Some(base) => {
            let mut admin = sqlx::PgConnection::connect(&base).await.expect("PostgreSQL");
            sqlx::query(&format!("CREATE SCHEMA {run}")).execute(&mut admin).await.expect("schema");
            let mut url = url::Url::parse(&base).expect("URL");
            url.query_pairs_mut().append_pair("options[search_path]", &run);
            let postgres = SqlStore::open(url.as_str()).await.expect("PostgreSQL store");
            measure("PostgreSQL (loopback)", Arc::new(postgres)).await;
            let drop = format!("DROP SCHEMA {run} CASCADE");
            sqlx::query(&drop).execute(&mut admin).await.expect("drop schema");
        }
        None => eprintln!("PostgreSQL skipped: set {POSTGRES_ENV}=postgres://USER@HOST:PORT/DB"),
    }
}

async fn measure(name: &str, store: Arc<dyn LedgerStore>) {
    let ledger = Ledger::builder(store, b"bench fingerprint key".to_vec()).build();
    let provider = StubProvider::new("stub");
    let request = SessionRequest::new(ClientId::new("user-1").expect("client id"))
        .with_person(Person::default().with_first_name("Jane").with_last_name("Doe"));
    let mut keys = 0u64;
    let mut creations = Vec::new();
    let mut replays = Vec::new();
    for _ in 0..3 {
        let first = keys;
        creations.push(
            per_second(|| {
                keys += 1;
                let key = format!("create-{keys}");
                let (ledger, provider, request) = (&ledger, &provider, &request);
                async move {
                    let created = ledger.create_session(provider, request, Some(&key)).await;
                    assert!(!created.expect("created").reused);
                }
            })
            .await,
        );
        let mut replayed = first;
        replays.push(
            per_second(|| {
                // Keys made above, each done: every call is a replay.
                replayed = replayed % keys + 1;
                let key = format!("create-{replayed}");
                let (ledger, provider, request) = (&ledger, &provider, &request);
                async move {
                    let created = ledger.create_session(provider, request, Some(&key)).await;
                    assert!(created.expect("replayed").reused);
                }
            })
            .await,
        );
    }
    println!("| {name} | {} | {} |", spread(creations), spread(replays));
}

/// Calls `call` for [`RUN`] (at most [`MAX_CALLS`] times); calls per second.
async fn per_second<F: Future<Output = ()>>(mut call: impl FnMut() -> F) -> f64 {
    let started = Instant::now();
    let mut calls = 0u64;
    while started.elapsed() < RUN && calls < MAX_CALLS {
        call().await;
        calls += 1;
    }
    calls as f64 / started.elapsed().as_secs_f64()
}

/// The median of three runs, and their range.
fn spread(mut runs: Vec<f64>) -> String {
    runs.sort_by(f64::total_cmp);
    format!("{:.0} [{:.0}, {:.0}]", runs[1], runs[0], runs[2])
}
