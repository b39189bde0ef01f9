//! Veriff's results: every webhook Veriff signs, verified by `X-HMAC-SIGNATURE` over the raw
//! body (every configured shared secret accepted, for rotation;
//! <https://devdocs.veriff.com/docs/hmac-authentication-and-endpoint-security>), and polling
//! `GET /v1/sessions/{id}/decision` signed with the session id
//! (<https://devdocs.veriff.com/apidocs/v1sessionsiddecision-1>).
//!
//! Every type of webhook Veriff signs is accepted: how each is recognized is on
//! [`VeriffWebhooks`].
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
use http::HeaderMap;
use serde_json::Value;

use kyc_adapter::ErrorExt;
use kyc_adapter::decode::{undecodable, undecodable_webhook};
use kyc_adapter::webhook::{WebhookFormat, Webhooks};
use kyc_core::{
    Decision, Error, Notice, Reason, SessionRef, Status, VerificationResults, WebhookEvent,
    WebhookVerifier,
};

use crate::client::Signed;
use crate::wire::{DecisionBody, DecisionEnvelope, EventBody};
use crate::{PROVIDER, Veriff};

/// [`Notice::event`] of a watchlist screening webhook (PEP, sanctions and adverse media checks;
/// <https://devdocs.veriff.com/docs/watchlist-screening-webhook>), whose `checkType` says
/// `initial_result` or `updated_result`.
pub const WATCHLIST_SCREENING: &str = "watchlist-screening";

/// [`Notice::event`] of a Full Auto webhook, which replaces the decision webhook for Self Serve
/// Essential Plan integrations (<https://devdocs.veriff.com/docs/full-auto-webhook>). A notice,
/// not a decision: Veriff documents its `decisionScore` (0 to 1) but, in what it publishes, no
/// status word and "no session reason or decision codes", so the score is yours to read from
/// the payload.
pub const FULL_AUTO: &str = "full-auto";

/// [`Notice::event`] of a signed webhook of a type this crate does not recognize: INE, CURP
/// and INE+CURP, and the types Veriff adds later (<https://devdocs.veriff.com/docs/webhooks-guide>).
pub const UNKNOWN_EVENT: &str = "unknown";

/// The variable `from_env` reads shared secrets from (several, comma-separated).
pub(crate) const SHARED_SECRET_VAR: &str = "VERIFF_SHARED_SECRET";

/// Verifies Veriff's signed webhooks, built from the integration's shared secret(s) alone
/// (Customer Portal → Integrations): an endpoint that only receives results needs no API key.
/// `from_env` reads `VERIFF_SHARED_SECRET` (several, comma-separated, for rotation).
///
/// Veriff sends each webhook type to its own URL, set per integration, and may add types
/// (<https://devdocs.veriff.com/docs/webhooks-guide>); one verifier serves them all, telling them
/// apart by the body, checked in this order:
///
/// | the body has | webhook | becomes |
/// |---|---|---|
/// | a string `eventType` | user-defined status (<https://devdocs.veriff.com/v1/docs/user-defined-statuses-webhook>) | [`Notice`], event = the `eventType` as sent (`user-status.created`) |
/// | `checkType` | watchlist screening (<https://devdocs.veriff.com/docs/watchlist-screening-webhook>) | [`Notice`], event [`WATCHLIST_SCREENING`] |
/// | `verification` | decision (<https://devdocs.veriff.com/docs/decision-webhook>) | [`Decision`]; a malformed one is `Decode` |
/// | `action` | event: `started`, `submitted` (<https://devdocs.veriff.com/docs/event-webhook>) | [`Decision`], event = the `action`; a malformed one is `Decode` |
/// | `data.verification.decisionScore` | Full Auto (<https://devdocs.veriff.com/docs/full-auto-webhook>) | [`Notice`], event [`FULL_AUTO`] |
/// | anything else (INE, CURP, INE+CURP, types Veriff adds later) | | [`Notice`], event [`UNKNOWN_EVENT`] |
/// | not a JSON object | | `Decode` |
///
/// A notice names the session of the first of `sessionId`, `data.verification.id` and `id`
/// the body carries as a string, and the client id of `vendorData` (or
/// `data.verification.vendorData`); its payload is the whole body.
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
///
/// let body = br#"{"checkType":"initial_result","sessionId":"f04bdb47-d3be-4b28-b028-a652feb060b5","matchStatus":"no_match"}"#;
/// let signature = kyc_veriff::signature(b"my-shared-secret", body);
/// headers.insert("x-hmac-signature", signature.parse().unwrap());
/// let event = webhooks.verify_webhook(&headers, body)?;
/// assert_eq!(event.event(), Some(kyc_veriff::WATCHLIST_SCREENING));
/// assert_eq!(event.session_id(), Some("f04bdb47-d3be-4b28-b028-a652feb060b5"));
/// # Ok::<(), kyc_core::Error>(())
/// ```
pub type VeriffWebhooks = Webhooks<VeriffWebhookFormat>;

