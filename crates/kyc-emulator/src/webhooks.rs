//! The webhooks the emulator sends when a person acts on its hosted page (or
//! [`crate::RunningEmulator::decide`] acts for them), in each vendor's own
//! format and signed its own way: iDenfy's result webhook
//! (<https://documentation.idenfy.com/kyc/webhooks>, signed in `Idenfy-Signature`:
//! <https://documentation.idenfy.com/security/callback-signing>), Veriff's event (`started`,
//! `submitted`: <https://devdocs.veriff.com/docs/event-webhook>) and decision webhooks
//! (<https://devdocs.veriff.com/docs/decision-webhook>), signed in `X-HMAC-SIGNATURE`.

use chrono::Utc;
use serde_json::{Value, json};

use crate::App;
use crate::error::EmulatorError;
use crate::store::{Record, Vendor, Verdict};
use crate::veriff::signature;

/// What happened, for the webhooks it causes.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Happened {
    /// The hosted page was opened for the first time.
    Opened,
    /// The person chose.
    Decided,
    /// The link ran out undecided: iDenfy's delayed result webhook
    /// (<https://documentation.idenfy.com/kyc/webhooks>, "delayed webhooks"), Veriff's decision
    /// webhook with `expired` or `abandoned`
    /// (<https://devdocs.veriff.com/docs/verification-session-status-codes-table>).
    Expired,
}

/// One webhook to deliver: where, its headers, its body.
#[derive(Debug)]
pub(crate) struct Delivery {
    vendor: Vendor,
    url: String,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

/// The webhooks `record`'s change causes, in the order the vendor sends them; none when no
/// webhook URL is configured. Built under the store's lock, sent after it is released.
pub(crate) fn deliveries(app: &App, record: &Record, happened: Happened) -> Vec<Delivery> {
    let config = &app.config;
    match (record.vendor, happened) {
        (Vendor::Idenfy, Happened::Decided | Happened::Expired) => {
            let url = record.callback.clone().or_else(|| config.idenfy_webhook_url.clone());
            let Some(url) = url else { return Vec::new() };
            let body = idenfy_body(record).to_string().into_bytes();
            let signed = signature(&config.idenfy_webhook_key, &body);
            // Named as https://documentation.idenfy.com/kyc/webhooks names its events: a decision
            // on the page stands for a reviewer's (manual finish), a link running out for the
            // expiry event.
            let event = match happened {
                Happened::Expired => "IDENTIFICATION_EXPIRED",
                _ => "IDENTIFICATION_MANUAL_FINISHED",
            };
            let headers =
                vec![("idenfy-signature", signed), ("idenfy-event-type", event.to_owned())];
            vec![Delivery { vendor: Vendor::Idenfy, url, headers, body }]
        }
        (Vendor::Veriff, happened) => {
            let Some(url) = config.veriff_webhook_url.clone() else { return Vec::new() };
            let mut bodies = Vec::new();
            match happened {
                Happened::Opened => bodies.push(veriff_event(record, "started", 7001)),
                Happened::Decided => {
                    bodies.push(veriff_event(record, "submitted", 7002));
                    bodies.extend(crate::veriff::decision_body(record, Utc::now()));
                }
                // Nothing was submitted: the decision alone.
                Happened::Expired => {
                    bodies.extend(crate::veriff::decision_body(record, Utc::now()))
                }
            }
            bodies
                .into_iter()
                .map(|body| {
                    let body = body.to_string().into_bytes();
                    let signed = signature(&config.veriff_secret, &body);
                    let headers = vec![("x-hmac-signature", signed)];
                    Delivery { vendor: Vendor::Veriff, url: url.clone(), headers, body }
                })
                .collect()
        }
        (Vendor::Idenfy, Happened::Opened) => Vec::new(),
    }
}

/// Sends `deliveries` in the background, for the hosted page: a browser is not kept waiting
/// on the receiver. Failures are logged, not retried: this is a test double, and the
/// endpoints still answer.
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

fn idenfy_overall(record: &Record) -> &'static str {
    match record.decision.map(|(verdict, _)| verdict) {
        Some(Verdict::Approve) => "APPROVED",
        Some(Verdict::Decline) => "DENIED",
        Some(_) => "SUSPECTED",
        None if record.expired(Utc::now()) => "EXPIRED",
        None => "ACTIVE",
    }
}

/// OpenAPI `IdentificationWebhook` (<https://documentation.idenfy.com/kyc/webhooks>), as a
/// manual review ends it (`final: true`), or as the link's expiry does
/// (<https://documentation.idenfy.com/api-reference/webhooks/identification-expired>, the same
/// body): then nothing was checked, and the checks are null.
fn idenfy_body(record: &Record) -> Value {
    let overall = idenfy_overall(record);
    let approved = overall == "APPROVED";
    let finished = record.decision.map_or(record.expires, |(_, at)| at);
    let check = |passed: &str, failed: &str| match overall {
        "EXPIRED" => Value::Null,
        _ if approved => json!(passed),
        _ => json!(failed),
    };
    json!({
        "final": true,
        "platform": "PC",
        "status": {
            "overall": overall,
            "fraudTags": [],
            "mismatchTags": if overall == "SUSPECTED" { json!(["NAME"]) } else { json!([]) },
            "autoDocument": check("DOC_VALIDATED", "DOC_NOT_FOUND"),
            "autoFace": check("FACE_MATCH", "FACE_MISMATCH"),
            "manualDocument": check("DOC_VALIDATED", "DOC_NOT_FOUND"),
            "manualFace": check("FACE_MATCH", "FACE_MISMATCH"),
            "additionalSteps": null
        },
        "data": {"docFirstName": null, "docLastName": null, "docType": null},
        "fileUrls": {},
        "scanRef": record.id,
        "clientId": record.client_id,
        "startTime": record.created.timestamp(),
        "finishTime": finished.timestamp(),
    })
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
