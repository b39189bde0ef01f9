//! The ledger in front of a provider (the core's stub, which calls no vendor and counts the
//! requests that reach it): idempotent creation, races, unknown outcomes, reuse, and events
//! recorded once and forward only. The stores themselves are held to their contract in
//! `tests/stores.rs`, against real SQLite and PostgreSQL.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use kyc_core::testing::ErrorExt;
use kyc_core::{
    ClientId, Decision, Error, ErrorKind, Outcome, Person, SessionRequest, Status, StubProvider,
    WebhookEvent,
};
use kyc_ledger::{Claim, EventOutcome, Ledger, LedgerStore, ListFilter, MemoryStore, Reuse};

const KEY: &[u8] = b"test fingerprint key";

fn ledger(store: &Arc<MemoryStore>) -> Ledger {
    Ledger::builder(Arc::clone(store) as Arc<dyn LedgerStore>, KEY.to_vec()).build()
}

fn request(client: &str) -> SessionRequest {
    SessionRequest::new(ClientId::new(client).unwrap())
}

#[tokio::test]
async fn a_key_buys_one_session_and_replays_it() {
    let store = Arc::new(MemoryStore::new());
    let ledger = ledger(&store);
    let stub = StubProvider::new("stub");
    let first = ledger.create_session(&stub, &request("u1"), Some("k-1")).await.unwrap();
    let again = ledger.create_session(&stub, &request("u1"), Some("k-1")).await.unwrap();
    assert!(!first.reused && again.reused);
    assert_eq!(first.session.id, again.session.id);
    assert_eq!(first.session.url, again.session.url);
    assert_eq!(stub.requests().len(), 1);

    // The same key for another request: refused, naming the key, nothing sent.
    let other = request("u1").with_person(Person::default().with_first_name("Ann"));
    let error = ledger.create_session(&stub, &other, Some("k-1")).await.unwrap_err();
    assert_eq!((error.kind(), error.outcome()), (ErrorKind::InvalidRequest, Outcome::NotSent));
    assert_eq!(error.invalid_fields()[0].field(), "idempotencyKey");
    assert_eq!(stub.requests().len(), 1);

    // Through another provider, the same request is another fingerprint.
    let elsewhere = StubProvider::new("elsewhere");
    let error = ledger.create_session(&elsewhere, &request("u1"), Some("k-1")).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidRequest);
}

#[tokio::test]
async fn racing_callers_cause_one_vendor_call() {
    let store = Arc::new(MemoryStore::new());
    let stub = Arc::new(StubProvider::new("stub"));
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let ledger = ledger(&store);
            let stub = Arc::clone(&stub);
            tokio::spawn(async move {
                ledger.create_session(&*stub, &request("racer"), Some("race")).await.unwrap()
            })
        })
        .collect();
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(task.await.unwrap().session.id);
    }
    assert_eq!(stub.requests().len(), 1);
    ids.dedup();
    assert_eq!(ids.len(), 1, "everyone got the one session");
}

#[tokio::test]
async fn an_unknown_outcome_is_never_sent_again() {
    let store = Arc::new(MemoryStore::new());
    let ledger = ledger(&store);
    let stub = StubProvider::new("stub");
    stub.push_error(Error::timeout("stub", true));
    let error = ledger.create_session(&stub, &request("u1"), Some("k-2")).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
    let retry = ledger.create_session(&stub, &request("u1"), Some("k-2")).await.unwrap_err();
    assert_eq!((retry.kind(), retry.outcome()), (ErrorKind::Conflict, Outcome::Unknown));
    assert!(!retry.is_safe_to_resend());
    assert_eq!(retry.provider(), Some("stub"));
    assert!(retry.to_string().contains("may have created a session at stub"), "{retry}");
    assert_eq!(stub.requests().len(), 1, "sent once");
}

/// A chain that moved on past a timeout and then was refused: the first vendor may hold a
/// session, so the key stays unresolved and nothing is sent again.
#[tokio::test]
async fn a_chain_s_earlier_unknown_outcome_keeps_the_key() {
    let store = Arc::new(MemoryStore::new());
    let ledger = ledger(&store);
    let first = Arc::new(StubProvider::new("first"));
    let second = Arc::new(StubProvider::new("second"));
    first.push_error(Error::timeout("first", true));
    second.push_error(Error::out_of_funds("second", 402));
    let chain = kyc_core::Failover::new(vec![Arc::clone(&first) as _, Arc::clone(&second) as _])
        .with_policy(kyc_core::FailoverPolicy::default().with_max_retries(0));
    let error = ledger.create_session(&chain, &request("u1"), Some("chained")).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::OutOfFunds, "{error}");
    let retry = ledger.create_session(&chain, &request("u1"), Some("chained")).await.unwrap_err();
    assert_eq!((retry.kind(), retry.outcome()), (ErrorKind::Conflict, Outcome::Unknown));
    assert!(retry.to_string().contains("at first"), "{retry}");
    assert_eq!((first.requests().len(), second.requests().len()), (1, 1));
}

