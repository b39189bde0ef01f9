//! The webhooks the emulator sends when a person acts on its hosted page, in each vendor's own
//! format and signed its own way: iDenfy's result webhook
//! (<https://documentation.idenfy.com/kyc/webhooks>, signed in `Idenfy-Signature`:
//! <https://documentation.idenfy.com/security/callback-signing>), Veriff's event (`started`,
//! `submitted`: <https://devdocs.veriff.com/docs/event-webhook>) and decision webhooks
//! (<https://devdocs.veriff.com/docs/decision-webhook>), signed in `X-HMAC-SIGNATURE`.

use chrono::Utc;
use serde_json::{Value, json};

use crate::App;
use crate::store::{Choice, Record, Vendor};
use crate::veriff::signature;

/// What happened, for the webhooks it causes.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Happened {
    /// The hosted page was opened for the first time.
    Opened,
    /// The person chose.
    Decided,
}

/// One webhook to deliver: where, its headers, its body.
struct Delivery {
    url: String,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

/// Sends, in the background, the webhooks `record`'s change causes. Delivery failures are
/// logged, not retried: this is a test double, and the endpoints still answer.
pub(crate) fn send(app: &App, record: &Record, happened: Happened) {
    let config = &app.config;
    let deliveries: Vec<Delivery> = match (record.vendor, happened) {
        (Vendor::Idenfy, Happened::Decided) => {
            let url = record.callback.clone().or_else(|| config.idenfy_webhook_url.clone());
            let Some(url) = url else { return };
            let body = idenfy_body(record).to_string().into_bytes();
            let signed = signature(&config.idenfy_webhook_key, &body);
            let headers = vec![
                ("idenfy-signature", signed),
                ("idenfy-event-type", "IDENTIFICATION_MANUAL_FINISHED".to_owned()),
            ];
            vec![Delivery { url, headers, body }]
        }
        (Vendor::Veriff, happened) => {
            let Some(url) = config.veriff_webhook_url.clone() else { return };
            let mut bodies = Vec::new();
            match happened {
                Happened::Opened => bodies.push(veriff_event(record, "started", 7001)),
                Happened::Decided => {
                    bodies.push(veriff_event(record, "submitted", 7002));
                    bodies.extend(crate::veriff::decision_body(record, Utc::now()));
                }
            }
            bodies
                .into_iter()
                .map(|body| {
                    let body = body.to_string().into_bytes();
                    let signed = signature(&config.veriff_secret, &body);
                    Delivery { url: url.clone(), headers: vec![("x-hmac-signature", signed)], body }
                })
                .collect()
        }
        (Vendor::Idenfy, Happened::Opened) => return,
    };
    let client = app.http.clone();
    tokio::spawn(async move {
        // In order: Veriff's `submitted` comes before its decision.
        for Delivery { url, headers, body } in deliveries {
            let mut request =
                client.post(&url).header("content-type", "application/json").body(body);
            for (name, value) in headers {
                request = request.header(name, value);
            }
            if let Err(error) = request.send().await {
                tracing::warn!(%error, "the emulator could not deliver a webhook");
            }
        }
    });
}

fn idenfy_overall(record: &Record) -> &'static str {
    match record.decision.map(|(choice, _)| choice) {
        Some(Choice::Approve) => "APPROVED",
        Some(Choice::Decline) => "DENIED",
        Some(_) => "SUSPECTED",
        None => "ACTIVE",
    }
}

/// OpenAPI `IdentificationWebhook` (<https://documentation.idenfy.com/kyc/webhooks>), as a
/// manual review ends it (`final: true`).
fn idenfy_body(record: &Record) -> Value {
    let overall = idenfy_overall(record);
    let approved = overall == "APPROVED";
    let finished = record.decision.map_or(record.created, |(_, at)| at);
    json!({
        "final": true,
        "platform": "PC",
        "status": {
            "overall": overall,
            "fraudTags": [],
            "mismatchTags": if overall == "SUSPECTED" { json!(["NAME"]) } else { json!([]) },
            "autoDocument": if approved { "DOC_VALIDATED" } else { "DOC_NOT_FOUND" },
            "autoFace": if approved { "FACE_MATCH" } else { "FACE_MISMATCH" },
            "manualDocument": if approved { "DOC_VALIDATED" } else { "DOC_NOT_FOUND" },
            "manualFace": if approved { "FACE_MATCH" } else { "FACE_MISMATCH" },
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
