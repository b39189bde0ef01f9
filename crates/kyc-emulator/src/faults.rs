//! Faults on demand, per vendor: what real vendors and networks do to clients. Set at start
//! ([`EmulatorBuilder::with_fault`](crate::EmulatorBuilder::with_fault)), from code
//! ([`RunningEmulator::set_fault`](crate::RunningEmulator::set_fault)) or over HTTP:
//!
//! ```text
//! PUT    /__emulator/faults/{idenfy|veriff}   {"status": 503, "times": 2}
//! GET    /__emulator/faults/{idenfy|veriff}
//! DELETE /__emulator/faults/{idenfy|veriff}
//! ```

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::store::{Store, Vendor};

/// One fault. `latency_ms` delays every request; the failure (`status`, or a `mode`) hits the
/// next `times` requests, or a `ratio` of them, or every request when neither is set.
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
    #[serde(skip)]
    seen: u64,
}

/// Failures other than a status.
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
    State((store, vendor)): State<(Shared, Vendor)>,
    request: Request,
    next: Next,
) -> Response {
    let decided = {
        let mut store = lock(&store);
        *store.requests.entry(vendor).or_default() += 1;
        match store.faults.get_mut(&vendor) {
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
        Some(fault) => fault_response(vendor, &fault).await,
    }
}

async fn fault_response(vendor: Vendor, fault: &Fault) -> Response {
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
        None => {
            let status = fault.status.and_then(|s| StatusCode::from_u16(s).ok());
            let status = status.unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let body = match vendor {
                Vendor::Idenfy => serde_json::json!({
                    "identifier": idenfy_identifier(status),
                    "message": format!("Emulated fault: {status}"),
                }),
                Vendor::Veriff => serde_json::json!({
                    "status": "fail",
                    "code": status.as_u16().to_string(),
                    "message": format!("Emulated fault: {status}"),
                }),
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
        401 | 403 => "UNAUTHORIZED",
        429 => "TOO_MANY_REQUESTS",
        500..=599 => "INTERNAL_ERROR",
        _ => "BAD_VALUE",
    }
}
