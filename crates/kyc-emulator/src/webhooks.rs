//! The webhooks the emulator sends when a person acts on its hosted page (or
//! [`crate::RunningEmulator::decide`] acts for them), in each vendor's own format and signed its
//! own way:
//!
//! - iDenfy identity (KYC): the result webhooks (<https://documentation.idenfy.com/kyc/webhooks>)
//!   `IDENTIFICATION_AUTO_FINISHED`, `IDENTIFICATION_MANUAL_FINISHED`, `IDENTIFICATION_EXPIRED`
//!   and `DOCUMENT_EXPIRATION`
//!   (<https://documentation.idenfy.com/api-reference/webhooks/document-expiration>);
//! - iDenfy business (KYB, <https://documentation.idenfy.com/kyb/webhooks>): `COMPANY_SUBMIT`,
//!   `COMPANY_REVIEW` (<https://documentation.idenfy.com/api-reference/webhooks/company-review>),
//!   `COMPANY_TOKEN_EXPIRED`
//!   (<https://documentation.idenfy.com/api-reference/webhooks/company-token-expired>) and
//!   `COMPANY_DELETE`;
//!
//!   every iDenfy webhook names its event in `Idenfy-Event-Type` and is signed in
//!   `Idenfy-Signature`, the hex HMAC-SHA256 of the raw body under the webhook key
//!   (<https://documentation.idenfy.com/security/callback-signing>);
//! - Veriff: the event webhook (`started`, `submitted`: <https://devdocs.veriff.com/docs/event-webhook>)
//!   and the decision webhook (<https://devdocs.veriff.com/docs/decision-webhook>), with
//!   `X-AUTH-CLIENT` (the API key) and `X-HMAC-SIGNATURE`, the hex HMAC-SHA256 of the raw body
//!   under the shared secret
//!   (<https://devdocs.veriff.com/docs/hmac-authentication-and-endpoint-security>);
//! - Sumsub (<https://docs.sumsub.com/docs/user-verification-webhooks>): `applicantCreated`,
//!   `applicantPending`, `applicantOnHold`, `applicantReviewed`, `applicantDeactivated` and
//!   `applicantActivated`, pretty-printed as Sumsub's are, with `x-payload-digest`, the hex HMAC
//!   of the raw body under the webhook secret, and `x-payload-digest-alg`
//!   (<https://docs.sumsub.com/docs/webhooks>); see the `sumsub` module;
//! - Onfido (<https://github.com/onfido/onfido-openapi-spec/blob/master/schemas/webhooks/webhook_event.yaml>):
//!   `workflow_task.started`, `workflow_task.completed` and `workflow_run.completed`, with
//!   `X-SHA2-Signature`, the lowercase hex HMAC-SHA256 of the raw body under the webhook token
//!   (<https://documentation.onfido.com/api/latest/#webhooks>); see the `onfido` module.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::App;
use crate::error::EmulatorError;
use crate::store::{Pending, Record, Vendor, Verdict};
use crate::veriff::signature;

/// What happened, for the webhooks it causes (Sumsub's own events beyond these are built in the
/// `sumsub` module).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Happened {
    /// The hosted page was opened for the first time.
    Opened,
    /// The person chose: a final decision, or the first step of one ([`Record::pending`]).
    Decided,
    /// A pending decision became final (the review, or a KYB form's processing, ended).
    Reviewed,
    /// The link ran out undecided: iDenfy's delayed result webhook
    /// (<https://documentation.idenfy.com/kyc/webhooks>, "delayed webhooks"), Veriff's decision
    /// webhook with `expired` or `abandoned`
    /// (<https://devdocs.veriff.com/docs/verification-session-status-codes-table>).
    Expired,
    /// An iDenfy KYB company was deleted.
    Deleted,
}

