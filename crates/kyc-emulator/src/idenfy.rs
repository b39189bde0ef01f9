//! iDenfy, as its documents describe it: `POST /api/v2/token`
//! (<https://documentation.idenfy.com/kyc/generate-token>, and the older parameter reference
//! <https://documentation.idenfy.com/API/GeneratingIdentificationToken>), `POST /api/v2/status`
//! (<https://documentation.idenfy.com/kyc/data-retrieval>), `POST /api/v2/delete`
//! (<https://documentation.idenfy.com/kyc/deletion>), `POST /kyb/tokens/`
//! (<https://documentation.idenfy.com/api-reference/kyb-token/generate-kyb-form-token>) and
//! `GET`/`DELETE /kyb/companies/{id}/` (<https://documentation.idenfy.com/kyb/managing-company>),
//! with HTTP Basic auth and `{identifier, message}` errors
//! (<https://documentation.idenfy.com/kyc/id-error-messages>).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use chrono::{NaiveDate, TimeDelta, Utc};
use serde_json::{Map, Value, json};

use crate::App;
use crate::faults::lock;
use crate::store::{Pending, Record, Vendor};
use crate::webhooks::{self, Happened};

/// The KYC token's `locale`: the 34 codes of the supported-languages table
/// (<https://documentation.idenfy.com/resources/supported-languages>, written there in upper
/// case, `ZH_TW` with an underscore, Slovenian as `SI`), plus `ko`, the OpenAPI's example
/// ("UI language code (e.g. `en`, `de`, `ko`)"). Matched in any case. The OpenAPI declares no
/// enum (only `maxLength: 7`): refusing other codes with 400 `BAD_VALUE` is the emulator's
/// choice, so a code no page lists is caught here.
pub(crate) const LOCALES: &[&str] = &[
    "en", "es", "fr", "ru", "de", "it", "pl", "lt", "lv", "et", "sv", "cs", "ro", "hu", "ja", "bg",
    "nl", "pt", "uk", "sk", "si", "vi", "th", "hi", "id", "hr", "da", "fi", "el", "no", "tr", "sr",
    "zh", "zh_tw", "ko",
];
/// The KYB OpenAPI's `KybLocaleEnum`
/// (<https://documentation.idenfy.com/api-reference/kyb-token/generate-kyb-form-token>), exactly
/// (lower case); others are refused with 400 `BAD_VALUE`.
const KYB_LOCALES: &[&str] = &[
    "en", "es", "fr", "ru", "de", "it", "pl", "lt", "lv", "et", "cs", "ro", "hu", "ja", "bg", "nl",
    "pt",
];
/// The document types of the older token reference (https://documentation.idenfy.com/API/GeneratingIdentificationToken).
const DOCUMENTS: &[&str] = &[
    "ID_CARD",
    "PASSPORT",
    "RESIDENCE_PERMIT",
    "DRIVER_LICENSE",
    "AADHAAR",
    "PAN_CARD",
    "VISA",
    "BORDER_CROSSING",
    "ASYLUM",
    "NATIONAL_PASSPORT",
    "INTERNATIONAL_PASSPORT",
    "VOTER_CARD",
    "OLD_ID_CARD",
    "TRAVEL_CARD",
    "PHOTO_CARD",
    "MILITARY_CARD",
    "PROOF_OF_AGE_CARD",
    "DIPLOMATIC_ID",
];
const TOKEN_TYPES: &[&str] =
    &["IDENTIFICATION", "DOCUMENT", "VIDEO_CALL", "VIDEO_CALL_PHOTOS", "VIDEO_CALL_IDENTIFICATION"];
/// Names must not contain these (https://documentation.idenfy.com/API/GeneratingIdentificationToken).
const NAME_FORBIDDEN: &str = "~!@#$%^*()_+={}[]|:;\",<>/?";

/// An iDenfy error answer.
pub(crate) fn error(status: StatusCode, identifier: &str, message: impl Into<String>) -> Response {
    let body = json!({"identifier": identifier, "message": message.into()});
    (status, Json(body)).into_response()
}

fn bad_value(message: impl Into<String>) -> Response {
    error(StatusCode::BAD_REQUEST, "BAD_VALUE", message)
}

