//! A loopback stand-in for Acme ID's API, so the example and its test run offline: it checks the
//! API key and the body as Acme's documentation says, answers with the documented shapes, keeps
//! the checks it created (their hosted page, their status, their signed webhooks), and counts the
//! create requests it received, so a test can prove that a refused request was never sent.
//!
//! It is written from the API description in `docs/writing-a-provider.md`, not from the adapter,
//! so a misunderstanding in the adapter fails a test instead of being mirrored. Faults a real
//! deployment shows now and then (a rate limit, the CDN's HTML error page, a garbled answer) are
//! queued with [`AcmeServer::push_fault`].

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

/// The test API key the server accepts.
pub(crate) const API_KEY: &str = "ak_test_5f3c9a1e7b2d4c60";
/// A key that was valid once: Acme answers it with `400 api_key_expired`.
pub(crate) const EXPIRED_API_KEY: &str = "ak_test_0000expired0000";
/// The key the server signs webhooks with.
pub(crate) const WEBHOOK_KEY: &str = "whsec_acme_example_3d1f0b";

const LANGUAGES: [&str; 6] = ["en", "de", "fr", "es", "lt", "pl"];
const EXPIRES_IN: std::ops::RangeInclusive<u64> = 300..=7 * 24 * 3600;
const DEFAULT_EXPIRES_IN: u64 = 24 * 3600;

/// A running server; clones share it.
#[derive(Clone, Debug)]
pub(crate) struct AcmeServer {
    base_url: String,
    store: Arc<Mutex<Store>>,
}

#[derive(Debug, Default)]
struct Store {
    create_requests: usize,
    /// Checks the plan has left; `None` for no limit.
    quota: Option<usize>,
    enhanced_enabled: bool,
    faults: VecDeque<Fault>,
    checks: HashMap<String, Check>,
    /// Link token → check id.
    links: HashMap<String, String>,
    created: u64,
}

#[derive(Debug)]
struct Check {
    reference: String,
    status: &'static str,
    decided_at: Option<String>,
    reason: Option<&'static str>,
}

/// What the next create request meets instead of Acme's API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    /// `429 rate_limited` with `Retry-After`.
    RateLimited {
        /// The `Retry-After` seconds.
        retry_after_secs: u64,
    },
    /// The CDN in front of Acme answers with its own HTML page.
    GatewayPage {
        /// Its status (502, 504, ...).
        status: u16,
    },
    /// A `201` whose body is not JSON.
    GarbledSuccess,
    /// A `201` whose link is plain http off loopback.
    InsecureLink,
}

/// How a check ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Verified.
    Passed,
    /// Refused.
    Failed,
    /// The link was never used in time.
    Expired,
}

/// A webhook as Acme delivers it: the raw body and its `Acme-Signature`.
#[derive(Clone, Debug)]
pub(crate) struct Delivery {
    /// The hex HMAC-SHA256 of `body` under the webhook key.
    pub(crate) signature: String,
    /// The JSON body, as sent.
    pub(crate) body: Vec<u8>,
}

impl Delivery {
    /// The headers the delivery comes with.
    pub(crate) fn headers(&self) -> http::HeaderMap {
        let mut headers = http::HeaderMap::new();
        headers
            .insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
        if let Ok(signature) = http::HeaderValue::from_str(&self.signature) {
            headers.insert("acme-signature", signature);
        }
        headers
    }
}