/// One webhook to deliver: where, its headers, its body.
#[derive(Debug)]
pub(crate) struct Delivery {
    vendor: Vendor,
    url: String,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

/// An iDenfy webhook of `event` to `record`'s URL (its own `callbackUrl`, else the configured
/// one); none when there is no URL.
fn idenfy(app: &App, record: &Record, event: &str, body: &Value) -> Option<Delivery> {
    let url = record.callback.clone().or_else(|| app.config.idenfy_webhook_url.clone())?;
    let body = body.to_string().into_bytes();
    let signed = signature(&app.config.idenfy_webhook_key, &body);
    let headers = vec![("idenfy-signature", signed), ("idenfy-event-type", event.to_owned())];
    Some(Delivery { vendor: Vendor::Idenfy, url, headers, body })
}

/// A Veriff webhook to the configured URL; none when there is none.
fn veriff(app: &App, body: &Value) -> Option<Delivery> {
    let url = app.config.veriff_webhook_url.clone()?;
    let body = body.to_string().into_bytes();
    let signed = signature(&app.config.veriff_secret, &body);
    let headers =
        vec![("x-auth-client", app.config.veriff_key.clone()), ("x-hmac-signature", signed)];
    Some(Delivery { vendor: Vendor::Veriff, url, headers, body })
}

/// A Sumsub webhook of `event` to the configured URL; none when there is none.
pub(crate) fn sumsub(app: &App, record: &Record, event: &str) -> Option<Delivery> {
    let url = app.config.sumsub_webhook_url.clone()?;
    let body = crate::sumsub::webhook_body(&app.config, record, event, Utc::now());
    let algorithm = app.config.sumsub_digest;
    let digest = algorithm.digest(&app.config.sumsub_webhook_secret, &body);
    let headers =
        vec![("x-payload-digest", digest), ("x-payload-digest-alg", algorithm.name().to_owned())];
    Some(Delivery { vendor: Vendor::Sumsub, url, headers, body })
}

/// An Onfido webhook of `action` to the configured URL; none when there is none.
fn onfido(app: &App, record: &Record, action: &str) -> Option<Delivery> {
    let url = app.config.onfido_webhook_url.clone()?;
    let body = crate::onfido::webhook_body(&app.config, record, action, Utc::now());
    let signed = signature(&app.config.onfido_webhook_token, &body);
    Some(Delivery {
        vendor: Vendor::Onfido,
        url,
        headers: vec![("x-sha2-signature", signed)],
        body,
    })
}

/// The webhooks `record`'s change causes, in the order the vendor sends them; none when no
/// webhook URL is configured. Built under the store's lock, sent after it is released.
pub(crate) fn deliveries(app: &App, record: &Record, happened: Happened) -> Vec<Delivery> {
    let now = Utc::now();
    match (record.vendor, record.business, happened) {
        (Vendor::Idenfy, _, Happened::Opened) => Vec::new(),
        (Vendor::Idenfy, false, Happened::Deleted) => Vec::new(),
        (Vendor::Idenfy, false, happened) => {
            // Named as https://documentation.idenfy.com/kyc/webhooks names its events: a
            // decision on the page stands for a reviewer's (manual finish), the first step of one
            // "after review" for the automatic result a review follows, a link running out for
            // the expiry event.
            let event = match (happened, record.pending) {
                (Happened::Expired, _) => "IDENTIFICATION_EXPIRED",
                (_, Some(_)) => "IDENTIFICATION_AUTO_FINISHED",
                _ => "IDENTIFICATION_MANUAL_FINISHED",
            };
            idenfy(app, record, event, &idenfy_body(record, now)).into_iter().collect()
        }
        (Vendor::Idenfy, true, happened) => {
            let (event, body) = match (happened, record.pending) {
                (Happened::Expired, _) => ("COMPANY_TOKEN_EXPIRED", company_token_expired(record)),
                (Happened::Deleted, _) => ("COMPANY_DELETE", company_delete(record, now)),
                (_, Some(_)) => ("COMPANY_SUBMIT", company_submit(record)),
                _ => ("COMPANY_REVIEW", company_review(record)),
            };
            idenfy(app, record, event, &body).into_iter().collect()
        }
        (Vendor::Veriff, _, happened) => {
            let mut bodies = Vec::new();
            match happened {
                Happened::Opened => bodies.push(veriff_event(record, "started", 7001)),
                // Submitted, then the decision (`review` while one is pending).
                Happened::Decided => {
                    bodies.push(veriff_event(record, "submitted", 7002));
                    bodies.extend(crate::veriff::decision_body(record, now));
                }
                // The review's decision; nothing was submitted again. Or, running out, nothing
                // was submitted at all: the decision alone.
                Happened::Reviewed | Happened::Expired => {
                    bodies.extend(crate::veriff::decision_body(record, now))
                }
                Happened::Deleted => {}
            }
            bodies.iter().filter_map(|body| veriff(app, body)).collect()
        }
        (Vendor::Sumsub, _, happened) => {
            // Submitted (`applicantPending`), put on hold for a review when one follows, then
            // reviewed. Opening a link and running one out send nothing: Sumsub documents no
            // expiry event, and the emulator sends no `applicantVerificationLinkOpened` (its
            // payload is not documented; the emulator's choice).
            let events: &[&str] = match (happened, record.pending) {
                (Happened::Decided, Some(Pending::Review)) => {
                    &["applicantPending", "applicantOnHold"]
                }
                (Happened::Decided, Some(Pending::Processing)) => &["applicantPending"],
                (Happened::Decided | Happened::Reviewed, None) => &["applicantReviewed"],
                _ => &[],
            };
            events.iter().filter_map(|event| sumsub(app, record, event)).collect()
        }
        (Vendor::Onfido, _, happened) => crate::onfido::actions(record, happened)
            .iter()
            .filter_map(|action| onfido(app, record, action))
            .collect(),
    }
}

/// The webhooks of `record`'s link having run out, once: the first time anyone notices (the
/// person on the page, a status or decision request, a deletion, [`Choice::Expire`]), as the
/// vendor sends them at the expiry. The emulator runs no clock of its own: a link that ran out
/// unnoticed sends nothing until then.
///
/// [`Choice::Expire`]: crate::Choice::Expire
pub(crate) fn expiry_if_due(app: &App, record: &mut Record, now: DateTime<Utc>) -> Vec<Delivery> {
    if !record.expired(now) || record.expiry_notified || record.deleted {
        return Vec::new();
    }
    record.expiry_notified = true;
    deliveries(app, record, Happened::Expired)
}

/// iDenfy's `DOCUMENT_EXPIRATION` webhook for `record`
/// (<https://documentation.idenfy.com/api-reference/webhooks/document-expiration>): all four
/// fields required.
pub(crate) fn document_expiration(
    app: &App,
    record: &Record,
    threshold: &str,
    expires_on: &str,
) -> Vec<Delivery> {
    let body = json!({
        "scanRef": record.id,
        "clientId": record.client_id,
        "expirationThreshold": threshold,
        "documentExpiration": expires_on,
    });
    idenfy(app, record, "DOCUMENT_EXPIRATION", &body).into_iter().collect()
}

/// Sends `deliveries` in the background: a browser or an API client is not kept waiting on the
/// receiver. Failures are logged, not retried: this is a test double, and the endpoints still
/// answer.
pub(crate) fn send(app: &App, deliveries: Vec<Delivery>) {
    if deliveries.is_empty() {
        return;
    }
    let client = app.http.clone();
    tokio::spawn(async move {
        if let Err(error) = deliver(&client, deliveries).await {
            tracing::warn!(%error, "the emulator could not deliver a webhook");
        }
    });
}

/// Sends `deliveries` in order (Veriff's `submitted` comes before its decision), every one
/// tried even after a failure, as the page does; the first failure is the answer. A receiver
/// that answers other than 2xx has not taken the webhook: a vendor would retry, the emulator
/// says so instead.
pub(crate) async fn deliver(
    client: &reqwest::Client,
    deliveries: Vec<Delivery>,
) -> Result<(), EmulatorError> {
    let mut first_failure = None;
    for Delivery { vendor, url, headers, body } in deliveries {
        let mut request = client.post(&url).header("content-type", "application/json").body(body);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let failure = match request.send().await {
            Ok(answer) if answer.status().is_success() => None,
            Ok(answer) => {
                Some(EmulatorError::webhook(vendor, &url, Some(answer.status().as_u16()), None))
            }
            // Without the URL: the error names it once, stripped of credentials.
            Err(error) => {
                Some(EmulatorError::webhook(vendor, &url, None, Some(error.without_url())))
            }
        };
        if first_failure.is_none() {
            first_failure = failure;
        }
    }
    first_failure.map_or(Ok(()), Err)
}

/// An iDenfy identity verification's result, as the status endpoint and the webhooks report it.
pub(crate) struct IdenfyResult {
    pub(crate) overall: &'static str,
    pub(crate) is_final: bool,
    pub(crate) auto_document: Option<&'static str>,
    pub(crate) auto_face: Option<&'static str>,
    pub(crate) manual_document: Option<&'static str>,
    pub(crate) manual_face: Option<&'static str>,
    pub(crate) mismatch_tags: Value,
}

/// `record`'s result in iDenfy's words (<https://documentation.idenfy.com/resources/vocabulary>).
/// The check values are the emulator's choice among the documented ones: approved means
/// `DOC_VALIDATED` and `FACE_MATCH`; declined `DOC_NOT_FOUND` and `FACE_MISMATCH`, or after a
/// review the automatic `FACE_UNCERTAIN` the reviewer turned into `FACE_MISMATCH`; suspected the
/// checks passed with the mismatch tag `NAME`. While a review is pending, `REVIEWING` (the
/// webhook says the automatic verdict instead: [`idenfy_body`]), not final, the manual checks
/// empty ("empty if not reviewed yet",
/// <https://documentation.idenfy.com/kyc/data-retrieval>).
pub(crate) fn idenfy_result(record: &Record, now: DateTime<Utc>) -> IdenfyResult {
    let none = |overall, is_final| IdenfyResult {
        overall,
        is_final,
        auto_document: None,
        auto_face: None,
        manual_document: None,
        manual_face: None,
        mismatch_tags: json!([]),
    };
    if record.deleted {
        // https://documentation.idenfy.com/resources/vocabulary: `EXPIRED-DELETED` when it had
        // expired first. Its data is gone, the checks with it.
        let overall = if record.decision.is_none() { "EXPIRED-DELETED" } else { "DELETED" };
        return none(overall, true);
    }
    let Some((verdict, _)) = record.decision else {
        return if record.expired(now) { none("EXPIRED", true) } else { none("ACTIVE", false) };
    };
    let (overall, auto, manual) = match (verdict, record.reviewed) {
        (Verdict::Approve, _) => {
            ("APPROVED", ("DOC_VALIDATED", "FACE_MATCH"), ("DOC_VALIDATED", "FACE_MATCH"))
        }
        (Verdict::Decline, false) => {
            ("DENIED", ("DOC_NOT_FOUND", "FACE_MISMATCH"), ("DOC_NOT_FOUND", "FACE_MISMATCH"))
        }
        (Verdict::Decline, true) => {
            ("DENIED", ("DOC_VALIDATED", "FACE_UNCERTAIN"), ("DOC_VALIDATED", "FACE_MISMATCH"))
        }
        // Onfido's outcomes are not iDenfy's: never asked of it.
        (Verdict::Suspect | Verdict::Resubmit | Verdict::Review | Verdict::Error, _) => {
            ("SUSPECTED", ("DOC_VALIDATED", "FACE_MATCH"), ("DOC_VALIDATED", "FACE_MATCH"))
        }
    };
    let mismatch_tags = if overall == "SUSPECTED" { json!(["NAME"]) } else { json!([]) };
    if record.pending == Some(Pending::Review) {
        return IdenfyResult {
            overall: "REVIEWING",
            is_final: false,
            auto_document: Some(auto.0),
            auto_face: Some(auto.1),
            manual_document: None,
            manual_face: None,
            mismatch_tags,
        };
    }
    IdenfyResult {
        overall,
        is_final: true,
        auto_document: Some(auto.0),
        auto_face: Some(auto.1),
        manual_document: Some(manual.0),
        manual_face: Some(manual.1),
        mismatch_tags,
    }
}

/// OpenAPI `IdentificationWebhook` (<https://documentation.idenfy.com/kyc/webhooks>): the
/// automatic result a review follows (`final: false`), the final one (`final: true`), or the
/// link's expiry (<https://documentation.idenfy.com/api-reference/webhooks/identification-expired>,
/// the same body): then nothing was checked, and the checks are null.
///
/// The automatic result carries the automatic verdict in `overall`, as iDenfy's own sample of a
/// result with `"final": false` does (`"overall": "APPROVED"`): approved when the reviewer will
/// approve, suspected (a face it could not match for sure) when the reviewer will decline. The
/// status endpoint says `REVIEWING` meanwhile.
fn idenfy_body(record: &Record, now: DateTime<Utc>) -> Value {
    let mut result = idenfy_result(record, now);
    if record.pending == Some(Pending::Review) {
        result.overall = match record.decision {
            Some((Verdict::Approve, _)) => "APPROVED",
            _ => "SUSPECTED",
        };
    }
    let finished = record.decision.map_or(record.expires, |(_, at)| at);
    json!({
        "final": result.is_final,
        "platform": "PC",
        "status": {
            "overall": result.overall,
            "fraudTags": [],
            "mismatchTags": result.mismatch_tags,
            "autoDocument": result.auto_document,
            "autoFace": result.auto_face,
            "manualDocument": result.manual_document,
            "manualFace": result.manual_face,
            "additionalSteps": null
        },
        "data": {"docFirstName": null, "docLastName": null, "docType": null},
        "fileUrls": {},
        "scanRef": record.id,
        "externalRef": record.external_ref,
        "clientId": record.client_id,
        "companyId": null,
        "beneficiaryId": null,
        "clientIp": "127.0.0.1",
        "clientIpCountry": null,
        "clientLocation": null,
        "startTime": record.created.timestamp(),
        "finishTime": finished.timestamp(),
    })
}

pub(crate) fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `CompanySubmitWebhook` (<https://documentation.idenfy.com/kyb/webhooks>): `id` is the
/// `companyId` of the token.
fn company_submit(record: &Record) -> Value {
    json!({
        "id": record.id,
        "submissionTime": record.decision.map(|(_, at)| time(at)),
        "soleProprietor": false,
        "clientId": record.client_id,
        "externalRef": record.external_ref,
    })
}

/// The company's name: the KYB token names none, the form would; the emulator's choice.
pub(crate) const COMPANY_NAME: &str = "Emulated Company UAB";
/// The company's registration number; the emulator's choice.
pub(crate) const REGISTRATION_NUMBER: &str = "304000000";
/// Why a company was denied: the reason badge the dashboard shows as its example
/// (<https://documentation.idenfy.com/guides/dashboard/kyb/company-profile-overview>).
pub(crate) const DENY_REASON: &str = "ID_COUNTRY";

/// A review's approval status and deny reason.
pub(crate) fn approval(record: &Record) -> (Value, Value) {
    match record.decision {
        Some((Verdict::Approve, _)) if record.pending.is_none() => (json!("APPROVED"), Value::Null),
        Some(_) if record.pending.is_none() => (json!("DENIED"), json!(DENY_REASON)),
        _ => (Value::Null, Value::Null),
    }
}

/// An AML check that found nothing (`AmlCheckV3BusinessData`); placeholder values.
pub(crate) fn aml_check(record: &Record) -> Value {
    json!({
        "id": crate::store::uuid_from(&record.id),
        "overallStatus": "NO_FLAGS",
        "statusSetBy": null,
        "statusSetAt": record.decision.map(|(_, at)| time(at)),
        "adverseMedia": [],
        "amlCheck": [],
    })
}

/// `CompanyReviewWebhook` (<https://documentation.idenfy.com/api-reference/webhooks/company-review>):
/// every required key (`amlCheck`, `beneficiaries`, `clientId`, `companyCheck`, `companyName`,
/// `id`, `negativeNewsCheck`, `newsStatusSetBy`, `sanctionsStatusSetBy`, `shareholderCheck`,
/// `statusChangedBy`), with placeholder values: no reviewer account (`statusChangedBy: null`),
/// no beneficiaries, nothing found.
fn company_review(record: &Record) -> Value {
    let (approval_status, deny_reason) = approval(record);
    json!({
        "id": record.id,
        "companyName": COMPANY_NAME,
        "registrationNumber": REGISTRATION_NUMBER,
        "approvalStatus": approval_status,
        "denyReason": deny_reason,
        "statusChangedBy": null,
        "soleProprietor": false,
        "amlComment": null,
        "sanctionsCheckStatus": null,
        "sanctionsStatusSetBy": null,
        "sanctionsStatusSetAt": null,
        "negativeNewsComment": null,
        "negativeNewsStatus": null,
        "newsStatusSetBy": null,
        "newsStatusSetAt": null,
        "amlCheck": aml_check(record),
        "companyCheck": null,
        "beneficiaries": [],
        "shareholderCheck": [],
        "negativeNewsCheck": [],
        "clientId": record.client_id,
        "externalRef": record.external_ref,
        "relatedClientScanRefs": null,
    })
}

/// `COMPANY_TOKEN_EXPIRED`: "sent when a company verification token expires before the company
/// is submitted" (<https://documentation.idenfy.com/api-reference/webhooks/company-token-expired>),
/// `{clientId, externalRef}`; it carries no company id.
fn company_token_expired(record: &Record) -> Value {
    json!({"clientId": record.client_id, "externalRef": record.external_ref})
}

/// `CompanyDeleteWebhook` (<https://documentation.idenfy.com/kyb/webhooks>): `{date, manager,
/// companyId}`, no manager when deleted through the API (the emulator's choice).
fn company_delete(record: &Record, now: DateTime<Utc>) -> Value {
    json!({"date": time(now), "manager": null, "companyId": record.id})
}

/// An event webhook (<https://devdocs.veriff.com/docs/event-webhook>).
fn veriff_event(record: &Record, action: &str, code: u32) -> Value {
    json!({
        "id": record.id,
        "attemptId": record.id,
        "feature": "selfid",
        "code": code,
        "action": action,
        "vendorData": record.client_id,
        "endUserId": null,
    })
}
