//! `kyc serve`: the vendors' dashboards, self-hosted over the ledger, for every vendor at once.
//! One small server receives and verifies every vendor's webhooks ([`webhooks`]), records them,
//! and gives operators a console ([`console`]) to create, list, follow and erase sessions, as
//! each vendor's dashboard does for its own (iDenfy's:
//! <https://documentation.idenfy.com/guides/dashboard/kyc/new-verification-via-dashboard>).
//!
//! | route | who | |
//! |---|---|---|
//! | `POST /webhooks/{idenfy,veriff,sumsub,onfido}` | the vendors (signed) | [`webhooks`] |
//! | `GET /healthz` | anyone | 200 when the ledger answers, else 503 |
//! | `GET /metrics` | anyone | Prometheus text ([`metrics`]) |
//! | `GET,POST /login`, `/assets/*` | anyone | [`auth`] |
//! | everything else | a logged-in operator | [`console`] |
//!
//! Vendors, credentials and the ledger come from the same environment as `kyc session create`;
//! with no vendor credentials, every vendor runs on a built-in emulator that lives as long as
//! the server and sends its webhooks here, and the ledger is kept in memory (as for the other
//! commands: the emulator's sessions are gone with it). Why the console is built this way
//! (server-rendered, one password, cookies, CSRF tokens, no inline script):
//! `docs/decisions/0009-kyc-serve.md`.
//!
//! Personal data and secrets are never logged. Standard error gets where the server listens,
//! that the vendors are the built-in emulator, a generated password (once), each vendor whose
//! webhooks are not received (no secret), what could not be recorded, and the stop. Request
//! lines are not logged.
//!
//! Connections: a client has 10 s to send a request's headers, a webhook or a login 20 s to
//! arrive whole; a stop waits up to 30 s for the requests in flight (a second signal, not at
//! all).

mod auth;
mod console;
mod create;
mod form;
mod metrics;
mod pages;
mod webhooks;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kyc::{SessionErasure, VerificationResults, VerificationSession, WebhookVerifier};
use kyc_emulator::Emulator;
use kyc_ledger::{LedgerStore, ListFilter};

use crate::args::ServeArgs;
use crate::exit::Failure;
use crate::vendors::{self, Sessions, VENDORS, Vendor};
use crate::{ledger, output};

/// The console password's variable.
const PASSWORD_VAR: &str = "KYC_CONSOLE_PASSWORD";
/// How long in-flight requests may take to finish once asked to stop.
const GRACE: Duration = Duration::from_secs(30);
/// How long a client may take to send a request's headers.
const HEADER_DEADLINE: Duration = Duration::from_secs(10);
/// How long a webhook or a login may take to arrive whole and be answered.
const BODY_DEADLINE: Duration = Duration::from_secs(20);

/// What every handler shares.
type App = Arc<Server>;

/// The server's state.
struct Server {
    fleet: Fleet,
    store: Arc<dyn LedgerStore>,
    /// The ledger's fingerprint key: a secret, left out of `Debug`.
    ledger_key: Vec<u8>,
    gate: auth::Gate,
    metrics: metrics::Metrics,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("fleet", &self.fleet)
            .field("store", &self.store)
            .field("metrics", &self.metrics)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// The note every page carries when the vendors are the built-in emulator.
    fn emulator_note(&self) -> Option<SocketAddr> {
        self.fleet.emulator
    }
}

/// Every vendor's clients, from the environment or the built-in emulator.
#[derive(Debug)]
struct Fleet {
    desks: Vec<Desk>,
    /// Where the built-in emulator listens, when the vendors are it.
    emulator: Option<SocketAddr>,
    /// Keeps the emulator running.
    _sessions: Sessions,
}

/// One vendor's clients; `None` where it is not configured.
struct Desk {
    vendor: &'static Vendor,
    session: Option<Arc<dyn VerificationSession>>,
    results: Option<Box<dyn VerificationResults>>,
    erasure: Option<Box<dyn SessionErasure>>,
    webhooks: Option<Box<dyn WebhookVerifier>>,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk").field("vendor", &self.vendor.name).finish_non_exhaustive()
    }
}

