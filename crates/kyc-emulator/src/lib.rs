//! A local, faithful stand-in for the iDenfy and Veriff HTTP APIs, so the quickstart, the tests,
//! the benchmarks and your own integration tests run offline (stripe-mock, LocalStack: for KYC).
//!
//! One HTTP server (axum) serves both vendors under their own prefixes:
//!
//! | path | what |
//! |---|---|
//! | `/idenfy/api/v2/token`, `/idenfy/kyb/tokens/`, `/idenfy/api/v2/status` | iDenfy's API, Basic auth |
//! | `/idenfy/api/v2/redirect?authToken=…`, `/idenfy/kyb/welcome?authToken=…` | iDenfy's hosted pages |
//! | `/veriff/v1/sessions`, `/veriff/v1/sessions/{id}/decision` | Veriff's API, `X-AUTH-CLIENT`, HMAC |
//! | `/veriff/v/{token}` | Veriff's hosted flow |
//! | `/__emulator/faults/{vendor}` | faults on demand (see [`Fault`]) |
//!
//! It validates requests by the vendors' documented rules and answers with their documented
//! bodies and error shapes. It is written from the vendors' documents, not from this
//! workspace's adapters (it depends on none), so an adapter's misunderstanding shows up as a
//! failing test instead of being mirrored.
//!
//! ```no_run
//! # #[tokio::main]
//! # async fn main() -> std::io::Result<()> {
//! let emulator = kyc_emulator::Emulator::builder().start().await?;
//! println!("iDenfy at {} with {:?}", emulator.idenfy_base_url(), emulator.idenfy_credentials());
//! println!("Veriff at {}", emulator.veriff_base_url());
//! emulator.stop().await;
//! # Ok(())
//! # }
//! ```

// Handlers answer a rule broken with the vendor's error response itself: building it in place is
// the point, and it is sent at once, so its size on the error path does not matter.
#![allow(clippy::result_large_err)]

mod faults;
mod idenfy;
mod page;
mod store;
mod veriff;
mod webhooks;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use faults::{Fault, FaultMode};
pub use store::Vendor;

use faults::{Shared, lock};

/// iDenfy credentials the emulator accepts unless told otherwise.
pub const DEFAULT_IDENFY_KEY: &str = "emulator-idenfy-key";
/// See [`DEFAULT_IDENFY_KEY`].
pub const DEFAULT_IDENFY_SECRET: &str = "emulator-idenfy-secret";
/// Veriff API key the emulator accepts unless told otherwise (Veriff keys are UUIDs).
pub const DEFAULT_VERIFF_KEY: &str = "5b7e3a4c-9f1d-4c2a-8e6b-0d1f2a3b4c5d";
/// Veriff shared secret the emulator signs and checks with unless told otherwise.
pub const DEFAULT_VERIFF_SECRET: &str = "emulator-veriff-shared-secret";
/// The key the emulator signs iDenfy webhooks with unless told otherwise.
pub const DEFAULT_IDENFY_WEBHOOK_KEY: &str = "emulator-idenfy-webhook-key";

/// The emulator; start one with [`Emulator::builder`].
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// A builder with the default credentials, listening on `127.0.0.1:0`.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            config: Config {
                idenfy_key: DEFAULT_IDENFY_KEY.into(),
                idenfy_secret: DEFAULT_IDENFY_SECRET.into(),
                veriff_key: DEFAULT_VERIFF_KEY.into(),
                veriff_secret: DEFAULT_VERIFF_SECRET.into(),
                idenfy_webhook_key: DEFAULT_IDENFY_WEBHOOK_KEY.into(),
                idenfy_webhook_url: None,
                veriff_webhook_url: None,
                base_url: String::new(),
            },
            faults: Vec::new(),
            retained: store::DEFAULT_RETAINED,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) idenfy_key: String,
    pub(crate) idenfy_secret: String,
    pub(crate) veriff_key: String,
    pub(crate) veriff_secret: String,
    pub(crate) idenfy_webhook_key: String,
    /// Where iDenfy results go when a session has no `callbackUrl` of its own.
    pub(crate) idenfy_webhook_url: Option<String>,
    /// Where Veriff's events and decisions go.
    pub(crate) veriff_webhook_url: Option<String>,
    /// `http://host:port`, known once bound.
    pub(crate) base_url: String,
}

