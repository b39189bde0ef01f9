//! iDenfy's results, for identity (KYC) and business (KYB) sessions: signed webhooks, and
//! polling where a webhook is missing.
//!
//! # Webhooks
//!
//! Every delivery is verified by `Idenfy-Signature`, the hex HMAC-SHA256 of the raw body with
//! the notification's signing key (<https://documentation.idenfy.com/security/callback-signing>;
//! KYB webhooks declare the same header, <https://documentation.idenfy.com/openapi/kyb.yaml>).
//! Every correctly signed delivery whose body is a JSON object is accepted: a [`Decision`] when
//! it says where a session stands, a [`Notice`] otherwise (event types iDenfy adds later
//! included). Only a body that is not a JSON object, or a decision event's body without what
//! names the session and its outcome, is a `Decode` error.
//!
//! The event travels in `Idenfy-Event-Type`, with underscores (KYB's dashboard shows the same
//! names with spaces; both are read): <https://documentation.idenfy.com/kyc/webhooks>, and for
//! KYB <https://documentation.idenfy.com/kyb/webhooks> and the KYB OpenAPI. The event decides
//! how the body is read; the header value is the decision's `event` and the notice's type.
//!
//! | `Idenfy-Event-Type` | read as |
//! |---|---|
//! | `IDENTIFICATION`, `IDENTIFICATION_AUTO_FINISHED`, `_MANUAL_FINISHED`, `_EXPIRED`, `_CANCELLED` (or `_CANCELED`), `_RESUBMITTED` | decision on `scanRef` (the table below) |
//! | `COMPANY_SUBMIT`, `COMPANY_REVIEW`, `COMPANY_INFO_REQUEST`, `COMPANY_DELETE` | business decision (the KYB table) |
//! | `DOCUMENT_EXPIRATION` | notice on `scanRef` (the verified document nears or passed its expiry) |
//! | `COMPANY_EXPIRATION` | business notice on the company's `id` |
//! | `COMPANY_AML_REVIEW`, `COMPANY_TOKEN_EXPIRED`, `GOV_ORDERED_DOCUMENT`, `SOS_REPORT` | business notice, on `companyId` when the body has it (a token that expired unsubmitted names only the `clientId`) |
//! | `VIDEO_CALL_FINISHED`, any other | notice, on `scanRef` when the body has it |
//!
//! Notices carry the body's `clientId` when it has one. Without the header (a notification
//! configured without it, an old account), the body's shape names the event, in this order:
//!
//! | the body has | event |
//! |---|---|
//! | `scanRef` and `status.overall` | `IDENTIFICATION` (a decision; its `event` stays unset) |
//! | `expirationThreshold` | `DOCUMENT_EXPIRATION` |
//! | `amlReviewSubjectType`, `companyId` | `COMPANY_AML_REVIEW` |
//! | `companyId`, `token`, `status` | `COMPANY_INFO_REQUEST` |
//! | `companyId`, `date`, `manager` | `COMPANY_DELETE` |
//! | `id`, `companyName`, `beneficiaries` | `COMPANY_REVIEW` |
//! | `id`, `clientId`, `submissionTime` | `COMPANY_SUBMIT` |
//! | `expirationStatus` | `COMPANY_EXPIRATION` |
//! | `productKey`, `expectedDeliveryTime` | `GOV_ORDERED_DOCUMENT` |
//! | `id`, `entityType` | `SOS_REPORT` |
//! | anything else | a notice of type `unknown` |
//!
//! An identification webhook that carries a `companyId` (the KYC of a company's beneficiary,
//! <https://documentation.idenfy.com/guides/dashboard/kyc/verification-details>) is still an
//! identity decision, on its `scanRef`.
//!
//! ## Identity decisions
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
//! Final: the webhook's `final` flag. "`final: false` means a `IDENTIFICATION_MANUAL_FINISHED`
//! webhook is still coming" (<https://documentation.idenfy.com/kyc/status-handling>), so an
//! automatic result before a manual review is never final. Payloads from before 2022 have no
//! flag: then only an outcome that cannot change is (approved, declined, expired, deleted).
//!
//! ## Business decisions
//!
//! The KYB OpenAPI's bodies name the company `id` (submit, review, expiration) or `companyId`
//! (information request, deletion, AML review). The vendor status is the body's word, or the
//! event's name when the body has none.
//!
//! | event | body | neutral | final |
//! |---|---|---|---|
//! | `COMPANY_SUBMIT` (company in `id`) | | submitted | no |
//! | `COMPANY_REVIEW` (`id`) | `approvalStatus` `APPROVED` | approved | yes |
//! | `COMPANY_REVIEW` | `approvalStatus` `DENIED` (`denyReason` is the reason's code) | declined | yes |
//! | `COMPANY_REVIEW` | `approvalStatus` null or another word | unknown (the word kept) | no |
//! | `COMPANY_INFO_REQUEST` (`companyId`) | `status` `REQUESTED` | resubmission requested | no |
//! | `COMPANY_INFO_REQUEST` | `EXPIRED` | expired | no: the company stays, and another request may follow |
//! | `COMPANY_INFO_REQUEST` | `CANCELED` | review | no |
//! | `COMPANY_INFO_REQUEST` | another word | unknown (the word kept) | no |
//! | `COMPANY_DELETE` (`companyId`) | | deleted | yes |
//!
//! # Polling
//!
//! Identity sessions: `POST /api/v2/status` with the `scanRef`
//! (<https://documentation.idenfy.com/kyc/data-retrieval>), the same words as the webhook's
//! `status.overall`. Final: the answer's top-level `final` when it has one ("From the API, check
//! the top-level `final` boolean", <https://documentation.idenfy.com/kyc/status-handling>; the
//! documented sample has none); otherwise, as for a webhook without the flag, only an outcome
//! that cannot change (approved, declined, expired, deleted).
//!
//! Business sessions: `GET /kyb/companies/{id}/` (the KYB OpenAPI's `CompanyDetail`), the
//! workflow status in `meta.status` and the decision in `meta.approvalStatus`.
//!
//! | `meta.status` | `meta.approvalStatus` | neutral | final |
//! |---|---|---|---|
//! | `PENDING` | | created | no |
//! | `PROCESSING` | | submitted | no |
//! | `NEED_TO_PROCESS`, `NEED_TO_REVIEW` | | review | no |
//! | `COMPLETED` | `APPROVED` | approved | yes |
//! | `COMPLETED` | `DENIED` (`denyReason` is the reason's code) | declined | yes |
//! | `COMPLETED` | none | review | no |
//! | `COMPLETED` | another word | unknown (the word kept) | no |
//! | anything else | | unknown (the word kept) | no |
//!
//! iDenfy "does not support regular polling and may restrict your access"
//! (<https://documentation.idenfy.com/kyc/data-retrieval>), so a minimum interval per session
//! guards both: a poll refused that way says so (`RateLimited`, outcome `NotSent`: nothing
//! reached iDenfy).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::DateTime;
use http::HeaderMap;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use kyc_adapter::ErrorExt;
use kyc_adapter::decode::{undecodable, undecodable_webhook};
use kyc_adapter::webhook::{WebhookFormat, Webhooks};
use kyc_core::{
    Decision, Error, Feature, Notice, Reason, SessionRef, Status, VerificationKind,
    VerificationResults, WebhookEvent, WebhookVerifier,
};

