//! Sumsub's results: webhooks verified by `x-payload-digest`, the hex HMAC of the raw body
//! under the webhook's secret key, with the algorithm named in `x-payload-digest-alg`
//! (<https://docs.sumsub.com/docs/webhooks>), and polling the applicant by its external user id
//! (<https://docs.sumsub.com/reference/get-applicant-data-via-externaluserid>).
//!
//! # The status table
//!
//! A decision reads `reviewStatus` first and `reviewResult` second: a `reviewResult` also rides
//! on events that are no verdict (`applicantOnHold`, `applicantAwaitingService`), so it decides
//! only for a completed review
//! (<https://docs.sumsub.com/docs/applicant-statuses>,
//! <https://docs.sumsub.com/docs/receive-and-interpret-results-via-api>).
//!
//! | `reviewStatus` | `reviewResult` | neutral | final | `vendor_status` |
//! |---|---|---|---|---|
//! | `init` | | created | no | `init` |
//! | `pending`, `prechecked`, `queued` | | submitted | no | the word |
//! | `onHold`, `awaitingService` | | review | no | the word |
//! | `awaitingUser` | | resubmission_requested | no | `awaitingUser` |
//! | `completed` | `GREEN` | approved | yes | `GREEN` |
//! | `completed` | `RED`, `RETRY` | resubmission_requested | no | `RED/RETRY` |
//! | `completed` | `RED`, `FINAL` | declined | yes | `RED/FINAL` |
//! | `completed` | `RED`, no reject type | declined | no | `RED` |
//! | `completed` | none | review | no | `completed` |
//! | `completed` | another answer | unknown | no | the answer |
//! | anything else | | unknown | no | the word |
//!
//! A polled applicant that is deactivated (`deleted: true`) is expired, not final: Sumsub can
//! reactivate it (<https://docs.sumsub.com/reference/deactivate-applicant-profile>).
//!
//! # The event table
//!
//! Webhook types (<https://docs.sumsub.com/docs/user-verification-webhooks>):
//!
//! | `type` | becomes |
//! |---|---|
//! | `applicantReviewed`, `applicantWorkflowCompleted` | the verdict of its `reviewResult`, as a completed review above |
//! | `applicantCreated` | created, not final |
//! | `applicantVerificationLinkOpened` | started, not final |
//! | `applicantPending`, `applicantPrechecked` | submitted, not final |
//! | `applicantOnHold`, `applicantAwaitingService` | review, not final |
//! | `applicantWorkflowFailed` | review, not final (poll to learn more; never declined) |
//! | `applicantAwaitingUser` | resubmission_requested, not final |
//! | `applicantReset`, `applicantStepsReset`, `applicantLevelChanged` | created, not final (the person starts over) |
//! | `applicantActivated` | its `reviewStatus`, as above |
//! | `applicantDeactivated` | expired, not final (reactivation is possible) |
//! | `applicantDeleted`, `applicantPersonalDataDeleted` | deleted, final |
//! | any of these without `externalUserId` (an applicant this library did not create), or about a KYB beneficiary (`applicantMemberOf` set) | [`Notice`] |
//! | `applicantPersonalInfoChanged`, `applicantTagsChanged`, `applicantAction*`, `videoIdent*`, `kybCompanyActivity`, and every type Sumsub adds | [`Notice`], event = the `type` |
//! | not a JSON object with a string `type` | `Decode` |
//!
//! A decision's session id and client id are the `externalUserId` (the `userId` the link was
//! made for); its kind is business for `applicantType: "company"`. Its details are the
//! `rejectLabels`, its reason the `reviewRejectType` and the `moderationComment` (text meant
//! for the person; the internal `clientComment` is never read), its time the `createdAt`.

use async_trait::async_trait;
use http::HeaderMap;
use serde_json::Value;

use kyc_adapter::ErrorExt;
use kyc_adapter::decode::{undecodable, undecodable_webhook};
use kyc_adapter::webhook::{HmacAlgorithm, WebhookFormat, Webhooks};
use kyc_core::{
    Decision, Error, Notice, Reason, SessionRef, Status, VerificationKind, VerificationResults,
    WebhookEvent, WebhookVerifier,
};

