//! Veriff's results: decision and event webhooks verified by `X-HMAC-SIGNATURE` over the raw
//! body (every configured shared secret accepted, for rotation;
//! <https://devdocs.veriff.com/docs/hmac-authentication-and-endpoint-security>,
//! <https://devdocs.veriff.com/docs/decision-webhook>,
//! <https://devdocs.veriff.com/docs/event-webhook>), and polling
//! `GET /v1/sessions/{id}/decision` signed with the session id
//! (<https://devdocs.veriff.com/apidocs/v1sessionsiddecision-1>).
//!
//! | `verification.status` | neutral | final |
//! |---|---|---|
//! | `created`, `started`, `submitted` | same | no |
//! | `approved`, `declined` | same | yes |
//! | `resubmission_requested` | same | no |
//! | `review` | review | no |
//! | `expired`, `abandoned` (both code 9104: told apart by `status`) | same | yes |
//! | anything else | unknown (the word kept) | no |

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use http::HeaderMap;
use serde::Deserialize;
use serde_json::Value;

use kyc_adapter::ErrorExt;
use kyc_adapter::decode::{lenient, undecodable, undecodable_webhook};
use kyc_adapter::webhook::{WebhookFormat, Webhooks};
use kyc_core::{
    Decision, Error, Feature, Reason, SessionRef, Status, VerificationKind, VerificationResults,
    WebhookEvent, WebhookVerifier,
};

use crate::client::Signed;
use crate::{PROVIDER, Veriff};

/// The variable `from_env` reads shared secrets from (several, comma-separated).
pub(crate) const SHARED_SECRET_VAR: &str = "VERIFF_SHARED_SECRET";

/// Verifies Veriff's signed webhooks, built from the integration's shared secret(s) alone
/// (Customer Portal → Integrations): an endpoint that only receives results needs no API key.
/// `from_env` reads `VERIFF_SHARED_SECRET` (several, comma-separated, for rotation).
///
/// ```
/// use kyc_core::{Status, WebhookVerifier};
/// use kyc_veriff::VeriffWebhooks;
///
/// let webhooks = VeriffWebhooks::new("my-shared-secret");
/// let body = br#"{"id":"f04bdb47-d3be-4b28-b028-a652feb060b5","action":"submitted","code":7002}"#;
/// let signature = kyc_veriff::signature(b"my-shared-secret", body);
/// let mut headers = http::HeaderMap::new();
/// headers.insert("x-hmac-signature", signature.parse().unwrap());
/// let event = webhooks.verify_webhook(&headers, body)?;
/// assert_eq!(event.decision().map(|d| d.status), Some(Status::Submitted));
/// # Ok::<(), kyc_core::Error>(())
/// ```
pub type VeriffWebhooks = Webhooks<VeriffWebhookFormat>;

/// Veriff's webhook format: `X-HMAC-SIGNATURE` over the raw body; decision webhooks
/// (<https://devdocs.veriff.com/docs/decision-webhook>) and event webhooks
/// (<https://devdocs.veriff.com/docs/event-webhook>).
#[derive(Debug)]
pub struct VeriffWebhookFormat;

/// The neutral status and finality of a Veriff status word.
pub(crate) fn status_of(word: &str) -> (Status, bool) {
    match word {
        "created" => (Status::Created, false),
        "started" => (Status::Started, false),
        "submitted" => (Status::Submitted, false),
        "approved" => (Status::Approved, true),
        "declined" => (Status::Declined, true),
        "resubmission_requested" => (Status::ResubmissionRequested, false),
        "review" => (Status::Review, false),
        "expired" => (Status::Expired, true),
        "abandoned" => (Status::Abandoned, true),
        _ => (Status::Unknown, false),
    }
}

/// A decision webhook, or the answer to a decision poll.
#[derive(Debug, Deserialize)]
struct DecisionEnvelope {
    verification: Option<DecisionBody>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DecisionBody {
    id: String,
    status: String,
    #[serde(default, deserialize_with = "lenient")]
    attempt_id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    vendor_data: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    reason: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    reason_code: Option<i64>,
    #[serde(default, deserialize_with = "lenient")]
    decision_time: Option<DateTime<Utc>>,
    #[serde(default)]
    person: Option<Value>,
    #[serde(default)]
    document: Option<Value>,
    #[serde(default)]
    risk_labels: Option<Value>,
}

/// An event webhook (`started`, `submitted`, <https://devdocs.veriff.com/docs/event-webhook>).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventBody {
    id: String,
    action: String,
    #[serde(default, deserialize_with = "lenient")]
    attempt_id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    vendor_data: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    code: Option<i64>,
}

