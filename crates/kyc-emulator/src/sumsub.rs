//! Sumsub, as its documents describe it: every call signed with `X-App-Token`,
//! `X-App-Access-Ts` and `X-App-Access-Sig` (<https://docs.sumsub.com/reference/authentication>);
//! the hosted link `POST /resources/sdkIntegrations/levels/-/websdkLink`
//! (<https://docs.sumsub.com/reference/generate-websdk-external-link>, and its older form with the
//! level in the path); the applicant by external user id or by id
//! (<https://docs.sumsub.com/reference/get-applicant-data-via-externaluserid>,
//! <https://docs.sumsub.com/reference/get-applicant-data>), its existence
//! (<https://docs.sumsub.com/reference/check-applicant-existence-by-externaluserid>) and its review
//! status (<https://docs.sumsub.com/reference/get-applicant-review-status>); the sandbox's
//! `testCompleted` (<https://docs.sumsub.com/reference/set-review-for-applicant-on-sandbox>);
//! deactivation (<https://docs.sumsub.com/reference/deactivate-applicant-profile>). Errors are
//! `{description, code, correlationId, errorCode?, errorName?}`
//! (<https://docs.sumsub.com/reference/error-codes-description>).
//!
//! A verification is an *applicant* checked against a *level*: the emulator knows two levels, the
//! individual one (`SUMSUB_LEVEL_NAME`) and the company one (`SUMSUB_KYB_LEVEL_NAME`). The link
//! answer carries no id; the applicant is the one of the `userId` (its `externalUserId`), the
//! same for every link of that user.

use std::collections::HashMap;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, TimeDelta, Utc};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Map, Value, json};
use sha2::{Sha256, Sha512};

use crate::faults::lock;
use crate::store::{Pending, Record, SumsubApplicant, SumsubResult, Vendor, Verdict};
use crate::webhooks::{self, Delivery};
use crate::{App, Config};

/// Where the emulator serves Sumsub.
pub(crate) const PREFIX: &str = "/sumsub";
/// "The timestamp must be within 1 minute of the Sumsub server time"
/// (<https://docs.sumsub.com/reference/authentication>): either way, the emulator's reading.
pub(crate) const WINDOW_SECONDS: i64 = 60;
/// A link's validity when the request names none: the documents' samples send 1800; that it is
/// the default is the emulator's choice.
const DEFAULT_TTL_SECONDS: u64 = 1800;
/// Uploads may be up to 64 MB (error 1002, <https://docs.sumsub.com/reference/error-codes-description>).
const BODY_LIMIT: usize = 65 * 1024 * 1024;
/// The workspace's `clientId` in webhooks and applicants (the emulator's choice).
pub(crate) const CLIENT_ID: &str = "kycEmulator";

/// The algorithm of Sumsub's webhook digests, named in `x-payload-digest-alg`: "HMAC_SHA256_HEX"
/// by default, "HMAC_SHA512_HEX" when the webhook is set up so (<https://docs.sumsub.com/docs/webhooks>).
/// The legacy `HMAC_SHA1_HEX` is not emulated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SumsubDigest {
    /// `HMAC_SHA256_HEX`, Sumsub's default.
    #[default]
    HmacSha256Hex,
    /// `HMAC_SHA512_HEX`.
    HmacSha512Hex,
}

impl SumsubDigest {
    /// Its name in `x-payload-digest-alg`.
    pub fn name(self) -> &'static str {
        match self {
            Self::HmacSha256Hex => "HMAC_SHA256_HEX",
            Self::HmacSha512Hex => "HMAC_SHA512_HEX",
        }
    }

    /// The lowercase hex HMAC of `body` under `secret`.
    pub(crate) fn digest(self, secret: &str, body: &[u8]) -> String {
        let bytes = match self {
            Self::HmacSha256Hex => {
                let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
                    unreachable!("HMAC accepts keys of every length")
                };
                mac.update(body);
                mac.finalize().into_bytes().to_vec()
            }
            Self::HmacSha512Hex => {
                let Ok(mut mac) = Hmac::<Sha512>::new_from_slice(secret.as_bytes()) else {
                    unreachable!("HMAC accepts keys of every length")
                };
                mac.update(body);
                mac.finalize().into_bytes().to_vec()
            }
        };
        hex(&bytes)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `X-App-Access-Sig`: the lowercase hex HMAC-SHA256, under the secret key, of the timestamp,
/// the method in upper case, the path with its query, and the raw body
/// (<https://docs.sumsub.com/reference/authentication>).
pub(crate) fn signature(
    secret: &str,
    ts: &str,
    method: &str,
    path_and_query: &str,
    body: &[u8],
) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        unreachable!("HMAC accepts keys of every length")
    };
    for part in [ts.as_bytes(), method.as_bytes(), path_and_query.as_bytes(), body] {
        mac.update(part);
    }
    hex(&mac.finalize().into_bytes())
}

/// 64 random bits, fresh each call.
fn random() -> u64 {
    use std::hash::BuildHasher;
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};
    static KEYS: OnceLock<std::hash::RandomState> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    KEYS.get_or_init(std::hash::RandomState::new).hash_one((n, Utc::now().timestamp_nanos_opt()))
}

/// An error's `correlationId`: 32 hex digits, as the documents' sample
/// `c0b20cfbbf674ce5aeaf479e72d33af8`.
fn correlation_id() -> String {
    format!("{:016x}{:016x}", random(), random())
}

/// A webhook's `correlationId`, shaped `req-<uuid>` as in Sumsub's sample payloads.
fn request_id() -> String {
    let (a, b) = (random(), random());
    format!(
        "req-{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        (a >> 32) as u32,
        (a >> 16) as u16,
        (a & 0xfff) as u16,
        (b >> 48) as u16 & 0xfff,
        b & 0xffff_ffff_ffff
    )
}