use crate::wire::{Applicant, ReviewResult, WebhookBody, parse_time};
use crate::{PROVIDER, Sumsub};

/// The variable `from_env` reads webhook secrets from (several, comma-separated).
pub(crate) const WEBHOOK_SECRET_VAR: &str = "SUMSUB_WEBHOOK_SECRET";

/// The header carrying the digest.
pub const DIGEST_HEADER: &str = "x-payload-digest";
/// The header naming the digest's algorithm.
pub const DIGEST_ALG_HEADER: &str = "x-payload-digest-alg";

/// Verifies Sumsub's signed webhooks, built from the webhook secret(s) alone (Dev space →
/// Webhooks; a secret belongs to a webhook, not to an app token): an endpoint that only
/// receives results needs no app token. `from_env` reads `SUMSUB_WEBHOOK_SECRET` (several,
/// comma-separated, for rotation).
///
/// The digest is checked before anything is parsed, over the raw body, against every secret,
/// in constant time, in either case, under the algorithm `x-payload-digest-alg` names:
///
/// | `x-payload-digest-alg` | |
/// |---|---|
/// | `HMAC_SHA256_HEX` (Sumsub's default) | checked |
/// | `HMAC_SHA512_HEX` | checked |
/// | `HMAC_SHA1_HEX` (legacy) | refused, unless `allow_legacy_sha1()`: `InvalidSignature` with vendor code `HMAC_SHA1_HEX` |
/// | missing | checked under the default algorithm, SHA-256 unless `with_default_algorithm(..)` |
/// | anything else | `InvalidSignature` |
///
/// A missing or wrong `x-payload-digest` is `InvalidSignature`. What a verified body becomes is
/// the event table of the [module docs](self).
///
/// ```
/// use kyc_adapter::webhook::{HmacAlgorithm, hex_hmac_with};
/// use kyc_core::{Status, WebhookVerifier};
/// use kyc_sumsub::SumsubWebhooks;
///
/// let webhooks = SumsubWebhooks::new("my-webhook-secret");
/// let body = br#"{"type":"applicantReviewed","externalUserId":"user-42","reviewStatus":"completed","reviewResult":{"reviewAnswer":"GREEN"}}"#;
/// let mut headers = http::HeaderMap::new();
/// let digest = hex_hmac_with(HmacAlgorithm::Sha512, b"my-webhook-secret", body);
/// headers.insert("x-payload-digest", digest.parse().unwrap());
/// headers.insert("x-payload-digest-alg", "HMAC_SHA512_HEX".parse().unwrap());
/// let decision = webhooks.verify_webhook(&headers, body)?.into_decision().unwrap();
/// assert_eq!((decision.session_id.as_str(), decision.status), ("user-42", Status::Approved));
/// # Ok::<(), kyc_core::Error>(())
/// ```
pub type SumsubWebhooks = Webhooks<SumsubWebhookFormat>;

/// Sumsub's webhook format: the digest in `x-payload-digest`, its algorithm named in
/// `x-payload-digest-alg`, the bodies of <https://docs.sumsub.com/docs/user-verification-webhooks>.
#[derive(Debug)]
pub struct SumsubWebhookFormat;

impl WebhookFormat for SumsubWebhookFormat {
    const PROVIDER: &'static str = PROVIDER;
    const SIGNATURE_HEADER: &'static str = DIGEST_HEADER;
    const KEYS_VAR: &'static str = WEBHOOK_SECRET_VAR;
    const ALGORITHM_HEADER: Option<&'static str> = Some(DIGEST_ALG_HEADER);
    const ALGORITHMS: &'static [(&'static str, HmacAlgorithm)] = &[
        ("HMAC_SHA256_HEX", HmacAlgorithm::Sha256),
        ("HMAC_SHA512_HEX", HmacAlgorithm::Sha512),
        ("HMAC_SHA1_HEX", HmacAlgorithm::Sha1),
    ];

    fn event(provider: &str, _: &HeaderMap, body: &[u8]) -> Result<WebhookEvent, Error> {
        event(provider, body)
    }
}

