//! The `kyc` command keeps its ledger: a real SQLite file (and a real PostgreSQL database when
//! `KYC_TEST_POSTGRES_URL` is set; `.ci/run` starts one), the emulator counting vendor calls,
//! and several `kyc` processes racing one idempotency key: exactly one vendor call.

use std::path::PathBuf;
use std::process::Output;

use kyc_emulator::{Emulator, Fault, RunningEmulator, Vendor};
use serde_json::Value;

/// A fresh SQLite ledger file, removed when dropped.
struct TempLedger(PathBuf);

impl TempLedger {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "kyc-cli-ledger-{name}-{}-{}",
            std::process::id(),
            nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn url(&self) -> String {
        format!("sqlite:{}", self.0.join("ledger.sqlite").display())
    }
}

impl Drop for TempLedger {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn nanos() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
}

/// `kyc args` pointed at `emulator` and the ledger `database`.
fn command(emulator: &RunningEmulator, database: &str, args: &[&str]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_kyc"));
    command
        .args(args)
        .env_clear()
        .envs(emulator.vars())
        .env("KYC_DATABASE_URL", database)
        .env("KYC_LEDGER_KEY", "the test ledger's key");
    command
}

async fn kyc(emulator: &RunningEmulator, database: &str, args: &[&str]) -> Output {
    command(emulator, database, args).output().await.expect("kyc runs")
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
        panic!(
            "not JSON: {} / {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn create<'a>(client: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let base = ["session", "create", "--provider", "veriff", "--client-id", client];
    [&base[..], extra, &["--output", "json"]].concat()
}

#[tokio::test]
async fn a_key_buys_one_session_and_another_request_is_refused() {
    let emulator = Emulator::builder().start().await.unwrap();
    let ledger = TempLedger::new("key");
    let db = ledger.url();
    let first = kyc(&emulator, &db, &create("op-1", &["--idempotency-key", "signup-1"])).await;
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    let again = kyc(&emulator, &db, &create("op-1", &["--idempotency-key", "signup-1"])).await;
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    let (first, again) = (json(&first), json(&again));
    assert_eq!((first["reused"].clone(), again["reused"].clone()), (false.into(), true.into()));
    assert_eq!(first["session_id"], again["session_id"]);
    assert_eq!(first["url"], again["url"]);
    assert_eq!(emulator.requests_received(Vendor::Veriff), 1);

    let other =
        create("op-1", &["--idempotency-key", "signup-1", "--person-email", "a@example.com"]);
    let refused = kyc(&emulator, &db, &other).await;
    assert_eq!(code(&refused), 2, "{}", stderr(&refused));
    assert!(stderr(&refused).contains("idempotencyKey"), "{}", stderr(&refused));
    assert_eq!(emulator.requests_received(Vendor::Veriff), 1);
}

#[tokio::test]
async fn a_live_session_is_reused_unless_new_is_asked() {
    let emulator = Emulator::builder().start().await.unwrap();
    let ledger = TempLedger::new("reuse");
    let db = ledger.url();
    let first = json(&kyc(&emulator, &db, &create("op-2", &[])).await);
    let reused =
        kyc(&emulator, &db, &["session", "create", "--provider", "veriff", "--client-id", "op-2"])
            .await;
    assert_eq!(code(&reused), 0);
    assert!(stderr(&reused).contains("nothing was bought"), "{}", stderr(&reused));
    assert!(String::from_utf8_lossy(&reused.stdout).starts_with(first["url"].as_str().unwrap()));
    assert_eq!(emulator.requests_received(Vendor::Veriff), 1);
    let fresh = json(&kyc(&emulator, &db, &create("op-2", &["--new"])).await);
    assert_eq!(fresh["reused"], false);
    assert_ne!(fresh["session_id"], first["session_id"]);
    assert_eq!(emulator.requests_received(Vendor::Veriff), 2);
    // --new and a key contradict each other.
    let both = kyc(&emulator, &db, &create("op-2", &["--new", "--idempotency-key", "k"])).await;
    assert_eq!(code(&both), 2);
}

#[tokio::test]
async fn an_unknown_outcome_is_not_sent_again() {
    let emulator = Emulator::builder().start().await.unwrap();
    let ledger = TempLedger::new("unknown");
    let db = ledger.url();
    // A 500 may come after the work was done: a session may exist at Veriff.
    emulator.set_fault(Vendor::Veriff, Fault::status(500).times(1));
    let failed = kyc(&emulator, &db, &create("op-3", &["--idempotency-key", "k-500"])).await;
    assert_eq!(code(&failed), 4, "{}", stderr(&failed));
    let retry = kyc(&emulator, &db, &create("op-3", &["--idempotency-key", "k-500"])).await;
    assert_eq!(code(&retry), 4, "{}", stderr(&retry));
    assert!(stderr(&retry).contains("may have created a session at veriff"), "{}", stderr(&retry));
    assert_eq!(emulator.requests_received(Vendor::Veriff), 1, "sent once");
}

#[tokio::test]
async fn the_list_shows_every_session_and_show_its_events() {
    let emulator = Emulator::builder().start().await.unwrap();
    let ledger = TempLedger::new("list");
    let db = ledger.url();
    let one = json(&kyc(&emulator, &db, &create("op-4", &[])).await);
    let two = json(&kyc(&emulator, &db, &create("op-5", &[])).await);
    let id = one["session_id"].as_str().unwrap();
    emulator.decide(Vendor::Veriff, id, kyc_emulator::Choice::Approve).await.unwrap();
    let status =
        kyc(&emulator, &db, &["session", "status", "--provider", "veriff", "--session-id", id])
            .await;
    assert_eq!(code(&status), 0, "{}", stderr(&status));

    let listed = kyc(&emulator, &db, &["session", "list", "--output", "json"]).await;
    assert_eq!(code(&listed), 0, "{}", stderr(&listed));
    let listed = json(&listed);
    let rows = listed.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["session_id"], two["session_id"], "newest first");
    assert_eq!(
        (rows[1]["status"].as_str(), rows[1]["final"].as_bool()),
        (Some("approved"), Some(true))
    );
    assert!(!listed.to_string().contains(one["url"].as_str().unwrap()), "no link in the list");
    let filtered = json(
        &kyc(&emulator, &db, &["session", "list", "--client-id", "op-5", "--output", "json"]).await,
    );
    assert_eq!(filtered.as_array().unwrap().len(), 1);
    let approved = json(
        &kyc(&emulator, &db, &["session", "list", "--status", "approved", "--output", "json"])
            .await,
    );
    assert_eq!(approved[0]["session_id"], one["session_id"]);

    // --refresh polls what is not final: the second session, still created.
    let refreshed =
        kyc(&emulator, &db, &["session", "list", "--refresh", "--output", "json"]).await;
    assert_eq!(code(&refreshed), 0, "{}", stderr(&refreshed));
    let second = two["session_id"].as_str().unwrap();
    emulator.decide(Vendor::Veriff, second, kyc_emulator::Choice::Decline).await.unwrap();
    let listed = kyc(&emulator, &db, &["session", "list", "--refresh", "--output", "json"]).await;
    let refreshed = json(&listed);
    assert_eq!(refreshed[0]["status"], "declined", "{refreshed}");

    let shown =
        kyc(&emulator, &db, &["session", "show", "--session-id", id, "--output", "json"]).await;
    assert_eq!(code(&shown), 0, "{}", stderr(&shown));
    let shown = json(&shown);
    assert_eq!(shown["events"][0]["status"], "approved");
    assert_eq!(shown["events"][0]["source"], "poll");
    let missing = kyc(&emulator, &db, &["session", "show", "--session-id", "nope"]).await;
    assert_eq!(code(&missing), 4);

    // Erased at the vendor: the ledger forgets the link.
    let erased =
        kyc(&emulator, &db, &["session", "erase", "--provider", "veriff", "--session-id", id])
            .await;
    assert_eq!(code(&erased), 0, "{}", stderr(&erased));
    let shown = json(
        &kyc(&emulator, &db, &["session", "show", "--session-id", id, "--output", "json"]).await,
    );
    assert_eq!(shown["has_link"], false);
}