use crate::client::checked_id;
use crate::error::Call;
use crate::wire::{
    CompanyDetail, CompanyEvent, CompanyWebhook, IdentificationWebhook, StatusAnswer, StatusChecks,
    scan_ref_body,
};
use crate::{Idenfy, PROVIDER};

/// The variable `from_env` reads webhook signing keys from (several, comma-separated).
pub(crate) const WEBHOOK_KEY_VAR: &str = "IDENFY_WEBHOOK_KEY";

/// Verifies iDenfy's signed webhooks, identity and business alike, built from the signing
/// key(s) alone (Dashboard → Settings → Notifications → Headers → Signing key; accounts from
/// before 2022 sign with the API secret): an endpoint that only receives results needs no API
/// key or secret. `from_env` reads `IDENFY_WEBHOOK_KEY` (several keys, comma-separated).
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
/// `Idenfy-Event-Type`, the bodies of <https://documentation.idenfy.com/kyc/webhooks> and
/// <https://documentation.idenfy.com/kyb/webhooks>.
#[derive(Debug)]
pub struct IdenfyWebhookFormat;

/// iDenfy restricts accounts that poll: one status request per session a minute at most.
pub(crate) const DEFAULT_MIN_POLL_INTERVAL: Duration = Duration::from_secs(60);

/// When each session was last polled.
#[derive(Debug)]
pub(crate) struct PollGuard {
    interval: Duration,
    last: Mutex<HashMap<SessionRef, Instant>>,
}