#[tokio::test]
async fn a_refusal_gives_the_key_back() {
    let store = Arc::new(MemoryStore::new());
    let ledger = ledger(&store);
    let stub = StubProvider::new("stub");
    stub.push_error(Error::rejected("stub", 400));
    assert!(ledger.create_session(&stub, &request("u1"), Some("k-3")).await.is_err());
    let created = ledger.create_session(&stub, &request("u1"), Some("k-3")).await.unwrap();
    assert!(!created.reused);
    assert_eq!(stub.requests().len(), 2);
}

#[tokio::test]
async fn a_held_key_waits_then_says_in_progress_and_a_vanished_holder_leaves_it_unresolved() {
    let store = Arc::new(MemoryStore::new());
    let stub = StubProvider::new("stub");
    let impatient = Ledger::builder(Arc::clone(&store) as _, KEY.to_vec())
        .with_wait(Duration::from_millis(150))
        .build();
    let fingerprint = impatient.fingerprint(&stub, &request("u1"));
    let now = Utc::now();
    let claimed =
        store.claim("held", &fingerprint, now + TimeDelta::minutes(5), now).await.unwrap();
    assert!(matches!(claimed, Claim::Claimed));
    let error = impatient.create_session(&stub, &request("u1"), Some("held")).await.unwrap_err();
    assert_eq!((error.kind(), error.outcome()), (ErrorKind::RateLimited, Outcome::NotSent));
    assert!(error.is_retryable() && error.is_safe_to_resend());
    assert!(error.to_string().contains("another caller is creating"), "{error}");

    // A holder whose lease ran out may have reached the vendor: unresolved, not free.
    store.claim("gone", &fingerprint, now - TimeDelta::seconds(1), now).await.unwrap();
    let error = impatient.create_session(&stub, &request("u1"), Some("gone")).await.unwrap_err();
    assert_eq!((error.kind(), error.outcome()), (ErrorKind::Conflict, Outcome::Unknown));
    assert_eq!(stub.requests().len(), 0);
}

#[tokio::test]
async fn keys_are_checked_before_anything() {
    let store = Arc::new(MemoryStore::new());
    let ledger = ledger(&store);
    let stub = StubProvider::new("stub");
    for key in ["", "  ", "a\nb", &"k".repeat(256)] {
        let error = ledger.create_session(&stub, &request("u1"), Some(key)).await.unwrap_err();
        assert_eq!(error.invalid_fields()[0].field(), "idempotencyKey", "{key:?}");
    }
    assert!(stub.requests().is_empty());
}

#[tokio::test]
async fn reuse_returns_a_live_session_and_only_a_live_one() {
    let store = Arc::new(MemoryStore::new());
    let stub = StubProvider::new("stub");
    let reusing = Ledger::builder(Arc::clone(&store) as _, KEY.to_vec())
        .with_reuse(Reuse::LiveSession)
        .build();
    let first = reusing.create_session(&stub, &request("u1"), None).await.unwrap();
    let second = reusing.create_session(&stub, &request("u1"), None).await.unwrap();
    assert!(second.reused);
    assert_eq!(first.session.id, second.session.id);
    assert_eq!(stub.requests().len(), 1);
    // Another client, or the default policy: a new one.
    assert!(!reusing.create_session(&stub, &request("u2"), None).await.unwrap().reused);
    assert!(!ledger(&store).create_session(&stub, &request("u1"), None).await.unwrap().reused);
    assert_eq!(stub.requests().len(), 3);
    // Once the person started, it is no longer offered again.
    let started = Decision::new("stub", &first.session.id, Status::Started, "started", false);
    reusing.record_poll(&started).await.unwrap();
    let newest = store.list(&ListFilter::default()).await.unwrap();
    let live: Vec<_> = newest.iter().filter(|s| s.is_live(Utc::now())).collect();
    assert_eq!(live.len(), 2, "{newest:?}");
    let third = reusing.create_session(&stub, &request("u1"), None).await.unwrap();
    assert_ne!(third.session.id, first.session.id);
}

