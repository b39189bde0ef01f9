//! iDenfy's results: webhooks verified by `Idenfy-Signature` (hex HMAC-SHA256 of the raw body
//! with the notification's signing key; reference/idenfy.md §5.7), with the event from
//! `Idenfy-Event-Type`; and polling `POST /api/v2/status` (§4), which iDenfy asks not to do
//! often, so a minimum interval per session guards it.
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
use reqwest::header::HeaderMap;
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::Value;

use kyc_core::decode::{lenient, undecodable};
use kyc_core::{Decision, Error, Status, VerificationKind, VerificationResults, WEBHOOK_BODY_CAP};

use crate::Idenfy;

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

/// The answer of `POST /api/v2/status` (§4).
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

#[async_trait]
impl VerificationResults for Idenfy {
    fn provider(&self) -> &str {
        &self.inner.name
    }

    fn verify_webhook(&self, headers: &HeaderMap, body: &[u8]) -> Result<Decision, Error> {
        let name = &self.inner.name;
        if body.len() > WEBHOOK_BODY_CAP {
            let detail = format!("webhook body larger than {WEBHOOK_BODY_CAP} bytes");
            return Err(Error::decode(name, 200, detail));
        }
        // Verified before anything is parsed.
        if !self.inner.accept_unsigned_webhooks {
            let keys: Vec<&[u8]> =
                self.inner.webhook_keys.iter().map(|k| k.expose_secret().as_bytes()).collect();
            if keys.is_empty() {
                return Err(Error::config(name, "no webhook signing key to verify webhooks with"));
            }
            let given =
                headers.get("idenfy-signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
            if !kyc_core::verify_hex_hmac(&keys, body, given) {
                return Err(Error::unauthenticated(name, 401));
            }
        }
        let webhook: Webhook =
            serde_json::from_slice(body).map_err(|e| undecodable(name, 200, &e))?;
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
        Ok(decision)
    }

    async fn poll_decision(&self, session_id: &str) -> Result<Option<Decision>, Error> {
        let inner = &*self.inner;
        if let Err(wait) = inner.polls.admit(session_id) {
            // Refused here, not by iDenfy: nothing was sent.
            return Err(Error::rate_limited(&inner.name, Some(wait)));
        }
        let body = serde_json::json!({"scanRef": session_id}).to_string().into_bytes();
        let (status, answer) =
            self.post("/api/v2/status", VerificationKind::Identity, body).await?;
        let state: StatusAnswer =
            serde_json::from_slice(&answer).map_err(|e| undecodable(&inner.name, status, &e))?;
        let status = status_of(&state.status);
        let is_final = !matches!(state.status.as_str(), "ACTIVE" | "REVIEWING");
        let mut decision =
            Decision::new(&inner.name, state.scan_ref, status, state.status, is_final);
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