impl PollGuard {
    pub(crate) fn new(interval: Duration) -> Self {
        Self { interval, last: Mutex::new(HashMap::new()) }
    }

    /// Records a poll now, or says how long to wait.
    fn admit(&self, session: &SessionRef) -> Result<(), Duration> {
        let mut last = self.last.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = Instant::now();
        if let Some(at) = last.get(session) {
            let waited = now.duration_since(*at);
            if waited < self.interval {
                return Err(self.interval - waited);
            }
        }
        // Forget sessions polled long ago, so the map stays small.
        last.retain(|_, at| now.duration_since(*at) < self.interval);
        last.insert(session.clone(), now);
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

/// How a delivery is read: the module's first table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    /// An `IdentificationWebhook`: a decision on its `scanRef`.
    Identification,
    /// A KYB event that says where a company stands.
    Company(KybEvent),
    /// A notice about a session of this kind, named under this key when the body has it.
    Notice(VerificationKind, &'static str),
}

/// The KYB events that are decisions: the module's business table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KybEvent {
    Submit,
    Review,
    InfoRequest,
    Delete,
}

/// The route of an `Idenfy-Event-Type` value (or of the event a body's shape names). KYB's
/// dashboard writes the same names with spaces: read alike.
fn route_of(event: &str) -> Route {
    let event = event.trim().to_ascii_uppercase().replace(' ', "_");
    match event.as_str() {
        "IDENTIFICATION"
        | "IDENTIFICATION_AUTO_FINISHED"
        | "IDENTIFICATION_MANUAL_FINISHED"
        | "IDENTIFICATION_EXPIRED"
        | "IDENTIFICATION_CANCELLED"
        | "IDENTIFICATION_CANCELED"
        | "IDENTIFICATION_RESUBMITTED" => Route::Identification,
        "COMPANY_SUBMIT" => Route::Company(KybEvent::Submit),
        "COMPANY_REVIEW" => Route::Company(KybEvent::Review),
        "COMPANY_INFO_REQUEST" => Route::Company(KybEvent::InfoRequest),
        "COMPANY_DELETE" => Route::Company(KybEvent::Delete),
        // `CompanyExpirationWebhook` names the company `id`, like submit and review.
        "COMPANY_EXPIRATION" => Route::Notice(VerificationKind::Business, "id"),
        // `AmlReviewWebhook`'s `id` is the review's; `GovPartnerOrderedDocument`'s and
        // `SosReportWebhook`'s are the document's and the report's.
        "COMPANY_AML_REVIEW" | "COMPANY_TOKEN_EXPIRED" | "GOV_ORDERED_DOCUMENT" | "SOS_REPORT" => {
            Route::Notice(VerificationKind::Business, "companyId")
        }
        // A company event iDenfy adds later is a business one, naming the company as the
        // newer KYB bodies do.
        other if other.starts_with("COMPANY_") => {
            Route::Notice(VerificationKind::Business, "companyId")
        }
        _ => Route::Notice(VerificationKind::Identity, "scanRef"),
    }
}

/// The event a body without `Idenfy-Event-Type` is, by the keys its schema requires: the
/// module's second table (the identification webhook is told apart before these).
const SHAPES: &[(&str, &[&str])] = &[
    ("DOCUMENT_EXPIRATION", &["expirationThreshold"]),
    ("COMPANY_AML_REVIEW", &["amlReviewSubjectType", "companyId"]),
    ("COMPANY_INFO_REQUEST", &["companyId", "token", "status"]),
    ("COMPANY_DELETE", &["companyId", "date", "manager"]),
    ("COMPANY_REVIEW", &["id", "companyName", "beneficiaries"]),
    ("COMPANY_SUBMIT", &["id", "clientId", "submissionTime"]),
    ("COMPANY_EXPIRATION", &["expirationStatus"]),
    ("GOV_ORDERED_DOCUMENT", &["productKey", "expectedDeliveryTime"]),
    ("SOS_REPORT", &["id", "entityType"]),
];

/// The notice type of a body no shape fits.
const UNKNOWN_EVENT: &str = "unknown";

fn event_of_shape(body: &Map<String, Value>) -> &'static str {
    let overall = body.get("status").and_then(|status| status.get("overall"));
    if body.contains_key("scanRef") && overall.is_some() {
        return "IDENTIFICATION";
    }
    let shape = SHAPES.iter().find(|(_, keys)| keys.iter().all(|key| body.contains_key(*key)));
    shape.map_or(UNKNOWN_EVENT, |(event, _)| event)
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

/// Whether a result without iDenfy's `final` flag (payloads from before 2022, and the status
/// answer of <https://documentation.idenfy.com/kyc/data-retrieval>) can be taken as final:
/// only an outcome that cannot change. A `SUSPECTED` result waits for your decision or a
/// review, and a word this library does not know is never taken as the end.
fn settled(status: Status) -> bool {
    matches!(status, Status::Approved | Status::Declined | Status::Expired | Status::Deleted)
}

/// A decision event's typed body, read from the raw bytes so an error says where it broke.
fn parse<T: DeserializeOwned>(name: &str, body: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|e| undecodable_webhook(name, &e))
}

