//! Faults on demand, per vendor: what real vendors and networks do to clients. Set at start
//! ([`EmulatorBuilder::with_fault`](crate::EmulatorBuilder::with_fault)), from code
//! ([`RunningEmulator::set_fault`](crate::RunningEmulator::set_fault)) or over HTTP:
//!
//! ```text
//! PUT    /__emulator/faults/{idenfy|veriff|sumsub|onfido}   {"status": 503, "times": 2}
//! PUT    /__emulator/faults/onfido   {"status": 500, "route": "POST /workflow_runs", "times": 1}
//! GET    /__emulator/faults/{idenfy|veriff|sumsub|onfido}
//! DELETE /__emulator/faults/{idenfy|veriff|sumsub|onfido}
//! ```
//!
//! A `PUT` answers 204, or 400 for a body that is no [`Fault`] (an unknown field, a status
//! outside 400–599, a `route` that is not `"METHOD /path"` or `"/path"`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::App;
use crate::store::{Store, Vendor};

/// One fault. `latency_ms` delays every request; the failure (`status`, or a `mode`) hits the
/// next `times` requests, or a `ratio` of them, or every request when neither is set. With a
/// `route`, the fault (its latency too) concerns only the requests of that route, and only they
/// count towards `times` and `ratio`: `"POST /workflow_runs"` is the method and the vendor's
/// path after its prefix (after `/onfido/v3.6`, `/sumsub`, `/veriff`, `/idenfy`), matched as a
/// prefix by whole segments, so `"DELETE /applicants"` is `DELETE /applicants/{id}` too and
/// `"/applicants"` every method's; the method in any case.
///
/// The failure is a `status` (the vendor's error body for it) or a [`FaultMode`]:
///
/// | fault | iDenfy | Veriff | Sumsub | Onfido |
/// |---|---|---|---|---|
/// | `status` 401 | 401 `{"message": "Invalid authorization credentials"}`, no identifier | `{status: "fail", code: "401", message}` | `{description, code: 401, correlationId}` | `{"error": {type, message}}`, type `authorization_error` |
/// | `status` 402 | 402 `{"message": "Action not allowed due to lack of funds or exceeded limit."}`, no identifier | as above | as above | as above, `payment_required` |
/// | `status` 403 | 403 `{"message": "Partner inactive"}`, no identifier | as above | as above | as above, `forbidden` |
/// | other `status` | `{identifier, message}`: `TOO_MANY_REQUESTS` (429), `INTERNAL_ERROR` (5xx), else `BAD_VALUE` | as above | as above | as above: `bad_request` (400), `resource_not_found` (404), `validation_error` (422, `fields: {}`), `rate_limit` (429), `internal_server_error` (5xx), else `request_error` |
/// | [`FaultMode::OutOfFunds`] | the 402 above | 401 code 1804 | 403, no `errorCode` | 403 `forbidden` |
/// | [`FaultMode::PartnerInactive`] | the 403 above | 401 code 1804 | 403, no `errorCode` | 403 `forbidden` |
/// | [`FaultMode::WrongEnvironment`] | 403 `{"message": "This endpoint is not available for TESTING partners."}`, no identifier | 401 code 1803 | 401 `errorCode` 4001 | 401 `authorization_error` |
/// | [`FaultMode::PartnerContract`] | 400 `{identifier: "PARTNER_CONTRACT_ERROR", message}` | 400 code 1301 | 403, no `errorCode` | 403 `forbidden` |
/// | [`FaultMode::ForgedSignature`] | answered normally (iDenfy signs no answers) | answered normally, `X-HMAC-SIGNATURE` wrong | answered normally (Sumsub signs no answers) | answered normally (Onfido signs no answers) |
/// | [`FaultMode::Drop`], [`Hang`](FaultMode::Hang), [`Malformed`](FaultMode::Malformed) | the connection breaks, no answer, a truncated body | the same | the same | the same |
/// | [`FaultMode::AnswerLost`] | the request is served (what it creates exists), its answer never comes | the same | the same | the same |
///
/// iDenfy's 401/402/403 bodies are the "Authentication Errors" of
/// <https://documentation.idenfy.com/kyc/id-error-messages> ("a non-200 response with no
/// `identifier` field"); the page shows no body, so `{"message": …}` is the emulator's reading of
/// its `{identifier, message}` format without the identifier. `PARTNER_CONTRACT_ERROR` is the
/// identifier of <https://documentation.idenfy.com/resources/error-messages> for an action the
/// contract does not allow, such as creating KYB tokens when KYB is not enabled; its 400 status
/// and message are the emulator's choice. Veriff's 18xx codes are those of
/// <https://devdocs.veriff.com/docs/credentials-and-authorization-codes-table> (1803: no
/// integration for the key; 1804: the integration is not active, "deactivated, suspended,
/// billing"), 1301 that of <https://devdocs.veriff.com/docs/some-troubleshooting-codes-table>
/// ("Requested features are not supported"). Veriff's fault answers with a body are signed as its
/// other answers are (but for [`FaultMode::ForgedSignature`]).
///
/// Sumsub's bodies are its error shape, `{description, code, correlationId, errorCode?}`
/// (<https://docs.sumsub.com/reference/error-codes-description>, `code` repeating the status);
/// 4001 is its "app token does not exist (e.g. test env. token used on production)". Sumsub
/// documents no refusal for funds, an inactive client or a contract: the emulator answers those
/// with 403, what a token without the permission gets (the emulator's reading of
/// <https://docs.sumsub.com/docs/app-tokens>). A 429 is what its rate limits answer
/// (<https://docs.sumsub.com/reference/rate-limits>); `Retry-After` is sent only when the fault
/// sets one (Sumsub documents none).
///
/// ```
/// let fault: kyc_emulator::Fault =
///     serde_json::from_str(r#"{"status": 429, "retryAfter": 30, "times": 1}"#).unwrap();
/// assert_eq!(fault.status, Some(429));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Fault {
    /// Added before every answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// Answer with this status and the vendor's error body for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// `Retry-After` seconds sent with the status (for 429 and 503).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// Instead of a status: drop the connection, never answer, or answer a malformed body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<FaultMode>,
    /// Fail this many requests, then clear.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
    /// Fail this share of requests (0 to 1), evenly spread and deterministic; ignored when
    /// `times` is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio: Option<f64>,
    /// Only the requests of this route: `"POST /workflow_runs"` (a method and a path after the
    /// vendor's prefix) or `"/workflow_runs"` (every method); see [`Fault`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    #[serde(skip)]
    seen: u64,
}