/// HTTP Basic with the API key and secret; `None` when they match.
fn unauthorized(app: &App, headers: &HeaderMap) -> Option<Response> {
    let expected = format!("{}:{}", app.config.idenfy_key, app.config.idenfy_secret);
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Basic "))
        .and_then(|encoded| base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok());
    match given {
        Some(decoded) if decoded == expected.as_bytes() => None,
        // A 401 "Invalid authorization credentials" with no identifier
        // (https://documentation.idenfy.com/kyc/id-error-messages).
        _ => Some(
            (
                StatusCode::UNAUTHORIZED,
                Json(json!({"message": "Invalid authorization credentials"})),
            )
                .into_response(),
        ),
    }
}

fn parse_object(body: &Bytes) -> Result<Map<String, Value>, Response> {
    let text = std::str::from_utf8(body).map_err(|_| {
        error(StatusCode::BAD_REQUEST, "ENCODING_ERROR", "Request body is not UTF-8.")
    })?;
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        _ => {
            Err(error(StatusCode::BAD_REQUEST, "JSON_ERROR", "Request body is not a JSON object."))
        }
    }
}

/// A string field, when present and not null.
fn text<'a>(body: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, Response> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(bad_value(format!("Field '{key}' must be a string."))),
    }
}

fn integer(
    body: &Map<String, Value>,
    key: &str,
    range: std::ops::RangeInclusive<u64>,
) -> Result<Option<u64>, Response> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => match value.as_u64().filter(|n| range.contains(n)) {
            Some(n) => Ok(Some(n)),
            None => Err(bad_value(format!(
                "Field '{key}' must be an integer from {} to {}.",
                range.start(),
                range.end()
            ))),
        },
    }
}

fn client_id(body: &Map<String, Value>) -> Result<String, Response> {
    match text(body, "clientId")? {
        None => {
            Err(error(StatusCode::BAD_REQUEST, "MISSING_VALUE", "Missing parameter: clientId."))
        }
        Some(id) if id.is_empty() || id.len() > 100 || !id.is_ascii() => {
            Err(bad_value("Field 'clientId' must be 1 to 100 ASCII characters."))
        }
        Some(id) => Ok(id.to_owned()),
    }
}

fn check_country(key: &str, code: &str) -> Result<(), Response> {
    if code.len() == 2 && code.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(())
    } else {
        Err(bad_value(format!("Field '{key}' must be a valid ISO 3166-1 alpha-2 code.")))
    }
}

/// Every documented rule of a token request (https://documentation.idenfy.com/kyc/generate-token and
/// https://documentation.idenfy.com/API/GeneratingIdentificationToken), first broken one answered.
fn check_token(body: &Map<String, Value>) -> Result<(), Response> {
    for key in ["firstName", "lastName"] {
        if let Some(name) = text(body, key)? {
            if name.is_empty() || name.chars().count() > 100 {
                return Err(bad_value(format!("Field '{key}' must be 1 to 100 characters.")));
            }
            if name.chars().any(|c| c.is_numeric() || NAME_FORBIDDEN.contains(c)) {
                return Err(bad_value(format!("Field '{key}' contains forbidden characters.")));
            }
        }
    }
    for key in ["dateOfBirth", "dateOfExpiry", "dateOfIssue"] {
        if let Some(date) = text(body, key)?
            && (date.len() != 10 || NaiveDate::parse_from_str(date, "%Y-%m-%d").is_err())
        {
            return Err(bad_value(format!("Field '{key}' must be a date in format YYYY-MM-DD.")));
        }
    }
    if let Some(sex) = text(body, "sex")?
        && !matches!(sex, "M" | "F")
    {
        return Err(bad_value("Field 'sex' must be M or F."));
    }
    if let Some(nationality) = text(body, "nationality")? {
        check_country("nationality", nationality)?;
    }
    match body.get("country") {
        None | Some(Value::Null) => {}
        Some(Value::String(code)) => check_country("country", code)?,
        Some(Value::Array(codes)) => {
            for code in codes {
                check_country("country", code.as_str().unwrap_or_default())?;
            }
        }
        Some(_) => return Err(bad_value("Field 'country' must be a code or a list of codes.")),
    }
    match body.get("documents") {
        None | Some(Value::Null) => {}
        Some(Value::Array(documents)) => {
            for document in documents {
                if !document.as_str().is_some_and(|d| DOCUMENTS.contains(&d)) {
                    return Err(bad_value("Field 'documents' contains an unknown document type."));
                }
            }
        }
        Some(_) => return Err(bad_value("Field 'documents' must be a list.")),
    }
    if let Some(locale) = text(body, "locale")?
        && !LOCALES.contains(&locale.to_ascii_lowercase().as_str())
    {
        return Err(bad_value("Field 'locale' is not a supported language."));
    }
    for key in ["successUrl", "errorUrl", "unverifiedUrl", "callbackUrl"] {
        if let Some(url) = text(body, key)? {
            if !(5..=2048).contains(&url.len()) {
                return Err(bad_value(format!("Field '{key}' must be 5 to 2048 characters.")));
            }
            if key == "callbackUrl" && !url.starts_with("https://") {
                return Err(bad_value("Field 'callbackUrl' must be an HTTPS URL."));
            }
        }
    }
    integer(body, "expiryTime", 1..=2_592_000)?;
    integer(body, "sessionLength", 60..=3600)?;
    if let Some(reference) = text(body, "externalRef")?
        && (reference.len() > 40 || !reference.is_ascii())
    {
        return Err(bad_value("Field 'externalRef' must be at most 40 ASCII characters."));
    }
    if text(body, "address")?.is_some_and(|a| a.chars().count() > 255) {
        return Err(bad_value("Field 'address' must be at most 255 characters."));
    }
    if let Some(token_type) = text(body, "tokenType")?
        && !TOKEN_TYPES.contains(&token_type)
    {
        return Err(bad_value("Field 'tokenType' is not a supported token type."));
    }
    let steps = body.get("additionalSteps").is_some_and(|v| !v.is_null());
    if body.get("utilityBill") == Some(&Value::Bool(true)) && steps {
        return Err(bad_value(
            "Fields 'utilityBill' and 'additionalSteps' cannot be used together.",
        ));
    }
    Ok(())
}