fn identification(name: &str, body: &[u8]) -> Result<Decision, Error> {
    let webhook: IdentificationWebhook = parse(name, body)?;
    let overall = webhook.status.overall;
    let status = status_of(&overall);
    let is_final = webhook.is_final.unwrap_or_else(|| settled(status));
    let mut decision = Decision::new(name, webhook.scan_ref, status, overall, is_final);
    decision.client_id = webhook.client_id;
    decision.decided_at = webhook.finish_time.and_then(|t| DateTime::from_timestamp(t, 0));
    decision.details = details(webhook.status.checks);
    if let Some(Value::Object(data)) = webhook.data {
        for (key, value) in data {
            if let Some(text) = value.as_str() {
                decision.extracted.insert(key, text.to_owned());
            }
        }
    }
    Ok(decision)
}

/// A business decision on `company`: `(status, vendor word, final)`.
fn business(
    name: &str,
    company: String,
    (status, word, is_final): (Status, String, bool),
) -> Decision {
    Decision::new(name, company, status, word, is_final).with_kind(VerificationKind::Business)
}

/// A company's `approvalStatus` (KYB OpenAPI `ApprovalStatusEnum`), in a review webhook or a
/// completed company: `APPROVED` and `DENIED` are final, another word is kept as unknown.
fn approval(word: String) -> (Status, String, bool) {
    match word.as_str() {
        "APPROVED" => (Status::Approved, word, true),
        "DENIED" => (Status::Declined, word, true),
        _ => (Status::Unknown, word, false),
    }
}

/// `denyReason` ("The reason why this KYB form was denied", at most 64 characters: a code).
fn deny_reason(reason: Option<String>) -> Option<Reason> {
    reason.filter(|r| !r.trim().is_empty()).map(|code| Reason::new(Some(code), None))
}

/// The KYB decision events: the module's business table.
fn company(name: &str, event: KybEvent, body: &[u8]) -> Result<Decision, Error> {
    let decision = match event {
        KybEvent::Submit => {
            let webhook: CompanyWebhook = parse(name, body)?;
            let outcome = (Status::Submitted, "COMPANY_SUBMIT".to_owned(), false);
            let mut decision = business(name, webhook.id, outcome);
            decision.client_id = webhook.client_id;
            decision.decided_at = webhook.submission_time;
            decision
        }
        KybEvent::Review => {
            let webhook: CompanyWebhook = parse(name, body)?;
            let outcome = match webhook.approval_status {
                Some(word) => approval(word),
                None => (Status::Unknown, "COMPANY_REVIEW".to_owned(), false),
            };
            let mut decision = business(name, webhook.id, outcome);
            decision.client_id = webhook.client_id;
            decision.reason = deny_reason(webhook.deny_reason);
            decision
        }
        KybEvent::InfoRequest => {
            let request: CompanyEvent = parse(name, body)?;
            // Required in `CompanyInfoRequestWebhook`: without it there is no outcome.
            let Some(word) = request.status else {
                return Err(Error::invalid_payload(name, "body: missing field `status`"));
            };
            let status = match word.as_str() {
                "REQUESTED" => Status::ResubmissionRequested,
                // The form token expired; the company stays, and may be asked again.
                "EXPIRED" => Status::Expired,
                "CANCELED" => Status::Review,
                _ => Status::Unknown,
            };
            let mut decision = business(name, request.company_id, (status, word, false));
            decision.decided_at = request.date;
            decision
        }
        KybEvent::Delete => {
            let deletion: CompanyEvent = parse(name, body)?;
            let outcome = (Status::Deleted, "COMPANY_DELETE".to_owned(), true);
            let mut decision = business(name, deletion.company_id, outcome);
            decision.decided_at = deletion.date;
            decision
        }
    };
    Ok(decision)
}