/// Failures other than a plain status (the table of [`Fault`] says what each answers); in
/// JSON, snake case: `"mode": "out_of_funds"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FaultMode {
    /// The connection breaks in the middle of the answer.
    Drop,
    /// The request is read and never answered.
    Hang,
    /// A success status with a truncated JSON body.
    Malformed,
    /// iDenfy: 402, no identifier, "Action not allowed due to lack of funds or exceeded
    /// limit."; Veriff: 401 code 1804 (integration not active, billing); Sumsub: 403.
    OutOfFunds,
    /// iDenfy: 403, no identifier, "Partner inactive"; Veriff: 401 code 1804; Sumsub: 403.
    PartnerInactive,
    /// Keys of another environment. iDenfy: 403, no identifier, "This endpoint is not available
    /// for TESTING partners."; Veriff: 401 code 1803 (no integration for the key); Sumsub: 401
    /// `errorCode` 4001 (the token does not exist there).
    WrongEnvironment,
    /// The contract does not allow the action (at iDenfy, e.g. KYB not enabled). iDenfy: 400
    /// `PARTNER_CONTRACT_ERROR`; Veriff: 400 code 1301; Sumsub: 403.
    PartnerContract,
    /// Veriff: the request is served, but the answer's `X-HMAC-SIGNATURE` is not the HMAC of its
    /// body (for testing a client's check of Veriff's answers). iDenfy, Sumsub and Onfido sign
    /// no answers: their requests are served normally.
    ForgedSignature,
    /// The request is served (what it creates, it creates: an Onfido applicant or workflow run,
    /// a session) and its answer never comes, as when a connection is lost after the vendor
    /// committed: a client's timeout with the thing existing, for testing its reconciliation.
    AnswerLost,
}

