//! The other half of switching vendors: learning the outcome. Every vendor's webhook and
//! status answer, verified and normalized into one [`Decision`] with one [`Status`]
//! vocabulary, the vendor's own words kept beside it; and every other signed event a vendor
//! sends (a document about to expire, a watchlist hit, a status of your own) as a [`Notice`],
//! so a correctly signed webhook is never an error.

use std::collections::BTreeMap;
use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, EnumIter, EnumString, IntoStaticStr};

use crate::error::Error;
use crate::model::VerificationKind;
use crate::session::SessionRef;

/// Where a verification stands, in provider-neutral words (serialized in snake_case).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    EnumIter,
    AsRefStr,
    IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[non_exhaustive]
pub enum Status {
    /// The session exists; the person has not started.
    Created,
    /// The person started.
    Started,
    /// The person submitted; no decision yet.
    Submitted,
    /// A human is reviewing.
    Review,
    /// Verified.
    Approved,
    /// Refused.
    Declined,
    /// The checks passed with warnings (iDenfy's fraud or mismatch tags): you decide.
    Suspected,
    /// The person must try again, on the same link (Veriff).
    ResubmissionRequested,
    /// The link was never used in time.
    Expired,
    /// Started but never finished in time.
    Abandoned,
    /// The vendor could not finish the verification (Onfido's `error`: a workflow run that
    /// failed on its side): no verdict on the person; a new session may succeed.
    Failed,
    /// The verification's data was deleted.
    Deleted,
    /// A word this library does not know yet; [`Decision::vendor_status`] has it.
    Unknown,
}

/// The vendor's reason for a decision.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Reason {
    /// The vendor's code (Veriff `reasonCode`).
    pub code: Option<String>,
    /// The vendor's text.
    pub text: Option<String>,
}

impl Reason {
    /// A reason with a code and a text, either of which may be missing.
    pub fn new(code: Option<String>, text: Option<String>) -> Self {
        Self { code, text }
    }
}

/// A verified, normalized result: from a webhook or from polling.
///
/// `extracted` holds what the vendor read from the document (names, date of birth, numbers):
/// personal data, so `Debug` prints only which keys are there.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Decision {
    /// The provider that sent it.
    pub provider: String,
    /// The session it is about (iDenfy `scanRef`, or `companyId` for a business session;
    /// Veriff `verification.id`).
    pub session_id: String,
    /// Identity or business.
    pub kind: VerificationKind,
    /// Your client id, as echoed (iDenfy `clientId`, Veriff `vendorData`).
    pub client_id: Option<String>,
    /// Where it stands.
    pub status: Status,
    /// The vendor's own word for it (`APPROVED`, `resubmission_requested`, ...).
    pub vendor_status: String,
    /// Whether no further result will follow, as the vendor says it: iDenfy's `final` flag (an
    /// automatic result that a manual review will follow is not final), Veriff's approved,
    /// declined, expired and abandoned. A later final decision is what ends a session.
    pub is_final: bool,
    /// The event that carried it (iDenfy `Idenfy-Event-Type`, Veriff `started`/`submitted`).
    pub event: Option<String>,
    /// The vendor's reason.
    pub reason: Option<Reason>,
    /// The vendor's details: iDenfy fraud and mismatch tags and check results, Veriff risk labels.
    pub details: Vec<String>,
    /// The attempt it concerns (Veriff `attemptId`).
    pub attempt_id: Option<String>,
    /// When it was decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// What the vendor read from the document, under the vendor's names (personal data).
    pub extracted: BTreeMap<String, String>,
}

impl Decision {
    /// A decision with only the essentials; adapters fill in the rest.
    pub fn new(
        provider: impl Into<String>,
        session_id: impl Into<String>,
        status: Status,
        vendor_status: impl Into<String>,
        is_final: bool,
    ) -> Self {
        Self {
            provider: provider.into(),
            session_id: session_id.into(),
            kind: VerificationKind::Identity,
            client_id: None,
            status,
            vendor_status: vendor_status.into(),
            is_final,
            event: None,
            reason: None,
            details: Vec::new(),
            attempt_id: None,
            decided_at: None,
            extracted: BTreeMap::new(),
        }
    }