/// What a webhook type does to a session (the event table in the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Effect {
    /// The verdict of `reviewResult`, as a completed review.
    Verdict,
    /// The payload's `reviewStatus`, as the status table says.
    ByReviewStatus,
    /// This status and finality, whatever the payload says.
    Fixed(Status, bool),
    /// No status: a notice.
    Notice,
}

/// The effect of the webhook `event_type`.
pub(crate) fn effect_of(event_type: &str) -> Effect {
    use Effect::{ByReviewStatus, Fixed, Notice, Verdict};
    match event_type {
        "applicantReviewed" | "applicantWorkflowCompleted" => Verdict,
        "applicantCreated" => Fixed(Status::Created, false),
        "applicantVerificationLinkOpened" => Fixed(Status::Started, false),
        "applicantPending" | "applicantPrechecked" => Fixed(Status::Submitted, false),
        "applicantOnHold" | "applicantAwaitingService" | "applicantWorkflowFailed" => {
            Fixed(Status::Review, false)
        }
        "applicantAwaitingUser" => Fixed(Status::ResubmissionRequested, false),
        "applicantReset" | "applicantStepsReset" | "applicantLevelChanged" => {
            Fixed(Status::Created, false)
        }
        "applicantActivated" => ByReviewStatus,
        "applicantDeactivated" => Fixed(Status::Expired, false),
        "applicantDeleted" | "applicantPersonalDataDeleted" => Fixed(Status::Deleted, true),
        _ => Notice,
    }
}

/// The neutral status, finality and vendor word of a review (the status table).
pub(crate) fn review_status(
    review_status: Option<&str>,
    result: Option<&ReviewResult>,
) -> (Status, bool, String) {
    let word = review_status.unwrap_or_default();
    let (status, is_final) = match word {
        "init" => (Status::Created, false),
        "pending" | "prechecked" | "queued" => (Status::Submitted, false),
        "onHold" | "awaitingService" => (Status::Review, false),
        "awaitingUser" => (Status::ResubmissionRequested, false),
        "completed" => return verdict(result),
        _ => (Status::Unknown, false),
    };
    (status, is_final, word.to_owned())
}

/// The verdict of a completed review.
pub(crate) fn verdict(result: Option<&ReviewResult>) -> (Status, bool, String) {
    let answer = result.and_then(|r| r.review_answer.as_deref());
    let reject = result.and_then(|r| r.review_reject_type.as_deref());
    match (answer, reject) {
        (Some("GREEN"), _) => (Status::Approved, true, "GREEN".into()),
        (Some("RED"), Some("RETRY")) => (Status::ResubmissionRequested, false, "RED/RETRY".into()),
        (Some("RED"), Some("FINAL")) => (Status::Declined, true, "RED/FINAL".into()),
        (Some("RED"), _) => (Status::Declined, false, "RED".into()),
        (None, _) => (Status::Review, false, "completed".into()),
        (Some(other), _) => (Status::Unknown, false, other.to_owned()),
    }
}

fn kind_of(applicant_type: Option<&str>) -> VerificationKind {
    match applicant_type {
        Some("company") => VerificationKind::Business,
        _ => VerificationKind::Identity,
    }
}

/// The reason and details a review result carries.
fn fill_result(decision: &mut Decision, result: Option<&ReviewResult>) {
    let Some(result) = result else { return };
    decision.details = result.reject_labels.clone().unwrap_or_default();
    if result.review_reject_type.is_some() || result.moderation_comment.is_some() {
        decision.reason =
            Some(Reason::new(result.review_reject_type.clone(), result.moderation_comment.clone()));
    }
}

