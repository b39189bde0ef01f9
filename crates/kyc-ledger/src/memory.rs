//! A ledger kept in this process: for tests, and for one process that needs no record past its
//! own life. Two processes do not share it: use [`SqlStore`](crate::SqlStore) for that.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use kyc_core::Error;

use crate::record::{AttemptRecord, EventRecord, Fingerprint, SessionRecord};
use crate::store::{
    Claim, EventOutcome, KeyEntry, KeyState, LedgerStore, ListFilter, moves_forward,
};

/// The ledger in memory, behind one lock: every operation is atomic.
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// As the SQL store keeps them: a done key names its session (one copy of the record,
    /// which events move), and its entry is made when it is read.
    keys: HashMap<String, Key>,
    /// In the order recorded.
    sessions: Vec<SessionRecord>,
    /// Where each (provider, session id) is in `sessions`: a lookup must not walk every
    /// session recorded (a long-lived process records many).
    by_id: HashMap<(String, String), usize>,
    events: Vec<EventRecord>,
    /// The (provider, dedup key) of every event recorded.
    seen: HashSet<(String, String)>,
}

#[derive(Debug)]
struct Key {
    fingerprint: Fingerprint,
    state: KeyAt,
}

#[derive(Debug)]
enum KeyAt {
    Pending {
        until: DateTime<Utc>,
    },
    /// Where its session is in `sessions`.
    Done(usize),
    Unresolved(Vec<AttemptRecord>),
}

impl State {
    fn entry(&self, key: &Key) -> KeyEntry {
        let state = match &key.state {
            KeyAt::Pending { until } => KeyState::Pending { until: *until },
            KeyAt::Done(at) => KeyState::Done(Box::new(self.sessions[*at].clone())),
            KeyAt::Unresolved(attempts) => KeyState::Unresolved(attempts.clone()),
        };
        KeyEntry { fingerprint: key.fingerprint.clone(), state }
    }

    fn find(&self, provider: &str, session_id: &str) -> Option<usize> {
        // A borrowed tuple key needs owned strings; the ids are short.
        self.by_id.get(&(provider.to_owned(), session_id.to_owned())).copied()
    }
}

impl MemoryStore {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock left whole records (every write is one statement).
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[async_trait]
impl LedgerStore for MemoryStore {
    async fn claim(
        &self,
        key: &str,
        fingerprint: &Fingerprint,
        lease_until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Claim, Error> {
        let mut state = self.state();
        match state.keys.get_mut(key) {
            None => {
                let entry = Key {
                    fingerprint: fingerprint.clone(),
                    state: KeyAt::Pending { until: lease_until },
                };
                state.keys.insert(key.to_owned(), entry);
                Ok(Claim::Claimed)
            }
            Some(entry) => {
                if let KeyAt::Pending { until } = entry.state
                    && until < now
                {
                    entry.state = KeyAt::Unresolved(Vec::new());
                }
                let entry = &state.keys[key];
                Ok(Claim::Existing(state.entry(entry)))
            }
        }
    }

    async fn finish(&self, key: Option<&str>, session: &SessionRecord) -> Result<(), Error> {
        let mut state = self.state();
        // As the SQL store: a session recorded before keeps its first record.
        let id = (session.provider.clone(), session.session_id.clone());
        let at = match state.by_id.get(&id) {
            Some(&at) => at,
            None => {
                let at = state.sessions.len();
                state.sessions.push(session.clone());
                state.by_id.insert(id, at);
                at
            }
        };
        if let Some(entry) = key.and_then(|key| state.keys.get_mut(key)) {
            entry.state = KeyAt::Done(at);
        }
        Ok(())
    }

    async fn release(&self, key: &str) -> Result<(), Error> {
        self.state().keys.remove(key);
        Ok(())
    }

    async fn mark_unresolved(&self, key: &str, attempts: &[AttemptRecord]) -> Result<(), Error> {
        if let Some(entry) = self.state().keys.get_mut(key) {
            entry.state = KeyAt::Unresolved(attempts.to_vec());
        }
        Ok(())
    }

    async fn find_live(
        &self,
        client_id: &str,
        fingerprint: &Fingerprint,
        now: DateTime<Utc>,
    ) -> Result<Option<SessionRecord>, Error> {
        let state = self.state();
        let live = state.sessions.iter().rev().find(|session| {
            session.client_id == client_id
                && &session.fingerprint == fingerprint
                && session.is_live(now)
        });
        Ok(live.cloned())
    }

    async fn session(
        &self,
        provider: &str,
        session_id: &str,
    ) -> Result<Option<SessionRecord>, Error> {
        let state = self.state();
        Ok(state.find(provider, session_id).map(|at| state.sessions[at].clone()))
    }

    async fn list(&self, filter: &ListFilter) -> Result<Vec<SessionRecord>, Error> {
        let state = self.state();
        let mut sessions: Vec<&SessionRecord> = state
            .sessions
            .iter()
            .filter(|s| filter.client_id.as_ref().is_none_or(|id| &s.client_id == id))
            .filter(|s| filter.provider.as_ref().is_none_or(|p| &s.provider == p))
            .filter(|s| filter.status.is_none_or(|status| s.status == status))
            .filter(|s| !filter.open_only || !s.is_final)
            .collect();
        // To the millisecond, as the SQL store keeps it; the sort is stable, so sessions of one
        // millisecond stay in the order recorded (the SQL store's `seq`).
        sessions.sort_by_key(|s| std::cmp::Reverse(s.created_at.timestamp_millis()));
        let page = sessions.into_iter().skip(filter.offset);
        Ok(page.take(filter.limit.unwrap_or(usize::MAX)).cloned().collect())
    }

    async fn record_event(&self, event: &EventRecord) -> Result<EventOutcome, Error> {
        let mut state = self.state();
        if !state.seen.insert((event.provider.clone(), event.dedup_key.clone())) {
            return Ok(EventOutcome::Duplicate);
        }
        let mut event = event.clone();
        let at = state.find(&event.provider, &event.session_id);
        let session = at.map(|at| &mut state.sessions[at]);
        let mut advanced = false;
        if let Some(session) = session {
            event.client_id.get_or_insert_with(|| session.client_id.clone());
            if let Some(status) = moves_forward(session.is_final, session.updated_at, &event) {
                session.status = status;
                session.is_final = event.is_final;
                session.updated_at = event.occurred_at;
                advanced = true;
            }
        }
        state.events.push(event);
        Ok(EventOutcome::Recorded { advanced })
    }

    async fn events(&self, provider: &str, session_id: &str) -> Result<Vec<EventRecord>, Error> {
        let state = self.state();
        let mut events: Vec<EventRecord> = state
            .events
            .iter()
            .filter(|e| e.provider == provider && e.session_id == session_id)
            .cloned()
            .collect();
        events.sort_by_key(|e| e.occurred_at);
        Ok(events)
    }

    async fn remove_link(&self, provider: &str, session_id: &str) -> Result<bool, Error> {
        let mut state = self.state();
        let at = state.find(provider, session_id);
        let session = at.map(|at| &mut state.sessions[at]);
        Ok(session.is_some_and(|session| session.link.take().is_some()))
    }
}