    /// Sets the kind of verification (identity unless set).
    pub fn with_kind(mut self, kind: VerificationKind) -> Self {
        self.kind = kind;
        self
    }

    /// The session it is about, to poll or erase it.
    pub fn session(&self) -> SessionRef {
        SessionRef::new(self.kind, &self.session_id)
    }

    /// A key that is the same for the same event delivered twice, so handlers can be
    /// idempotent: provider, session, attempt, event, status and finality.
    pub fn dedup_key(&self) -> String {
        format!(
            "{}:{}:{}:{}:{}:{}",
            self.provider,
            self.session_id,
            self.attempt_id.as_deref().unwrap_or("-"),
            self.event.as_deref().unwrap_or("-"),
            self.vendor_status,
            if self.is_final { "final" } else { "interim" }
        )
    }
}

impl fmt::Debug for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decision")
            .field("provider", &self.provider)
            .field("session_id", &self.session_id)
            .field("kind", &self.kind)
            .field("client_id", &self.client_id)
            .field("status", &self.status)
            .field("vendor_status", &self.vendor_status)
            .field("is_final", &self.is_final)
            .field("event", &self.event)
            .field("reason", &self.reason)
            .field("details", &self.details)
            .field("attempt_id", &self.attempt_id)
            .field("decided_at", &self.decided_at)
            .field("extracted", &self.extracted.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// A signed vendor event that is not a decision: iDenfy's `DOCUMENT_EXPIRATION` (the
/// verified document is about to expire), Veriff's watchlist screening or a user-defined
/// status, and event types a vendor adds later. Verified like a decision, normalized only as
/// far as every vendor agrees: who sent it, which session, the vendor's type; the rest is the
/// vendor's body.
///
/// The body may hold personal data (a watchlist hit names the person): `Debug` prints its
/// keys only.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Notice {
    /// The provider that sent it.
    pub provider: String,
    /// The vendor's event type (`DOCUMENT_EXPIRATION`, `user-status.created`, ...).
    pub event: String,
    /// The session it is about, when it names one.
    pub session_id: Option<String>,
    /// Identity or business.
    pub kind: VerificationKind,
    /// Your client id, as echoed, when it carries one.
    pub client_id: Option<String>,
    /// The vendor's body, as sent (personal data, possibly).
    pub payload: serde_json::Value,
}

impl Notice {
    /// A notice of `event` from `provider` with the vendor's `payload`; adapters fill in the
    /// session and client when the body names them.
    pub fn new(
        provider: impl Into<String>,
        event: impl Into<String>,
        payload: serde_json::Value,
    ) -> Self {
        Self {
            provider: provider.into(),
            event: event.into(),
            session_id: None,
            kind: VerificationKind::Identity,
            client_id: None,
            payload,
        }
    }
}

impl fmt::Debug for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<&String> = match &self.payload {
            serde_json::Value::Object(map) => map.keys().collect(),
            _ => Vec::new(),
        };
        f.debug_struct("Notice")
            .field("provider", &self.provider)
            .field("event", &self.event)
            .field("session_id", &self.session_id)
            .field("kind", &self.kind)
            .field("client_id", &self.client_id)
            .field("payload", &keys)
            .finish()
    }
}

/// What a verified webhook says: a [`Decision`] about where a session stands, or a
/// [`Notice`] of anything else the vendor reports.
///
/// ```
/// use kyc_core::{Decision, Notice, Status, WebhookEvent};
///
/// let event = WebhookEvent::Decision(Decision::new("idenfy", "s-1", Status::Approved, "APPROVED", true));
/// assert_eq!(event.decision().map(|d| d.status), Some(Status::Approved));
/// let notice = WebhookEvent::Notice(Notice::new("idenfy", "DOCUMENT_EXPIRATION", serde_json::json!({})));
/// assert!(notice.decision().is_none());
/// assert_eq!(notice.event(), Some("DOCUMENT_EXPIRATION"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum WebhookEvent {
    /// Where a session stands.
    Decision(Decision),
    /// Another event.
    Notice(Notice),
}

impl WebhookEvent {
    /// The provider that sent it.
    pub fn provider(&self) -> &str {
        match self {
            Self::Decision(decision) => &decision.provider,
            Self::Notice(notice) => &notice.provider,
        }
    }

