//! Veriff, as its documents describe it: `POST /v1/sessions`
//! (<https://devdocs.veriff.com/apidocs/v1sessions>) with `X-AUTH-CLIENT` (and
//! `X-HMAC-SIGNATURE` checked when sent), and `GET /v1/sessions/{id}/decision`
//! (<https://devdocs.veriff.com/apidocs/v1sessionsiddecision-1>) with the HMAC of the session
//! id (<https://devdocs.veriff.com/docs/hmac-authentication-and-endpoint-security>); errors as
//! `{status: "fail", code, message}`
//! (<https://devdocs.veriff.com/docs/some-troubleshooting-codes-table>).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, SecondsFormat, TimeDelta, Utc};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Map, Value, json};
use sha2::Sha256;

use crate::App;
use crate::faults::lock;
use crate::store::{Pending, Record, Vendor, Verdict};
use crate::webhooks;

/// Document types on Veriff's supported-types page
/// (<https://devdocs.veriff.com/docs/supported-document-types>).
const DOCUMENT_TYPES: &[&str] =
    &["PASSPORT", "ID_CARD", "DRIVERS_LICENSE", "RESIDENCE_PERMIT", "VISA"];

/// A Veriff error answer (<https://devdocs.veriff.com/docs/some-troubleshooting-codes-table>).
pub(crate) fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({"status": "fail", "code": code, "message": message}))).into_response()
}

fn invalid(code: &str, message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, code, message)
}

/// Lowercase hex HMAC-SHA256
/// (<https://devdocs.veriff.com/docs/hmac-authentication-and-endpoint-security>).
pub(crate) fn signature(secret: &str, message: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        unreachable!("HMAC accepts keys of every length")
    };
    mac.update(message);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// `X-AUTH-CLIENT` (codes 1801, 1803).
fn unauthorized(app: &App, headers: &HeaderMap) -> Option<Response> {
    match headers.get("x-auth-client").and_then(|v| v.to_str().ok()) {
        None => Some(error(
            StatusCode::UNAUTHORIZED,
            "1801",
            "Mandatory X-AUTH-CLIENT header containing the API key is missing from the request.",
        )),
        Some(key) if key == app.config.veriff_key => None,
        Some(key) if !is_uuid(key) => {
            Some(error(StatusCode::UNAUTHORIZED, "1802", "API key is not a valid UUID."))
        }
        Some(_) => Some(error(
            StatusCode::UNAUTHORIZED,
            "1803",
            "Integration with the API key was not found.",
        )),
    }
}

/// `X-HMAC-SIGNATURE` over `signed`, compared case-insensitively; `code` names the mismatch.
fn bad_signature(
    app: &App,
    headers: &HeaderMap,
    signed: &[u8],
    required: bool,
    code: &str,
) -> Option<Response> {
    let expected = signature(&app.config.veriff_secret, signed);
    match headers.get("x-hmac-signature").and_then(|v| v.to_str().ok()) {
        None if !required => None,
        Some(given) if given.trim().eq_ignore_ascii_case(&expected) => None,
        Some(given)
            if given.trim().len() != 64 || !given.trim().chars().all(|c| c.is_ascii_hexdigit()) =>
        {
            Some(error(StatusCode::UNAUTHORIZED, "1812", "Signature is not a valid SHA256 hash."))
        }
        _ => Some(error(
            StatusCode::UNAUTHORIZED,
            code,
            "Signature does not match the expected value.",
        )),
    }
}

/// `POST /v1/sessions`.
pub(crate) async fn create(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(refused) = unauthorized(&app, &headers) {
        return refused;
    }
    // Not required on session creation, checked when sent
    // (https://devdocs.veriff.com/docs/hmac-authentication-and-endpoint-security).
    if let Some(refused) = bad_signature(&app, &headers, &body, false, "1819") {
        return refused;
    }
    let verification = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(mut root)) => match root.remove("verification") {
            Some(Value::Object(verification)) => without_nulls(verification),
            _ => return invalid("1102", "Mandatory parameters are missing from the request."),
        },
        _ => return invalid("1104", "Request includes invalid parameters."),
    };
    if let Err(answer) = check(&verification) {
        return answer;
    }
    let vendor_data = verification.get("vendorData").and_then(Value::as_str).map(str::to_owned);
    let now = Utc::now();
    let mut store = lock(&app.store);
    let token = store.next_token("vrf");
    let id = store.next_uuid();
    // Sessions expire 7 days after creation
    // (https://devdocs.veriff.com/docs/verification-session-status-codes-table).
    let expires = now + TimeDelta::days(7);
    let client_id = vendor_data.clone().unwrap_or_default();
    store.insert(
        token.clone(),
        Record::new(Vendor::Veriff, false, id.clone(), client_id, now, expires),
    );
    drop(store);
    let host = format!("{}/veriff", app.config.base_url);
    let answer = json!({
        "status": "success",
        "verification": {
            "id": id,
            "url": format!("{host}/v/{token}"),
            "vendorData": vendor_data,
            "host": host,
            "status": "created",
            "sessionToken": token,
        }
    });
    (StatusCode::CREATED, Json(answer)).into_response()
}

