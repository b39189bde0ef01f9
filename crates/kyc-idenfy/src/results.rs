//! iDenfy's results: webhooks verified by `Idenfy-Signature` (hex HMAC-SHA256 of the raw body
//! with the notification's signing key, <https://documentation.idenfy.com/security/callback-signing>),
//! with the event from `Idenfy-Event-Type` (<https://documentation.idenfy.com/kyc/webhooks>);
//! and polling `POST /api/v2/status` (<https://documentation.idenfy.com/kyc/data-retrieval>),
//! which iDenfy asks not to do often, so a minimum interval per session guards it: a poll
//! refused that way says so (`RateLimited`, outcome `NotSent`: nothing reached iDenfy).
//!
//! | `status.overall` | neutral |
//! |---|---|
//! | `ACTIVE` | created |
//! | `REVIEWING` | review |
//! | `APPROVED` | approved |
//! | `DENIED` | declined |
//! | `SUSPECTED` | suspected |
//! | `EXPIRED`, `EXPIRED-DELETED` | expired |
//! | `DELETED`, `ARCHIVED` | deleted |
//! | anything else | unknown (the word kept) |
//!
//! Final: the webhook's `final` flag. The status endpoint has none: there, every word but
//! `ACTIVE` and `REVIEWING` is taken as final.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use http::HeaderMap;
use serde::Deserialize;
use serde_json::Value;

use kyc_adapter::ErrorExt;
use kyc_adapter::decode::{lenient, undecodable, undecodable_webhook};
use kyc_adapter::webhook::{WebhookFormat, Webhooks};
use kyc_core::{
    Decision, Error, SessionRef, Status, VerificationKind, VerificationResults, WebhookEvent,
    WebhookVerifier,
};

use crate::{Idenfy, PROVIDER};

/// The variable `from_env` reads webhook signing keys from (several, comma-separated).
pub(crate) const WEBHOOK_KEY_VAR: &str = "IDENFY_WEBHOOK_KEY";

/// Verifies iDenfy's signed webhooks, built from the signing key(s) alone (Dashboard →
/// Settings → Notifications → Headers → Signing key; accounts from before 2022 sign with the
/// API secret): an endpoint that only receives results needs no API key or secret.
/// `from_env` reads `IDENFY_WEBHOOK_KEY` (several keys, comma-separated).
///
/// ```
/// use kyc_core::{ErrorKind, WebhookVerifier};
/// use kyc_idenfy::IdenfyWebhooks;
///
/// let webhooks = IdenfyWebhooks::new("my-signing-key");
/// let body = br#"{"scanRef":"s-1","status":{"overall":"APPROVED"},"final":true}"#;
/// let forged = webhooks.verify_webhook(&http::HeaderMap::new(), body).unwrap_err();
/// assert_eq!(forged.kind(), ErrorKind::InvalidSignature);
/// let from_env = IdenfyWebhooks::from_vars([("IDENFY_WEBHOOK_KEY", "old-key,new-key")])?;
/// # let _ = from_env;
/// # Ok::<(), kyc_core::Error>(())
/// ```
pub type IdenfyWebhooks = Webhooks<IdenfyWebhookFormat>;

/// iDenfy's webhook format: `Idenfy-Signature` over the raw body, the event in
/// `Idenfy-Event-Type`, the body of <https://documentation.idenfy.com/kyc/webhooks>.
#[derive(Debug)]
pub struct IdenfyWebhookFormat;

/// iDenfy restricts accounts that poll: one status request per session a minute at most.
pub(crate) const DEFAULT_MIN_POLL_INTERVAL: Duration = Duration::from_secs(60);

/// When each session was last polled.
#[derive(Debug)]
pub(crate) struct PollGuard {
    interval: Duration,
    last: Mutex<HashMap<String, Instant>>,
}

impl PollGuard {
    pub(crate) fn new(interval: Duration) -> Self {
        Self { interval, last: Mutex::new(HashMap::new()) }
    }

    /// Records a poll now, or says how long to wait.
    fn admit(&self, session_id: &str) -> Result<(), Duration> {
        let mut last = self.last.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = Instant::now();
        if let Some(at) = last.get(session_id) {
            let waited = now.duration_since(*at);
            if waited < self.interval {
                return Err(self.interval - waited);
            }
        }
        // Forget sessions polled long ago, so the map stays small.
        last.retain(|_, at| now.duration_since(*at) < self.interval);
        last.insert(session_id.to_owned(), now);
        Ok(())
    }
}

/// The neutral status of an iDenfy overall status word.
pub(crate) fn status_of(word: &str) -> Status {
    match word {
        "ACTIVE" => Status::Created,
        "REVIEWING" => Status::Review,
        "APPROVED" => Status::Approved,
        "DENIED" => Status::Declined,
        "SUSPECTED" => Status::Suspected,
        "EXPIRED" | "EXPIRED-DELETED" => Status::Expired,
        "DELETED" | "ARCHIVED" => Status::Deleted,
        _ => Status::Unknown,
    }
}

/// The webhook body (OpenAPI `IdentificationWebhook`), read leniently.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Webhook {
    scan_ref: String,
    #[serde(default, deserialize_with = "lenient")]
    client_id: Option<String>,
    #[serde(default, rename = "final", deserialize_with = "lenient")]
    is_final: Option<bool>,
    status: WebhookStatus,
    #[serde(default, deserialize_with = "lenient")]
    finish_time: Option<i64>,
    #[serde(default)]
    data: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WebhookStatus {
    overall: String,
    #[serde(flatten)]
    checks: StatusChecks,
}

