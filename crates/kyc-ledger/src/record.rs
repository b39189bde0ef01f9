//! What the ledger keeps: sessions with the attempts that created them, and the events that
//! moved them. Nothing personal in clear: a request is kept as a keyed [`Fingerprint`], a link
//! (a bearer secret: whoever holds it can verify as the person) as a [`SecretString`] that no
//! `Debug` prints.

use std::fmt;

use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use kyc_core::{
    Attempt, Decision, Session, SessionRequest, Status, VerificationKind, WebhookEvent,
};

/// A keyed hash (HMAC-SHA256, hex) of a request's JSON: equal for equal requests, and without
/// the ledger's key it says nothing about the person in it.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Fingerprint(String);

impl Fingerprint {
    /// The fingerprint of `request` sent through `scope` (a provider's name: the same request
    /// through another provider is another fingerprint), under `key` (the ledger's).
    pub fn of(key: &[u8], scope: &str, request: &SessionRequest) -> Self {
        Self::keyed(&Self::key(key), &[scope], request)
    }

    /// The HMAC keyed with `key`, made once by a ledger (keying hashes two blocks).
    pub(crate) fn key(key: &[u8]) -> Hmac<Sha256> {
        <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes a key of any length")
    }

    /// [`of`](Self::of), under an HMAC already keyed by [`key`](Self::key), the scope given
    /// in parts (hashed as their concatenation).
    pub(crate) fn keyed(key: &Hmac<Sha256>, scope: &[&str], request: &SessionRequest) -> Self {
        let mut mac = key.clone();
        for part in scope {
            mac.update(part.as_bytes());
        }
        mac.update(b"\0");
        // The request's one documented JSON shape (`SessionRequest::to_json`'s bytes): field
        // order is the struct's, so equal requests give equal bytes. Hashed as it is written,
        // not kept.
        let hashed = serde_json::to_writer_pretty(MacWriter(&mut mac), request);
        debug_assert!(hashed.is_ok(), "a request always serializes");
        let digest = mac.finalize().into_bytes();
        Self(kyc_core::kit::lower_hex(&digest))
    }

    /// A fingerprint read back from a store.
    pub fn from_hex(hex: impl Into<String>) -> Self {
        Self(hex.into())
    }

    /// Its hex form, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Feeds what is written to an HMAC.
struct MacWriter<'a>(&'a mut Hmac<Sha256>);

impl std::io::Write for MacWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A prefix tells fingerprints apart in a log; the whole adds nothing.
        write!(f, "Fingerprint({}…)", &self.0[..self.0.len().min(12)])
    }
}

/// One try at one provider during a creation, as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AttemptRecord {
    /// The provider tried, or passed over.
    pub provider: String,
    /// How it failed (`ErrorKind` in snake case); `None` when it created the session.
    pub error: Option<String>,
    /// Why it was passed over without a call.
    pub skipped: Option<String>,
    /// Whether a session may exist there because of it.
    pub may_have_created_session: bool,
    /// What a half-done two-call creation left there (the leftover's sentence).
    pub leftover: Option<String>,
}

impl AttemptRecord {
    /// The record of `attempt`.
    pub fn from_attempt(attempt: &Attempt) -> Self {
        Self {
            provider: attempt.provider.clone(),
            error: attempt.error.map(|kind| kind.as_ref().to_owned()),
            skipped: attempt.skipped.as_ref().map(ToString::to_string),
            may_have_created_session: attempt.may_have_created_session,
            leftover: attempt.leftover.as_ref().map(ToString::to_string),
        }
    }

    /// The record of one call to `provider` that failed with `error` (no failover trail).
    pub fn from_error(provider: &str, error: &kyc_core::Error) -> Self {
        Self {
            provider: error.provider().unwrap_or(provider).to_owned(),
            error: Some(error.kind().as_ref().to_owned()),
            skipped: None,
            may_have_created_session: error.outcome().may_have_created_session(),
            leftover: error.leftover().map(ToString::to_string),
        }
    }
}

/// A session as the ledger keeps it.
#[derive(Clone)]
#[non_exhaustive]
pub struct SessionRecord {
    /// The provider that created it.
    pub provider: String,
    /// The provider's session id.
    pub session_id: String,
    /// Identity or business.
    pub kind: VerificationKind,
    /// Your client id.
    pub client_id: String,
    /// The idempotency key it was created under, if any.
    pub idempotency_key: Option<String>,
    /// The request's keyed fingerprint.
    pub fingerprint: Fingerprint,
    /// The link, a bearer secret; `None` once erased.
    pub link: Option<SecretString>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When its link stops working, when known.
    pub expires_at: Option<DateTime<Utc>>,
    /// Where it stands (created until an event says otherwise).
    pub status: Status,
    /// Whether that is final.
    pub is_final: bool,
    /// When the status last moved.
    pub updated_at: DateTime<Utc>,
    /// The attempts of its creation, in order.
    pub attempts: Vec<AttemptRecord>,
}