#[tokio::test]
async fn events_are_recorded_once_and_only_move_forward() {
    let store = Arc::new(MemoryStore::new());
    let ledger = ledger(&store);
    let stub = StubProvider::new("stub");
    let created = ledger.create_session(&stub, &request("u1"), Some("k-4")).await.unwrap();
    let id = created.session.id.clone();
    let at = |minutes| Utc::now() + TimeDelta::minutes(minutes);

    let mut approved = Decision::new("stub", &id, Status::Approved, "approved", true);
    approved.decided_at = Some(at(10));
    let event = WebhookEvent::from(approved.clone());
    let recorded = ledger.record_webhook(&event).await.unwrap();
    assert_eq!(recorded, Some(EventOutcome::Recorded { advanced: true }));
    assert_eq!(ledger.record_webhook(&event).await.unwrap(), Some(EventOutcome::Duplicate));

    // A late, older event never reopens a final decision.
    let mut submitted = Decision::new("stub", &id, Status::Submitted, "submitted", false);
    submitted.decided_at = Some(at(5));
    let late = ledger.record_webhook(&WebhookEvent::from(submitted)).await.unwrap();
    assert_eq!(late, Some(EventOutcome::Recorded { advanced: false }));
    let session = store.session("stub", &id).await.unwrap().unwrap();
    assert_eq!((session.status, session.is_final), (Status::Approved, true));

    // A poll stamped later by this machine's clock, then the vendor's final decision stamped
    // earlier: the final decision still ends the session.
    let other = ledger.create_session(&stub, &request("u2"), Some("k-6")).await.unwrap();
    let mut polled =
        Decision::new("stub", &other.session.id, Status::Submitted, "submitted", false);
    polled.decided_at = Some(at(20));
    ledger.record_poll(&polled).await.unwrap();
    let mut declined = Decision::new("stub", &other.session.id, Status::Declined, "declined", true);
    declined.decided_at = Some(at(15));
    let ended = ledger.record_webhook(&WebhookEvent::from(declined)).await.unwrap();
    assert_eq!(ended, Some(EventOutcome::Recorded { advanced: true }));
    let session = store.session("stub", &other.session.id).await.unwrap().unwrap();
    assert_eq!((session.status, session.is_final), (Status::Declined, true));

    // The vendor's event lacked the client id: the ledger's session gives it.
    let events = store.events("stub", &id).await.unwrap();
    assert_eq!(events.len(), 2);
    assert!(events.iter().all(|e| e.client_id.as_deref() == Some("u1")), "{events:?}");
}

#[tokio::test]
async fn nothing_secret_is_printed() {
    let store = Arc::new(MemoryStore::new());
    let ledger = ledger(&store);
    let stub = StubProvider::new("stub");
    let created = ledger.create_session(&stub, &request("u1"), Some("k-5")).await.unwrap();
    let record = store.session("stub", &created.session.id).await.unwrap().unwrap();
    let printed = format!("{ledger:?} {record:?} {store:?}");
    assert!(!printed.contains(created.session.url.as_str()), "{printed}");
    assert!(!printed.contains("stub-token"), "{printed}");
    assert!(!printed.contains("test fingerprint key"), "{printed}");
    assert!(!printed.contains(record.fingerprint.as_str()), "{printed}");
}

/// A ledger's fingerprint is `Fingerprint::of` under its key, scoped by account and provider:
/// what a store recorded under one version replays under the next.
#[tokio::test]
async fn a_ledger_fingerprints_as_fingerprint_of_says() {
    let store: Arc<dyn LedgerStore> = Arc::new(MemoryStore::new());
    let stub = StubProvider::new("stub");
    let request = request("u1").with_person(Person::default().with_first_name("Ann"));
    let plain = Ledger::builder(Arc::clone(&store), KEY.to_vec()).build();
    let expected = kyc_ledger::Fingerprint::of(KEY, "\0stub", &request);
    assert_eq!(plain.fingerprint(&stub, &request), expected);
    let account = Ledger::builder(store, KEY.to_vec()).with_account("acme").build();
    let expected = kyc_ledger::Fingerprint::of(KEY, "acme\0stub", &request);
    assert_eq!(account.fingerprint(&stub, &request), expected);
}
