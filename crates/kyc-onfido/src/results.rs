//! Onfido's results: webhooks verified by `X-SHA2-Signature`, the hex HMAC-SHA256 of the raw
//! body under the webhook's token
//! (<https://documentation.onfido.com/api/latest/#webhooks-signature>,
//! <https://developers.onfido.com/guide/manual-webhook-signature-verification/>), and polling a
//! workflow run, `GET /workflow_runs/{id}`
//! (<https://documentation.onfido.com/api/latest/#retrieve-workflow-run>).
//!
//! # The status table
//!
//! A workflow run's `status`
//! (<https://github.com/onfido/onfido-openapi-spec/blob/master/schemas/workflow_runs/definitions.yaml>),
//! polled or carried by `workflow_run.completed`:
//!
//! | `status` | neutral | final |
//! |---|---|---|
//! | `awaiting_input` | created (the person has the link) | no |
//! | `processing` | submitted (Onfido's checks run) | no |
//! | `awaiting_client_input` | submitted (the person is done; the workflow waits for your backend to complete a task) | no |
//! | `approved` | approved | yes |
//! | `declined` | declined | yes |
//! | `review` | review (the workflow ended in its manual-review outcome: your reviewers decide) | yes |
//! | `abandoned` | abandoned (the person left, or an interactive task timed out) | yes |
//! | `error` | failed (the run failed at Onfido; `error.type` and `error.message` are the reason) | yes |
//! | anything else | unknown | no |
//!
//! Final means what Onfido says with `workflow_run.completed`: the run has ended and will not
//! change. A `review` is final for the run: the person's outcome is then yours to decide, in
//! Onfido's dashboard or your own tools. Onfido has no expiry status: a link that runs out
//! ends `abandoned`. A decision's details are the run's `reasons`; its client id the run's
//! `customer_user_id` (the client id it was created with); its time `completed_at_iso8601`
//! (webhook) or `updated_at` (poll).
//!
//! # The event table
//!
//! Webhook events (`payload.action`,
//! <https://github.com/onfido/onfido-openapi-spec/blob/master/schemas/webhooks/definitions.yaml>):
//!
//! | `action` | becomes |
//! |---|---|
//! | `workflow_run.completed` | a decision on the run `object.id`, by `object.status` (else `resource.status`), as the status table says |
//! | `workflow_task.started`, `workflow_task.completed` | [`Notice`] on the run `object.workflow_run_id` (else `resource.workflow_run_id`): a task's progress, not the run's status |
//! | `workflow_timeline_file.created`, `workflow_run_evidence_folder.created` | [`Notice`] (`object.workflow_run_id` when given) |
//! | `check.*`, `report.*`, `audit_log.created`, `watchlist_monitor.matches_updated`, and every event Onfido adds | [`Notice`], event = the `action` |
//! | a body without `payload.action`, or `workflow_run.completed` without `object.id` | `Decode` |

use async_trait::async_trait;
use http::HeaderMap;
use serde_json::Value;

use kyc_adapter::ErrorExt;
use kyc_adapter::decode::undecodable_webhook;
use kyc_adapter::webhook::{WebhookFormat, Webhooks};
use kyc_core::{
    Decision, Error, Notice, Reason, SessionRef, Status, VerificationResults, WebhookEvent,
    WebhookVerifier,
};

use crate::wire::{WebhookBody, WorkflowRun};
use crate::{Onfido, PROVIDER};

/// The variable `from_env` reads webhook tokens from (several, comma-separated).
pub(crate) const WEBHOOK_TOKEN_VAR: &str = "ONFIDO_WEBHOOK_TOKEN";

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "x-sha2-signature";

/// The event of a finished workflow run.
pub const WORKFLOW_RUN_COMPLETED: &str = "workflow_run.completed";

