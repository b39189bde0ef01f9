//! Where the ledger keeps its records: the [`LedgerStore`] trait, whose every operation is
//! atomic in the store (one transaction, or one lock), so several callers, processes or hosts
//! sharing a store see one truth. [`MemoryStore`](crate::MemoryStore) keeps it in this process;
//! [`SqlStore`](crate::SqlStore) in SQLite or PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use kyc_core::{Error, Status};

use crate::record::{AttemptRecord, EventRecord, Fingerprint, SessionRecord};

/// What claiming an idempotency key found.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Claim {
    /// The key was free and is now this caller's until the lease runs out: create the session,
    /// then [`finish`](LedgerStore::finish), [`release`](LedgerStore::release) or
    /// [`mark_unresolved`](LedgerStore::mark_unresolved) it.
    Claimed,
    /// The key was used before.
    Existing(KeyEntry),
}

/// An idempotency key in use.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct KeyEntry {
    /// The request it was first used with.
    pub fingerprint: Fingerprint,
    /// How far its creation got.
    pub state: KeyState,
}

/// How far the creation under a key got.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum KeyState {
    /// Another caller is creating it, until its lease ends.
    Pending {
        /// When the lease ends.
        until: DateTime<Utc>,
    },
    /// Created: the session.
    Done(Box<SessionRecord>),
    /// An attempt may have created a session and nothing says whether it did (the vendor did not
    /// answer, or the caller that held the key vanished): these attempts.
    Unresolved(Vec<AttemptRecord>),
}

/// What recording an event did.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventOutcome {
    /// Recorded for the first time; `advanced` when it moved its session's status.
    Recorded {
        /// Whether the session's status moved.
        advanced: bool,
    },
    /// Recorded before (a redelivered webhook, a poll that learned nothing new).
    Duplicate,
}

/// Which sessions [`LedgerStore::list`] returns, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListFilter {
    /// Only this client's.
    pub client_id: Option<String>,
    /// Only this provider's.
    pub provider: Option<String>,
    /// Only those in this status.
    pub status: Option<Status>,
    /// Only those not final.
    pub open_only: bool,
    /// At most this many (all when `None`).
    pub limit: Option<usize>,
    /// Skips this many of the selected sessions first (newest first), for pages; 0 by default.
    /// Offsets count from the newest: a session that joins or leaves the selection between two
    /// pages (newly recorded, or its status moved) shifts the later ones.
    pub offset: usize,
}

/// A ledger's storage. Every method is one atomic step in the store.
///
/// # Errors
/// Every method fails with `Unavailable` (nothing sent anywhere) when the store cannot be read or
/// written.
#[async_trait]
pub trait LedgerStore: Send + Sync + std::fmt::Debug {
    /// Claims `key` for a request fingerprinted `fingerprint` until `lease_until`, or reports
    /// its entry. A pending entry whose lease ended before `now` is turned unresolved first:
    /// the caller that held it may have reached the vendor.
    async fn claim(
        &self,
        key: &str,
        fingerprint: &Fingerprint,
        lease_until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Claim, Error>;

    /// Records `session`, created under the claimed `key` (or under none), and marks the key
    /// done.
    async fn finish(&self, key: Option<&str>, session: &SessionRecord) -> Result<(), Error>;

    /// Gives a claimed `key` back: nothing was created, a later call may try again.
    async fn release(&self, key: &str) -> Result<(), Error>;

    /// Marks a claimed `key` unresolved: `attempts` may have created a session.
    async fn mark_unresolved(&self, key: &str, attempts: &[AttemptRecord]) -> Result<(), Error>;

    /// The newest session for `client_id` with `fingerprint` that is live at `now`
    /// ([`SessionRecord::is_live`]).
    async fn find_live(
        &self,
        client_id: &str,
        fingerprint: &Fingerprint,
        now: DateTime<Utc>,
    ) -> Result<Option<SessionRecord>, Error>;

    /// The session `session_id` of `provider`.
    async fn session(
        &self,
        provider: &str,
        session_id: &str,
    ) -> Result<Option<SessionRecord>, Error>;

    /// The sessions `filter` selects, newest first: by `created_at` to the millisecond (what the
    /// SQL store keeps), then in the order recorded, so every call orders them alike and
    /// [`ListFilter::offset`] pages through them without repeating or skipping one.
    async fn list(&self, filter: &ListFilter) -> Result<Vec<SessionRecord>, Error>;

    /// Records `event` once (by provider and dedup key) and moves its session forward: a final
    /// status never changes, a final event always ends a session that is not final, and a
    /// non-final one moves it only for an event at least as recent as the session's last move.
    /// An event for a session the ledger does not have is recorded too.
    async fn record_event(&self, event: &EventRecord) -> Result<EventOutcome, Error>;

    /// The events of a session, oldest first.
    async fn events(&self, provider: &str, session_id: &str) -> Result<Vec<EventRecord>, Error>;

    /// Forgets a session's link (after its erasure at the vendor); whether it had one.
    async fn remove_link(&self, provider: &str, session_id: &str) -> Result<bool, Error>;
}

/// Whether `event` moves a session that stands at (`is_final`, last moved at `updated_at`):
/// the one rule every store applies. A final session never moves; a final event always moves a
/// session that is not (a poll stamped with this machine's clock must not outrank the vendor's
/// decision time); a non-final event moves it only if at least as recent as its last move.
pub(crate) fn moves_forward(
    is_final: bool,
    updated_at: DateTime<Utc>,
    event: &EventRecord,
) -> Option<Status> {
    let status = event.status?;
    (!is_final && (event.is_final || event.occurred_at >= updated_at)).then_some(status)
}