/// `null` means unset, at any depth Veriff's rules look at.
fn without_nulls(mut map: Map<String, Value>) -> Map<String, Value> {
    map.retain(|_, value| !value.is_null());
    for value in map.values_mut() {
        if let Value::Object(inner) = value {
            *inner = without_nulls(std::mem::take(inner));
        }
    }
    map
}

/// The documented validation codes
/// (<https://devdocs.veriff.com/docs/some-troubleshooting-codes-table>), first broken rule
/// answered.
fn check(verification: &Map<String, Value>) -> Result<(), Response> {
    if let Some(callback) = verification.get("callback")
        && !callback.as_str().is_some_and(|url| url.starts_with("https://"))
    {
        return Err(invalid("1302", "Only HTTPS return URLs are allowed."));
    }
    match verification.get("vendorData") {
        None | Some(Value::Null) => {}
        Some(Value::String(data)) if data.chars().count() <= 1000 => {}
        Some(Value::String(_)) => {
            return Err(invalid("1500", "vendorData field must be less than 1000 symbols."));
        }
        Some(_) => return Err(invalid("1501", "vendorData must be a string.")),
    }
    let object = |key: &str| -> Result<Map<String, Value>, Response> {
        match verification.get(key) {
            None | Some(Value::Null) => Ok(Map::new()),
            Some(Value::Object(map)) => Ok(map.clone()),
            Some(_) => Err(invalid("1104", "Request includes invalid parameters.")),
        }
    };
    let person = object("person")?;
    if let Some(date) = person.get("dateOfBirth") {
        let valid = date
            .as_str()
            .is_some_and(|d| d.len() == 10 && NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok());
        if !valid {
            return Err(invalid(
                "1203",
                "Invalid ISO 8601 date. Date needs to be in format YYYY-MM-DD.",
            ));
        }
    }
    if let Some(gender) = person.get("gender")
        && !gender.as_str().is_some_and(|g| matches!(g, "M" | "F" | "MALE" | "FEMALE"))
    {
        return Err(invalid("1104", "Request includes invalid parameters."));
    }
    let document = object("document")?;
    if let Some(number) = document.get("number")
        && !number
            .as_str()
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric()))
    {
        return Err(invalid("2102", "Document number may contain only characters A-Z and 0-9."));
    }
    if let Some(document_type) = document.get("type")
        && !document_type.as_str().is_some_and(|t| DOCUMENT_TYPES.contains(&t))
    {
        return Err(invalid("2103", "Document type is not supported."));
    }
    if let Some(country) = document.get("country")
        && !country
            .as_str()
            .is_some_and(|c| c.len() == 2 && c.chars().all(|c| c.is_ascii_uppercase()))
    {
        return Err(invalid("2104", "Document country is not supported."));
    }
    if let Some(id) = verification.get("endUserId")
        && !id.as_str().is_some_and(is_uuid)
    {
        return Err(invalid("1104", "Request includes invalid parameters."));
    }
    if let Some(timestamp) = verification.get("timestamp") {
        let Some(when) = timestamp.as_str().and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        else {
            return Err(invalid("1202", "Timestamp format is incorrect."));
        };
        if Utc::now() - when.with_timezone(&Utc) > TimeDelta::hours(1) {
            return Err(invalid(
                "1201",
                "Invalid timestamp. Timestamp must not be older than one hour.",
            ));
        }
    }
    Ok(())
}

fn is_uuid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The refusal of a call about session `id` (a decision, a deletion) without the API key, or
/// not signed with the session id: calls about a session sign its id, not a body (code 1818;
/// <https://devdocs.veriff.com/docs/hmac-authentication-and-endpoint-security>).
fn refuse_session_call(app: &App, headers: &HeaderMap, id: &str) -> Option<Response> {
    unauthorized(app, headers).or_else(|| bad_signature(app, headers, id.as_bytes(), true, "1818"))
}