impl SessionRecord {
    /// The record of `session`, created for `request` (fingerprinted as `fingerprint`) under
    /// `idempotency_key`.
    pub fn new(session: &Session, fingerprint: Fingerprint, idempotency_key: Option<&str>) -> Self {
        Self {
            provider: session.provider.clone(),
            session_id: session.id.clone(),
            kind: session.kind,
            client_id: session.client_id.as_str().to_owned(),
            idempotency_key: idempotency_key.map(str::to_owned),
            fingerprint,
            link: Some(SecretString::from(session.url.as_str().to_owned())),
            created_at: session.created_at,
            expires_at: session.expires_at,
            status: Status::Created,
            is_final: false,
            updated_at: session.created_at,
            attempts: session.attempts.iter().map(AttemptRecord::from_attempt).collect(),
        }
    }

    /// Whether a person may still use it at `now`: a link, not expired, and nothing happened
    /// yet (created: not started, not decided).
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.link.is_some()
            && self.status == Status::Created
            && !self.is_final
            && self.expires_at.is_none_or(|at| at > now)
    }

    /// The link, for the person it was made for (never log it).
    pub fn link(&self) -> Option<&str> {
        self.link.as_ref().map(ExposeSecret::expose_secret)
    }
}

impl fmt::Debug for SessionRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionRecord")
            .field("provider", &self.provider)
            .field("session_id", &self.session_id)
            .field("kind", &self.kind)
            .field("client_id", &self.client_id)
            .field("idempotency_key", &self.idempotency_key)
            .field("fingerprint", &self.fingerprint)
            .field("link", &self.link.as_ref().map(|_| "<redacted>"))
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .field("status", &self.status)
            .field("is_final", &self.is_final)
            .field("attempts", &self.attempts)
            .finish()
    }
}

/// An event as the ledger keeps it: what a verified webhook or a poll said about a session.
/// The vendor's body is not kept (it may carry personal data).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EventRecord {
    /// The provider it came from.
    pub provider: String,
    /// The session it is about.
    pub session_id: String,
    /// Its deduplication key (`WebhookEvent::dedup_key`): a redelivery has the same.
    pub dedup_key: String,
    /// The vendor's event type, when it names one.
    pub event: Option<String>,
    /// The status it reports, for a decision; `None` for a notice.
    pub status: Option<Status>,
    /// The vendor's word for it.
    pub vendor_status: Option<String>,
    /// Whether the status is final.
    pub is_final: bool,
    /// Your client id, as the event (or the session it is about) names it.
    pub client_id: Option<String>,
    /// When the vendor says it happened, else when it was recorded.
    pub occurred_at: DateTime<Utc>,
    /// Where it came from: `webhook` or `poll`.
    pub source: String,
}

impl EventRecord {
    /// The record of a verified webhook event, when it names a session.
    pub fn from_webhook(event: &WebhookEvent, now: DateTime<Utc>) -> Option<Self> {
        match event {
            WebhookEvent::Decision(decision) => Some(Self::from_decision(decision, "webhook", now)),
            WebhookEvent::Notice(notice) => Some(Self {
                provider: notice.provider.clone(),
                session_id: notice.session_id.clone()?,
                dedup_key: event.dedup_key(),
                event: Some(notice.event.clone()),
                status: None,
                vendor_status: None,
                is_final: false,
                client_id: notice.client_id.clone(),
                occurred_at: now,
                source: "webhook".into(),
            }),
            _ => None,
        }
    }

    /// The record of a decision read by `source` (`webhook` or `poll`).
    pub fn from_decision(decision: &Decision, source: &str, now: DateTime<Utc>) -> Self {
        Self {
            provider: decision.provider.clone(),
            session_id: decision.session_id.clone(),
            dedup_key: decision.dedup_key(),
            event: decision.event.clone(),
            status: Some(decision.status),
            vendor_status: Some(decision.vendor_status.clone()),
            is_final: decision.is_final,
            client_id: decision.client_id.clone(),
            occurred_at: decision.decided_at.unwrap_or(now),
            source: source.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kyc_core::{ClientId, Person};

    /// A fingerprint is the HMAC of `SessionRequest::to_json`'s bytes: fingerprints recorded
    /// by an earlier version stay equal to those made now (a key replayed after an upgrade is
    /// still the same request).
    #[test]
    fn a_fingerprint_is_the_hmac_of_the_request_s_json() {
        let request = SessionRequest::new(ClientId::new("user-1").unwrap())
            .with_person(Person::default().with_first_name("Jane").with_email("j@example.com"))
            .with_tag("signup");
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(b"key").unwrap();
        mac.update(b"acme\0");
        mac.update(request.to_json().as_bytes());
        let expected = kyc_core::kit::lower_hex(&mac.finalize().into_bytes());
        assert_eq!(Fingerprint::of(b"key", "acme", &request).as_str(), expected);
        assert_ne!(Fingerprint::of(b"key", "other", &request).as_str(), expected);
    }
}