    /// The session it is about, when it names one (a decision always does).
    pub fn session_id(&self) -> Option<&str> {
        match self {
            Self::Decision(decision) => Some(&decision.session_id),
            Self::Notice(notice) => notice.session_id.as_deref(),
        }
    }

    /// The vendor's event type, when it has one.
    pub fn event(&self) -> Option<&str> {
        match self {
            Self::Decision(decision) => decision.event.as_deref(),
            Self::Notice(notice) => Some(&notice.event),
        }
    }

    /// The decision, when it is one.
    pub fn decision(&self) -> Option<&Decision> {
        match self {
            Self::Decision(decision) => Some(decision),
            Self::Notice(_) => None,
        }
    }

    /// Takes the decision out, when it is one (a notice gives `None`).
    pub fn into_decision(self) -> Option<Decision> {
        match self {
            Self::Decision(decision) => Some(decision),
            Self::Notice(_) => None,
        }
    }

    /// A key that is the same for the same event delivered twice: a decision's
    /// [`dedup_key`](Decision::dedup_key); for a notice, provider, session, type and a digest
    /// of its body (FNV-1a, stable across builds, so it can be stored).
    pub fn dedup_key(&self) -> String {
        match self {
            Self::Decision(decision) => decision.dedup_key(),
            Self::Notice(notice) => format!(
                "{}:{}:{}:{:016x}",
                notice.provider,
                notice.session_id.as_deref().unwrap_or("-"),
                notice.event,
                fnv1a(notice.payload.to_string().as_bytes())
            ),
        }
    }
}

impl From<Decision> for WebhookEvent {
    fn from(decision: Decision) -> Self {
        Self::Decision(decision)
    }
}

impl From<Notice> for WebhookEvent {
    fn from(notice: Notice) -> Self {
        Self::Notice(notice)
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Verifies and normalizes one provider's signed webhooks.
///
/// Built from the webhook secret(s) alone, so an endpoint that only receives results needs no
/// API credentials: each adapter has its verifier (`IdenfyWebhooks`, `VeriffWebhooks`), and its
/// full client offers the same through [`VerificationResults`].
pub trait WebhookVerifier: fmt::Debug + Send + Sync {
    /// Verifies the signature over the raw `body` (before any parsing), then normalizes it: a
    /// decision, or a notice of any other event the vendor signs.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidSignature`](crate::ErrorKind::InvalidSignature) for a missing or
    /// wrong signature; [`ErrorKind::Config`](crate::ErrorKind::Config) with no key to check it
    /// with; [`ErrorKind::Decode`](crate::ErrorKind::Decode) for a body that is not the
    /// vendor's JSON or is over the size cap. A signed event of a type this library does not
    /// know is a [`Notice`], never an error.
    fn verify_webhook(&self, headers: &http::HeaderMap, body: &[u8])
    -> Result<WebhookEvent, Error>;
}

/// Learning outcomes from a provider: its signed webhooks ([`WebhookVerifier`]), and polling
/// when a webhook is missing. A trait beside
/// [`VerificationSession`](crate::VerificationSession) with no method of the same name, so one
/// client implements both and either can be called on it.
#[async_trait]
pub trait VerificationResults: WebhookVerifier {
    /// Asks the provider where `session` stands (`&"id".into()` for an identity session;
    /// [`Session::reference`](crate::Session::reference) and [`Decision::session`] name any);
    /// `None` while there is nothing to report.
    ///
    /// # Errors
    /// As creating a session: transport, authentication and vendor errors;
    /// [`Unsupported`](crate::ErrorKind::Unsupported) for a kind the provider does not verify.
    async fn poll_decision(&self, session: &SessionRef) -> Result<Option<Decision>, Error>;
}

/// Erasing a session's personal data at the provider (the GDPR's right to erasure): documents,
/// photos, and what was read from them. Declared per kind in
/// [`KindCapabilities::erasure`](crate::KindCapabilities::erasure).
///
/// Vendors refuse for reasons worth telling apart, each its own [`ErrorKind`](crate::ErrorKind):
/// [`Conflict`](crate::ErrorKind::Conflict) while the session may still be used (iDenfy erases
/// only once the link expired: ask again later), [`RateLimited`](crate::ErrorKind::RateLimited)
/// past a vendor's deletion quota (Veriff counts per hour and per day),
/// [`Forbidden`](crate::ErrorKind::Forbidden) when the account does not have the feature (Veriff
/// enables deletion on request), [`Unsupported`](crate::ErrorKind::Unsupported) when the
/// provider cannot erase that kind at all.
#[async_trait]
pub trait SessionErasure: fmt::Debug + Send + Sync {
    /// Deletes `session`'s data at the provider. Erasing a session already erased is the
    /// vendor's call: some answer success, some not found ([`Rejected`](crate::ErrorKind::Rejected)
    /// with 404).
    ///
    /// # Errors
    /// As above, and as creating a session for transport and authentication.
    async fn erase_session(&self, session: &SessionRef) -> Result<(), Error>;
}

#[cfg(any(test, feature = "mock"))]
mockall::mock! {
    /// A mock of [`VerificationResults`] (and so of [`WebhookVerifier`]) and of
    /// [`SessionErasure`], beside
    /// [`MockVerificationSession`](crate::MockVerificationSession): for testing code that handles
    /// results (a webhook endpoint, a poller), not for pretending an adapter works.
    pub VerificationResults {}

    impl WebhookVerifier for VerificationResults {
        fn verify_webhook(&self, headers: &http::HeaderMap, body: &[u8]) -> Result<WebhookEvent, Error>;
    }

    #[async_trait]
    impl VerificationResults for VerificationResults {
        async fn poll_decision(&self, session: &SessionRef) -> Result<Option<Decision>, Error>;
    }

    #[async_trait]
    impl SessionErasure for VerificationResults {
        async fn erase_session(&self, session: &SessionRef) -> Result<(), Error>;
    }
}

// A mock's `Debug` is not an expectation to set: it names the mock, like the session mock's.
#[cfg(any(test, feature = "mock"))]
impl fmt::Debug for MockVerificationResults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockVerificationResults").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn statuses_serialize_in_snake_case() {
        for status in Status::iter() {
            assert_eq!(serde_json::to_string(&status).unwrap(), format!("\"{status}\""));
        }
        assert_eq!(Status::ResubmissionRequested.to_string(), "resubmission_requested");
    }