/// `GET /v1/sessions/{id}/decision` (<https://devdocs.veriff.com/apidocs/v1sessionsiddecision-1>):
/// the decision once there is one, `verification: null` before.
pub(crate) async fn decision(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = refuse_session_call(&app, &headers, &id) {
        return refused;
    }
    let mut store = lock(&app.store);
    let Some(record) = store.by_id_mut(&id).filter(|r| r.vendor == Vendor::Veriff) else {
        return not_found();
    };
    let now = Utc::now();
    // Run out unnoticed: the decision webhook it would have sent goes now.
    crate::webhooks::send(&app, crate::webhooks::expiry_if_due(&app, record, now));
    match decision_body(record, now) {
        Some(answer) => (StatusCode::OK, Json(answer)).into_response(),
        None => {
            let answer = json!({"status": "success", "verification": null});
            (StatusCode::OK, Json(answer)).into_response()
        }
    }
}

/// The decision in Veriff's shape (<https://devdocs.veriff.com/docs/decision-webhook>), as the
/// decision endpoint answers it and the decision webhook carries it; `None` while there is none.
pub(crate) fn decision_body(record: &Record, now: chrono::DateTime<Utc>) -> Option<Value> {
    let (status, code, reason) = match record.decision {
        // Sent for review: a decision webhook, not final
        // (https://devdocs.veriff.com/docs/verification-session-status-codes-table).
        Some(_) if record.pending.is_some() => ("review", 9121, None),
        Some((Verdict::Approve, _)) => ("approved", 9001, None),
        Some((Verdict::Decline, _)) => {
            ("declined", 9102, Some((102, "Suspected document tampering")))
        }
        Some((_, _)) => ("resubmission_requested", 9103, Some((204, "Poor image quality"))),
        // Never opened: expired; opened but unfinished: abandoned. Both code 9104
        // (https://devdocs.veriff.com/docs/verification-session-status-codes-table).
        None if record.expired(now) && record.opened => ("abandoned", 9104, None),
        None if record.expired(now) => ("expired", 9104, None),
        None => return None,
    };
    let decided_at = record.decision.map_or(record.expires, |(_, at)| at);
    Some(json!({
        "status": "success",
        "verification": {
            "id": record.id,
            "attemptId": record.id,
            "code": code,
            "status": status,
            "reason": reason.map(|(_, text)| text),
            "reasonCode": reason.map(|(code, _)| code),
            "decisionTime": decided_at.to_rfc3339_opts(SecondsFormat::Micros, true),
            "acceptanceTime": record.created.to_rfc3339_opts(SecondsFormat::Millis, true),
            "vendorData": record.client_id,
            "endUserId": null,
            "person": null,
            "document": null,
            "riskLabels": [],
        },
        "technicalData": {"ip": "127.0.0.1"},
    }))
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "1404", "Session not found")
}

/// Veriff's status word for `record` (<https://devdocs.veriff.com/docs/verification-session-status-codes-table>).
fn status_word(record: &Record, now: DateTime<Utc>) -> &'static str {
    match record.decision {
        Some(_) if record.pending == Some(Pending::Review) => "review",
        Some(_) if record.pending.is_some() => "submitted",
        Some((Verdict::Approve, _)) => "approved",
        Some((Verdict::Decline, _)) => "declined",
        Some(_) => "resubmission_requested",
        None if record.expired(now) && record.opened => "abandoned",
        None if record.expired(now) => "expired",
        None if record.opened => "started",
        None => "created",
    }
}

/// The deletion rate limit: "10 sessions per 24 hours and 5 sessions per 1 hour"
/// (<https://devdocs.veriff.com/apidocs/v1sessionsid-3>), counted over the deletions done
/// (refused requests do not count: the emulator's choice). Forgets deletions older than a day.
pub(crate) fn deletion_allowed(
    done: &mut std::collections::VecDeque<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    while done.front().is_some_and(|at| now - *at >= TimeDelta::hours(24)) {
        done.pop_front();
    }
    let last_hour = done.iter().filter(|at| now - **at < TimeDelta::hours(1)).count();
    done.len() < 10 && last_hour < 5
}