impl AcmeServer {
    /// Starts a server on a fresh port of 127.0.0.1, with no quota and only the `standard`
    /// workflow enabled.
    pub(crate) async fn start() -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let server = Self { base_url, store: Arc::default() };
        let app = Router::new()
            .route("/v2/checks", post(create_check))
            .route("/v2/checks/{id}", get(get_check))
            .route("/verify/{token}", get(hosted_page))
            .with_state(server.clone());
        tokio::spawn(async move {
            // Serves until the runtime shuts down; a failed accept loop ends the example's
            // requests with transport errors, which is what a dead vendor looks like.
            let _ = axum::serve(listener, app).await;
        });
        Ok(server)
    }

    /// Where the API is (`http://127.0.0.1:<port>`).
    pub(crate) fn base_url(&self) -> &str {
        &self.base_url
    }

    /// How many `POST /v2/checks` requests arrived, refused ones included.
    pub(crate) fn create_requests(&self) -> usize {
        self.lock().create_requests
    }

    /// Limits the checks the plan has left (`Some(0)`: every create is `402 quota_exceeded`).
    pub(crate) fn set_quota(&self, quota: Option<usize>) {
        self.lock().quota = quota;
    }

    /// Enables the `enhanced` workflow for the account.
    pub(crate) fn enable_enhanced_workflow(&self) {
        self.lock().enhanced_enabled = true;
    }

    /// Queues a fault for the next create request.
    pub(crate) fn push_fault(&self, fault: Fault) {
        self.lock().faults.push_back(fault);
    }

    /// Ends check `id` with `verdict` and returns the webhook Acme sends about it, or `None`
    /// for an unknown check.
    pub(crate) fn decide(&self, id: &str, verdict: Verdict) -> Option<Delivery> {
        let mut store = self.lock();
        let check = store.checks.get_mut(id)?;
        let (status, event, reason) = match verdict {
            Verdict::Passed => ("passed", "check.completed", None),
            Verdict::Failed => ("failed", "check.completed", Some("document_unreadable")),
            Verdict::Expired => ("expired", "check.expired", None),
        };
        let decided_at = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
        check.status = status;
        check.decided_at = Some(decided_at);
        check.reason = reason;
        let mut body = state_json(id, check);
        body["event"] = json!(event);
        let body = body.to_string().into_bytes();
        // The standard HMAC-SHA256, computed with the kit's helper only because this example
        // has no `hmac` dependency of its own.
        let signature = kyc_adapter::webhook::hex_hmac(WEBHOOK_KEY.as_bytes(), &body);
        Some(Delivery { signature, body })
    }

    fn lock(&self) -> MutexGuard<'_, Store> {
        // A panicking test thread must not take the server down for the others.
        self.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// `{error: {code, message, field?}}` with `status`.
fn refusal(status: StatusCode, code: &str, message: &str, field: Option<&str>) -> Response {
    let mut error = json!({"code": code, "message": message});
    if let Some(field) = field {
        error["field"] = json!(field);
    }
    (status, axum::Json(json!({ "error": error }))).into_response()
}

fn invalid_field(field: &str, message: &str) -> Response {
    refusal(StatusCode::BAD_REQUEST, "invalid_field", message, Some(field))
}

/// The authentication every endpoint runs first; `None` when the key is good.
fn authenticate(headers: &HeaderMap) -> Option<Response> {
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    match key {
        Some(API_KEY) => None,
        Some(EXPIRED_API_KEY) => Some(refusal(
            StatusCode::BAD_REQUEST,
            "api_key_expired",
            "this API key has expired; create a new one in the dashboard",
            None,
        )),
        _ => Some(refusal(StatusCode::UNAUTHORIZED, "invalid_api_key", "invalid API key", None)),
    }
}

/// The documented body of `POST /v2/checks`; unknown fields are refused.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckRequest {
    reference: String,
    given_name: Option<String>,
    family_name: Option<String>,
    language: Option<String>,
    return_url: Option<String>,
    expires_in: Option<u64>,
    workflow: Option<String>,
    max_attempts: Option<u32>,
}

/// The first documented rule `request` breaks: the field and Acme's message for it.
fn validate(request: &CheckRequest) -> Result<(), (&'static str, &'static str)> {
    let reference = &request.reference;
    if reference.is_empty()
        || reference.len() > 128
        || !reference.chars().all(|c| c.is_ascii_graphic() || c == ' ')
    {
        return Err(("reference", "must be 1 to 128 printable ASCII characters"));
    }
    for (field, name) in
        [("given_name", &request.given_name), ("family_name", &request.family_name)]
    {
        let Some(name) = name else { continue };
        let letters =
            name.chars().all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '.'));
        if name.trim().is_empty() || name.chars().count() > 100 || !letters {
            return Err((
                field,
                "must be 1 to 100 letters, spaces, hyphens, apostrophes or periods",
            ));
        }
    }
    if let Some(language) = &request.language
        && !LANGUAGES.contains(&language.as_str())
    {
        return Err(("language", "must be one of en, de, fr, es, lt, pl"));
    }
    if let Some(url) = &request.return_url
        && !url::Url::parse(url).is_ok_and(|url| url.scheme() == "https")
    {
        return Err(("return_url", "must be an https URL"));
    }
    if let Some(seconds) = request.expires_in
        && !EXPIRES_IN.contains(&seconds)
    {
        return Err(("expires_in", "must be 300 to 604800 seconds"));
    }
    if let Some(workflow) = &request.workflow
        && !["standard", "enhanced"].contains(&workflow.as_str())
    {
        return Err(("workflow", "must be standard or enhanced"));
    }
    if request.workflow.as_deref() == Some("enhanced")
        && (request.given_name.is_none() || request.family_name.is_none())
    {
        return Err(("workflow", "enhanced needs given_name and family_name"));
    }
    if let Some(attempts) = request.max_attempts
        && !(1..=5).contains(&attempts)
    {
        return Err(("max_attempts", "must be 1 to 5"));
    }
    Ok(())
}