/// The answer of `POST /api/v2/status`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StatusAnswer {
    scan_ref: String,
    status: String,
    #[serde(default, deserialize_with = "lenient")]
    client_id: Option<String>,
    #[serde(flatten)]
    checks: StatusChecks,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StatusChecks {
    #[serde(default, deserialize_with = "lenient")]
    fraud_tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient")]
    mismatch_tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient")]
    auto_document: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    auto_face: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    manual_document: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    manual_face: Option<String>,
}

/// Tags and check results, as `fraudTags:DUPLICATE_FACE`, `autoFace:FACE_MATCH`, ...
fn details(checks: StatusChecks) -> Vec<String> {
    let mut details: Vec<String> = Vec::new();
    let tags = [("fraudTags", checks.fraud_tags), ("mismatchTags", checks.mismatch_tags)];
    for (name, tags) in tags {
        details.extend(tags.unwrap_or_default().into_iter().map(|t| format!("{name}:{t}")));
    }
    for (name, value) in [
        ("autoDocument", checks.auto_document),
        ("autoFace", checks.auto_face),
        ("manualDocument", checks.manual_document),
        ("manualFace", checks.manual_face),
    ] {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            details.push(format!("{name}:{value}"));
        }
    }
    details
}

impl WebhookFormat for IdenfyWebhookFormat {
    const PROVIDER: &'static str = PROVIDER;
    const SIGNATURE_HEADER: &'static str = "idenfy-signature";
    const KEYS_VAR: &'static str = WEBHOOK_KEY_VAR;

    fn event(name: &str, headers: &HeaderMap, body: &[u8]) -> Result<WebhookEvent, Error> {
        let webhook: Webhook =
            serde_json::from_slice(body).map_err(|e| undecodable_webhook(name, &e))?;
        let WebhookStatus { overall, checks } = webhook.status;
        let status = status_of(&overall);
        // Payloads from before 2022 carry no `final`: then only an outcome that cannot change is.
        let is_final = webhook.is_final.unwrap_or(matches!(
            status,
            Status::Approved | Status::Declined | Status::Expired | Status::Deleted
        ));
        let mut decision = Decision::new(name, webhook.scan_ref, status, overall, is_final);
        decision.client_id = webhook.client_id;
        decision.event =
            headers.get("idenfy-event-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
        decision.decided_at =
            webhook.finish_time.and_then(|t| chrono::DateTime::from_timestamp(t, 0));
        decision.details = details(checks);
        if let Some(Value::Object(data)) = webhook.data {
            for (key, value) in data {
                if let Some(text) = value.as_str() {
                    decision.extracted.insert(key, text.to_owned());
                }
            }
        }
        Ok(decision.into())
    }
}

impl WebhookVerifier for Idenfy {
    fn verify_webhook(&self, headers: &HeaderMap, body: &[u8]) -> Result<WebhookEvent, Error> {
        self.inner.webhooks.verify_webhook(headers, body)
    }
}

#[async_trait]
impl VerificationResults for Idenfy {
    async fn poll_decision(&self, session: &SessionRef) -> Result<Option<Decision>, Error> {
        let inner = &*self.inner;
        let name = inner.http.name();
        let session_id = session.id.as_str();
        if let Err(wait) = inner.polls.admit(session_id) {
            return Err(Error::throttled_locally(name, wait));
        }
        let body = serde_json::json!({"scanRef": session_id}).to_string().into_bytes();
        let (status, answer) =
            self.post("/api/v2/status", VerificationKind::Identity, body).await?;
        let state: StatusAnswer =
            serde_json::from_slice(&answer).map_err(|e| undecodable(name, status, &e))?;
        let status = status_of(&state.status);
        let is_final = !matches!(state.status.as_str(), "ACTIVE" | "REVIEWING");
        let mut decision = Decision::new(name, state.scan_ref, status, state.status, is_final);
        decision.client_id = state.client_id;
        decision.details = details(state.checks);
        Ok(Some(decision))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_word_maps_as_documented() {
        let rows = [
            ("ACTIVE", Status::Created),
            ("REVIEWING", Status::Review),
            ("APPROVED", Status::Approved),
            ("DENIED", Status::Declined),
            ("SUSPECTED", Status::Suspected),
            ("EXPIRED", Status::Expired),
            ("EXPIRED-DELETED", Status::Expired),
            ("DELETED", Status::Deleted),
            ("ARCHIVED", Status::Deleted),
            ("NOT_REVIEWED", Status::Unknown),
        ];
        for (word, status) in rows {
            assert_eq!(status_of(word), status, "{word}");
        }
    }

    #[test]
    fn polls_are_spaced() {
        let guard = PollGuard::new(Duration::from_secs(60));
        assert!(guard.admit("a").is_ok());
        assert!(guard.admit("a").unwrap_err() > Duration::from_secs(59));
        assert!(guard.admit("b").is_ok(), "per session");
        let free = PollGuard::new(Duration::ZERO);
        assert!(free.admit("a").is_ok() && free.admit("a").is_ok());
    }
}
