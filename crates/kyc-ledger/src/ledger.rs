//! Creation through any provider with the ledger in front: an idempotency key claimed atomically
//! in the store, a recorded session replayed instead of bought again, a live session reused on
//! request, and an attempt whose outcome is unknown never sent again blindly.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use hmac::Hmac;
use sha2::Sha256;
use url::Url;

use kyc_core::kit::ErrorExt;
use kyc_core::{
    ClientId, Decision, Error, FieldError, Session, SessionRequest, VerificationSession,
    WebhookEvent,
};

use crate::PROVIDER;
use crate::record::{AttemptRecord, EventRecord, Fingerprint, SessionRecord};
use crate::store::{Claim, EventOutcome, KeyState, LedgerStore};

/// The longest idempotency key taken, in characters (Stripe's limit).
pub const MAX_KEY_CHARS: usize = 255;

/// What a creation without an idempotency key does with a live session of the same request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reuse {
    /// Always buy a new session (the default: the caller asked for one).
    #[default]
    Never,
    /// Return the newest live session (unexpired, not started, not decided) recorded for the
    /// same client and the same request through the same provider, instead of buying another.
    LiveSession,
}

/// A session from [`Ledger::create_session`], and whether it was bought now.
#[derive(Debug)]
#[non_exhaustive]
pub struct Created {
    /// The session. A replayed one carries no token and no attempts (the ledger keeps neither).
    pub session: Session,
    /// Whether it was recorded before (a replayed key, or a reused live session) rather than
    /// created by this call.
    pub reused: bool,
}

/// The ledger in front of providers. Cheap to clone: clones share the store.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), kyc_core::Error> {
/// use std::sync::Arc;
/// use kyc_core::{ClientId, SessionRequest, StubProvider};
/// use kyc_ledger::{Ledger, MemoryStore};
///
/// let ledger = Ledger::builder(Arc::new(MemoryStore::new()), b"a key kept apart from the store".to_vec()).build();
/// let vendor = StubProvider::new("stub");
/// let request = SessionRequest::new(ClientId::new("user-1")?);
/// let first = ledger.create_session(&vendor, &request, Some("signup-user-1")).await?;
/// let again = ledger.create_session(&vendor, &request, Some("signup-user-1")).await?;
/// assert_eq!((first.session.id.as_str(), first.reused), (again.session.id.as_str(), !again.reused));
/// assert_eq!(vendor.requests().len(), 1, "bought once");
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Ledger {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn LedgerStore>,
    /// The HMAC keyed with the fingerprint key (the key itself is not kept).
    fingerprint_key: Hmac<Sha256>,
    lease: Duration,
    wait: Duration,
    reuse: Reuse,
    account: String,
}

/// Configuration for [`Ledger`].
pub struct LedgerBuilder {
    store: Arc<dyn LedgerStore>,
    fingerprint_key: Vec<u8>,
    lease: Duration,
    wait: Duration,
    reuse: Reuse,
    account: String,
}

impl Ledger {
    /// A ledger over `store`, fingerprinting requests under `fingerprint_key` (keep it apart
    /// from the store: with it, a fingerprint can be tested against guesses of a person's data;
    /// every process sharing the store needs the same key).
    pub fn builder(store: Arc<dyn LedgerStore>, fingerprint_key: Vec<u8>) -> LedgerBuilder {
        LedgerBuilder {
            store,
            fingerprint_key,
            lease: Duration::from_secs(120),
            wait: Duration::from_secs(10),
            reuse: Reuse::Never,
            account: String::new(),
        }
    }

    /// The store.
    pub fn store(&self) -> &dyn LedgerStore {
        &*self.inner.store
    }

    /// The fingerprint of `request` through `provider` at this ledger's account (the scope: the
    /// same request through another provider, chain or account is another fingerprint).
    pub fn fingerprint(
        &self,
        provider: &dyn VerificationSession,
        request: &SessionRequest,
    ) -> Fingerprint {
        let scope = [self.inner.account.as_str(), "\0", provider.provider()];
        Fingerprint::keyed(&self.inner.fingerprint_key, &scope, request)
    }