/// A verified webhook body, normalized by the event table.
fn event(name: &str, body: &[u8]) -> Result<WebhookEvent, Error> {
    let value: Value = serde_json::from_slice(body).map_err(|e| undecodable_webhook(name, &e))?;
    if !value.is_object() {
        return Err(Error::invalid_payload(name, "the body is not a JSON object"));
    }
    let hook: WebhookBody =
        serde_json::from_value(value.clone()).map_err(|e| undecodable_webhook(name, &e))?;
    let kind = kind_of(hook.applicant_type.as_deref());
    let beneficiary = hook.applicant_member_of.as_ref().is_some_and(|of| !of.is_empty());
    let effect = effect_of(&hook.event_type);
    let session = hook.external_user_id.clone().filter(|id| !id.trim().is_empty());
    let (Some(session_id), false, false) = (session, beneficiary, effect == Effect::Notice) else {
        let mut notice = Notice::new(name, hook.event_type.clone(), value);
        notice.session_id = hook.external_user_id.clone();
        notice.client_id = hook.external_user_id;
        notice.kind = kind;
        return Ok(notice.into());
    };
    let result = hook.review_result.as_ref();
    let (status, is_final, vendor_status) = match effect {
        Effect::Verdict => verdict(result),
        Effect::Fixed(status, is_final) => {
            let word = hook.review_status.clone().unwrap_or_else(|| hook.event_type.clone());
            (status, is_final, word)
        }
        _ => review_status(hook.review_status.as_deref(), result),
    };
    let mut decision =
        Decision::new(name, &session_id, status, vendor_status, is_final).with_kind(kind);
    decision.client_id = Some(session_id);
    decision.event = Some(hook.event_type.clone());
    decision.decided_at =
        hook.created_at.as_deref().or(hook.created_at_ms.as_deref()).and_then(parse_time);
    if effect == Effect::Verdict {
        fill_result(&mut decision, result);
    }
    Ok(decision.into())
}

impl WebhookVerifier for Sumsub {
    fn verify_webhook(&self, headers: &HeaderMap, body: &[u8]) -> Result<WebhookEvent, Error> {
        self.inner.webhooks.verify_webhook(headers, body)
    }
}

