//! `POST /webhooks/{vendor}`: each vendor's signed webhooks, verified over the raw body with
//! the configured secrets (as `kyc webhook verify` does) and recorded once in the ledger. The
//! signature is the only authentication: the vendors send no other. Answers, for the vendor's
//! retry logic: 200 once verified (a redelivery too, or the vendor would send it again and
//! again); 401 for a missing or wrong signature; 413 over [`MAX_WEBHOOK_BYTES`]; 400 for a
//! signed body that is not the vendor's payload; 404 for a vendor whose secret is not
//! configured (it has no receiver); 503 only when the ledger cannot record a verified event,
//! which the vendor then sends again.
//!
//! The vendors' pages: iDenfy <https://documentation.idenfy.com/security/callback-signing>,
//! Veriff <https://devdocs.veriff.com/docs/hmac-authentication-and-endpoint-security>, Sumsub
//! <https://docs.sumsub.com/docs/webhooks>, Onfido
//! <https://documentation.onfido.com/api/latest/#webhooks-signature>.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use kyc::ErrorKind;
use serde_json::json;

use super::App;
use super::metrics::Counter;
use crate::ledger::{self, Kept};

/// The largest body taken: the adapters' own cap (`kyc_adapter::webhook::WEBHOOK_BODY_CAP`),
/// so a larger one is a 413 here rather than a decode error there.
pub(super) const MAX_WEBHOOK_BYTES: usize = 1024 * 1024;

/// Receives one delivery.
pub(super) async fn receive(
    State(app): State<App>,
    Path(vendor): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Some(desk) = app.fleet.desk(&vendor) else {
        return answer(StatusCode::NOT_FOUND, json!({"error": "no such vendor"}));
    };
    let name = desk.vendor.name;
    let refused = |status: StatusCode, error: &str| {
        app.metrics.count(Counter::WebhooksRefused, name);
        answer(status, json!({ "error": error }))
    };
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return refused(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("the body is over {MAX_WEBHOOK_BYTES} bytes"),
            );
        }
        Err(_) => return refused(StatusCode::BAD_REQUEST, "the body could not be read"),
    };
    // Without its secret a vendor's receiver is not set up: no receiver, as for an unknown
    // vendor (the operator is told at start), and a 4xx for whatever is sent to it.
    let Some(verifier) = &desk.webhooks else {
        return answer(
            StatusCode::NOT_FOUND,
            json!({"error": format!("{name} webhooks are not received here: no webhook secret is configured")}),
        );
    };
    let event = match verifier.verify_webhook(&headers, &body) {
        Ok(event) => event,
        // The error's text names the vendor and the rule, never the body nor the key.
        Err(error) if error.kind() == ErrorKind::InvalidSignature => {
            return refused(StatusCode::UNAUTHORIZED, &error.to_string());
        }
        // No key to check with: as for a vendor without a secret.
        Err(error) if error.kind() == ErrorKind::Config => {
            return answer(StatusCode::NOT_FOUND, json!({"error": error.to_string()}));
        }
        Err(error) => return refused(StatusCode::BAD_REQUEST, &error.to_string()),
    };
    app.metrics.count(Counter::WebhooksVerified, name);
    match ledger::record_webhook(&*app.store, &event).await {
        Kept::Recorded => answer(StatusCode::OK, json!({"status": "recorded"})),
        Kept::Duplicate => {
            app.metrics.count(Counter::WebhooksDuplicate, name);
            answer(StatusCode::OK, json!({"status": "duplicate"}))
        }
        Kept::AboutNoSession => answer(StatusCode::OK, json!({"status": "ignored"})),
        Kept::NotRecorded => {
            answer(StatusCode::SERVICE_UNAVAILABLE, json!({"error": "the ledger is unavailable"}))
        }
    }
}

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    (status, Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_limit_is_the_adapters_cap() {
        assert_eq!(super::MAX_WEBHOOK_BYTES, kyc_adapter::webhook::WEBHOOK_BODY_CAP);
    }
}