impl Fleet {
    /// The vendors configured in the environment, or else every vendor on a built-in emulator
    /// whose webhooks go to this server at `address`.
    async fn start(address: SocketAddr) -> Result<Self, Failure> {
        let hooks = |vendor: &str| format!("http://{address}/webhooks/{vendor}");
        let mut emulator = Emulator::builder()
            .with_idenfy_webhook_url(hooks(kyc::idenfy::PROVIDER))
            .with_veriff_webhook_url(hooks(kyc::veriff::PROVIDER))
            .with_sumsub_webhook_url(hooks(kyc::sumsub::PROVIDER))
            .with_onfido_webhook_url(hooks(kyc::onfido::PROVIDER));
        // The emulator's default webhook keys are public (they are in its documentation):
        // reachable from other hosts, anyone could sign a decision with them. Keys of this run
        // instead, known only to the server and its emulator.
        if !address.ip().is_loopback() {
            emulator = emulator
                .with_idenfy_webhook_key(crate::random::token())
                .with_veriff_credentials(kyc_emulator::DEFAULT_VERIFF_KEY, crate::random::token())
                .with_sumsub_webhook_secret(crate::random::token())
                .with_onfido_webhook_token(crate::random::token());
        }
        let sessions = vendors::sessions_on(&[], emulator).await?;
        let vars = sessions.vars();
        let desks = VENDORS
            .iter()
            .map(|vendor| {
                let session = sessions
                    .vendors
                    .iter()
                    .position(|known| known.name == vendor.name)
                    .map(|at| Arc::clone(&sessions.clients[at]));
                let webhooks = (vendor.webhooks)(vars.clone())
                    .inspect_err(|error| output::webhooks_not_received(vendor.name, error))
                    .ok();
                Desk {
                    vendor,
                    results: session.as_ref().and_then(|_| (vendor.results)(vars.clone()).ok()),
                    erasure: session.as_ref().and_then(|_| (vendor.erasure)(vars.clone()).ok()),
                    session,
                    webhooks,
                }
            })
            .collect();
        Ok(Self { desks, emulator: sessions.emulator_address(), _sessions: sessions })
    }

    /// The vendor called `name`.
    fn desk(&self, name: &str) -> Option<&Desk> {
        self.desks.iter().find(|desk| desk.vendor.name == name)
    }
}

/// Runs the command until SIGTERM (or Ctrl-C), then lets in-flight requests finish.
pub(crate) async fn run(args: ServeArgs) -> Result<(), Failure> {
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|error| Failure::Config(format!("cannot listen on {}: {error}", args.listen)))?;
    let address = listener
        .local_addr()
        .map_err(|error| Failure::Config(format!("cannot listen on {}: {error}", args.listen)))?;
    let fleet = Fleet::start(address).await?;
    let (store, ledger_key) = ledger::open_store(fleet.emulator.is_some()).await?;
    // Only the gate's hash of the password outlives this block.
    let gate = match std::env::var(PASSWORD_VAR).ok().filter(|value| !value.is_empty()) {
        Some(password) => auth::Gate::new(&password),
        None => {
            let password = auth::generate_password();
            output::console_password(&password, PASSWORD_VAR);
            auth::Gate::new(&password)
        }
    };
    let server =
        Arc::new(Server { fleet, store, ledger_key, gate, metrics: metrics::Metrics::default() });
    if let Some(emulator) = server.fleet.emulator {
        output::serving_the_emulator(emulator);
    }
    let mut signals = StopSignals::listen()?;
    output::serving(address);
    serve(listener, router(server), &mut signals).await
}

/// Serves connections until a stop signal, then lets the requests in flight finish: within
/// [`GRACE`], or until a second signal says not to wait.
async fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    signals: &mut StopSignals,
) -> Result<(), Failure> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt as _;
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors, a connection reset before it was taken: this one is
                // lost, the next may be served.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = signals.next() => break,
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut request: Request<_>| {
            request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            app.clone().oneshot(request)
        });
        // A client that sends its headers slower than this is dropped, so it can hold neither
        // memory nor the graceful stop.
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_DEADLINE)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
        });
    }
    drop(listener);
    output::serve_stopping();
    tokio::select! {
        () = graceful.shutdown() => Ok(()),
        () = tokio::time::sleep(GRACE) => Err(Failure::Config(format!(
            "requests still running {} s after the stop signal were cut off",
            GRACE.as_secs()
        ))),
        () = signals.next() => Err(Failure::Config(
            "stopped at a second signal: the requests in flight were cut off".into(),
        )),
    }
}

/// SIGTERM (how a service manager or `docker stop` asks) and Ctrl-C, listened to from before
/// the server says it listens, so an early one stops it gracefully rather than killing it.
struct StopSignals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
}