    /// Creates a session for `request` through `provider`, at most once per `idempotency_key`
    /// across every process sharing the store:
    ///
    /// | the key | what happens |
    /// |---|---|
    /// | new | `provider` is called once; its session is recorded under the key |
    /// | done, same request | the recorded session, `reused`, nothing sent |
    /// | used with another request | `InvalidRequest` naming `idempotencyKey`, nothing sent |
    /// | held by another caller | waits for it (up to [`with_wait`](LedgerBuilder::with_wait)); then `RateLimited` (retryable, nothing sent) |
    /// | an earlier attempt's outcome unknown | `Conflict` with an unknown outcome naming the provider where a session may exist: never sent again |
    ///
    /// Without a key, [`Reuse::LiveSession`] returns a live recorded session of the same
    /// request instead of buying another (best effort: two keyless callers at the same moment
    /// may both buy; a key is what makes it exactly once); every session created is recorded. A
    /// refusal (nothing created) gives the key back, so a corrected retry may use it. A caller
    /// dropped between its claim and the provider's answer leaves the key held until the lease
    /// ends, then unresolved (its request may have reached the vendor).
    ///
    /// # Errors
    /// The provider's, as it reported them; the ledger's own as the table says; `Unavailable`
    /// (nothing sent) when the store fails before the call.
    pub async fn create_session(
        &self,
        provider: &dyn VerificationSession,
        request: &SessionRequest,
        idempotency_key: Option<&str>,
    ) -> Result<Created, Error> {
        // The neutral rules only: what a provider cannot serve it refuses itself, unsent (a
        // failover chain with the trail of every member it passed over), and the key is given
        // back.
        request.validate()?;
        let fingerprint = self.fingerprint(provider, request);
        let store = &*self.inner.store;
        match idempotency_key {
            Some(key) => {
                check_key(key)?;
                if let Some(recorded) = self.claim(key, &fingerprint).await? {
                    return Ok(Created { session: replay(&recorded)?, reused: true });
                }
            }
            None if self.inner.reuse == Reuse::LiveSession => {
                let client = request.client_id.as_str();
                if let Some(live) = store.find_live(client, &fingerprint, Utc::now()).await? {
                    tracing::info!(provider = %live.provider, session_id = %live.session_id, "live session reused");
                    return Ok(Created { session: replay(&live)?, reused: true });
                }
            }
            None => {}
        }
        match provider.create_session(request).await {
            Ok(session) => {
                let record = SessionRecord::new(&session, fingerprint, idempotency_key);
                // Bought and paid for: the caller gets it even if the ledger cannot keep it
                // (the key's lease then runs out and reads as unresolved, never as free).
                if let Err(error) = store.finish(idempotency_key, &record).await {
                    tracing::error!(provider = %session.provider, session_id = %session.id, %error, "session created but not recorded");
                }
                Ok(Created { session, reused: false })
            }
            Err(error) => {
                if let Some(key) = idempotency_key {
                    // A chain's last refusal does not free the key if an earlier member may
                    // have created a session before the chain moved on.
                    let maybe = error.outcome().may_have_created_session()
                        || error.attempts().iter().any(|attempt| attempt.may_have_created_session);
                    let kept = match maybe {
                        true => store.mark_unresolved(key, &attempts_of(provider, &error)).await,
                        false => store.release(key).await,
                    };
                    if let Err(store_error) = kept {
                        tracing::error!(%store_error, "the idempotency key's state could not be kept");
                    }
                }
                Err(error)
            }
        }
    }