/// The decision a webhook or a poll carries, from `name`.
fn decision_from(name: &str, body: DecisionBody) -> Decision {
    let (status, is_final) = status_of(&body.status);
    let mut decision = Decision::new(name, body.id, status, body.status, is_final);
    decision.client_id = body.vendor_data;
    decision.attempt_id = body.attempt_id;
    decision.decided_at = body.decision_time;
    if body.reason.is_some() || body.reason_code.is_some() {
        decision.reason = Some(Reason::new(body.reason_code.map(|c| c.to_string()), body.reason));
    }
    if let Some(Value::Array(labels)) = body.risk_labels {
        decision.details =
            labels.iter().filter_map(|l| l["label"].as_str().map(str::to_owned)).collect();
    }
    // What Veriff read from the document: personal data, kept out of Debug by Decision.
    for (prefix, object) in [("person", body.person), ("document", body.document)] {
        if let Some(Value::Object(fields)) = object {
            for (key, value) in fields {
                if let Some(text) = value.as_str() {
                    decision.extracted.insert(format!("{prefix}.{key}"), text.to_owned());
                }
            }
        }
    }
    decision
}

impl WebhookFormat for VeriffWebhookFormat {
    const PROVIDER: &'static str = PROVIDER;
    const SIGNATURE_HEADER: &'static str = "x-hmac-signature";
    const KEYS_VAR: &'static str = SHARED_SECRET_VAR;

    fn event(name: &str, _: &HeaderMap, body: &[u8]) -> Result<WebhookEvent, Error> {
        let value: Value =
            serde_json::from_slice(body).map_err(|e| undecodable_webhook(name, &e))?;
        if value.get("verification").is_some() {
            let envelope: DecisionEnvelope =
                serde_json::from_value(value).map_err(|e| undecodable_webhook(name, &e))?;
            return match envelope.verification {
                Some(body) => Ok(decision_from(name, body).into()),
                None => {
                    Err(Error::invalid_payload(name, "a decision webhook without verification"))
                }
            };
        }
        let event: EventBody =
            serde_json::from_value(value).map_err(|e| undecodable_webhook(name, &e))?;
        let (status, is_final) = status_of(&event.action);
        let mut decision = Decision::new(name, event.id, status, &event.action, is_final);
        decision.event = Some(event.action);
        decision.attempt_id = event.attempt_id;
        decision.client_id = event.vendor_data;
        decision.reason = event.code.map(|code| Reason::new(Some(code.to_string()), None));
        Ok(decision.into())
    }
}

impl WebhookVerifier for Veriff {
    fn verify_webhook(&self, headers: &HeaderMap, body: &[u8]) -> Result<WebhookEvent, Error> {
        self.inner.webhooks.verify_webhook(headers, body)
    }
}

#[async_trait]
impl VerificationResults for Veriff {
    async fn poll_decision(&self, session: &SessionRef) -> Result<Option<Decision>, Error> {
        let inner = &*self.inner;
        let name = inner.http.name();
        if session.kind != VerificationKind::Identity {
            return Err(Error::unsupported(name, Feature::Kind(session.kind)));
        }
        if inner.signing_secret.is_none() {
            return Err(Error::config(name, "polling needs a shared secret to sign with"));
        }
        let mut url = inner.http.endpoint("/v1/sessions");
        url.path_segments_mut()
            .map_err(|()| Error::config(name, "the base URL cannot take a path"))?
            .push(&session.id)
            .push("decision");
        let request = inner.http.request(reqwest::Method::GET, url);
        let answer = self.exchange(request, Signed::SessionId(&session.id)).await?;
        let envelope: DecisionEnvelope = serde_json::from_slice(&answer.body)
            .map_err(|e| undecodable(name, answer.status, &e))?;
        Ok(envelope.verification.map(|body| decision_from(name, body)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_word_maps_as_documented() {
        let rows = [
            ("created", Status::Created, false),
            ("started", Status::Started, false),
            ("submitted", Status::Submitted, false),
            ("approved", Status::Approved, true),
            ("declined", Status::Declined, true),
            ("resubmission_requested", Status::ResubmissionRequested, false),
            ("review", Status::Review, false),
            ("expired", Status::Expired, true),
            ("abandoned", Status::Abandoned, true),
            ("inflight", Status::Unknown, false),
        ];
        for (word, status, is_final) in rows {
            assert_eq!(status_of(word), (status, is_final), "{word}");
        }
    }
}