/// Verifies Onfido's signed webhooks, built from the webhook token(s) alone (each registered
/// webhook has its own, returned by `POST /webhooks`): an endpoint that only receives results
/// needs no API token. `from_env` reads `ONFIDO_WEBHOOK_TOKEN` (several, comma-separated, for
/// rotation).
///
/// `X-SHA2-Signature` is checked before anything is parsed, over the raw body (Onfido warns
/// that a re-serialized body does not match), against every token, in constant time. A missing
/// or wrong signature is `InvalidSignature`; a verified body that is not Onfido's JSON is
/// `Decode`, never `InvalidSignature`. What a verified body becomes is the event table of the
/// [module docs](self).
///
/// ```
/// use kyc_core::{Status, WebhookVerifier};
/// use kyc_onfido::OnfidoWebhooks;
///
/// // A `workflow_run.completed` body and its signature under the token (any HMAC-SHA256 tool
/// // recomputes it).
/// let webhooks = OnfidoWebhooks::new("emulator_webhook_token_01");
/// let body = br#"{"payload":{"resource_type":"workflow_run","action":"workflow_run.completed","object":{"id":"8a1c3f52-2b7e-4d0a-9c61-5e4f7b2d9a10","status":"declined","completed_at_iso8601":"2025-03-04T10:15:30Z","href":"https://api.eu.onfido.com/v3.6/workflow_runs/8a1c3f52-2b7e-4d0a-9c61-5e4f7b2d9a10"}}}"#;
/// let mut headers = http::HeaderMap::new();
/// headers.insert(
///     "x-sha2-signature",
///     "d908e4d3f24b04594742a9802993462eb3e900c3343b704c62bcdbe155eca4cd".parse().unwrap(),
/// );
/// let decision = webhooks.verify_webhook(&headers, body)?.into_decision().unwrap();
/// assert_eq!(decision.status, Status::Declined);
/// assert!(decision.is_final);
/// # Ok::<(), kyc_core::Error>(())
/// ```
pub type OnfidoWebhooks = Webhooks<OnfidoWebhookFormat>;

/// Onfido's webhook format: the signature in `X-SHA2-Signature`, the bodies of
/// <https://documentation.onfido.com/api/latest/#webhooks>.
#[derive(Debug)]
pub struct OnfidoWebhookFormat;

impl WebhookFormat for OnfidoWebhookFormat {
    const PROVIDER: &'static str = PROVIDER;
    const SIGNATURE_HEADER: &'static str = SIGNATURE_HEADER;
    const KEYS_VAR: &'static str = WEBHOOK_TOKEN_VAR;

    fn event(provider: &str, _: &HeaderMap, body: &[u8]) -> Result<WebhookEvent, Error> {
        event(provider, body)
    }
}

/// The neutral status and finality of a workflow run's `status` (the status table).
pub(crate) fn run_status(status: &str) -> (Status, bool) {
    match status {
        "awaiting_input" => (Status::Created, false),
        "processing" => (Status::Submitted, false),
        "awaiting_client_input" => (Status::Submitted, false),
        "approved" => (Status::Approved, true),
        "declined" => (Status::Declined, true),
        "review" => (Status::Review, true),
        "abandoned" => (Status::Abandoned, true),
        "error" => (Status::Failed, true),
        _ => (Status::Unknown, false),
    }
}

/// The decision on the run `run_id` whose status is `status`, with what `run` (when read or
/// carried) adds.
fn decision(name: &str, run_id: &str, status: &str, run: Option<&WorkflowRun>) -> Decision {
    let (neutral, is_final) = run_status(status);
    let mut decision = Decision::new(name, run_id, neutral, status, is_final);
    let Some(run) = run else { return decision };
    decision.client_id = run.customer_user_id.clone();
    decision.details = run.reasons.clone().unwrap_or_default();
    if let Some(error) = &run.error
        && (error.kind.is_some() || error.message.is_some())
    {
        decision.reason = Some(Reason::new(error.kind.clone(), error.message.clone()));
    }
    decision
}

/// A verified webhook body, normalized by the event table.
fn event(name: &str, body: &[u8]) -> Result<WebhookEvent, Error> {
    let value: Value = serde_json::from_slice(body).map_err(|e| undecodable_webhook(name, &e))?;
    let hook: WebhookBody =
        serde_json::from_value(value.clone()).map_err(|e| undecodable_webhook(name, &e))?;
    let payload = hook.payload;
    let object = payload.object;
    if payload.action != WORKFLOW_RUN_COMPLETED {
        let mut notice = Notice::new(name, payload.action, value);
        let resource_run = payload.resource.and_then(|resource| resource.workflow_run_id);
        notice.session_id = object.workflow_run_id.or(resource_run);
        return Ok(notice.into());
    }
    let run_id = object
        .id
        .filter(|id| !id.trim().is_empty())
        .ok_or_else(|| Error::invalid_payload(name, "payload.object.id is missing"))?;
    let run = payload.resource.filter(|_| payload.resource_type.as_deref() == Some("workflow_run"));
    let status = object
        .status
        .or_else(|| run.as_ref().and_then(|run| run.status.clone()))
        .unwrap_or_default();
    let mut decision = decision(name, &run_id, &status, run.as_ref());
    decision.event = Some(WORKFLOW_RUN_COMPLETED.to_owned());
    decision.decided_at =
        object.completed_at_iso8601.or_else(|| run.as_ref().and_then(|run| run.updated_at));
    Ok(decision.into())
}

