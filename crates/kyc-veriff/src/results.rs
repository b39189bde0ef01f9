//! Veriff's results: decision and event webhooks verified by `X-HMAC-SIGNATURE` over the raw
//! body (every configured shared secret accepted, for rotation), and polling
//! `GET /v1/sessions/{id}/decision` signed with the session id (reference/veriff.md §4, §7).
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
use reqwest::header::HeaderMap;
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::Value;

use kyc_core::decode::{lenient, undecodable};
use kyc_core::http::endpoint;
use kyc_core::{Decision, Error, Reason, Status, VerificationResults, WEBHOOK_BODY_CAP};

use crate::Veriff;
use crate::client::{HMAC_SIGNATURE, Signed};

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

/// An event webhook (`started`, `submitted`), §7.5.
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

impl Veriff {
    fn decision_from(&self, body: DecisionBody) -> Decision {
        let (status, is_final) = status_of(&body.status);
        let mut decision = Decision::new(&self.inner.name, body.id, status, body.status, is_final);
        decision.client_id = body.vendor_data;
        decision.attempt_id = body.attempt_id;
        decision.decided_at = body.decision_time;
        if body.reason.is_some() || body.reason_code.is_some() {
            decision.reason =
                Some(Reason::new(body.reason_code.map(|c| c.to_string()), body.reason));
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
}

#[async_trait]
impl VerificationResults for Veriff {
    fn provider(&self) -> &str {
        &self.inner.name
    }

    fn verify_webhook(&self, headers: &HeaderMap, body: &[u8]) -> Result<Decision, Error> {
        let name = &self.inner.name;
        if body.len() > WEBHOOK_BODY_CAP {
            return Err(Error::decode(
                name,
                200,
                format!("webhook body larger than {WEBHOOK_BODY_CAP} bytes"),
            ));
        }
        // Verified before anything is parsed.
        if !self.inner.accept_unsigned_webhooks {
            let keys: Vec<&[u8]> =
                self.inner.shared_secrets.iter().map(|s| s.expose_secret().as_bytes()).collect();
            if keys.is_empty() {
                return Err(Error::config(name, "no shared secret to verify webhooks with"));
            }
            let given =
                headers.get(HMAC_SIGNATURE).and_then(|v| v.to_str().ok()).unwrap_or_default();
            if !kyc_core::verify_hex_hmac(&keys, body, given) {
                return Err(Error::unauthenticated(name, 401));
            }
        }
        let value: Value = serde_json::from_slice(body).map_err(|e| undecodable(name, 200, &e))?;
        if value.get("verification").is_some() {
            let envelope: DecisionEnvelope =
                serde_json::from_value(value).map_err(|e| undecodable(name, 200, &e))?;
            return match envelope.verification {
                Some(body) => Ok(self.decision_from(body)),
                None => Err(Error::decode(name, 200, "a decision webhook without verification")),
            };
        }
        let event: EventBody =
            serde_json::from_value(value).map_err(|e| undecodable(name, 200, &e))?;
        let (status, is_final) = status_of(&event.action);
        let mut decision = Decision::new(name, event.id, status, &event.action, is_final);
        decision.event = Some(event.action);
        decision.attempt_id = event.attempt_id;
        decision.client_id = event.vendor_data;
        decision.reason = event.code.map(|code| Reason::new(Some(code.to_string()), None));
        Ok(decision)
    }

    async fn poll_decision(&self, session_id: &str) -> Result<Option<Decision>, Error> {
        let inner = &*self.inner;
        if inner.shared_secrets.is_empty() {
            return Err(Error::config(&inner.name, "polling needs a shared secret to sign with"));
        }
        let mut url = endpoint(&inner.base_url, "/v1/sessions");
        url.path_segments_mut()
            .map_err(|()| Error::config(&inner.name, "the base URL cannot take a path"))?
            .push(session_id)
            .push("decision");
        let answer = self.exchange(inner.http.get(url), Signed::SessionId(session_id)).await?;
        let envelope: DecisionEnvelope = serde_json::from_slice(&answer.body)
            .map_err(|e| undecodable(&inner.name, answer.status, &e))?;
        Ok(envelope.verification.map(|body| self.decision_from(body)))
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
