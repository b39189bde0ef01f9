//! A local, faithful stand-in for the iDenfy and Veriff HTTP APIs, so the quickstart, the tests,
//! the benchmarks and your own integration tests run offline (stripe-mock, LocalStack: for KYC).
//!
//! # The harness
//!
//! A running emulator hands out what a real deployment would have in its environment:
//! [`RunningEmulator::vars`] gives every variable the adapters read (`IDENFY_BASE_URL`,
//! `IDENFY_KYB_UI_URL`, `IDENFY_API_KEY`, `IDENFY_API_SECRET`, `IDENFY_WEBHOOK_KEY`,
//! `VERIFF_BASE_URL`, `VERIFF_API_KEY`, `VERIFF_SHARED_SECRET`), so a test configures its
//! adapter through the same path production does, and adds what it needs on top:
//!
//! ```
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let emulator = kyc_emulator::Emulator::builder().start().await?;
//! let vars = emulator.vars();
//! // What a test with the `kyc` crate does next (commented out: this crate depends on no adapter):
//! //   let idenfy = kyc::IdenfyBuilder::from_vars(emulator.vars())?.build()?;
//! //   let veriff = kyc::VeriffBuilder::from_vars(emulator.vars())?
//! //       .with_timeout(std::time::Duration::from_millis(500))
//! //       .build()?;
//! //   let webhooks = kyc::IdenfyWebhooks::from_vars(emulator.vars())?;
//! // A child process gets the same environment:
//! let mut child = std::process::Command::new("my-service");
//! child.envs(emulator.vars());
//! let base = vars.iter().find(|(name, _)| *name == "IDENFY_BASE_URL").map(|(_, v)| v);
//! assert_eq!(base, Some(&emulator.idenfy_base_url()));
//! emulator.stop().await;
//! # Ok(())
//! # }
//! ```
//!
//! # Routes
//!
//! One HTTP server (axum) serves both vendors under their own prefixes; the vendor parts of a
//! path are the vendor's own, so `{IDENFY_BASE_URL}/api/v2/token` is iDenfy's
//! `https://ivs.idenfy.com/api/v2/token`.
//!
//! | route | what |
//! |---|---|
//! | `POST /idenfy/api/v2/token` | an identity (KYC) token, Basic auth (<https://documentation.idenfy.com/kyc/generate-token>) |
//! | `POST /idenfy/kyb/tokens/` | a business (KYB) token, Basic auth (<https://documentation.idenfy.com/kyb/generate-token>) |
//! | `POST /idenfy/api/v2/status` | a verification's status, Basic auth (<https://documentation.idenfy.com/kyc/data-retrieval>) |
//! | `GET /idenfy/api/v2/redirect?authToken=…` | iDenfy's hosted page for an identity token |
//! | `GET /idenfy/kyb/welcome?authToken=…` | iDenfy's KYB page (what `IDENFY_KYB_UI_URL` points at) |
//! | `POST /idenfy/decide` | the page's form: `token`, `choice` = `approve`, `decline` or `suspect` |
//! | `POST /veriff/v1/sessions` | a session, `X-AUTH-CLIENT`, `X-HMAC-SIGNATURE` checked when sent (<https://devdocs.veriff.com/apidocs/v1sessions>) |
//! | `GET /veriff/v1/sessions/{id}/decision` | a session's decision, HMAC of the id (<https://devdocs.veriff.com/apidocs/v1sessionsiddecision-1>) |
//! | `GET /veriff/v/{token}` | Veriff's hosted flow; the first visit sends the `started` event |
//! | `POST /veriff/decide` | the page's form: `token`, `choice` = `approve`, `decline` or `resubmit` |
//! | `GET`, `PUT`, `DELETE /__emulator/faults/{idenfy\|veriff}` | faults on demand (see [`Fault`]) |
//! | `GET /__emulator/health` | answers `ok` |
//!
//! A decision on a page is what the status and decision endpoints then report, and it is sent
//! as the vendor's signed webhook when the builder was given a webhook URL
//! ([`EmulatorBuilder::with_idenfy_webhook_url`], [`EmulatorBuilder::with_veriff_webhook_url`]).
//! Only the vendors' API routes count in [`RunningEmulator::requests_received`] and take faults.
//!
//! It validates requests by the vendors' documented rules and answers with their documented
//! bodies and error shapes. It is written from the vendors' documents, not from this
//! workspace's adapters (it depends on none), so an adapter's misunderstanding shows up as a
//! failing test instead of being mirrored.

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

    /// The environment a deployment against this emulator would have: every variable the
    /// iDenfy and Veriff adapters read, named as their `from_vars` and `from_env` read them,
    /// with the URLs and credentials this emulator serves and accepts.
    ///
    /// | variable | value |
    /// |---|---|
    /// | `IDENFY_BASE_URL` | [`idenfy_base_url`](Self::idenfy_base_url) |
    /// | `IDENFY_KYB_UI_URL` | [`idenfy_kyb_ui_url`](Self::idenfy_kyb_ui_url) |
    /// | `IDENFY_API_KEY`, `IDENFY_API_SECRET` | [`idenfy_credentials`](Self::idenfy_credentials) |
    /// | `IDENFY_WEBHOOK_KEY` | [`idenfy_webhook_key`](Self::idenfy_webhook_key) |
    /// | `VERIFF_BASE_URL` | [`veriff_base_url`](Self::veriff_base_url) |
    /// | `VERIFF_API_KEY`, `VERIFF_SHARED_SECRET` | [`veriff_credentials`](Self::veriff_credentials) |
    ///
    /// Hand them to the adapter's own configuration path, as production hands it the process
    /// environment: `kyc::IdenfyBuilder::from_vars(emulator.vars())?.build()?`. The credentials
    /// are the emulator's own, made up for local use.
    ///
    /// ```
    /// # #[tokio::main]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = kyc_emulator::Emulator::builder()
    ///     .with_idenfy_credentials("my-key", "my-secret")
    ///     .start()
    ///     .await?;
    /// let vars = emulator.vars();
    /// assert!(vars.contains(&("IDENFY_API_KEY", "my-key".to_owned())));
    /// assert!(vars.contains(&("VERIFF_BASE_URL", emulator.veriff_base_url())));
    /// # Ok(())
    /// # }
    /// ```
    pub fn vars(&self) -> Vec<(&'static str, String)> {
        let config = &self.app.config;
        vec![
            ("IDENFY_BASE_URL", self.idenfy_base_url()),
            ("IDENFY_KYB_UI_URL", self.idenfy_kyb_ui_url()),
            ("IDENFY_API_KEY", config.idenfy_key.clone()),
            ("IDENFY_API_SECRET", config.idenfy_secret.clone()),
            ("IDENFY_WEBHOOK_KEY", config.idenfy_webhook_key.clone()),
            ("VERIFF_BASE_URL", self.veriff_base_url()),
            ("VERIFF_API_KEY", config.veriff_key.clone()),
            ("VERIFF_SHARED_SECRET", config.veriff_secret.clone()),
        ]
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

#[cfg(test)]
mod tests {
    use super::*;

    fn var<'a>(vars: &'a [(&'static str, String)], name: &str) -> &'a str {
        match vars.iter().find(|(key, _)| *key == name) {
            Some((_, value)) => value,
            None => panic!("{name} is missing"),
        }
    }

    #[tokio::test]
    async fn vars_name_every_variable_the_adapters_read() {
        let emulator = Emulator::builder().start().await.unwrap();
        let vars = emulator.vars();
        let names: Vec<&str> = vars.iter().map(|(name, _)| *name).collect();
        // As `IdenfyBuilder::from_vars`, `VeriffBuilder::from_vars` and the webhook verifiers'
        // `from_vars` read them.
        assert_eq!(
            names,
            [
                "IDENFY_BASE_URL",
                "IDENFY_KYB_UI_URL",
                "IDENFY_API_KEY",
                "IDENFY_API_SECRET",
                "IDENFY_WEBHOOK_KEY",
                "VERIFF_BASE_URL",
                "VERIFF_API_KEY",
                "VERIFF_SHARED_SECRET",
            ]
        );
        let base = format!("http://{}", emulator.address());
        assert_eq!(var(&vars, "IDENFY_BASE_URL"), format!("{base}/idenfy"));
        assert_eq!(var(&vars, "IDENFY_KYB_UI_URL"), format!("{base}/idenfy/kyb/welcome"));
        assert_eq!(var(&vars, "VERIFF_BASE_URL"), format!("{base}/veriff"));
        assert_eq!(var(&vars, "IDENFY_API_KEY"), DEFAULT_IDENFY_KEY);
        assert_eq!(var(&vars, "IDENFY_API_SECRET"), DEFAULT_IDENFY_SECRET);
        assert_eq!(var(&vars, "IDENFY_WEBHOOK_KEY"), DEFAULT_IDENFY_WEBHOOK_KEY);
        assert_eq!(var(&vars, "VERIFF_API_KEY"), DEFAULT_VERIFF_KEY);
        assert_eq!(var(&vars, "VERIFF_SHARED_SECRET"), DEFAULT_VERIFF_SECRET);
        assert!(vars.iter().all(|(_, value)| !value.trim().is_empty()));
    }

    #[tokio::test]
    async fn vars_follow_the_builder() {
        let emulator = Emulator::builder()
            .with_idenfy_credentials("key-1", "secret-1")
            .with_idenfy_webhook_key("hook-1")
            .with_veriff_credentials("00000000-0000-4000-8000-000000000001", "shared-1")
            .start()
            .await
            .unwrap();
        let vars = emulator.vars();
        let given = [
            ("IDENFY_API_KEY", "key-1"),
            ("IDENFY_API_SECRET", "secret-1"),
            ("IDENFY_WEBHOOK_KEY", "hook-1"),
            ("VERIFF_API_KEY", "00000000-0000-4000-8000-000000000001"),
            ("VERIFF_SHARED_SECRET", "shared-1"),
        ];
        for (name, value) in given {
            assert_eq!(var(&vars, name), value, "{name}");
        }
        assert_eq!(emulator.idenfy_credentials(), ("key-1", "secret-1"));
        assert_eq!(emulator.idenfy_webhook_key(), "hook-1");
    }

    /// Each URL and credential in the variables is one the emulator serves and accepts.
    #[tokio::test]
    async fn vars_are_what_the_emulator_serves_and_accepts() {
        // A receiver for the iDenfy webhook, to check the key it is signed with.
        let (sent, mut received) = tokio::sync::mpsc::unbounded_channel::<(String, Vec<u8>)>();
        let receiver = Router::new().route(
            "/hook",
            post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let signature = headers
                    .get("idenfy-signature")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let _ = sent.send((signature, body.to_vec()));
                async { StatusCode::OK }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let hook = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, receiver).await });

        let emulator = Emulator::builder().with_idenfy_webhook_url(hook).start().await.unwrap();
        let vars = emulator.vars();
        let client = reqwest::Client::new();
        let json = |bytes: &[u8]| serde_json::from_slice::<serde_json::Value>(bytes).unwrap();

        // iDenfy: Basic auth with the key and secret, on the base URL.
        let idenfy = |path: &str, body: &'static str| {
            client
                .post(format!("{}{path}", var(&vars, "IDENFY_BASE_URL")))
                .basic_auth(var(&vars, "IDENFY_API_KEY"), Some(var(&vars, "IDENFY_API_SECRET")))
                .header("content-type", "application/json")
                .body(body)
                .send()
        };
        let token = idenfy("/api/v2/token", r#"{"clientId": "vars"}"#).await.unwrap();
        assert_eq!(token.status(), 201);
        let token = json(&token.bytes().await.unwrap());
        let kyb = idenfy("/kyb/tokens/", r#"{"clientId": "vars", "tokenType": "FORM"}"#);
        let kyb = kyb.await.unwrap();
        assert_eq!(kyb.status(), 201);
        let kyb = json(&kyb.bytes().await.unwrap());
        // The KYB UI URL is where the KYB token opens.
        let page = format!(
            "{}?authToken={}",
            var(&vars, "IDENFY_KYB_UI_URL"),
            kyb["tokenString"].as_str().unwrap()
        );
        assert_eq!(client.get(page).send().await.unwrap().status(), 200);

        // The webhook key signs iDenfy's webhooks.
        let decided = client
            .post(format!("http://{}/idenfy/decide", emulator.address()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("token={}&choice=approve", token["authToken"].as_str().unwrap()))
            .send()
            .await
            .unwrap();
        assert!(decided.status().is_success() || decided.status().is_redirection());
        let (signature, body) =
            tokio::time::timeout(std::time::Duration::from_secs(5), received.recv())
                .await
                .unwrap()
                .unwrap();
        assert_eq!(signature, veriff::signature(var(&vars, "IDENFY_WEBHOOK_KEY"), &body));

        // Veriff: the API key in `X-AUTH-CLIENT`, the body signed with the shared secret.
        let body = r#"{"verification": {"vendorData": "vars"}}"#;
        let created = client
            .post(format!("{}/v1/sessions", var(&vars, "VERIFF_BASE_URL")))
            .header("x-auth-client", var(&vars, "VERIFF_API_KEY"))
            .header(
                "x-hmac-signature",
                veriff::signature(var(&vars, "VERIFF_SHARED_SECRET"), body.as_bytes()),
            )
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
        let created = json(&created.bytes().await.unwrap());
        let link = created["verification"]["url"].as_str().unwrap();
        assert!(link.starts_with(var(&vars, "VERIFF_BASE_URL")), "{link}");
        emulator.stop().await;
    }
}