/// A Sumsub error answer: `{description, code, correlationId}`, and `errorCode` with
/// `errorName` when Sumsub gives them (<https://docs.sumsub.com/reference/error-codes-description>:
/// `code` repeats the HTTP status).
pub(crate) fn error(
    status: StatusCode,
    description: &str,
    error_code: Option<(u32, Option<&str>)>,
) -> Response {
    (status, Json(error_body(status, description, error_code))).into_response()
}

pub(crate) fn error_body(
    status: StatusCode,
    description: &str,
    error_code: Option<(u32, Option<&str>)>,
) -> Value {
    let mut body = Map::new();
    body.insert("description".into(), description.into());
    body.insert("code".into(), status.as_u16().into());
    body.insert("correlationId".into(), correlation_id().into());
    if let Some((code, name)) = error_code {
        body.insert("errorCode".into(), code.into());
        if let Some(name) = name {
            body.insert("errorName".into(), name.into());
        }
    }
    Value::Object(body)
}

fn unauthorized(description: &str, code: u32, name: Option<&str>) -> Response {
    error(StatusCode::UNAUTHORIZED, description, Some((code, name)))
}

fn bad_request(description: &str) -> Response {
    error(StatusCode::BAD_REQUEST, description, None)
}

fn not_found() -> Response {
    // 404 for an unknown applicant; the description is the emulator's.
    error(StatusCode::NOT_FOUND, "Applicant not found", None)
}

/// The app token's public part: what comes before its dot ("the private part of the token
/// (after dot)", error 4002).
fn public_part(token: &str) -> Option<&str> {
    token.rsplit_once('.').map(|(public, _)| public)
}

/// Why a request is refused before it is served, checked in this order (the order is the
/// emulator's choice): the three headers present (4006), the token known (4001, or 4002 when
/// only its private part differs), the timestamp decimal seconds (4005) within
/// [`WINDOW_SECONDS`] of now (4004), the signature (4003). Descriptions as
/// <https://docs.sumsub.com/reference/error-codes-description> gives them; `errorName` only
/// where the documents show one (4003 as spelled in their sample, with its space; 4004).
///
/// The signed path is the request target as received, the emulator's `/sumsub` prefix included,
/// as Sumsub signs the path its server receives ("the URI with query parameters",
/// <https://docs.sumsub.com/reference/authentication>): a client pointed at a base URL with a
/// path signs that path too. Compared over the target's bytes as received: nothing is decoded,
/// re-encoded or sorted.
pub(crate) fn refusal(
    config: &Config,
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
    now: i64,
) -> Option<Response> {
    let (Some(token), Some(ts), Some(sig)) = (
        headers.get("x-app-token"),
        headers.get("x-app-access-ts"),
        headers.get("x-app-access-sig"),
    ) else {
        return Some(unauthorized(
            "Not all required authorization headers were provided.",
            4006,
            None,
        ));
    };
    let (Ok(token), Ok(ts), Ok(sig)) = (token.to_str(), ts.to_str(), sig.to_str()) else {
        return Some(unauthorized(
            "Invalid authentication header values were provided.",
            4005,
            None,
        ));
    };
    if token != config.sumsub_app_token {
        let public = public_part(&config.sumsub_app_token);
        if public.is_some() && public_part(token) == public {
            return Some(unauthorized(
                "Private part of the token (after dot) does not match public part.",
                4002,
                None,
            ));
        }
        return Some(unauthorized("App token does not exist.", 4001, None));
    }
    let seconds = (!ts.is_empty() && ts.len() <= 18 && ts.bytes().all(|b| b.is_ascii_digit()))
        .then(|| ts.parse::<i64>().ok())
        .flatten();
    let Some(seconds) = seconds else {
        return Some(unauthorized(
            "Invalid authentication header values were provided.",
            4005,
            None,
        ));
    };
    if (now - seconds).abs() > WINDOW_SECONDS {
        return Some(unauthorized(
            "X-App-Access-Ts does not match the number of seconds since Unix Epoch in UTC.",
            4004,
            Some("app-token-request-expired"),
        ));
    }
    let secret = &config.sumsub_secret_key;
    let received = format!("{PREFIX}{path_and_query}");
    if signature(secret, ts, method, &received, body) != sig {
        return Some(unauthorized(
            "Request signature mismatch",
            4003,
            Some("app-token-signature mismatch"),
        ));
    }
    None
}

/// The middleware in front of Sumsub's API routes: every request signed
/// ([`refusal`]), its body read once and handed on as it came.
pub(crate) async fn authenticate(State(app): State<App>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Uploaded file is too big (more than 64MB).",
            Some((1002, None)),
        );
    };
    // Under the nest, the target without `/sumsub`, its bytes as sent.
    let target = parts.uri.path_and_query().map_or(parts.uri.path(), |p| p.as_str());
    let now = Utc::now().timestamp();
    if let Some(refused) =
        refusal(&app.config, parts.method.as_str(), target, &parts.headers, &bytes, now)
    {
        return refused;
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// Whether the app token is a sandbox one: "sbx:" (<https://docs.sumsub.com/docs/app-tokens>).
pub(crate) fn sandbox(config: &Config) -> bool {
    config.sumsub_app_token.starts_with("sbx:")
}

/// A link request, in either form.
struct LinkRequest {
    level_name: String,
    user_id: String,
    ttl: u64,
    lang: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

fn text(map: &Map<String, Value>, key: &str) -> Result<Option<String>, Response> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad_request(&format!("Field '{key}' must be a string"))),
    }
}