/// `POST /api/v2/token`.
pub(crate) async fn token(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(refused) = unauthorized(&app, &headers) {
        return refused;
    }
    let body = match parse_object(&body) {
        Ok(body) => body,
        Err(answer) => return answer,
    };
    let client_id = match client_id(&body).and_then(|id| check_token(&body).map(|()| id)) {
        Ok(id) => id,
        Err(answer) => return answer,
    };
    let expiry = body.get("expiryTime").and_then(Value::as_u64).unwrap_or(86_400);
    let session_length = body.get("sessionLength").and_then(Value::as_u64).unwrap_or(1800);
    let now = Utc::now();
    let mut store = lock(&app.store);
    let auth_token = store.next_token("idn");
    let scan_ref = store.next_uuid();
    let digit_string = (body.get("generateDigitString") == Some(&Value::Bool(true))).then(|| {
        format!("{:08}", scan_ref.bytes().map(u64::from).sum::<u64>() * 7919 % 100_000_000)
    });
    let expires = now + TimeDelta::seconds(expiry as i64);
    let mut record =
        Record::new(Vendor::Idenfy, false, scan_ref.clone(), client_id.clone(), now, expires);
    record.callback = body.get("callbackUrl").and_then(Value::as_str).map(str::to_owned);
    record.external_ref = body.get("externalRef").and_then(Value::as_str).map(str::to_owned);
    store.insert(auth_token.clone(), record);
    drop(store);
    let field = |key: &str| body.get(key).cloned().unwrap_or(Value::Null);
    let upper = |key: &str| match body.get(key) {
        Some(Value::String(s)) => Value::String(s.to_uppercase()),
        _ => Value::Null,
    };
    // The older reference's response (https://documentation.idenfy.com/API/GeneratingIdentificationToken): every
    // field of the request, with defaults for what was not sent, plus message, authToken,
    // scanRef, digitString; the current one (https://documentation.idenfy.com/kyc/generate-token) adds redirectUrl.
    let answer = json!({
        "message": "Token created successfully",
        "authToken": auth_token,
        "scanRef": scan_ref,
        "clientId": client_id,
        "personScanRef": client_id,
        "firstName": upper("firstName"),
        "lastName": upper("lastName"),
        "successUrl": field("successUrl"),
        "errorUrl": field("errorUrl"),
        "unverifiedUrl": field("unverifiedUrl"),
        "callbackUrl": field("callbackUrl"),
        "locale": body.get("locale").cloned().unwrap_or(json!("en")),
        "showInstructions": body.get("showInstructions").cloned().unwrap_or(json!(true)),
        "country": field("country"),
        "expiryTime": expiry,
        "sessionLength": session_length,
        "documents": body.get("documents").cloned().unwrap_or(json!(["ID_CARD", "PASSPORT", "RESIDENCE_PERMIT", "DRIVER_LICENSE"])),
        "allowedDocuments": {"ALL": ["ID_CARD", "PASSPORT", "RESIDENCE_PERMIT", "DRIVER_LICENSE"]},
        "dateOfBirth": field("dateOfBirth"),
        "dateOfExpiry": field("dateOfExpiry"),
        "dateOfIssue": field("dateOfIssue"),
        "nationality": field("nationality"),
        "personalNumber": field("personalNumber"),
        "documentNumber": field("documentNumber"),
        "sex": field("sex"),
        "digitString": digit_string,
        "address": field("address"),
        "tokenType": body.get("tokenType").cloned().unwrap_or(json!("IDENTIFICATION")),
        "videoCallQuestions": body.get("videoCallQuestions").cloned().unwrap_or(json!([])),
        "externalRef": field("externalRef"),
        "utilityBill": body.get("utilityBill").cloned().unwrap_or(json!(false)),
        "additionalSteps": field("additionalSteps"),
        "additionalData": field("additionalData"),
        "redirectUrl": format!("{}/idenfy/api/v2/redirect?authToken={auth_token}", app.config.base_url),
    });
    (StatusCode::CREATED, Json(answer)).into_response()
}