/// A notice of `event`, on the session the body names under `key`, with its `clientId`.
fn notice(
    name: &str,
    event: &str,
    kind: VerificationKind,
    key: &str,
    body: Map<String, Value>,
) -> Notice {
    let text = |key: &str| {
        body.get(key).and_then(Value::as_str).filter(|t| !t.trim().is_empty()).map(str::to_owned)
    };
    let (session_id, client_id) = (text(key), text("clientId"));
    let mut notice = Notice::new(name, event, Value::Object(body));
    notice.kind = kind;
    notice.session_id = session_id;
    notice.client_id = client_id;
    notice
}

impl WebhookFormat for IdenfyWebhookFormat {
    const PROVIDER: &'static str = PROVIDER;
    const SIGNATURE_HEADER: &'static str = "idenfy-signature";
    const KEYS_VAR: &'static str = WEBHOOK_KEY_VAR;

    fn event(name: &str, headers: &HeaderMap, body: &[u8]) -> Result<WebhookEvent, Error> {
        let Value::Object(object) = parse::<Value>(name, body)? else {
            return Err(Error::invalid_payload(name, "body: expected a JSON object"));
        };
        let header = headers
            .get("idenfy-event-type")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty());
        let event = header.unwrap_or_else(|| event_of_shape(&object));
        let mut decision = match route_of(event) {
            Route::Identification => identification(name, body)?,
            Route::Company(kyb) => company(name, kyb, body)?,
            Route::Notice(kind, key) => return Ok(notice(name, event, kind, key, object).into()),
        };
        decision.event = header.map(str::to_owned);
        Ok(decision.into())
    }
}

impl WebhookVerifier for Idenfy {
    fn verify_webhook(&self, headers: &HeaderMap, body: &[u8]) -> Result<WebhookEvent, Error> {
        self.inner.webhooks.verify_webhook(headers, body)
    }
}

impl Idenfy {
    /// `POST /api/v2/status`: where an identity session stands.
    async fn poll_identity(&self, scan_ref: &str) -> Result<Decision, Error> {
        let name = self.inner.http.name();
        let call = Call::Poll(VerificationKind::Identity);
        let body = Some(scan_ref_body(scan_ref));
        let (status, answer) = self.send(Method::POST, "/api/v2/status", call, body).await?;
        let state: StatusAnswer =
            serde_json::from_slice(&answer).map_err(|e| undecodable(name, status, &e))?;
        let status = status_of(&state.status);
        let is_final = state.is_final.unwrap_or_else(|| settled(status));
        let mut decision = Decision::new(name, state.scan_ref, status, state.status, is_final);
        decision.client_id = state.client_id;
        decision.details = details(state.checks);
        Ok(decision)
    }

    /// `GET /kyb/companies/{id}/`: where a business session stands (the module's poll table).
    async fn poll_company(&self, company: &str) -> Result<Decision, Error> {
        let name = self.inner.http.name();
        let call = Call::Poll(VerificationKind::Business);
        let path = format!("/kyb/companies/{company}/");
        let (status, answer) = self.send(Method::GET, &path, call, None).await?;
        let detail: CompanyDetail =
            serde_json::from_slice(&answer).map_err(|e| undecodable(name, status, &e))?;
        let meta = detail.meta;
        let outcome = match (meta.status.as_str(), meta.approval_status) {
            ("PENDING", _) => (Status::Created, meta.status, false),
            ("PROCESSING", _) => (Status::Submitted, meta.status, false),
            ("NEED_TO_PROCESS" | "NEED_TO_REVIEW", _) => (Status::Review, meta.status, false),
            ("COMPLETED", Some(word)) => approval(word),
            // Completed without a decision: someone still has to give one.
            ("COMPLETED", None) => (Status::Review, meta.status, false),
            _ => (Status::Unknown, meta.status, false),
        };
        let mut decision = business(name, company.to_owned(), outcome);
        decision.reason = deny_reason(meta.deny_reason);
        Ok(decision)
    }
}