/// Veriff's webhook format: `X-HMAC-SIGNATURE` over the raw body; every webhook type, told
/// apart as [`VeriffWebhooks`] says.
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
        if !value.is_object() {
            return Err(Error::invalid_payload(name, "the body is not a JSON object"));
        }
        if let Some(event) = value.get("eventType").and_then(Value::as_str) {
            let event = event.to_owned();
            return Ok(notice(name, event, value).into());
        }
        if value.get("checkType").is_some() {
            return Ok(notice(name, WATCHLIST_SCREENING, value).into());
        }
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
        if value.get("action").is_some() {
            let event: EventBody =
                serde_json::from_value(value).map_err(|e| undecodable_webhook(name, &e))?;
            return Ok(event_decision(name, event).into());
        }
        if value.pointer("/data/verification/decisionScore").is_some() {
            return Ok(notice(name, FULL_AUTO, value).into());
        }
        Ok(notice(name, UNKNOWN_EVENT, value).into())
    }
}

/// An event webhook's decision: where the person is in the flow.
fn event_decision(name: &str, event: EventBody) -> Decision {
    let (status, is_final) = status_of(&event.action);
    let mut decision = Decision::new(name, event.id, status, &event.action, is_final);
    decision.event = Some(event.action);
    decision.attempt_id = event.attempt_id;
    decision.client_id = event.vendor_data;
    decision.reason = event.code.map(|code| Reason::new(Some(code.to_string()), None));
    decision
}

/// A notice of `event` carrying `body`, with the session and client id it names (see the
/// [module docs](self)).
fn notice(name: &str, event: impl Into<String>, body: Value) -> Notice {
    let text = |pointers: &[&str]| {
        pointers.iter().find_map(|p| body.pointer(p).and_then(Value::as_str)).map(str::to_owned)
    };
    let session_id = text(&["/sessionId", "/data/verification/id", "/id"]);
    let client_id = text(&["/vendorData", "/data/verification/vendorData"]);
    let mut notice = Notice::new(name, event, body);
    notice.session_id = session_id;
    notice.client_id = client_id;
    notice
}

impl WebhookVerifier for Veriff {
    fn verify_webhook(&self, headers: &HeaderMap, body: &[u8]) -> Result<WebhookEvent, Error> {
        self.inner.webhooks.verify_webhook(headers, body)
    }
}

#[async_trait]
impl VerificationResults for Veriff {
    /// `GET {base}/v1/sessions/{id}/decision`, signed with the session id; `None` while
    /// `verification` is `null` (no 9xxx decision yet).
    async fn poll_decision(&self, session: &SessionRef) -> Result<Option<Decision>, Error> {
        let url = self.session_endpoint(session, &["decision"])?;
        let name = self.inner.http.name();
        let request = self.inner.http.request(reqwest::Method::GET, url);
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