/// `POST /kyb/tokens/` (OpenAPI `KybFormTokenRequest` / `KybFormToken`,
/// <https://documentation.idenfy.com/api-reference/kyb-token/generate-kyb-form-token>): 201 with
/// the `tokenString` and a new `companyId`, the id every later call and webhook of the company
/// uses (<https://documentation.idenfy.com/kyb/pre-fill>: "Keep tokenString and companyId from
/// the response — every following step uses them").
pub(crate) async fn kyb_token(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(refused) = unauthorized(&app, &headers) {
        return refused;
    }
    let body = match parse_object(&body) {
        Ok(body) => body,
        Err(answer) => return answer,
    };
    let checked = client_id(&body).and_then(|id| check_kyb(&body).map(|lifetime| (id, lifetime)));
    let (client_id, lifetime) = match checked {
        Ok(checked) => checked,
        Err(answer) => return answer,
    };
    let now = Utc::now();
    let expiration = now + TimeDelta::seconds(lifetime as i64);
    let mut store = lock(&app.store);
    let token = store.next_token("kyb");
    let company_id = store.next_company_id();
    let mut record =
        Record::new(Vendor::Idenfy, true, company_id.clone(), client_id.clone(), now, expiration);
    record.external_ref = body.get("externalRef").and_then(Value::as_str).map(str::to_owned);
    store.insert(token.clone(), record);
    drop(store);
    let field = |key: &str| body.get(key).cloned().unwrap_or(Value::Null);
    let answer = json!({
        "tokenType": field("tokenType"),
        "tokenString": token,
        "expiration": expiration.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "isActive": true,
        "isValid": true,
        "companyId": company_id,
        "clientId": client_id,
        "externalRef": field("externalRef"),
        "locale": field("locale"),
        "flow": field("flow"),
        "theme": field("theme"),
        "tags": body.get("tags").cloned().unwrap_or(json!([])),
        "scanRefs": field("scanRefs"),
    });
    (StatusCode::CREATED, Json(answer)).into_response()
}

/// The KYB rules; the lifetime to use.
fn check_kyb(body: &Map<String, Value>) -> Result<u64, Response> {
    match text(body, "tokenType")? {
        None => {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "MISSING_VALUE",
                "Missing parameter: tokenType.",
            ));
        }
        Some("FORM" | "GOV1" | "GOV2") => {}
        Some(_) => return Err(bad_value("Field 'tokenType' must be FORM, GOV1 or GOV2.")),
    }
    let lifetime = integer(body, "lifetime", 0..=2_592_000)?.unwrap_or(3600);
    if text(body, "externalRef")?.is_some_and(|r| r.chars().count() > 40) {
        return Err(bad_value("Field 'externalRef' must be at most 40 characters."));
    }
    if let Some(locale) = text(body, "locale")?
        && !KYB_LOCALES.contains(&locale)
    {
        return Err(bad_value("Field 'locale' is not a supported language."));
    }
    match body.get("tags") {
        None | Some(Value::Null) => {}
        Some(Value::Array(tags)) if tags.len() <= 5 => {
            let valid = |t: &Value| {
                t.as_str()
                    .is_some_and(|t| (1..=32).contains(&t.chars().count()) && !t.contains(','))
            };
            if !tags.iter().all(valid) {
                return Err(bad_value("Each tag must be 1 to 32 characters without commas."));
            }
        }
        Some(_) => return Err(bad_value("Field 'tags' must be a list of at most 5 tags.")),
    }
    for key in ["flow", "theme"] {
        if text(body, key)?.is_some_and(|id| !is_uuid(id)) {
            return Err(bad_value(format!("Field '{key}' must be a UUID.")));
        }
    }
    Ok(lifetime)
}