    /// Claims `key`, waiting while another caller holds it: `None` when this caller holds it
    /// now, the recorded session when it is done.
    async fn claim(
        &self,
        key: &str,
        fingerprint: &Fingerprint,
    ) -> Result<Option<SessionRecord>, Error> {
        let inner = &*self.inner;
        let deadline = tokio::time::Instant::now() + inner.wait;
        loop {
            let now = Utc::now();
            let lease_until = now + chrono::Duration::from_std(inner.lease).unwrap_or_default();
            let entry = match inner.store.claim(key, fingerprint, lease_until, now).await? {
                Claim::Claimed => return Ok(None),
                Claim::Existing(entry) => entry,
            };
            if &entry.fingerprint != fingerprint {
                let rule =
                    "was first used with another request (an idempotency key names one request)";
                return Err(Error::invalid_request(vec![FieldError::new("idempotencyKey", rule)]));
            }
            match entry.state {
                KeyState::Done(record) => return Ok(Some(*record)),
                KeyState::Unresolved(attempts) => return Err(unresolved(&attempts)),
                KeyState::Pending { .. } if tokio::time::Instant::now() >= deadline => {
                    return Err(Error::throttled_locally(PROVIDER, Duration::from_secs(1)).with_detail(
                        "another caller is creating the session for this idempotency key; nothing \
                         was sent",
                    ));
                }
                KeyState::Pending { .. } => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    /// Records a verified webhook event once, attached to its session, moving the session
    /// forward only: `None` when the event names no session (nothing to attach it to).
    ///
    /// # Errors
    /// `Unavailable` when the store fails.
    pub async fn record_webhook(
        &self,
        event: &WebhookEvent,
    ) -> Result<Option<EventOutcome>, Error> {
        let Some(record) = EventRecord::from_webhook(event, Utc::now()) else { return Ok(None) };
        self.inner.store.record_event(&record).await.map(Some)
    }

    /// Records a polled decision once, as [`record_webhook`](Self::record_webhook) does.
    ///
    /// # Errors
    /// `Unavailable` when the store fails.
    pub async fn record_poll(&self, decision: &Decision) -> Result<EventOutcome, Error> {
        let record = EventRecord::from_decision(decision, "poll", Utc::now());
        self.inner.store.record_event(&record).await
    }
}

impl LedgerBuilder {
    /// How long a caller holds a key while its creation runs (default 2 minutes: above any
    /// adapter's timeouts); a holder that vanishes leaves the key unresolved after it.
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// How long a caller waits for another's creation under the same key before the retryable
    /// "in progress" error (default 10 s).
    pub fn with_wait(mut self, wait: Duration) -> Self {
        self.wait = wait;
        self
    }

    /// What a creation without a key does with a live session of the same request.
    pub fn with_reuse(mut self, reuse: Reuse) -> Self {
        self.reuse = reuse;
        self
    }

    /// Names the vendor account(s) the providers reach (a sandbox and a production account of
    /// one vendor have the same provider name): a session is replayed or reused only within its
    /// account. Any stable label; it is only hashed into fingerprints, never stored, so one
    /// derived from a credential does not leak it (but changes when the credential rotates:
    /// keys used before then read as another request). Empty by default.
    pub fn with_account(mut self, account: impl Into<String>) -> Self {
        self.account = account.into();
        self
    }

    /// The ledger.
    pub fn build(self) -> Ledger {
        Ledger {
            inner: Arc::new(Inner {
                store: self.store,
                fingerprint_key: Fingerprint::key(&self.fingerprint_key),
                lease: self.lease,
                wait: self.wait,
                reuse: self.reuse,
                account: self.account,
            }),
        }
    }
}

fn check_key(key: &str) -> Result<(), Error> {
    let broken = if key.trim().is_empty() {
        Some("must not be empty".to_owned())
    } else if key.chars().count() > MAX_KEY_CHARS {
        Some(format!("must be at most {MAX_KEY_CHARS} characters"))
    } else if key.chars().any(char::is_control) {
        Some("must not contain control characters".to_owned())
    } else {
        None
    };
    match broken {
        Some(rule) => Err(Error::invalid_request(vec![FieldError::new("idempotencyKey", rule)])),
        None => Ok(()),
    }
}

/// The attempts a failed creation made, as the ledger keeps them.
fn attempts_of(provider: &dyn VerificationSession, error: &Error) -> Vec<AttemptRecord> {
    match error.attempts() {
        [] => vec![AttemptRecord::from_error(provider.provider(), error)],
        trail => trail.iter().map(AttemptRecord::from_attempt).collect(),
    }
}

/// The refusal to send again under a key whose earlier attempt may have created a session.
fn unresolved(attempts: &[AttemptRecord]) -> Error {
    let maybe: Vec<&str> = attempts
        .iter()
        .filter(|attempt| attempt.may_have_created_session)
        .map(|attempt| attempt.provider.as_str())
        .collect();
    let detail = match maybe.as_slice() {
        [] => "an earlier creation with this idempotency key did not finish; a session may exist \
               at the provider it reached: not sent again (look it up in the vendor's dashboard)"
            .to_owned(),
        names => format!(
            "an earlier attempt with this idempotency key may have created a session at {}: not \
             sent again (look it up in the vendor's dashboard)",
            names.join(", ")
        ),
    };
    let provider = maybe.first().copied().unwrap_or(PROVIDER);
    Error::unresolved_attempt(provider, detail)
}

/// The recorded session, as a session again.
fn replay(record: &SessionRecord) -> Result<Session, Error> {
    let corrupt = |what: &str| {
        Error::store_unavailable(
            PROVIDER,
            format!("a recorded session's {what} does not read back"),
        )
    };
    let link = record
        .link()
        .ok_or_else(|| Error::conflict(PROVIDER, 410, "the recorded session's link was erased"))?;
    let url = Url::parse(link).map_err(|_| corrupt("link"))?;
    let client_id = ClientId::new(record.client_id.clone()).map_err(|_| corrupt("client id"))?;
    let mut session = Session::new(&record.provider, &record.session_id, url, client_id)
        .with_kind(record.kind)
        .with_created_at(record.created_at);
    session.expires_at = record.expires_at;
    Ok(session)
}

impl fmt::Debug for Ledger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ledger")
            .field("store", &self.inner.store)
            .field("lease", &self.inner.lease)
            .field("wait", &self.inner.wait)
            .field("reuse", &self.inner.reuse)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for LedgerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LedgerBuilder")
            .field("store", &self.store)
            .field("lease", &self.lease)
            .field("wait", &self.wait)
            .field("reuse", &self.reuse)
            .finish_non_exhaustive()
    }
}