#[tokio::test]
async fn a_redelivered_webhook_is_a_duplicate() {
    let emulator = Emulator::builder().start().await.unwrap();
    let ledger = TempLedger::new("webhook");
    let db = ledger.url();
    let body = br#"{"id":"f04bdb47-d3be-4b28-b028-a652feb060b5","feature":"selfid","code":7002,"action":"submitted","vendorData":"op-6","attemptId":"e30122d1-740b-4764-853f-470374a7abf4"}"#;
    let (_, secret) = emulator.veriff_credentials();
    let signature = kyc_adapter::webhook::hex_hmac(secret.as_bytes(), body);
    let file = ledger.0.join("hook.json");
    std::fs::write(&file, body).unwrap();
    let header = format!("X-HMAC-SIGNATURE: {signature}");
    let args = [
        "webhook",
        "verify",
        "--provider",
        "veriff",
        "--header",
        &header,
        "--body",
        file.to_str().unwrap(),
        "--output",
        "json",
    ];
    let first = kyc(&emulator, &db, &args).await;
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    assert_eq!(json(&first)["duplicate"], false);
    let again = kyc(&emulator, &db, &args).await;
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert_eq!(json(&again)["duplicate"], true);
}

/// Several `kyc` processes create with one key at once: one vendor call, one session. The
/// emulated vendor takes its time answering, so every process claims while the first call is
/// in flight.
async fn race(database: &str) {
    let emulator = Emulator::builder().start().await.unwrap();
    emulator.set_fault(Vendor::Veriff, Fault::latency(std::time::Duration::from_millis(700)));
    let key = format!("race-{}-{}", std::process::id(), nanos());
    let args = create("racer", &["--idempotency-key", &key]);
    let mut runs = Vec::new();
    for _ in 0..6 {
        runs.push(command(&emulator, database, &args).output());
    }
    let mut ids = Vec::new();
    for run in runs {
        let output = run.await.unwrap();
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        ids.push(json(&output)["session_id"].as_str().unwrap().to_owned());
    }
    assert_eq!(emulator.requests_received(Vendor::Veriff), 1, "one vendor call for {database}");
    ids.dedup();
    assert_eq!(ids.len(), 1, "one session");
}