impl Fault {
    /// A fault answering `status` to every request.
    pub fn status(status: u16) -> Self {
        Self { status: Some(status), ..Self::default() }
    }

    /// A fault in `mode` for every request.
    pub fn mode(mode: FaultMode) -> Self {
        Self { mode: Some(mode), ..Self::default() }
    }

    /// Only a delay.
    pub fn latency(latency: Duration) -> Self {
        Self { latency_ms: Some(latency.as_millis() as u64), ..Self::default() }
    }

    /// Fails only the next `times` requests.
    pub fn times(mut self, times: u32) -> Self {
        self.times = Some(times);
        self
    }

    /// Fails this share of requests.
    pub fn ratio(mut self, ratio: f64) -> Self {
        self.ratio = Some(ratio);
        self
    }

    /// Sends `Retry-After` with the status.
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// Only for the requests of `route`, `"METHOD /path"` or `"/path"`, the path after the
    /// vendor's prefix (`"POST /workflow_runs"`, `"DELETE /applicants"`): see [`Fault`].
    ///
    /// ```
    /// use kyc_emulator::Fault;
    /// let fault = Fault::status(500).on_route("POST /workflow_runs").times(1);
    /// let json = serde_json::to_value(&fault).unwrap();
    /// assert_eq!(json, serde_json::json!({"status": 500, "times": 1, "route": "POST /workflow_runs"}));
    /// ```
    pub fn on_route(mut self, route: impl Into<String>) -> Self {
        self.route = Some(route.into());
        self
    }

    /// Whether `route` is one [`on_route`](Self::on_route) takes: a path from `/`, after a
    /// method or none.
    pub(crate) fn route_is_valid(route: &str) -> bool {
        let path = route.split_once(' ').map_or(route, |(method, path)| {
            if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
                ""
            } else {
                path
            }
        });
        path.starts_with('/') && !path.contains(' ')
    }

    /// Whether the fault concerns a request of `method` to `path` (after the vendor's prefix).
    fn concerns(&self, method: &str, path: &str) -> bool {
        let Some(route) = self.route.as_deref() else { return true };
        let (wanted_method, wanted_path) = match route.split_once(' ') {
            Some((wanted, path)) => (Some(wanted), path),
            None => (None, route),
        };
        if wanted_method.is_some_and(|wanted| !wanted.eq_ignore_ascii_case(method)) {
            return false;
        }
        let wanted_path = wanted_path.trim_end_matches('/');
        path.trim_end_matches('/') == wanted_path
            || path.strip_prefix(wanted_path).is_some_and(|rest| rest.starts_with('/'))
    }

    fn fails(&self) -> bool {
        self.status.is_some() || self.mode.is_some()
    }

    /// Whether this request fails, advancing the counters. The second value says the fault is
    /// used up and should be cleared.
    fn strike(&mut self) -> (bool, bool) {
        if !self.fails() {
            return (false, false);
        }
        if let Some(times) = self.times {
            return match times {
                0 => (false, true),
                n => {
                    self.times = Some(n - 1);
                    (true, n == 1)
                }
            };
        }
        let hit = match self.ratio {
            Some(ratio) => {
                let ratio = ratio.clamp(0.0, 1.0);
                let before = (self.seen as f64 * ratio).floor();
                let after = ((self.seen + 1) as f64 * ratio).floor();
                after > before
            }
            None => true,
        };
        self.seen += 1;
        (hit, false)
    }
}

pub(crate) type Shared = Arc<Mutex<Store>>;