#[async_trait]
impl VerificationResults for Idenfy {
    /// Identity sessions by `POST /api/v2/status`, business sessions by
    /// `GET /kyb/companies/{id}/`; at most one poll per session in the minimum interval.
    async fn poll_decision(&self, session: &SessionRef) -> Result<Option<Decision>, Error> {
        let name = self.inner.http.name();
        let id = checked_id(session)?;
        if let Err(wait) = self.inner.polls.admit(session) {
            return Err(Error::throttled_locally(name, wait));
        }
        let decision = match session.kind {
            VerificationKind::Identity => self.poll_identity(id).await?,
            VerificationKind::Business => self.poll_company(id).await?,
            other => return Err(Error::unsupported(name, Feature::Kind(other))),
        };
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
        assert!(guard.admit(&"a".into()).is_ok());
        assert!(guard.admit(&"a".into()).unwrap_err() > Duration::from_secs(59));
        assert!(guard.admit(&"b".into()).is_ok(), "per session");
        assert!(guard.admit(&SessionRef::business("a")).is_ok(), "per kind");
        let free = PollGuard::new(Duration::ZERO);
        assert!(free.admit(&"a".into()).is_ok() && free.admit(&"a".into()).is_ok());
    }

    #[test]
    fn every_event_type_routes_as_documented() {
        use VerificationKind::{Business, Identity};
        let rows = [
            ("IDENTIFICATION", Route::Identification),
            ("IDENTIFICATION_AUTO_FINISHED", Route::Identification),
            ("IDENTIFICATION_MANUAL_FINISHED", Route::Identification),
            ("IDENTIFICATION_EXPIRED", Route::Identification),
            ("IDENTIFICATION_CANCELLED", Route::Identification),
            ("IDENTIFICATION_CANCELED", Route::Identification),
            ("IDENTIFICATION_RESUBMITTED", Route::Identification),
            ("COMPANY_SUBMIT", Route::Company(KybEvent::Submit)),
            ("COMPANY SUBMIT", Route::Company(KybEvent::Submit)),
            ("COMPANY_REVIEW", Route::Company(KybEvent::Review)),
            ("COMPANY_INFO_REQUEST", Route::Company(KybEvent::InfoRequest)),
            ("COMPANY_DELETE", Route::Company(KybEvent::Delete)),
            ("COMPANY_EXPIRATION", Route::Notice(Business, "id")),
            ("COMPANY_AML_REVIEW", Route::Notice(Business, "companyId")),
            ("COMPANY_TOKEN_EXPIRED", Route::Notice(Business, "companyId")),
            ("GOV_ORDERED_DOCUMENT", Route::Notice(Business, "companyId")),
            ("SOS_REPORT", Route::Notice(Business, "companyId")),
            ("DOCUMENT_EXPIRATION", Route::Notice(Identity, "scanRef")),
            ("VIDEO_CALL_FINISHED", Route::Notice(Identity, "scanRef")),
            ("SOMETHING_NEW", Route::Notice(Identity, "scanRef")),
        ];
        for (event, route) in rows {
            assert_eq!(route_of(event), route, "{event}");
        }
    }

    #[test]
    fn every_shape_names_its_event() {
        let rows = [
            (
                serde_json::json!({"scanRef": "s", "status": {"overall": "APPROVED"}}),
                "IDENTIFICATION",
            ),
            (serde_json::json!({"scanRef": "s", "status": "APPROVED"}), UNKNOWN_EVENT),
            (
                serde_json::json!({"scanRef": "s", "expirationThreshold": "DOCUMENT_EXPIRED"}),
                "DOCUMENT_EXPIRATION",
            ),
            (
                serde_json::json!({"id": "r", "companyId": "c", "amlReviewSubjectType": "COMPANY"}),
                "COMPANY_AML_REVIEW",
            ),
            (
                serde_json::json!({"companyId": "c", "token": "t", "status": "REQUESTED", "date": "d", "manager": null}),
                "COMPANY_INFO_REQUEST",
            ),
            (serde_json::json!({"companyId": "c", "date": "d", "manager": null}), "COMPANY_DELETE"),
            (
                serde_json::json!({"id": "c", "companyName": "n", "beneficiaries": [], "clientId": "x", "submissionTime": null}),
                "COMPANY_REVIEW",
            ),
            (
                serde_json::json!({"id": "c", "clientId": "x", "submissionTime": null}),
                "COMPANY_SUBMIT",
            ),
            (serde_json::json!({"expirationStatus": "PENDING"}), "COMPANY_EXPIRATION"),
            (
                serde_json::json!({"id": "d", "productKey": "k", "expectedDeliveryTime": "t"}),
                "GOV_ORDERED_DOCUMENT",
            ),
            (serde_json::json!({"id": "r", "entityType": "LLC"}), "SOS_REPORT"),
            (serde_json::json!({"clientId": "x"}), UNKNOWN_EVENT),
        ];
        for (body, event) in rows {
            let Value::Object(body) = body else { unreachable!() };
            assert_eq!(event_of_shape(&body), event, "{body:?}");
        }
    }
}