fn ttl(value: Option<&Value>) -> Result<u64, Response> {
    let refused = || bad_request("Field 'ttlInSecs' must be a positive number of seconds");
    match value {
        None | Some(Value::Null) => Ok(DEFAULT_TTL_SECONDS),
        Some(Value::Number(n)) => n.as_u64().filter(|n| *n > 0).ok_or_else(refused),
        // The older form's query parameter.
        Some(Value::String(s)) => s.parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(refused),
        Some(_) => Err(refused()),
    }
}

/// The current form: the level `-` in the path, `levelName`, `userId`, `ttlInSecs`,
/// `applicantIdentifiers` (`email`, `phone`), `redirect` (`successUrl`, `rejectUrl`, …) and
/// `externalActionId` in the body, `lang` in the query. The older form: the level in the path,
/// `externalUserId`, `ttlInSecs` and `lang` in the query, the body `{}`.
/// (<https://docs.sumsub.com/reference/generate-websdk-external-link>, current and older
/// versions.) Which fields are required, and the refusals' wording, are the emulator's choice:
/// the level and the user id; unknown fields are ignored.
fn link_request(
    level: &str,
    query: &HashMap<String, String>,
    body: &[u8],
) -> Result<LinkRequest, Response> {
    let lang = query.get("lang").cloned();
    if level != "-" {
        let Some(user_id) = query.get("externalUserId").filter(|id| !id.is_empty()) else {
            return Err(bad_request("Parameter 'externalUserId' must be specified"));
        };
        let ttl = ttl(query.get("ttlInSecs").map(|s| Value::String(s.clone())).as_ref())?;
        let (level_name, user_id) = (level.to_owned(), user_id.clone());
        return Ok(LinkRequest { level_name, user_id, ttl, lang, email: None, phone: None });
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(body) else {
        return Err(bad_request("The request body must be a JSON object"));
    };
    let Some(level_name) = text(&body, "levelName")?.filter(|l| !l.is_empty()) else {
        return Err(bad_request("Existing level should be specified"));
    };
    let Some(user_id) = text(&body, "userId")?.filter(|id| !id.is_empty()) else {
        return Err(bad_request("Field 'userId' must be specified"));
    };
    let ttl = ttl(body.get("ttlInSecs"))?;
    let object = |key: &str| match body.get(key) {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(map)) => Ok(map.clone()),
        Some(_) => Err(bad_request(&format!("Field '{key}' must be an object"))),
    };
    let identifiers = object("applicantIdentifiers")?;
    let redirect = object("redirect")?;
    for key in ["successUrl", "rejectUrl", "signKey"] {
        text(&redirect, key)?;
    }
    text(&body, "externalActionId")?;
    let (email, phone) = (text(&identifiers, "email")?, text(&identifiers, "phone")?);
    Ok(LinkRequest { level_name, user_id, ttl, lang, email, phone })
}

/// `POST /resources/sdkIntegrations/levels/{levelName|-}/websdkLink`
/// (<https://docs.sumsub.com/reference/generate-websdk-external-link>): `200 {"url"}`, a link to
/// the emulator's hosted page (`/sumsub/websdk/p/{token}`, after Sumsub's
/// `https://in.sumsub.com/websdk/p/{token}`), valid `ttlInSecs`.
///
/// - The level must be one of the emulator's two; otherwise 400 "Existing level should be
///   specified" (the wording developers report for an unknown level; the emulator's choice).
/// - The same `userId` is the same applicant: "a permalink for a specific applicant"; each call
///   makes a new link, and the earlier ones stay valid until their own expiry, the applicant's
///   validity being its latest link's (the emulator's choice). An applicant of the other kind
///   (an individual asked at the company level, or the reverse) is refused with 400 ("a company
///   profile cannot use an individual level", <https://docs.sumsub.com/reference/create-applicant>).
/// - A deactivated applicant's user id is refused with 409, error 1008
///   (`applicant-marked-as-deleted`).
/// - The first link of a user id creates its applicant (`init`): whether Sumsub creates it then
///   or when the link is first opened is not documented; the emulator's choice, so polling finds
///   it at once. Its `applicantCreated` webhook is delivered before the link is answered.
pub(crate) async fn link(
    State(app): State<App>,
    Path(level): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let asked = match link_request(&level, &query, &body) {
        Ok(asked) => asked,
        Err(refused) => return refused,
    };
    let config = &app.config;
    let business = match asked.level_name.as_str() {
        name if name == config.sumsub_level_name => false,
        name if name == config.sumsub_kyb_level_name => true,
        name => {
            return bad_request(&format!(
                "Existing level should be specified (there is no level '{name}')"
            ));
        }
    };
    let now = Utc::now();
    let Some(expires) = i64::try_from(asked.ttl)
        .ok()
        .and_then(TimeDelta::try_seconds)
        .and_then(|ttl| now.checked_add_signed(ttl))
    else {
        return bad_request("Field 'ttlInSecs' is too large");
    };
    let (token, deliveries) = {
        let mut store = lock(&app.store);
        let token = store.next_token("sbs");
        match store.sumsub_applicant(&asked.user_id).map(str::to_owned) {
            Some(id) => {
                let Some(record) = store.by_id_mut(&id) else { return not_found() };
                if record.deleted {
                    return error(
                        StatusCode::CONFLICT,
                        "Applicant is marked as deleted/inactive. No action is allowed to change the status.",
                        Some((1008, Some("applicant-marked-as-deleted"))),
                    );
                }
                if record.business != business {
                    return bad_request(
                        "A company profile cannot use an individual level and vice versa",
                    );
                }
                record.expires = record.expires.max(expires);
                if let Some(applicant) = record.sumsub.as_mut() {
                    applicant.lang = asked.lang.or(applicant.lang.take());
                    applicant.email = asked.email.or(applicant.email.take());
                    applicant.phone = asked.phone.or(applicant.phone.take());
                }
                store.add_link(token.clone(), &id);
                (token, Vec::new())
            }
            None => {
                let id = store.next_applicant_id();
                let inspection_id = store.next_applicant_id();
                let mut record =
                    Record::new(Vendor::Sumsub, business, id, asked.user_id, now, expires);
                record.sumsub = Some(Box::new(SumsubApplicant {
                    level_name: asked.level_name,
                    inspection_id,
                    lang: asked.lang,
                    email: asked.email,
                    phone: asked.phone,
                    links: Vec::new(),
                    attempts: 0,
                    result: None,
                }));
                let deliveries: Vec<Delivery> =
                    webhooks::sumsub(&app, &record, "applicantCreated").into_iter().collect();
                store.insert(token.clone(), record);
                (token, deliveries)
            }
        }
    };
    if let Err(error) = webhooks::deliver(&app.http, deliveries).await {
        tracing::warn!(%error, "the emulator could not deliver a webhook");
    }
    let url = format!("{}{PREFIX}/websdk/p/{token}", config.base_url);
    (StatusCode::OK, Json(json!({ "url": url }))).into_response()
}