pub(crate) fn lock(store: &Shared) -> std::sync::MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The middleware in front of each vendor's routes.
pub(crate) async fn apply(
    State((app, vendor)): State<(App, Vendor)>,
    request: Request,
    next: Next,
) -> Response {
    let decided = {
        let mut store = lock(&app.store);
        *store.requests.entry(vendor).or_default() += 1;
        // Under the vendor's nest: the path after its prefix.
        let (method, path) = (request.method().as_str(), request.uri().path());
        match store.faults.get_mut(&vendor).filter(|fault| fault.concerns(method, path)) {
            None => None,
            Some(fault) => {
                let (fails, used_up) = fault.strike();
                let decided = (fault.latency_ms, fails.then(|| fault.clone()));
                if used_up {
                    store.faults.remove(&vendor);
                }
                Some(decided)
            }
        }
    };
    let Some((latency, failure)) = decided else { return next.run(request).await };
    if let Some(ms) = latency {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    match failure {
        None => next.run(request).await,
        Some(fault) if fault.mode == Some(FaultMode::AnswerLost) => {
            // Served in full, then never answered.
            drop(next.run(request).await);
            std::future::pending::<()>().await;
            unreachable!("a pending future never completes")
        }
        Some(fault) if fault.mode == Some(FaultMode::ForgedSignature) => {
            let mut answer = next.run(request).await;
            if vendor == Vendor::Veriff {
                let forged = crate::veriff::signature("not-the-shared-secret", b"forged");
                if let Ok(forged) = HeaderValue::from_str(&forged) {
                    answer.headers_mut().insert("x-hmac-signature", forged);
                }
            }
            answer
        }
        Some(fault) => {
            let answer = fault_response(vendor, &fault).await;
            // Veriff signs what it answers; a broken connection has nothing to sign.
            if vendor == Vendor::Veriff && fault.mode != Some(FaultMode::Drop) {
                crate::veriff::sign(&app, answer).await
            } else {
                answer
            }
        }
    }
}

/// A named fault's answer at `vendor`: (status, body).
fn named(vendor: Vendor, mode: FaultMode) -> Option<(StatusCode, serde_json::Value)> {
    use serde_json::json;
    let veriff = |status: StatusCode, code: &str, message: &str| {
        (status, json!({"status": "fail", "code": code, "message": message}))
    };
    let answer = match (vendor, mode) {
        (Vendor::Idenfy, FaultMode::OutOfFunds) => idenfy_without_identifier(402)?,
        (Vendor::Idenfy, FaultMode::PartnerInactive) => idenfy_without_identifier(403)?,
        (Vendor::Idenfy, FaultMode::WrongEnvironment) => (
            StatusCode::FORBIDDEN,
            json!({"message": "This endpoint is not available for TESTING partners."}),
        ),
        (Vendor::Idenfy, FaultMode::PartnerContract) => (
            StatusCode::BAD_REQUEST,
            json!({
                "identifier": "PARTNER_CONTRACT_ERROR",
                "message": "Your contract does not allow this action.",
            }),
        ),
        (Vendor::Veriff, FaultMode::OutOfFunds | FaultMode::PartnerInactive) => {
            veriff(StatusCode::UNAUTHORIZED, "1804", "Integration with the API key is not active.")
        }
        (Vendor::Veriff, FaultMode::WrongEnvironment) => {
            veriff(StatusCode::UNAUTHORIZED, "1803", "Integration with the API key was not found.")
        }
        (Vendor::Veriff, FaultMode::PartnerContract) => {
            veriff(StatusCode::BAD_REQUEST, "1301", "Requested features are not supported.")
        }
        (Vendor::Sumsub, FaultMode::WrongEnvironment) => {
            let status = StatusCode::UNAUTHORIZED;
            let description = "App token does not exist (e.g. test env. token used on production).";
            (status, crate::sumsub::error_body(status, description, Some((4001, None))))
        }
        (Vendor::Sumsub, FaultMode::OutOfFunds | FaultMode::PartnerInactive) => {
            let status = StatusCode::FORBIDDEN;
            let description = "The client is not active: requests are not allowed (emulated).";
            (status, crate::sumsub::error_body(status, description, None))
        }
        (Vendor::Sumsub, FaultMode::PartnerContract) => {
            let status = StatusCode::FORBIDDEN;
            let description = "The app token has no permission for this action (emulated).";
            (status, crate::sumsub::error_body(status, description, None))
        }
        (Vendor::Onfido, FaultMode::WrongEnvironment) => {
            let message = "Authorization error: the token is not valid in this region or environment (emulated)";
            (StatusCode::UNAUTHORIZED, crate::onfido::error_body("authorization_error", message))
        }
        (Vendor::Onfido, FaultMode::OutOfFunds) => {
            let message = "The account has no credit left for this request (emulated)";
            (StatusCode::FORBIDDEN, crate::onfido::error_body("forbidden", message))
        }
        (Vendor::Onfido, FaultMode::PartnerInactive) => {
            let message = "The account is not active (emulated)";
            (StatusCode::FORBIDDEN, crate::onfido::error_body("forbidden", message))
        }
        (Vendor::Onfido, FaultMode::PartnerContract) => {
            let message = "The account is not enabled for this feature (emulated)";
            (StatusCode::FORBIDDEN, crate::onfido::error_body("forbidden", message))
        }
        _ => return None,
    };
    Some(answer)
}

/// iDenfy's authentication errors, which carry no identifier
/// (<https://documentation.idenfy.com/kyc/id-error-messages>).
fn idenfy_without_identifier(status: u16) -> Option<(StatusCode, serde_json::Value)> {
    let message = match status {
        401 => "Invalid authorization credentials",
        402 => "Action not allowed due to lack of funds or exceeded limit.",
        403 => "Partner inactive",
        _ => return None,
    };
    Some((StatusCode::from_u16(status).ok()?, serde_json::json!({"message": message})))
}

async fn fault_response(vendor: Vendor, fault: &Fault) -> Response {
    if let Some((status, body)) = fault.mode.and_then(|mode| named(vendor, mode)) {
        return (status, axum::Json(body)).into_response();
    }
    match fault.mode {
        Some(FaultMode::Hang) => {
            std::future::pending::<()>().await;
            unreachable!("a pending future never completes")
        }
        Some(FaultMode::Malformed) => (
            StatusCode::CREATED,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"status": "success", "verif"#,
        )
            .into_response(),
        // Promises more than it sends: the server closes the connection mid-body, which the
        // client sees as a connection lost after the request was processed.
        Some(FaultMode::Drop) => Response::builder()
            .status(StatusCode::CREATED)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_LENGTH, "4096")
            .body(Body::from(r#"{"status": "success", "verification": {"id": "#))
            .unwrap_or_default(),
        _ => {
            let status = fault.status.and_then(|s| StatusCode::from_u16(s).ok());
            let status = status.unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let without = idenfy_without_identifier(status.as_u16()).map(|(_, body)| body);
            let body = match (vendor, without) {
                (Vendor::Idenfy, Some(body)) => body,
                (Vendor::Idenfy, None) => serde_json::json!({
                    "identifier": idenfy_identifier(status),
                    "message": format!("Emulated fault: {status}"),
                }),
                (Vendor::Veriff, _) => serde_json::json!({
                    "status": "fail",
                    "code": status.as_u16().to_string(),
                    "message": format!("Emulated fault: {status}"),
                }),
                (Vendor::Sumsub, _) => {
                    crate::sumsub::error_body(status, &format!("Emulated fault: {status}"), None)
                }
                (Vendor::Onfido, _) => crate::onfido::status_error_body(status),
            };
            let mut response = (status, axum::Json(body)).into_response();
            if let Some(value) = fault
                .retry_after
                .filter(|_| matches!(status.as_u16(), 429 | 503))
                .and_then(|s| HeaderValue::from_str(&s.to_string()).ok())
            {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
    }
}

/// The identifier iDenfy gives an error of `status`
/// (<https://documentation.idenfy.com/resources/error-messages>).
fn idenfy_identifier(status: StatusCode) -> &'static str {
    match status.as_u16() {
        429 => "TOO_MANY_REQUESTS",
        500..=599 => "INTERNAL_ERROR",
        _ => "BAD_VALUE",
    }
}
