//! The other half of switching vendors: learning the outcome. Every vendor's webhook and
//! status answer, verified and normalized into one [`Decision`] with one [`Status`]
//! vocabulary, the vendor's own words kept beside it.

use std::collections::BTreeMap;
use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, EnumIter, EnumString, IntoStaticStr};

use crate::error::Error;

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
    /// The session it is about (iDenfy `scanRef`, Veriff `verification.id`).
    pub session_id: String,
    /// Your client id, as echoed (iDenfy `clientId`, Veriff `vendorData`).
    pub client_id: Option<String>,
    /// Where it stands.
    pub status: Status,
    /// The vendor's own word for it (`APPROVED`, `resubmission_requested`, ...).
    pub vendor_status: String,
    /// Whether no further result will follow (iDenfy `final`; Veriff's approved, declined,
    /// expired and abandoned).
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

/// Verifies and normalizes one provider's signed webhooks.
///
/// Built from the webhook secret(s) alone, so an endpoint that only receives results needs no
/// API credentials: each adapter has its verifier (`IdenfyWebhooks`, `VeriffWebhooks`), and its
/// full client offers the same through [`VerificationResults`].
pub trait WebhookVerifier: fmt::Debug + Send + Sync {
    /// Verifies the signature over the raw `body` (before any parsing), then normalizes it.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidSignature`](crate::ErrorKind::InvalidSignature) for a missing or
    /// wrong signature; [`ErrorKind::Config`](crate::ErrorKind::Config) with no key to check it
    /// with; [`ErrorKind::Decode`](crate::ErrorKind::Decode) for a body that is not the
    /// vendor's payload or is over the size cap.
    fn verify_webhook(&self, headers: &http::HeaderMap, body: &[u8]) -> Result<Decision, Error>;
}

/// Learning outcomes from a provider: its signed webhooks ([`WebhookVerifier`]), and polling
/// when a webhook is missing. A trait beside
/// [`VerificationSession`](crate::VerificationSession) with no method of the same name, so one
/// client implements both and either can be called on it.
#[async_trait]
pub trait VerificationResults: WebhookVerifier {
    /// Asks the provider where `session_id` stands; `None` while there is nothing to report.
    ///
    /// # Errors
    /// As creating a session: transport, authentication and vendor errors.
    async fn poll_decision(&self, session_id: &str) -> Result<Option<Decision>, Error>;
}

#[cfg(any(test, feature = "mock"))]
mockall::mock! {
    /// A mock of [`VerificationResults`] (and so of [`WebhookVerifier`]), beside
    /// [`MockVerificationSession`](crate::MockVerificationSession): for testing code that handles
    /// results (a webhook endpoint, a poller), not for pretending an adapter works.
    pub VerificationResults {}

    impl WebhookVerifier for VerificationResults {
        fn verify_webhook(&self, headers: &http::HeaderMap, body: &[u8]) -> Result<Decision, Error>;
    }

    #[async_trait]
    impl VerificationResults for VerificationResults {
        async fn poll_decision(&self, session_id: &str) -> Result<Option<Decision>, Error>;
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
}
