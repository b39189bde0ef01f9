//! 10,000 session creations at 256 concurrent requests, through failover, against the
//! emulator: zero errors, no file-descriptor exhaustion; peak memory reported.

mod support;

use std::sync::Arc;

use kyc::{ClientId, Failover, SessionRequest, VerificationSession};

const SESSIONS: usize = 10_000;
const CONCURRENT: usize = 256;

/// A line of `/proc/self/status` (Linux), such as `VmHWM` (peak resident memory).
fn status(field: &str) -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with(field))?;
    Some(line[field.len() + 1..].trim().to_owned())
}

fn open_descriptors() -> Option<usize> {
    Some(std::fs::read_dir("/proc/self/fd").ok()?.count())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_sessions_through_failover() {
    let emulator = support::emulator().await;
    let idenfy = support::idenfy(&emulator).build().unwrap();
    let veriff = support::veriff(&emulator).build().unwrap();
    let failover: Arc<dyn VerificationSession> =
        Arc::new(Failover::new(vec![Arc::new(idenfy), Arc::new(veriff)]));
    // Two rounds: a descriptor leak grows with the sessions, a connection pool does not.
    let mut descriptors = Vec::new();
    for round in 0..2 {
        run_round(&failover, round * SESSIONS / 2, SESSIONS / 2).await;
        descriptors.push(open_descriptors());
    }
    if let [Some(first), Some(second)] = descriptors[..] {
        assert!(second <= first + 64, "descriptors grew from {first} to {second}");
    }
    eprintln!(
        "load: {SESSIONS} sessions at {CONCURRENT} concurrent, 0 errors; peak memory {}; open descriptors after each half {descriptors:?}",
        status("VmHWM").unwrap_or_else(|| "unknown".into()),
    );
}

async fn run_round(failover: &Arc<dyn VerificationSession>, first: usize, count: usize) {
    let semaphore = Arc::new(tokio::sync::Semaphore::new(CONCURRENT));
    let mut calls = tokio::task::JoinSet::new();
    for i in first..first + count {
        let permit = Arc::clone(&semaphore).acquire_owned().await.unwrap();
        let failover = Arc::clone(failover);
        calls.spawn(async move {
            let request = SessionRequest::new(ClientId::new(format!("load-{i}")).unwrap());
            let result = failover.create_session(&request).await;
            drop(permit);
            result.map(|session| session.provider)
        });
    }
    let mut errors = Vec::new();
    let mut created = 0;
    while let Some(done) = calls.join_next().await {
        match done.unwrap() {
            Ok(_) => created += 1,
            Err(error) => errors.push(error.to_string()),
        }
    }
    assert!(errors.is_empty(), "{} errors, the first: {:?}", errors.len(), errors.first());
    assert_eq!(created, count);
}