impl StopSignals {
    fn listen() -> Result<Self, Failure> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let listen = |kind| {
                signal(kind).map_err(|error| {
                    Failure::Config(format!("cannot listen for stop signals: {error}"))
                })
            };
            Ok(Self {
                term: listen(SignalKind::terminate())?,
                interrupt: listen(SignalKind::interrupt())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    async fn next(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.interrupt.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    }
}

impl std::fmt::Debug for StopSignals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StopSignals").finish_non_exhaustive()
    }
}

/// Answers 408 when a request (its body read included) takes longer than [`BODY_DEADLINE`]:
/// for the routes that only read what the client sends (webhooks, the login), so a client
/// trickling a body holds nothing for long.
async fn within_deadline(request: Request, next: Next) -> Response {
    match tokio::time::timeout(BODY_DEADLINE, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            (StatusCode::REQUEST_TIMEOUT, "the request took too long to arrive\n").into_response()
        }
    }
}

/// Every route.
fn router(app: App) -> axum::Router {
    let console = axum::Router::new()
        .route("/", get(console::list))
        .route("/sessions", post(console::create))
        .route("/sessions/new", get(console::new_session))
        .route("/sessions/open", get(console::open))
        .route("/sessions/{provider}/{id}", get(console::show))
        .route("/sessions/{provider}/{id}/refresh", post(console::refresh))
        .route("/sessions/{provider}/{id}/erase", get(console::confirm_erase).post(console::erase))
        .route("/logout", post(auth::logout))
        .route_layer(middleware::from_fn_with_state(Arc::clone(&app), auth::require_operator));
    axum::Router::new()
        .route(
            "/webhooks/{vendor}",
            post(webhooks::receive)
                .layer(DefaultBodyLimit::max(webhooks::MAX_WEBHOOK_BYTES))
                .layer(middleware::from_fn(within_deadline)),
        )
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route(
            "/login",
            get(auth::login_page)
                .post(auth::login)
                .layer(DefaultBodyLimit::max(auth::MAX_FORM_BYTES))
                .layer(middleware::from_fn(within_deadline)),
        )
        .route("/assets/console.css", get(stylesheet))
        .route("/assets/console.js", get(script))
        .merge(console)
        .fallback(not_found)
        .layer(middleware::from_fn(security_headers))
        .with_state(app)
}

/// The headers every answer carries: no inline script or style may run (only this server's
/// two files), no page may frame the console, no link leaks the console's address, no answer
/// is sniffed into another type or cached.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CACHE_CONTROL, "no-store"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// `GET /healthz`: whether the ledger answers.
async fn healthz(State(app): State<App>) -> Response {
    let mut probe = ListFilter::default();
    probe.limit = Some(1);
    match app.store.list(&probe).await {
        Ok(_) => (StatusCode::OK, "ok\n").into_response(),
        Err(error) => {
            (StatusCode::SERVICE_UNAVAILABLE, format!("the ledger is unavailable: {error}\n"))
                .into_response()
        }
    }
}

/// `GET /metrics`.
async fn metrics(State(app): State<App>) -> Response {
    let content_type = "text/plain; version=0.0.4; charset=utf-8";
    ([(header::CONTENT_TYPE, content_type)], app.metrics.render()).into_response()
}

async fn stylesheet() -> Response {
    let css = include_str!("assets/console.css");
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], css).into_response()
}