/// The applicant an `{applicant}` path segment names: `-;externalUserId={id}` (deactivated ones
/// "considered non-existent", so not found), or an `applicantId` (deactivated ones answer, with
/// `deleted: true`).
fn named<'a>(store: &'a crate::store::Store, segment: &str) -> Option<&'a Record> {
    match segment.strip_prefix("-;externalUserId=") {
        Some(user) => store
            .sumsub_applicant(user)
            .and_then(|id| store.by_id(id))
            .filter(|r| r.vendor == Vendor::Sumsub && !r.deleted),
        None => store.by_id(segment).filter(|r| r.vendor == Vendor::Sumsub),
    }
}

/// `GET /resources/applicants/-;externalUserId={id}/one` and `GET /resources/applicants/{id}/one`:
/// the applicant (<https://docs.sumsub.com/reference/get-applicant-data-via-externaluserid>).
pub(crate) async fn applicant(State(app): State<App>, Path(segment): Path<String>) -> Response {
    let store = lock(&app.store);
    match named(&store, &segment) {
        Some(record) => Json(applicant_body(record)).into_response(),
        None => not_found(),
    }
}

/// `GET /resources/applicants/-/byExternalUserId/{id}`: `{"exists": false}` or `{"exists": true,
/// "applicant": {…}}`, never 404 (<https://docs.sumsub.com/reference/check-applicant-existence-by-externaluserid>).
pub(crate) async fn exists(
    State(app): State<App>,
    Path((dash, user)): Path<(String, String)>,
) -> Response {
    if dash != "-" {
        return not_found();
    }
    let store = lock(&app.store);
    let found = store
        .sumsub_applicant(&user)
        .and_then(|id| store.by_id(id))
        .filter(|r| r.vendor == Vendor::Sumsub && !r.deleted);
    match found {
        Some(record) => {
            let applicant = applicant_body(record);
            Json(json!({"exists": true, "applicant": applicant})).into_response()
        }
        None => Json(json!({"exists": false})).into_response(),
    }
}

/// `GET /resources/applicants/{applicantId}/status`: the review status object
/// (<https://docs.sumsub.com/reference/get-applicant-review-status>).
pub(crate) async fn status(State(app): State<App>, Path(id): Path<String>) -> Response {
    let store = lock(&app.store);
    let Some(record) = store.by_id(&id).filter(|r| r.vendor == Vendor::Sumsub) else {
        return not_found();
    };
    let now = Utc::now();
    let mut body = review(record).to_value();
    if let (Value::Object(map), Some((_, at))) = (&mut body, record.decision) {
        let elapsed = (now - at).num_milliseconds().max(0);
        map.insert("elapsedSincePendingMs".into(), elapsed.into());
        map.insert("elapsedSinceQueuedMs".into(), elapsed.into());
    }
    if let Value::Object(map) = &mut body {
        map.insert("reprocessing".into(), false.into());
    }
    Json(body).into_response()
}