async fn create_check(
    State(server): State<AcmeServer>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut store = server.lock();
    store.create_requests += 1;
    // Faults come from in front of Acme (its CDN, its rate limiter): before any of its checks.
    if let Some(fault) = store.faults.pop_front() {
        return fault_answer(fault);
    }
    if let Some(refused) = authenticate(&headers) {
        return refused;
    }
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if !json {
        let message = "send application/json";
        return refusal(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            message,
            None,
        );
    }
    let request: CheckRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(error) if error.is_data() => {
            return refusal(StatusCode::BAD_REQUEST, "invalid_field", "unexpected field", None);
        }
        Err(_) => return refusal(StatusCode::BAD_REQUEST, "invalid_json", "malformed JSON", None),
    };
    if let Err((field, message)) = validate(&request) {
        return invalid_field(field, message);
    }
    if request.workflow.as_deref() == Some("enhanced") && !store.enhanced_enabled {
        let message = "the enhanced workflow is not enabled for this account";
        return refusal(StatusCode::FORBIDDEN, "workflow_not_enabled", message, Some("workflow"));
    }
    match store.quota {
        Some(0) => {
            let message = "the plan's checks are used up";
            return refusal(StatusCode::PAYMENT_REQUIRED, "quota_exceeded", message, None);
        }
        Some(left) => store.quota = Some(left - 1),
        None => {}
    }
    store.created += 1;
    let id = format!("chk_{:08x}{:08x}", store.created, random() as u32);
    let token = format!("{:016x}{:016x}", random(), random());
    let expires_in = request.expires_in.unwrap_or(DEFAULT_EXPIRES_IN);
    let expires_at = Utc::now() + chrono::TimeDelta::seconds(expires_in as i64);
    let check =
        Check { reference: request.reference, status: "pending", decided_at: None, reason: None };
    store.checks.insert(id.clone(), check);
    store.links.insert(token.clone(), id.clone());
    let answer = json!({
        "check_id": id,
        "link": format!("{}/verify/{token}", server.base_url),
        "expires_at": expires_at.to_rfc3339_opts(SecondsFormat::Secs, true),
    });
    (StatusCode::CREATED, axum::Json(answer)).into_response()
}

fn fault_answer(fault: Fault) -> Response {
    match fault {
        Fault::RateLimited { retry_after_secs } => {
            let mut answer =
                refusal(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "slow down", None);
            answer.headers_mut().insert(header::RETRY_AFTER, retry_after_secs.into());
            answer
        }
        Fault::GatewayPage { status } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            let page = format!(
                "<html><head><title>{status}</title></head><body><h1>{status}</h1>\
                 <p>The origin did not answer. Ray ID 7d3f9a2b1c.</p></body></html>"
            );
            (status, Html(page)).into_response()
        }
        Fault::GarbledSuccess => {
            (StatusCode::CREATED, Html("<html>check created</html>")).into_response()
        }
        Fault::InsecureLink => {
            let answer =
                json!({"check_id": "chk_insecure", "link": "http://acme-id.example/verify/t"});
            (StatusCode::CREATED, axum::Json(answer)).into_response()
        }
    }
}

fn state_json(id: &str, check: &Check) -> Value {
    let mut state = json!({"check_id": id, "reference": check.reference, "status": check.status});
    if let Some(decided_at) = &check.decided_at {
        state["decided_at"] = json!(decided_at);
    }
    if let Some(reason) = check.reason {
        state["reason"] = json!(reason);
    }
    state
}

async fn get_check(
    State(server): State<AcmeServer>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = authenticate(&headers) {
        return refused;
    }
    let store = server.lock();
    match store.checks.get(&id) {
        Some(check) => axum::Json(state_json(&id, check)).into_response(),
        None => refusal(StatusCode::NOT_FOUND, "check_not_found", "no such check", None),
    }
}

/// The page the person lands on: opening it starts the check.
async fn hosted_page(State(server): State<AcmeServer>, Path(token): Path<String>) -> Response {
    let mut store = server.lock();
    let Some(id) = store.links.get(&token).cloned() else {
        return (StatusCode::NOT_FOUND, Html("<h1>This link is not valid</h1>")).into_response();
    };
    if let Some(check) = store.checks.get_mut(&id)
        && check.status == "pending"
    {
        check.status = "in_progress";
    }
    Html("<h1>Acme ID</h1><p>Hold your document up to the camera.</p>").into_response()
}

/// 64 unpredictable bits: `RandomState` is seeded afresh from the OS for every instance.
fn random() -> u64 {
    RandomState::new().hash_one(Utc::now().timestamp_nanos_opt())
}