/// Shared by every handler.
#[derive(Clone)]
pub(crate) struct App {
    pub(crate) store: Shared,
    pub(crate) config: Arc<Config>,
    /// Delivers webhooks.
    pub(crate) http: reqwest::Client,
}

/// What the emulator accepts and where it listens.
#[derive(Debug)]
pub struct EmulatorBuilder {
    listen: SocketAddr,
    config: Config,
    faults: Vec<(Vendor, Fault)>,
    retained: usize,
}

impl EmulatorBuilder {
    /// The iDenfy API key and secret to accept.
    pub fn with_idenfy_credentials(
        mut self,
        key: impl Into<String>,
        secret: impl Into<String>,
    ) -> Self {
        self.config.idenfy_key = key.into();
        self.config.idenfy_secret = secret.into();
        self
    }

    /// The Veriff API key to accept and the shared secret for signatures.
    pub fn with_veriff_credentials(
        mut self,
        key: impl Into<String>,
        shared_secret: impl Into<String>,
    ) -> Self {
        self.config.veriff_key = key.into();
        self.config.veriff_secret = shared_secret.into();
        self
    }

    /// Sends iDenfy's result webhooks to `url` (a session's own `callbackUrl` wins), signed with
    /// [`DEFAULT_IDENFY_WEBHOOK_KEY`] unless [`with_idenfy_webhook_key`](Self::with_idenfy_webhook_key)
    /// says otherwise.
    pub fn with_idenfy_webhook_url(mut self, url: impl Into<String>) -> Self {
        self.config.idenfy_webhook_url = Some(url.into());
        self
    }

    /// The key iDenfy webhooks are signed with.
    pub fn with_idenfy_webhook_key(mut self, key: impl Into<String>) -> Self {
        self.config.idenfy_webhook_key = key.into();
        self
    }

    /// Sends Veriff's event and decision webhooks to `url`, signed with its shared secret.
    pub fn with_veriff_webhook_url(mut self, url: impl Into<String>) -> Self {
        self.config.veriff_webhook_url = Some(url.into());
        self
    }

    /// Listens on `address` instead of `127.0.0.1:0`.
    pub fn with_listen(mut self, address: SocketAddr) -> Self {
        self.listen = address;
        self
    }

    /// Remembers at most `sessions` sessions (default 100,000), forgetting the oldest first:
    /// their links and status then answer as unknown.
    pub fn with_retained_sessions(mut self, sessions: usize) -> Self {
        self.retained = sessions;
        self
    }

    /// Starts with `fault` in place for `vendor`.
    pub fn with_fault(mut self, vendor: Vendor, fault: Fault) -> Self {
        self.faults.push((vendor, fault));
        self
    }

    /// Binds and serves in the background.
    ///
    /// # Errors
    /// The address cannot be bound.
    pub async fn start(self) -> std::io::Result<RunningEmulator> {
        let listener = tokio::net::TcpListener::bind(self.listen).await?;
        let address = listener.local_addr()?;
        let mut config = self.config;
        config.base_url = format!("http://{address}");
        let store: Shared = Arc::new(Mutex::new(store::Store::default()));
        {
            let mut store = lock(&store);
            store.faults.extend(self.faults);
            store.retained = self.retained;
        }
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(std::io::Error::other)?;
        let app = App { store: Arc::clone(&store), config: Arc::new(config), http };
        let router = router(app.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(error) = axum::serve(listener, router).with_graceful_shutdown(shutdown).await
            {
                tracing::error!(%error, "the emulator stopped");
            }
        });
        Ok(RunningEmulator { address, app, stop: Some(stop), task: Some(task) })
    }
}

fn router(app: App) -> Router {
    let idenfy_api = Router::new()
        .route("/api/v2/token", post(idenfy::token))
        .route("/kyb/tokens/", post(idenfy::kyb_token))
        .route("/api/v2/status", post(idenfy::status))
        .layer(axum::middleware::from_fn_with_state(
            (Arc::clone(&app.store), Vendor::Idenfy),
            faults::apply,
        ));
    let veriff_api = Router::new()
        .route("/v1/sessions", post(veriff::create))
        .route("/v1/sessions/{id}/decision", get(veriff::decision))
        .layer(axum::middleware::from_fn_with_state(
            (Arc::clone(&app.store), Vendor::Veriff),
            faults::apply,
        ));
    let idenfy = idenfy_api
        .route("/api/v2/redirect", get(page::idenfy))
        .route("/kyb/welcome", get(page::idenfy))
        .route("/decide", post(page::decide_idenfy));
    let veriff = veriff_api
        .route("/v/{token}", get(page::veriff))
        .route("/decide", post(page::decide_veriff));
    let admin = Router::new()
        .route("/faults/{vendor}", get(get_fault).put(put_fault).delete(delete_fault))
        .route("/health", get(|| async { "ok" }));
    Router::new()
        .nest("/idenfy", idenfy)
        .nest("/veriff", veriff)
        .nest("/__emulator", admin)
        .with_state(app)
}