/// `POST /resources/applicants/{applicantId}/status/testCompleted`
/// (<https://docs.sumsub.com/reference/set-review-for-applicant-on-sandbox>): sets the review's
/// result, `reviewAnswer` (`GREEN` or `RED`) and `rejectLabels` (required, may be empty), with
/// `reviewRejectType` (`FINAL`, `RETRY`), `moderationComment` and `clientComment`, and sends
/// `applicantReviewed` before answering.
///
/// The emulator's choices where the documents are silent: the answer `{"ok": 1}`; `RED` without
/// `reviewRejectType` is `FINAL`; any applicant may be completed, from `init` as from a
/// decision (a later result replaces an earlier one, as Sumsub's may); a token without the
/// `sbx:` prefix is refused with 403, a deactivated applicant with 409 error 1008.
pub(crate) async fn test_completed(
    State(app): State<App>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if !sandbox(&app.config) {
        return error(
            StatusCode::FORBIDDEN,
            "Test review results can be set in the sandbox only",
            None,
        );
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&body) else {
        return bad_request("The request body must be a JSON object");
    };
    let verdict = match (text(&body, "reviewAnswer"), text(&body, "reviewRejectType")) {
        (Err(refused), _) | (_, Err(refused)) => return refused,
        (Ok(Some(answer)), _) if answer == "GREEN" => Verdict::Approve,
        (Ok(Some(answer)), Ok(kind)) if answer == "RED" => match kind.as_deref() {
            None | Some("FINAL") => Verdict::Decline,
            Some("RETRY") => Verdict::Resubmit,
            Some(_) => return bad_request("Field 'reviewRejectType' must be FINAL or RETRY"),
        },
        _ => return bad_request("Field 'reviewAnswer' must be GREEN or RED"),
    };
    let labels = match body.get("rejectLabels") {
        Some(Value::Array(labels)) if labels.iter().all(Value::is_string) => {
            labels.iter().filter_map(Value::as_str).map(str::to_owned).collect()
        }
        _ => return bad_request("Field 'rejectLabels' must be a list of labels"),
    };
    let (moderation_comment, client_comment) =
        match (text(&body, "moderationComment"), text(&body, "clientComment")) {
            (Ok(moderation), Ok(client)) => (moderation, client),
            (Err(refused), _) | (_, Err(refused)) => return refused,
        };
    let deliveries = {
        let mut store = lock(&app.store);
        let Some(record) = store.by_id_mut(&id).filter(|r| r.vendor == Vendor::Sumsub) else {
            return not_found();
        };
        if record.deleted {
            return error(
                StatusCode::CONFLICT,
                "Applicant is marked as deleted/inactive. No action is allowed to change the status.",
                Some((1008, Some("applicant-marked-as-deleted"))),
            );
        }
        let now = Utc::now();
        record.decision = Some((verdict, now));
        record.pending = None;
        record.reviewed = false;
        if let Some(applicant) = record.sumsub.as_mut() {
            applicant.attempts = applicant.attempts.max(1);
            applicant.result =
                Some(SumsubResult { reject_labels: labels, moderation_comment, client_comment });
        }
        webhooks::sumsub(&app, record, "applicantReviewed").into_iter().collect::<Vec<_>>()
    };
    if let Err(error) = webhooks::deliver(&app.http, deliveries).await {
        tracing::warn!(%error, "the emulator could not deliver a webhook");
    }
    Json(json!({"ok": 1})).into_response()
}

/// `PATCH /resources/applicants/{applicantId}/presence/{deactivated|activated}`
/// (<https://docs.sumsub.com/reference/deactivate-applicant-profile>): the applicant, with
/// `deleted: true` once deactivated; then `applicantDeactivated` (or `applicantActivated`),
/// delivered before answering. A deactivated applicant counts as non-existent: lookups by its
/// external user id answer 404, its links 404, new links for its user id 409 (error 1008).
///
/// Refused (the emulator's choices for what the documents leave open): while being checked
/// ("not allowed while pending", in the emulator a review under way) with 409; deactivating a
/// deactivated applicant, or activating an active one, with 409 error 3000 (already in the
/// requested state); another word than the two with 404.
pub(crate) async fn presence(
    State(app): State<App>,
    Path((id, presence)): Path<(String, String)>,
) -> Response {
    let deactivate = match presence.as_str() {
        "deactivated" => true,
        "activated" => false,
        _ => return error(StatusCode::NOT_FOUND, "Not found", None),
    };
    let (answer, deliveries) = {
        let mut store = lock(&app.store);
        let Some(record) = store.by_id_mut(&id).filter(|r| r.vendor == Vendor::Sumsub) else {
            return not_found();
        };
        if record.deleted == deactivate {
            return error(
                StatusCode::CONFLICT,
                "Attempt to change the status of the applicant against the logic: the applicant is already in the required state.",
                Some((3000, None)),
            );
        }
        if deactivate && record.pending.is_some() {
            return error(
                StatusCode::CONFLICT,
                "Applicant is being checked: it cannot be deactivated now.",
                None,
            );
        }
        record.deleted = deactivate;
        let event = if deactivate { "applicantDeactivated" } else { "applicantActivated" };
        let deliveries: Vec<Delivery> = webhooks::sumsub(&app, record, event).into_iter().collect();
        (applicant_body(record), deliveries)
    };
    if let Err(error) = webhooks::deliver(&app.http, deliveries).await {
        tracing::warn!(%error, "the emulator could not deliver a webhook");
    }
    Json(answer).into_response()
}

/// A JSON value whose objects keep their fields' order, for the webhooks' exact bytes.
#[derive(Clone, Debug)]
pub(crate) enum Ordered {
    Bool(bool),
    Int(i64),
    Text(String),
    List(Vec<Ordered>),
    Object(Vec<(&'static str, Ordered)>),
}

impl From<&str> for Ordered {
    fn from(text: &str) -> Self {
        Self::Text(text.to_owned())
    }
}

impl From<String> for Ordered {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl Ordered {
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Self::Bool(b) => Value::Bool(*b),
            Self::Int(n) => Value::from(*n),
            Self::Text(s) => Value::String(s.clone()),
            Self::List(items) => Value::Array(items.iter().map(Self::to_value).collect()),
            Self::Object(fields) => Value::Object(
                fields.iter().map(|(key, value)| ((*key).to_owned(), value.to_value())).collect(),
            ),
        }
    }

    /// Printed as Jackson's default pretty printer prints, as Sumsub's webhooks come: objects
    /// one field a line, indented by two, `"key" : value`; lists on one line, `[ "a", "b" ]`;
    /// no trailing newline (the sandbox captures of <https://docs.sumsub.com/docs/user-verification-webhooks>'
    /// payloads; an exact body verifies only over its raw bytes).
    pub(crate) fn pretty(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out
    }

    fn write(&self, out: &mut String, depth: usize) {
        match self {
            Self::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Self::Int(n) => out.push_str(&n.to_string()),
            Self::Text(s) => out.push_str(&Value::String(s.clone()).to_string()),
            Self::List(items) if items.is_empty() => out.push_str("[ ]"),
            Self::List(items) => {
                out.push_str("[ ");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write(out, depth);
                }
                out.push_str(" ]");
            }
            Self::Object(fields) if fields.is_empty() => out.push_str("{ }"),
            Self::Object(fields) => {
                out.push('{');
                for (i, (key, value)) in fields.iter().enumerate() {
                    out.push_str(if i > 0 { ",\n" } else { "\n" });
                    out.push_str(&"  ".repeat(depth + 1));
                    out.push_str(&Value::String((*key).to_owned()).to_string());
                    out.push_str(" : ");
                    value.write(out, depth + 1);
                }
                out.push('\n');
                out.push_str(&"  ".repeat(depth));
                out.push('}');
            }
        }
    }
}