#[tokio::test]
async fn racing_processes_buy_one_session_on_sqlite() {
    let ledger = TempLedger::new("race");
    race(&ledger.url()).await;
}

#[tokio::test]
async fn racing_processes_buy_one_session_on_postgresql() {
    let Some(url) = std::env::var("KYC_TEST_POSTGRES_URL").ok().filter(|url| !url.is_empty())
    else {
        eprintln!("skipping PostgreSQL: set KYC_TEST_POSTGRES_URL=postgres://... (.ci/run does)");
        return;
    };
    race(&url).await;
}

#[tokio::test]
async fn a_broken_database_is_a_clear_error_and_stays_as_it_was() {
    let emulator = Emulator::builder().start().await.unwrap();
    let ledger = TempLedger::new("corrupt");
    let file = ledger.0.join("ledger.sqlite");
    let garbage = b"this is no SQLite database, and it must stay as it is".repeat(100);
    std::fs::write(&file, &garbage).unwrap();
    let listed = kyc(&emulator, &ledger.url(), &["session", "list"]).await;
    assert_eq!(code(&listed), 3, "{}", stderr(&listed));
    assert!(stderr(&listed).contains("invalid ledger configuration"), "{}", stderr(&listed));
    let created = kyc(&emulator, &ledger.url(), &create("op-7", &[])).await;
    assert_eq!(code(&created), 3, "{}", stderr(&created));
    assert_eq!(emulator.requests_received(Vendor::Veriff), 0, "nothing bought without a ledger");
    assert_eq!(std::fs::read(&file).unwrap(), garbage);
}

/// Without KYC_DATABASE_URL, the ledger is a SQLite file in the user's data directory, kept
/// private, with a key made on first use; a key file that cannot be read is a clear error.
#[tokio::test]
async fn the_default_ledger_lives_in_the_user_s_data_directory() {
    let emulator = Emulator::builder().start().await.unwrap();
    let home = TempLedger::new("home");
    let run = |args: Vec<&'static str>| {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_kyc"));
        command.args(args).env_clear().envs(emulator.vars()).env("HOME", &home.0);
        command.output()
    };
    let help = run(vec!["--help"]).await.unwrap();
    let expected =
        format!("default: sqlite:{}", home.0.join(".local/share/kyc/ledger.sqlite").display());
    assert!(String::from_utf8_lossy(&help.stdout).contains(&expected), "{help:?}");
    let created = run(create("op-8", &[])).await.unwrap();
    assert_eq!(code(&created), 0, "{}", stderr(&created));
    let dir = home.0.join(".local/share/kyc");
    assert!(dir.join("ledger.sqlite").is_file());
    let key = std::fs::read_to_string(dir.join("ledger.key")).unwrap();
    assert_eq!(key.len(), 64, "32 random bytes in hex");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode();
        assert_eq!(mode(&dir) & 0o077, 0, "the directory is the user's alone");
        assert_eq!(mode(&dir.join("ledger.key")) & 0o077, 0, "the key too");
    }
    let again = run(create("op-8", &[])).await.unwrap();
    assert_eq!(json(&again)["reused"], true, "{}", stderr(&again));

    std::fs::remove_file(dir.join("ledger.key")).unwrap();
    std::fs::create_dir(dir.join("ledger.key")).unwrap();
    let broken = run(create("op-9", &[])).await.unwrap();
    assert_eq!(code(&broken), 3, "{}", stderr(&broken));
    assert!(stderr(&broken).contains("cannot read the key file"), "{}", stderr(&broken));
}