async fn script() -> Response {
    let js = include_str!("assets/console.js");
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], js).into_response()
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, pages::message("Not found", "There is no such page.")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    use axum::body::Bytes;
    use axum::extract::Path;
    use chrono::{DateTime, Utc};
    use kyc_adapter::ErrorExt;
    use kyc_ledger::{AttemptRecord, Claim, EventOutcome, EventRecord, Fingerprint, SessionRecord};

    /// A ledger whose database is down.
    #[derive(Debug)]
    struct Down;

    fn down() -> kyc::Error {
        kyc::Error::unavailable(kyc_ledger::PROVIDER, 503)
    }

    #[async_trait::async_trait]
    impl LedgerStore for Down {
        async fn claim(
            &self,
            _: &str,
            _: &Fingerprint,
            _: DateTime<Utc>,
            _: DateTime<Utc>,
        ) -> Result<Claim, kyc::Error> {
            Err(down())
        }
        async fn finish(&self, _: Option<&str>, _: &SessionRecord) -> Result<(), kyc::Error> {
            Err(down())
        }
        async fn release(&self, _: &str) -> Result<(), kyc::Error> {
            Err(down())
        }
        async fn mark_unresolved(&self, _: &str, _: &[AttemptRecord]) -> Result<(), kyc::Error> {
            Err(down())
        }
        async fn find_live(
            &self,
            _: &str,
            _: &Fingerprint,
            _: DateTime<Utc>,
        ) -> Result<Option<SessionRecord>, kyc::Error> {
            Err(down())
        }
        async fn session(&self, _: &str, _: &str) -> Result<Option<SessionRecord>, kyc::Error> {
            Err(down())
        }
        async fn list(&self, _: &ListFilter) -> Result<Vec<SessionRecord>, kyc::Error> {
            Err(down())
        }
        async fn record_event(&self, _: &EventRecord) -> Result<EventOutcome, kyc::Error> {
            Err(down())
        }
        async fn events(&self, _: &str, _: &str) -> Result<Vec<EventRecord>, kyc::Error> {
            Err(down())
        }
        async fn remove_link(&self, _: &str, _: &str) -> Result<bool, kyc::Error> {
            Err(down())
        }
    }

    /// The server's state over `store`, every vendor on a fresh emulator.
    async fn server(store: Arc<dyn LedgerStore>) -> App {
        Arc::new(Server {
            fleet: Fleet::start(SocketAddr::from(([127, 0, 0, 1], 9))).await.unwrap(),
            store,
            ledger_key: b"the-ledger-key".to_vec(),
            gate: auth::Gate::new("the-console-password"),
            metrics: metrics::Metrics::default(),
        })
    }

    #[tokio::test]
    async fn a_ledger_that_is_down_is_a_503_and_never_a_refusal_of_the_vendor() {
        let app = server(Arc::new(Down)).await;
        assert_eq!(
            healthz(State(Arc::clone(&app))).await.status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        let up = server(Arc::new(kyc_ledger::MemoryStore::new())).await;
        assert_eq!(healthz(State(up)).await.status(), StatusCode::OK);

        // A verified webhook that cannot be recorded asks the vendor to send it again.
        let (headers, body) = veriff_event_signed_with_the_default_secret();
        let answer = webhooks::receive(
            State(Arc::clone(&app)),
            Path("veriff".to_owned()),
            headers,
            Ok(Bytes::from_static(body)),
        )
        .await;
        assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            app.metrics.render().contains("kyc_webhooks_verified_total{provider=\"veriff\"} 1")
        );
    }

    /// Veriff's event webhook, signed with the emulator's public default secret.
    fn veriff_event_signed_with_the_default_secret() -> (axum::http::HeaderMap, &'static [u8]) {
        let body = br#"{"id":"f04bdb47-d3be-4b28-b028-a652feb060b5","attemptId":"e30122d1-740b-4764-853f-470374a7abf4","feature":"selfid","code":7002,"action":"submitted","vendorData":"u1"}"#;
        let mut headers = axum::http::HeaderMap::new();
        let signature =
            kyc::veriff::signature(kyc_emulator::DEFAULT_VERIFF_SECRET.as_bytes(), body);
        headers.insert("x-hmac-signature", signature.parse().unwrap());
        headers.insert("x-auth-client", kyc_emulator::DEFAULT_VERIFF_KEY.parse().unwrap());
        (headers, body)
    }

    #[tokio::test]
    async fn off_loopback_the_emulator_s_public_webhook_keys_sign_nothing() {
        let (headers, body) = veriff_event_signed_with_the_default_secret();
        let verify = |fleet: &Fleet| {
            let desk = fleet.desk("veriff").unwrap();
            desk.webhooks.as_ref().unwrap().verify_webhook(&headers, body).map(|_| ())
        };
        let on_loopback = Fleet::start(SocketAddr::from(([127, 0, 0, 1], 9))).await.unwrap();
        assert!(verify(&on_loopback).is_ok());
        let everywhere = Fleet::start(SocketAddr::from(([0, 0, 0, 0], 9))).await.unwrap();
        let refused = verify(&everywhere).unwrap_err();
        assert_eq!(refused.kind(), kyc::ErrorKind::InvalidSignature);
        // The server's own emulator still signs what it sends with the keys of this run.
        let vars = everywhere._sessions.vars();
        let secret = vars.iter().find(|(name, _)| name == "VERIFF_SHARED_SECRET").unwrap();
        assert_ne!(secret.1, kyc_emulator::DEFAULT_VERIFF_SECRET);
    }

    #[tokio::test]
    async fn the_state_s_debug_has_no_secret() {
        let server = server(Arc::new(kyc_ledger::MemoryStore::new())).await;
        let printed = format!("{server:?}");
        assert!(printed.contains("Server"), "{printed}");
        for secret in ["the-ledger-key", "116, 104, 101", "the-console-password"] {
            assert!(!printed.contains(secret), "{printed}");
        }
    }
}