/// `reviewStatus` (<https://docs.sumsub.com/docs/applicant-statuses>): `init` until the person
/// submits (a link run out leaves it so: Sumsub has no expiry status), `pending` while the
/// submission is checked, `onHold` while a person reviews it, then `completed`.
pub(crate) fn review_status(record: &Record) -> &'static str {
    match (record.decision, record.pending) {
        (None, _) => "init",
        (Some(_), Some(Pending::Review)) => "onHold",
        (Some(_), Some(Pending::Processing)) => "pending",
        (Some(_), None) => "completed",
    }
}

/// `reviewResult` once `completed` (<https://docs.sumsub.com/docs/receive-and-interpret-results-via-api>):
/// `GREEN` alone (the documents' GREEN result has no labels nor reject type); `RED` with
/// `moderationComment`, `clientComment`, `rejectLabels` and `reviewRejectType` (`FINAL`, or
/// `RETRY`: the person may resubmit). The labels and comments are those `testCompleted` set,
/// else the emulator's: `FORGERY` for a final rejection, `UNSATISFACTORY_PHOTOS` for a retry.
pub(crate) fn review_result(record: &Record) -> Option<Ordered> {
    let (verdict, _) = record.decision.filter(|_| record.pending.is_none())?;
    let kind = match verdict {
        Verdict::Approve => return Some(Ordered::Object(vec![("reviewAnswer", "GREEN".into())])),
        Verdict::Resubmit => "RETRY",
        // Onfido's outcomes are not Sumsub's: never asked of it.
        Verdict::Decline | Verdict::Suspect | Verdict::Review | Verdict::Error => "FINAL",
    };
    let set = record.sumsub.as_ref().and_then(|a| a.result.clone());
    let SumsubResult { reject_labels, moderation_comment, client_comment } =
        set.unwrap_or_else(|| match kind {
            "RETRY" => SumsubResult {
                reject_labels: vec!["UNSATISFACTORY_PHOTOS".into()],
                moderation_comment: Some(
                    "The photos are not clear enough. Please upload them again.".into(),
                ),
                client_comment: Some("Unreadable photos (emulated).".into()),
            },
            _ => SumsubResult {
                reject_labels: vec!["FORGERY".into()],
                moderation_comment: Some("We could not verify your profile.".into()),
                client_comment: Some("Suspected document forgery (emulated).".into()),
            },
        });
    let mut fields = Vec::new();
    if let Some(comment) = moderation_comment {
        fields.push(("moderationComment", comment.into()));
    }
    if let Some(comment) = client_comment {
        fields.push(("clientComment", comment.into()));
    }
    fields.push(("reviewAnswer", "RED".into()));
    fields.push((
        "rejectLabels",
        Ordered::List(reject_labels.into_iter().map(Ordered::Text).collect()),
    ));
    fields.push(("reviewRejectType", kind.into()));
    Some(Ordered::Object(fields))
}

/// Review dates as Sumsub writes them: `2023-10-16 13:39:34+0000`.
fn zoned(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S+0000").to_string()
}

fn level_name(record: &Record) -> String {
    record.sumsub.as_ref().map(|a| a.level_name.clone()).unwrap_or_default()
}

/// Short ids derived from the applicant (`reviewId`, `attemptId`: five letters in Sumsub's
/// samples; the emulator's choice).
fn short_id(record: &Record, salt: &str) -> String {
    let attempts = record.sumsub.as_ref().map_or(0, |a| a.attempts);
    let seed = crate::store::uuid_from(&format!("{}{salt}{attempts}", record.id));
    seed.chars().filter(char::is_ascii_alphanumeric).take(5).collect()
}

/// The `review` object of an applicant, and the body of `/status`.
fn review(record: &Record) -> Ordered {
    let attempts = record.sumsub.as_ref().map_or(0, |a| a.attempts);
    let mut fields = vec![
        ("reviewId", short_id(record, "review").into()),
        ("attemptId", short_id(record, "attempt").into()),
        ("attemptCnt", Ordered::Int(i64::from(attempts))),
        ("levelName", level_name(record).into()),
        ("createDate", zoned(record.created).into()),
    ];
    if let Some((_, at)) = record.decision.filter(|_| record.pending.is_none()) {
        fields.push(("reviewDate", zoned(at).into()));
    }
    if let Some(result) = review_result(record) {
        fields.push(("reviewResult", result));
    }
    fields.push(("reviewStatus", review_status(record).into()));
    fields.push(("priority", Ordered::Int(0)));
    Ordered::Object(fields)
}