#[async_trait]
impl VerificationResults for Sumsub {
    /// `GET {base}/resources/applicants/-;externalUserId={id}/one`, signed like every call
    /// (over an empty body); `None` while Sumsub knows no applicant for the id (the link was
    /// not opened yet).
    async fn poll_decision(&self, session: &SessionRef) -> Result<Option<Decision>, Error> {
        let name = self.inner.http.name();
        let Some(answer) = self.applicant(session).await? else { return Ok(None) };
        let applicant: Applicant = serde_json::from_slice(&answer.body)
            .map_err(|e| undecodable(name, answer.status, &e))?;
        // Asked for one person, answered with another: never report someone else's review.
        if applicant.external_user_id.as_deref().is_some_and(|id| id != session.id) {
            return Err(Error::decode(
                name,
                answer.status,
                "an applicant with another externalUserId",
            ));
        }
        let review = applicant.review.unwrap_or_default();
        let result = review.review_result.as_ref();
        let (status, is_final, vendor_status) = match applicant.deleted {
            Some(true) => (Status::Expired, false, "deactivated".to_owned()),
            _ => review_status(review.review_status.as_deref().or(Some("init")), result),
        };
        let kind = match applicant.applicant_type.as_deref() {
            Some(_) => kind_of(applicant.applicant_type.as_deref()),
            None => session.kind,
        };
        let mut decision =
            Decision::new(name, &session.id, status, vendor_status, is_final).with_kind(kind);
        decision.client_id = Some(session.id.clone());
        decision.attempt_id = review.attempt_id;
        decision.decided_at = review.review_date.as_deref().and_then(parse_time);
        if review.review_status.as_deref() == Some("completed") {
            fill_result(&mut decision, result);
        }
        // Sumsub's own id: not personal data, useful beside a correlationId in a ticket.
        tracing::debug!(provider = %name, applicant_id = %applicant.id, "applicant polled");
        Ok(Some(decision))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(answer: Option<&str>, reject: Option<&str>) -> ReviewResult {
        ReviewResult {
            review_answer: answer.map(str::to_owned),
            review_reject_type: reject.map(str::to_owned),
            ..ReviewResult::default()
        }
    }

    /// The status table of the module docs, row by row.
    #[test]
    fn every_review_status_maps_as_documented() {
        let green = result(Some("GREEN"), None);
        let retry = result(Some("RED"), Some("RETRY"));
        let fin = result(Some("RED"), Some("FINAL"));
        let red = result(Some("RED"), None);
        let yellow = result(Some("YELLOW"), None);
        let rows: [(&str, Option<&ReviewResult>, Status, bool, &str); 15] = [
            ("init", None, Status::Created, false, "init"),
            ("pending", None, Status::Submitted, false, "pending"),
            ("prechecked", None, Status::Submitted, false, "prechecked"),
            ("queued", None, Status::Submitted, false, "queued"),
            ("onHold", Some(&green), Status::Review, false, "onHold"),
            ("awaitingService", Some(&green), Status::Review, false, "awaitingService"),
            ("awaitingUser", None, Status::ResubmissionRequested, false, "awaitingUser"),
            ("completed", Some(&green), Status::Approved, true, "GREEN"),
            ("completed", Some(&retry), Status::ResubmissionRequested, false, "RED/RETRY"),
            ("completed", Some(&fin), Status::Declined, true, "RED/FINAL"),
            ("completed", Some(&red), Status::Declined, false, "RED"),
            ("completed", None, Status::Review, false, "completed"),
            ("completed", Some(&yellow), Status::Unknown, false, "YELLOW"),
            ("inflight", None, Status::Unknown, false, "inflight"),
            ("", None, Status::Unknown, false, ""),
        ];
        for (word, result, status, is_final, vendor) in rows {
            assert_eq!(
                review_status(Some(word), result),
                (status, is_final, vendor.to_owned()),
                "{word}"
            );
        }
    }

    /// The event table of the module docs, row by row.
    #[test]
    fn every_event_type_has_its_effect() {
        use Effect::{ByReviewStatus, Fixed, Notice, Verdict};
        let rows = [
            ("applicantReviewed", Verdict),
            ("applicantWorkflowCompleted", Verdict),
            ("applicantCreated", Fixed(Status::Created, false)),
            ("applicantVerificationLinkOpened", Fixed(Status::Started, false)),
            ("applicantPending", Fixed(Status::Submitted, false)),
            ("applicantPrechecked", Fixed(Status::Submitted, false)),
            ("applicantOnHold", Fixed(Status::Review, false)),
            ("applicantAwaitingService", Fixed(Status::Review, false)),
            ("applicantWorkflowFailed", Fixed(Status::Review, false)),
            ("applicantAwaitingUser", Fixed(Status::ResubmissionRequested, false)),
            ("applicantReset", Fixed(Status::Created, false)),
            ("applicantStepsReset", Fixed(Status::Created, false)),
            ("applicantLevelChanged", Fixed(Status::Created, false)),
            ("applicantActivated", ByReviewStatus),
            ("applicantDeactivated", Fixed(Status::Expired, false)),
            ("applicantDeleted", Fixed(Status::Deleted, true)),
            ("applicantPersonalDataDeleted", Fixed(Status::Deleted, true)),
            ("applicantPersonalInfoChanged", Notice),
            ("applicantTagsChanged", Notice),
            ("applicantActionPending", Notice),
            ("applicantActionReviewed", Notice),
            ("applicantActionOnHold", Notice),
            ("applicantActionLevelChanged", Notice),
            ("videoIdentStatusChanged", Notice),
            ("videoIdentCompositionCompleted", Notice),
            ("kybCompanyActivity", Notice),
            ("applicantWorkflowRunCompleted", Notice),
            ("somethingNew", Notice),
        ];
        for (event_type, effect) in rows {
            assert_eq!(effect_of(event_type), effect, "{event_type}");
        }
    }
}