/// `DELETE /v1/sessions/{id}` (<https://devdocs.veriff.com/apidocs/v1sessionsid-3>), signed
/// with the HMAC of the session id ("session-level HMAC signature authentication").
///
/// - Off for the integration ([`EmulatorBuilder::with_veriff_deletion`](crate::EmulatorBuilder::with_veriff_deletion)):
///   "not available by default"; Veriff documents no answer, the emulator's is 403
///   `{status: "fail", code: "403", message: …}` (invented).
/// - Unknown id: 404 (`Session not found`).
/// - Over the rate limit ([`deletion_allowed`]): 429 `{status: "fail", code: "429", message:
///   "Too many requests"}` (the code is the emulator's choice; the page names only the status).
/// - In a status other than `created`, `started`, `approved`, `declined`,
///   `resubmission_requested`, `expired`, `abandoned` (in the emulator: `review`): 400
///   `{status: 400, code: "1305", message: "Session is not in a completed status."}`.
/// - Otherwise 200 `{status: "success", verification: {id}}`, after the `expired`/`abandoned`
///   decision webhook when the session was `created`, `started` or `resubmission_requested`;
///   the session then answers 404 everywhere ("unavailable … via public API endpoints").
pub(crate) async fn delete(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = refuse_session_call(&app, &headers, &id) {
        return refused;
    }
    if !app.config.veriff_deletion {
        return error(
            StatusCode::FORBIDDEN,
            "403",
            "Session deletion is not enabled for this integration.",
        );
    }
    let now = Utc::now();
    let deliveries = {
        let mut store = lock(&app.store);
        if !store.by_id(&id).is_some_and(|r| r.vendor == Vendor::Veriff) {
            return not_found();
        }
        if !deletion_allowed(&mut store.veriff_deletions, now) {
            return error(StatusCode::TOO_MANY_REQUESTS, "429", "Too many requests");
        }
        let Some(record) = store.by_id_mut(&id) else { return not_found() };
        let status = status_word(record, now);
        let deliveries = match status {
            "created" | "started" | "resubmission_requested" => {
                // It runs out now, as it would have: `expired` when never opened, `abandoned`
                // when opened (a resubmission request is an opened session).
                record.decision = None;
                record.expires = now;
                webhooks::expiry_if_due(&app, record, now)
            }
            "approved" | "declined" | "expired" | "abandoned" => Vec::new(),
            _ => {
                let body = json!({
                    "status": 400,
                    "code": "1305",
                    "message": "Session is not in a completed status.",
                });
                return (StatusCode::BAD_REQUEST, Json(body)).into_response();
            }
        };
        store.remove(&id);
        store.veriff_deletions.push_back(now);
        deliveries
    };
    // Sent before answering, so a receiver has it when the deletion returns.
    if let Err(error) = webhooks::deliver(&app.http, deliveries).await {
        tracing::warn!(%error, "the emulator could not deliver a webhook");
    }
    let answer = json!({"status": "success", "verification": {"id": id}});
    (StatusCode::OK, Json(answer)).into_response()
}

/// Signs every answer as Veriff does: `X-AUTH-CLIENT` (the API key: "Required to identify the
/// request or response sender") and `X-HMAC-SIGNATURE`, the hex HMAC-SHA256 of the raw answer
/// body under the shared secret (<https://devdocs.veriff.com/apidocs/v1sessionsid-3> lists both
/// response headers; <https://devdocs.veriff.com/docs/general-faq>: "Veriff will also always
/// return X-HMAC-signature"). That the body is what is signed is how Veriff signs everything
/// else; its pages do not say it of answers.
pub(crate) async fn sign_answers(
    State(app): State<App>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let answer = next.run(request).await;
    sign(&app, answer).await
}

/// `answer` with Veriff's signature headers over its body.
pub(crate) async fn sign(app: &App, answer: Response) -> Response {
    let (mut parts, body) = answer.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "the answer could not be read").into_response();
    };
    let signed = signature(&app.config.veriff_secret, &bytes);
    for (name, value) in
        [("x-auth-client", app.config.veriff_key.as_str()), ("x-hmac-signature", &signed)]
    {
        if let Ok(value) = axum::http::HeaderValue::from_str(value) {
            parts.headers.insert(name, value);
        }
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deletions_are_limited_per_hour_and_per_day() {
        let now = Utc::now();
        let mut done = std::collections::VecDeque::new();
        // Five in the last hour: the sixth waits.
        for minutes in [50, 40, 30, 20, 10] {
            done.push_back(now - TimeDelta::minutes(minutes));
        }
        assert!(!deletion_allowed(&mut done, now));
        // An hour on, the hour is free again.
        assert!(deletion_allowed(&mut done, now + TimeDelta::minutes(61)));
        // Ten in a day, spread over hours: the eleventh waits for the oldest to be a day old.
        let mut done: std::collections::VecDeque<_> =
            (0..10).map(|hours| now - TimeDelta::hours(20 - hours)).collect();
        assert!(!deletion_allowed(&mut done, now));
        assert!(deletion_allowed(&mut done, now + TimeDelta::hours(4) + TimeDelta::minutes(1)));
        assert_eq!(done.len(), 9, "older than a day forgotten");
    }
}