/// The applicant (<https://docs.sumsub.com/reference/get-applicant-data>): `id`, `createdAt`
/// (`2023-10-16 13:34:54`, UTC without a zone), `key`, `clientId`, `inspectionId`,
/// `externalUserId`, `email`, `phone` and `lang` when known, `type` (`individual` or
/// `company`), `applicantPlatform`, `requiredIdDocs`, `review`, and `deleted: true` once
/// deactivated. A company has an `info.companyInfo`. Placeholder values (the `key`, the
/// documents asked, the company) are the emulator's choice.
pub(crate) fn applicant_body(record: &Record) -> Value {
    let applicant = record.sumsub.as_deref();
    let mut fields = vec![
        ("id", record.id.clone().into()),
        ("createdAt", record.created.format("%Y-%m-%d %H:%M:%S").to_string().into()),
        ("key", "KYCEMULATOR".into()),
        ("clientId", CLIENT_ID.into()),
        ("inspectionId", applicant.map(|a| a.inspection_id.clone()).unwrap_or_default().into()),
        ("externalUserId", record.client_id.clone().into()),
    ];
    for (key, value) in [
        ("email", applicant.and_then(|a| a.email.clone())),
        ("phone", applicant.and_then(|a| a.phone.clone())),
        ("lang", applicant.and_then(|a| a.lang.clone())),
    ] {
        if let Some(value) = value {
            fields.push((key, value.into()));
        }
    }
    let doc_set = |kind: &str, types: &[&str]| {
        Ordered::Object(vec![
            ("idDocSetType", kind.into()),
            ("types", Ordered::List(types.iter().map(|t| (*t).into()).collect())),
        ])
    };
    let (kind, doc_sets) = if record.business {
        ("company", vec![doc_set("COMPANY", &["COMPANY_DOC"])])
    } else {
        (
            "individual",
            vec![
                doc_set("IDENTITY", &["PASSPORT", "ID_CARD", "DRIVERS"]),
                doc_set("SELFIE", &["SELFIE"]),
            ],
        )
    };
    if record.business {
        let company = Ordered::Object(vec![
            ("companyName", "Emulated Company Ltd".into()),
            ("registrationNumber", "00000000".into()),
            ("country", "GBR".into()),
        ]);
        fields.push(("info", Ordered::Object(vec![("companyInfo", company)])));
    }
    fields.push(("type", kind.into()));
    fields.push(("applicantPlatform", "Web".into()));
    fields.push(("requiredIdDocs", Ordered::Object(vec![("docSets", Ordered::List(doc_sets))])));
    fields.push(("review", review(record)));
    if record.deleted {
        fields.push(("deleted", Ordered::Bool(true)));
    }
    Ordered::Object(fields).to_value()
}