impl WebhookVerifier for Onfido {
    fn verify_webhook(&self, headers: &HeaderMap, body: &[u8]) -> Result<WebhookEvent, Error> {
        self.inner.webhooks.verify_webhook(headers, body)
    }
}

#[async_trait]
impl VerificationResults for Onfido {
    /// `GET /workflow_runs/{id}`: the run's status, as the status table says. Always a
    /// decision: a run exists from its creation (`awaiting_input` until the person acts).
    ///
    /// # Errors
    /// `Unsupported` for a business session, `InvalidRequest` naming `sessionId` for an id that
    /// is no UUID (nothing sent); Onfido's refusals as the crate's error table says (404: no
    /// such run, or its applicant was deleted).
    async fn poll_decision(&self, session: &SessionRef) -> Result<Option<Decision>, Error> {
        let name = self.inner.http.name();
        let (_, run) = self.workflow_run(session).await?;
        let word = run.status.clone().unwrap_or_default();
        let mut decision = decision(name, &session.id, &word, Some(&run));
        decision.decided_at = run.updated_at.filter(|_| decision.is_final);
        Ok(Some(decision))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The status table of the module docs, row by row.
    #[test]
    fn every_run_status_maps_as_documented() {
        let rows = [
            ("awaiting_input", Status::Created, false),
            ("processing", Status::Submitted, false),
            ("awaiting_client_input", Status::Submitted, false),
            ("approved", Status::Approved, true),
            ("declined", Status::Declined, true),
            ("review", Status::Review, true),
            ("abandoned", Status::Abandoned, true),
            ("error", Status::Failed, true),
            ("expired", Status::Unknown, false),
            ("", Status::Unknown, false),
        ];
        for (word, status, is_final) in rows {
            assert_eq!(run_status(word), (status, is_final), "{word}");
        }
    }

    /// The event table of the module docs, row by row.
    #[test]
    fn every_event_becomes_what_the_table_says() {
        let run = "d19692d6-730a-4730-9005-82185a5ec595";
        let body = |action: &str, object: &str| {
            format!(
                r#"{{"payload":{{"resource_type":"x","action":"{action}","object":{object}}}}}"#
            )
        };
        let completed =
            body(WORKFLOW_RUN_COMPLETED, &format!(r#"{{"id":"{run}","status":"review"}}"#));
        let decision = event("onfido", completed.as_bytes()).unwrap().into_decision().unwrap();
        assert_eq!((decision.status, decision.is_final), (Status::Review, true));
        assert_eq!(decision.session_id, run);
        let task =
            format!(r#"{{"id":"profile_1eb92","status":"started","workflow_run_id":"{run}"}}"#);
        for action in [
            "workflow_task.started",
            "workflow_task.completed",
            "workflow_timeline_file.created",
            "workflow_run_evidence_folder.created",
            "check.completed",
            "report.completed",
            "audit_log.created",
            "watchlist_monitor.matches_updated",
            "something.new",
        ] {
            let event = event("onfido", body(action, &task).as_bytes()).unwrap();
            let WebhookEvent::Notice(notice) = event else { panic!("{action}: {event:?}") };
            assert_eq!((notice.event.as_str(), notice.session_id.as_deref()), (action, Some(run)));
        }
        // The run named by the task resource only, as the specification's schema has it.
        let run_in_resource = format!(
            r#"{{"payload":{{"resource_type":"workflow_task","action":"workflow_task.completed","object":{{"id":"profile_4f4b2"}},"resource":{{"id":"profile_4f4b2","workflow_run_id":"{run}"}}}}}}"#
        );
        let notice = event("onfido", run_in_resource.as_bytes()).unwrap();
        assert_eq!(notice.session_id(), Some(run));
        for broken in [
            r#"{"payload":{"object":{"id":"x"}}}"#.to_owned(),
            body(WORKFLOW_RUN_COMPLETED, r#"{"status":"approved"}"#),
            "[]".to_owned(),
            "<html>".to_owned(),
        ] {
            let error = event("onfido", broken.as_bytes()).unwrap_err();
            assert_eq!(error.kind(), kyc_core::ErrorKind::Decode, "{broken}");
        }
    }
}