    #[test]
    fn debug_hides_extracted_data_and_dedup_keys_are_stable() {
        let mut decision = Decision::new("veriff", "s-1", Status::Approved, "approved", true);
        decision.extracted.insert("firstName".into(), "SARAH".into());
        assert!(!format!("{decision:?}").contains("SARAH"));
        let same = decision.clone();
        assert_eq!(decision.dedup_key(), same.dedup_key());
        decision.is_final = false;
        assert_ne!(decision.dedup_key(), same.dedup_key());
    }

    #[test]
    fn notices_hide_their_body_and_dedup_by_it() {
        let body = serde_json::json!({"scanRef": "s-1", "docFirstName": "SARAH"});
        let mut notice = Notice::new("idenfy", "DOCUMENT_EXPIRATION", body);
        notice.session_id = Some("s-1".into());
        assert!(!format!("{notice:?}").contains("SARAH"));
        assert!(format!("{notice:?}").contains("docFirstName"));
        let event = WebhookEvent::from(notice.clone());
        assert_eq!(event.session_id(), Some("s-1"));
        assert_eq!(event.dedup_key(), WebhookEvent::from(notice.clone()).dedup_key());
        // FNV-1a of the body: fixed, so a stored key matches after an upgrade.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        notice.payload = serde_json::json!({"scanRef": "s-1"});
        assert_ne!(event.dedup_key(), WebhookEvent::from(notice).dedup_key());
    }

    #[test]
    fn events_serialize_with_their_type() {
        let decision = Decision::new("veriff", "s-1", Status::Approved, "approved", true)
            .with_kind(VerificationKind::Business);
        let json = serde_json::to_value(WebhookEvent::from(decision)).unwrap();
        assert_eq!(json["type"], "decision");
        assert_eq!(json["kind"], "business");
    }
}