/// A webhook's body (<https://docs.sumsub.com/docs/user-verification-webhooks>), its fields in
/// the order of Sumsub's deliveries: `applicantId`, `inspectionId`, `applicantType`,
/// `correlationId`, `levelName`, `sandboxMode`, `externalUserId`, `type`, `reviewResult` (on
/// `applicantReviewed`), `reviewStatus`, `createdAt` (`2024-05-14 16:00:25+0000`),
/// `createdAtMs` (`2024-05-14 16:00:25.032`: a string, not epoch milliseconds) and `clientId`;
/// pretty-printed as Sumsub's are ([`Ordered::pretty`]). `reviewStatus` is the event's:
/// `init` on `applicantCreated`, `pending` on `applicantPending`, `onHold` on `applicantOnHold`,
/// `completed` on `applicantReviewed`, the applicant's on the others.
pub(crate) fn webhook_body(
    config: &Config,
    record: &Record,
    event: &str,
    now: DateTime<Utc>,
) -> Vec<u8> {
    let status = match event {
        "applicantCreated" => "init",
        "applicantPending" => "pending",
        "applicantOnHold" => "onHold",
        "applicantReviewed" => "completed",
        _ => review_status(record),
    };
    let inspection_id = record.sumsub.as_ref().map(|a| a.inspection_id.clone()).unwrap_or_default();
    let mut fields = vec![
        ("applicantId", record.id.clone().into()),
        ("inspectionId", inspection_id.into()),
        ("applicantType", if record.business { "company" } else { "individual" }.into()),
        ("correlationId", request_id().into()),
        ("levelName", level_name(record).into()),
        ("sandboxMode", Ordered::Bool(sandbox(config))),
        ("externalUserId", record.client_id.clone().into()),
        ("type", event.into()),
    ];
    if event == "applicantReviewed"
        && let Some(result) = review_result(record)
    {
        fields.push(("reviewResult", result));
    }
    fields.push(("reviewStatus", status.into()));
    fields.push(("createdAt", zoned(now).into()));
    fields.push(("createdAtMs", now.format("%Y-%m-%d %H:%M:%S%.3f").to_string().into()));
    fields.push(("clientId", CLIENT_ID.into()));
    Ordered::Object(fields).pretty().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "Hej2ch71kG2kTd1iIUDZFNsO5C1lh5Gq";

    /// The signature vectors of the reference (V1's signing string is the one
    /// <https://docs.sumsub.com/reference/authentication> prints), and its negatives.
    #[test]
    fn signatures_match_the_vectors() {
        let vectors = [
            (
                "1607551635",
                "POST",
                "/resources/accessTokens?userId=cfd20712-24a2-4c7d-9ab0-146f3c142335&levelName=basic-kyc-level&ttlInSecs=600",
                "",
                "1e1856be1c1e1ff113e5664acac6b423ffefe04ad42ff36567622ef56f62c4b1",
            ),
            (
                "1700000000",
                "POST",
                "/resources/sdkIntegrations/levels/-/websdkLink?lang=en",
                r#"{"levelName":"basic-kyc-level","userId":"user-42","applicantIdentifiers":{"email":"jane@example.com"},"ttlInSecs":1800}"#,
                "088d7067bde37eb0176d535577bd2e31e3c23d5e7197c30eece4063f76c0f0ed",
            ),
            (
                "1700000000",
                "GET",
                "/resources/applicants/-;externalUserId=user-42/one",
                "",
                "66bfadf410ab8e05c2e7ad17f4d19c701f9dc625c04dd52fc942fed337635fad",
            ),
            (
                "1700000000",
                "POST",
                "/resources/sdkIntegrations/levels/basic-kyc-level/websdkLink?ttlInSecs=1800&externalUserId=user-42&lang=en",
                "{}",
                "3b165678724da4b2e2e40cc929f3c504af5821d3f3d1923f396e22e59a16f6d1",
            ),
            (
                "1700000000",
                "POST",
                "/resources/applicants/65f0c2b1e4b0a1a2b3c4d5e6/status/testCompleted",
                r#"{"reviewAnswer":"RED","rejectLabels":["UNSATISFACTORY_PHOTOS","SCREENSHOTS"],"reviewRejectType":"RETRY"}"#,
                "a0b5437975e8d38ff8ec29a315afb27c51e9b83dc0ffa08903ed2e543bd0432b",
            ),
            (
                "1700000000",
                "GET",
                "/resources/applicants/-;externalUserId=user%40example.com/one",
                "",
                "2bbb2428d460bd5a11b044d62b51c9823ba5a1818ccea826d0fe924fb5eae152",
            ),
        ];
        for (ts, method, path, body, expected) in vectors {
            assert_eq!(signature(SECRET, ts, method, path, body.as_bytes()), expected, "{path}");
        }
        // The pitfalls: a re-serialized body, the query left out, the method in lower case.
        let spaced = r#"{"levelName": "basic-kyc-level", "userId": "user-42", "applicantIdentifiers": {"email": "jane@example.com"}, "ttlInSecs": 1800}"#;
        let path = "/resources/sdkIntegrations/levels/-/websdkLink";
        assert_eq!(
            signature(SECRET, "1700000000", "POST", &format!("{path}?lang=en"), spaced.as_bytes()),
            "1a0fce6e50e8dbdd25e86fa42e1a4286322b4a9a491939b71fe4d6132a60a785"
        );
        let compact = r#"{"levelName":"basic-kyc-level","userId":"user-42","applicantIdentifiers":{"email":"jane@example.com"},"ttlInSecs":1800}"#;
        assert_eq!(
            signature(SECRET, "1700000000", "POST", path, compact.as_bytes()),
            "71a36cbac411f529f0a80c675d5e3a0d7ad8283aea3713ab739952e1d4acec6e"
        );
        let one = "/resources/applicants/-;externalUserId=user-42/one";
        assert_eq!(
            signature(SECRET, "1700000000", "get", one, b""),
            "9de007d8309e9128f111da6f743a827ac77a2a4e94aeeb8502e7e7be7006a8f4"
        );
    }

    /// The reference's `applicantReviewed` example, printed by [`Ordered::pretty`], is its
    /// 767 bytes: the digest vectors W2 hold.
    #[test]
    fn webhooks_print_as_sumsubs_and_digest_as_documented() {
        let body = Ordered::Object(vec![
            ("applicantId", "5cb744200a975a67ed1798a4".into()),
            ("inspectionId", "5cb744200a975a67ed1798a5".into()),
            ("applicantType", "individual".into()),
            ("correlationId", "req-fa94263f-0b23-42d7-9393-ab10b28ef42d".into()),
            ("levelName", "basic-kyc-level".into()),
            ("sandboxMode", Ordered::Bool(true)),
            ("externalUserId", "user-42".into()),
            ("type", "applicantReviewed".into()),
            (
                "reviewResult",
                Ordered::Object(vec![
                    (
                        "moderationComment",
                        "We do not accept screenshots. Please upload an original photo.".into(),
                    ),
                    ("clientComment", "Screenshots are not accepted.".into()),
                    ("reviewAnswer", "RED".into()),
                    (
                        "rejectLabels",
                        Ordered::List(vec!["UNSATISFACTORY_PHOTOS".into(), "SCREENSHOTS".into()]),
                    ),
                    ("reviewRejectType", "RETRY".into()),
                ]),
            ),
            ("reviewStatus", "completed".into()),
            ("createdAt", "2024-05-14 16:00:25+0000".into()),
            ("createdAtMs", "2024-05-14 16:00:25.032".into()),
            ("clientId", "coolClientId".into()),
        ]);
        let printed = body.pretty();
        assert_eq!(printed.len(), 767);
        assert!(printed.starts_with("{\n  \"applicantId\" : \"5cb744200a975a67ed1798a4\",\n"));
        assert!(
            printed.contains("\"rejectLabels\" : [ \"UNSATISFACTORY_PHOTOS\", \"SCREENSHOTS\" ],")
        );
        assert!(printed.ends_with("\"clientId\" : \"coolClientId\"\n}"));
        let secret = "whsec-example-0123456789";
        assert_eq!(
            SumsubDigest::HmacSha256Hex.digest(secret, printed.as_bytes()),
            "47b08c699de0d61cf017282638361b3d7d3223d5bfe75ac586a9a61c95d5d0d6"
        );
        assert_eq!(
            SumsubDigest::HmacSha512Hex.digest(secret, printed.as_bytes()),
            "29a810f91bab6a23fd5f431252db61582bc2c0eb8979eb39e10c6cd48110eaaf0d30e00e03077520ed72851037ba790647dbf550f9a9abfb6e4da7e11869f305"
        );
        assert_eq!(body.to_value().to_string().len(), 660, "the compact form the docs warn of");
        assert_eq!(Ordered::List(Vec::new()).pretty(), "[ ]");
        assert_eq!(Ordered::Object(Vec::new()).pretty(), "{ }");
    }
}