fn is_uuid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The `scanRef` of a data call (status, deletion) with iDenfy's credentials, or the answer
/// that refuses it.
fn authorized_scan_ref(app: &App, headers: &HeaderMap, body: &Bytes) -> Result<String, Response> {
    if let Some(refused) = unauthorized(app, headers) {
        return Err(refused);
    }
    let body = parse_object(body)?;
    match text(&body, "scanRef")? {
        Some(scan_ref) => Ok(scan_ref.to_owned()),
        None => Err(error(StatusCode::BAD_REQUEST, "MISSING_VALUE", "Missing parameter: scanRef.")),
    }
}

/// `POST /api/v2/status`: the verification's status in iDenfy's words
/// (<https://documentation.idenfy.com/kyc/data-retrieval>), with the top-level `final` the
/// status-handling page says the API has (<https://documentation.idenfy.com/kyc/status-handling>:
/// "From the API, check the top-level `final` boolean"): `false` while `ACTIVE` or `REVIEWING`.
/// Unknown `scanRef`: 404 `BAD_VALUE` (the emulator's choice).
pub(crate) async fn status(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    let scan_ref = match authorized_scan_ref(&app, &headers, &body) {
        Ok(scan_ref) => scan_ref,
        Err(answer) => return answer,
    };
    let mut store = lock(&app.store);
    let Some(record) =
        store.by_id_mut(&scan_ref).filter(|r| r.vendor == Vendor::Idenfy && !r.business)
    else {
        return error(
            StatusCode::NOT_FOUND,
            "BAD_VALUE",
            "Verification with this scanRef was not found.",
        );
    };
    let now = Utc::now();
    // Run out unnoticed: the expiry webhook it would have sent goes now.
    webhooks::send(&app, webhooks::expiry_if_due(&app, record, now));
    let result = webhooks::idenfy_result(record, now);
    let answer = json!({
        "fraudTags": [],
        "mismatchTags": result.mismatch_tags,
        "autoDocument": result.auto_document.unwrap_or_default(),
        "autoFace": result.auto_face.unwrap_or_default(),
        "manualDocument": result.manual_document.unwrap_or_default(),
        "manualFace": result.manual_face.unwrap_or_default(),
        "scanRef": record.id,
        "clientId": record.client_id,
        "status": result.overall,
        "final": result.is_final,
    });
    (StatusCode::OK, Json(answer)).into_response()
}

/// `POST /api/v2/delete` (<https://documentation.idenfy.com/kyc/deletion>): deletes a
/// verification's data.
///
/// - Still usable (`ACTIVE`, its link not run out; in the emulator also `REVIEWING`, the
///   emulator's choice): 400 with the documented refusal `{"message": "Token has not expired
///   yet.", "identifier": "PARTNER_ERROR", "documentation": "", "severity": "NOT_SEVERE"}` (the
///   page names no status; 400 as iDenfy's standard errors).
/// - Decided or run out: 200 with no body ("there will be no message body — just a response
///   with a 200 status code"); the status is then `DELETED`, or `EXPIRED-DELETED` when it had
///   run out (<https://documentation.idenfy.com/resources/vocabulary>). Deleting again answers
///   the same (the emulator's choice).
/// - Unknown `scanRef`: 400 `BAD_VALUE` (the emulator's choice; no answer is documented).
pub(crate) async fn delete(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    let scan_ref = match authorized_scan_ref(&app, &headers, &body) {
        Ok(scan_ref) => scan_ref,
        Err(answer) => return answer,
    };
    let mut store = lock(&app.store);
    let Some(record) =
        store.by_id_mut(&scan_ref).filter(|r| r.vendor == Vendor::Idenfy && !r.business)
    else {
        return bad_value("Verification with this scanRef was not found.");
    };
    let now = Utc::now();
    webhooks::send(&app, webhooks::expiry_if_due(&app, record, now));
    if !record.deleted && (record.pending.is_some() || !(record.decided() || record.expired(now))) {
        let body = json!({
            "message": "Token has not expired yet.",
            "identifier": "PARTNER_ERROR",
            "documentation": "",
            "severity": "NOT_SEVERE",
        });
        return (StatusCode::BAD_REQUEST, Json(body)).into_response();
    }
    record.deleted = true;
    StatusCode::OK.into_response()
}