fn vendor_or_404(name: &str) -> Result<Vendor, Response> {
    Vendor::from_name(name).ok_or_else(|| (StatusCode::NOT_FOUND, "unknown vendor").into_response())
}

async fn get_fault(State(app): State<App>, Path(vendor): Path<String>) -> Response {
    match vendor_or_404(&vendor) {
        Ok(vendor) => axum::Json(lock(&app.store).faults.get(&vendor).cloned()).into_response(),
        Err(answer) => answer,
    }
}

async fn put_fault(
    State(app): State<App>,
    Path(vendor): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let vendor = match vendor_or_404(&vendor) {
        Ok(vendor) => vendor,
        Err(answer) => return answer,
    };
    match serde_json::from_slice::<Fault>(&body) {
        Ok(fault) if fault.status.is_some_and(|s| !(400..=599).contains(&s)) => {
            (StatusCode::BAD_REQUEST, "a fault's status must be from 400 to 599").into_response()
        }
        Ok(fault) => {
            lock(&app.store).faults.insert(vendor, fault);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(error) => (StatusCode::BAD_REQUEST, format!("not a fault: {error}")).into_response(),
    }
}

async fn delete_fault(State(app): State<App>, Path(vendor): Path<String>) -> Response {
    match vendor_or_404(&vendor) {
        Ok(vendor) => {
            lock(&app.store).faults.remove(&vendor);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(answer) => answer,
    }
}

/// A running emulator. Dropping it stops the server.
#[derive(Debug)]
pub struct RunningEmulator {
    address: SocketAddr,
    app: App,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("base_url", &self.config.base_url).finish_non_exhaustive()
    }
}

impl RunningEmulator {
    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// iDenfy's base URL (what `IDENFY_BASE_URL` would be).
    pub fn idenfy_base_url(&self) -> String {
        format!("{}/idenfy", self.app.config.base_url)
    }

    /// Where iDenfy's KYB links point (what `IDENFY_KYB_UI_URL` would be).
    pub fn idenfy_kyb_ui_url(&self) -> String {
        format!("{}/idenfy/kyb/welcome", self.app.config.base_url)
    }

    /// Veriff's base URL (what `VERIFF_BASE_URL` would be).
    pub fn veriff_base_url(&self) -> String {
        format!("{}/veriff", self.app.config.base_url)
    }

    /// The iDenfy API key and secret it accepts.
    pub fn idenfy_credentials(&self) -> (&str, &str) {
        (&self.app.config.idenfy_key, &self.app.config.idenfy_secret)
    }

    /// The key its iDenfy webhooks are signed with.
    pub fn idenfy_webhook_key(&self) -> &str {
        &self.app.config.idenfy_webhook_key
    }

    /// The Veriff API key and shared secret it accepts.
    pub fn veriff_credentials(&self) -> (&str, &str) {
        (&self.app.config.veriff_key, &self.app.config.veriff_secret)
    }

    /// Puts `fault` in place for `vendor`, replacing any other.
    pub fn set_fault(&self, vendor: Vendor, fault: Fault) {
        lock(&self.app.store).faults.insert(vendor, fault);
    }

    /// How many API requests `vendor`'s endpoints received (hosted pages and the admin
    /// endpoint not counted).
    pub fn requests_received(&self, vendor: Vendor) -> u64 {
        lock(&self.app.store).requests.get(&vendor).copied().unwrap_or(0)
    }

    /// Removes `vendor`'s fault.
    pub fn clear_fault(&self, vendor: Vendor) {
        lock(&self.app.store).faults.remove(&vendor);
    }

    /// Stops serving: open connections get a second to finish (a hanging fault never would).
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(std::time::Duration::from_secs(1), &mut task).await.is_err()
        {
            task.abort();
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // Hanging faults keep connections open; do not wait for them.
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