/// A KYB company's workflow status (`KybStatusEnum`,
/// <https://documentation.idenfy.com/kyb/managing-company>): `PENDING` until its form is
/// submitted, `PROCESSING` while it runs automatically, `NEED_TO_REVIEW` while a person reviews
/// it, `COMPLETED` once reviewed (the decision in `approvalStatus`).
fn company_status(record: &Record) -> &'static str {
    match (record.decision, record.pending) {
        (Some(_), Some(Pending::Processing)) => "PROCESSING",
        (Some(_), Some(Pending::Review)) => "NEED_TO_REVIEW",
        (Some(_), None) => "COMPLETED",
        (None, _) => "PENDING",
    }
}

fn company_not_found() -> Response {
    // The emulator's choice: no body is documented for an unknown company.
    error(StatusCode::NOT_FOUND, "BAD_VALUE", "Company with this id was not found.")
}

/// `GET /kyb/companies/{id}/` (OpenAPI `CompanyDetail`,
/// <https://documentation.idenfy.com/kyb/managing-company>): every required key, the status in
/// `meta.status` and the decision in `meta.approvalStatus`; placeholder values for what a form
/// would have filled in. Unknown (or deleted) id: 404.
pub(crate) async fn company(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = unauthorized(&app, &headers) {
        return refused;
    }
    let mut store = lock(&app.store);
    let Some(record) = store.by_id_mut(&id).filter(|r| r.vendor == Vendor::Idenfy && r.business)
    else {
        return company_not_found();
    };
    let now = Utc::now();
    webhooks::send(&app, webhooks::expiry_if_due(&app, record, now));
    let time = webhooks::time;
    let submitted = record.decision.map(|(_, at)| time(at));
    let status = company_status(record);
    let (approval_status, deny_reason) = webhooks::approval(record);
    let changed = record.decision.map_or(record.created, |(_, at)| at);
    let answer = json!({
        "id": record.id,
        "company": {
            "companyName": webhooks::COMPANY_NAME,
            "registrationNumber": webhooks::REGISTRATION_NUMBER,
            "country": "LT",
        },
        "meta": {
            "created": time(record.created),
            "status": status,
            "statusChangedAt": time(changed),
            "statusChangedBy": null,
            "expirationStatus": null,
            "assignedTo": null,
            "initialSubmissionTime": submitted,
            "submissionTime": submitted,
            "blacklistStatuses": [],
            "newsStatusSetBy": null,
            "sanctionsStatusSetBy": null,
            "approvalStatus": approval_status,
            "approvalStatusChangedAt": if status == "COMPLETED" { json!(time(changed)) } else { Value::Null },
            "denyReason": deny_reason,
            "informationRequested": false,
            "soleProprietor": false,
        },
        "documents": [],
        "beneficiaries": [],
        "questionnaires": [],
        "comments": [],
        "auditLogs": [],
        "addressAudit": null,
        "websiteAudit": null,
        "companyNameAudit": null,
        "dataMatchings": [],
        "einVerification": null,
        "govChecks": [],
        "amlCheck": if status == "COMPLETED" { webhooks::aml_check(record) } else { Value::Null },
        "amlChecks": [],
        "amlMonitoringUsers": null,
        "riskAssessment": null,
        "clientId": record.client_id,
        "externalRef": record.external_ref,
    });
    (StatusCode::OK, Json(answer)).into_response()
}

/// `DELETE /kyb/companies/{id}/` (<https://documentation.idenfy.com/kyb/managing-company>): 204
/// with no body, then the `COMPANY_DELETE` webhook ("sent when a company is deleted",
/// <https://documentation.idenfy.com/kyb/webhooks>), sent before the answer; the company and its
/// link are unknown from then on. No refusal is documented: any known company is deleted.
pub(crate) async fn delete_company(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = unauthorized(&app, &headers) {
        return refused;
    }
    let deliveries = {
        let mut store = lock(&app.store);
        let Some(record) = store.by_id(&id).filter(|r| r.vendor == Vendor::Idenfy && r.business)
        else {
            return company_not_found();
        };
        let deliveries = webhooks::deliveries(&app, record, Happened::Deleted);
        store.remove(&id);
        deliveries
    };
    if let Err(error) = webhooks::deliver(&app.http, deliveries).await {
        tracing::warn!(%error, "the emulator could not deliver a webhook");
    }
    StatusCode::NO_CONTENT.into_response()
}
