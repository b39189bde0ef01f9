//! What the overhead and allocation benches share: one local server answering each vendor's
//! documented success at once, the four adapters pointed at it, and for each vendor the
//! hand-written reqwest call the library is measured against (the vendor's minimum: basic auth,
//! the header, the request signature; Onfido's two calls), decoding only the fields it needs.

#![allow(dead_code, unreachable_pub)]

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use hmac::{Hmac, KeyInit, Mac};
use kyc::{ClientId, Person, SessionRequest, VerificationSession};
use kyc_ledger::{Ledger, LedgerStore, MemoryStore};
use sha2::Sha256;

/// iDenfy's documented answer (<https://documentation.idenfy.com/kyc/generate-token>).
pub const IDENFY_ANSWER: &str = r#"{"message":"Token created successfully","authToken":"pgYQX0z2T8mtcpNj9I20uWVCLKNuG0vgr12f0wAC","scanRef":"ec6a7108-8c26-11e9-9758-309c231b1bac","clientId":"bench-user","firstName":null,"lastName":null,"redirectUrl":"https://ivs.idenfy.com/api/v2/redirect?authToken=pgYQX0z2T8mtcpNj9I20uWVCLKNuG0vgr12f0wAC","digitString":null,"expiryTime":3600,"sessionLength":600}"#;
/// Veriff's documented answer (<https://devdocs.veriff.com/apidocs/v1sessions>).
pub const VERIFF_ANSWER: &str = r#"{"status":"success","verification":{"id":"f04bdb47-d3be-4b28-b028-a652feb060b5","url":"https://alchemy.veriff.com/v/eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9","vendorData":"bench-user","host":"https://alchemy.veriff.com","status":"created","sessionToken":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"}}"#;
/// Sumsub's documented answer
/// (<https://docs.sumsub.com/reference/generate-websdk-external-link>).
pub const SUMSUB_ANSWER: &str = r#"{"url":"https://in.sumsub.com/websdk/p/sbx_uY4hNEfM9Ge7tdxW"}"#;
/// Onfido's applicant (<https://documentation.onfido.com/api/latest/#create-applicant>).
pub const ONFIDO_APPLICANT: &str = r#"{"id":"6b0d1e3a-3c2f-4d6e-9d34-1f2a7c9b5e10","created_at":"2025-03-04T10:00:00Z","delete_at":null,"href":"/v3.6/applicants/6b0d1e3a-3c2f-4d6e-9d34-1f2a7c9b5e10","sandbox":true,"first_name":"Jane","last_name":"Doe","email":null,"dob":null,"address":null,"phone_number":null,"location":null}"#;
/// Onfido's workflow run (<https://documentation.onfido.com/api/latest/#create-workflow-run>).
pub const ONFIDO_RUN: &str = r#"{"id":"cd92c304-1c16-4bb5-8395-d5b8fe27088e","applicant_id":"6b0d1e3a-3c2f-4d6e-9d34-1f2a7c9b5e10","workflow_id":"b42cf165-031f-4792-a57e-eea4fa10c4e2","workflow_version_id":2,"status":"awaiting_input","dashboard_url":"https://dashboard.onfido.com/results/cd92c304-1c16-4bb5-8395-d5b8fe27088e","output":null,"reasons":[],"error":null,"sdk_token":"eyJhbGciOiJFUzUxMiJ9.eyJzdWIiOiJydW4ifQ.c2ln","link":{"url":"https://eu.onfido.app/l/cd92c304-1c16-4bb5-8395-d5b8fe27088e","completed_redirect_url":null,"expired_redirect_url":null,"expires_at":"2099-03-11T10:00:00Z","language":null},"tags":[],"customer_user_id":"bench-user","created_at":"2025-03-04T10:00:02Z","updated_at":"2025-03-04T10:00:03Z"}"#;

pub const VERIFF_KEY: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
pub const SUMSUB_TOKEN: &str = "sbx:uY0CgwELmgUAEyl4hNWxLngb.0WSeQeiYny4WEqmAALEAiK2qTC96fBad";
pub const SUMSUB_SECRET: &str = "Hej2ch71kG2kTd1iIUDZFNsO5C1lh5Gq";
pub const ONFIDO_TOKEN: &str = "api_sandbox.bench-token.0123456789";
pub const ONFIDO_WORKFLOW: &str = "b42cf165-031f-4792-a57e-eea4fa10c4e2";

/// One call, boxed the same way on both sides.
pub type Call = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// The local server: every vendor's create call, answered with its documented success.
pub fn server() -> Router {
    let answer = |status: StatusCode, body: &'static str| {
        post(move || async move { (status, [("content-type", "application/json")], body) })
    };
    Router::new()
        .route("/api/v2/token", answer(StatusCode::CREATED, IDENFY_ANSWER))
        .route("/v1/sessions", answer(StatusCode::CREATED, VERIFF_ANSWER))
        .route(
            "/resources/sdkIntegrations/levels/-/websdkLink",
            answer(StatusCode::OK, SUMSUB_ANSWER),
        )
        .route("/v3.6/applicants", answer(StatusCode::CREATED, ONFIDO_APPLICANT))
        .route("/v3.6/workflow_runs", answer(StatusCode::CREATED, ONFIDO_RUN))
}

/// Starts [`server`] on 127.0.0.1 in the current runtime; its base URL.
pub async fn start_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("loopback");
    let base = format!("http://{}", listener.local_addr().expect("bound"));
    tokio::spawn(async move { axum::serve(listener, server()).await.expect("server") });
    base
}

/// The vendors measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vendor {
    Idenfy,
    Veriff,
    Sumsub,
    Onfido,
}

impl Vendor {
    pub const ALL: [Vendor; 4] = [Vendor::Idenfy, Vendor::Veriff, Vendor::Sumsub, Vendor::Onfido];

    pub fn name(self) -> &'static str {
        match self {
            Vendor::Idenfy => "iDenfy",
            Vendor::Veriff => "Veriff",
            Vendor::Sumsub => "Sumsub",
            Vendor::Onfido => "Onfido",
        }
    }

    pub fn parse(name: &str) -> Option<Vendor> {
        Vendor::ALL.into_iter().find(|vendor| vendor.name().eq_ignore_ascii_case(name))
    }

    /// The adapter, pointed at `base`.
    pub fn adapter(self, base: &str) -> Arc<dyn VerificationSession> {
        match self {
            Vendor::Idenfy => Arc::new(
                kyc::Idenfy::builder("key", "secret").with_base_url(base).build().expect("idenfy"),
            ),
            Vendor::Veriff => Arc::new(
                kyc::Veriff::builder(VERIFF_KEY).with_base_url(base).build().expect("veriff"),
            ),
            Vendor::Sumsub => Arc::new(
                kyc::Sumsub::builder(SUMSUB_TOKEN, SUMSUB_SECRET)
                    .with_base_url(base)
                    .build()
                    .expect("sumsub"),
            ),
            Vendor::Onfido => Arc::new(
                kyc::Onfido::builder(ONFIDO_TOKEN, ONFIDO_WORKFLOW)
                    .with_base_url(format!("{base}/v3.6"))
                    .build()
                    .expect("onfido"),
            ),
        }
    }

    /// The request both sides send: a client id, and the names Onfido requires.
    pub fn request(self) -> SessionRequest {
        let request = SessionRequest::new(ClientId::new("bench-user").expect("client id"));
        match self {
            Vendor::Onfido => {
                request.with_person(Person::default().with_first_name("Jane").with_last_name("Doe"))
            }
            _ => request,
        }
    }

    /// `create_session` through the adapter.
    pub fn library(self, base: &str) -> Call {
        let (adapter, request) = (self.adapter(base), Arc::new(self.request()));
        Arc::new(move || {
            let (adapter, request) = (Arc::clone(&adapter), Arc::clone(&request));
            Box::pin(async move {
                adapter.create_session(&request).await.expect("session");
            })
        })
    }

    /// `create_session` through the adapter, wrapped in a ledger over the in-memory store, a
    /// new idempotency key each call (each one buys a session and records it).
    pub fn ledger(self, base: &str) -> Call {
        let (adapter, request) = (self.adapter(base), Arc::new(self.request()));
        let store: Arc<dyn LedgerStore> = Arc::new(MemoryStore::new());
        let ledger = Arc::new(Ledger::builder(store, b"bench fingerprint key".to_vec()).build());
        let keys = Arc::new(AtomicU64::new(0));
        Arc::new(move || {
            let (adapter, request) = (Arc::clone(&adapter), Arc::clone(&request));
            let (ledger, keys) = (Arc::clone(&ledger), Arc::clone(&keys));
            Box::pin(async move {
                let key = format!("signup-{}", keys.fetch_add(1, Ordering::Relaxed));
                let created =
                    ledger.create_session(&*adapter, &request, Some(&key)).await.expect("session");
                assert!(!created.reused);
            })
        })
    }

    /// The hand-written call.
    pub fn baseline(self, base: &str) -> Call {
        let http = reqwest::Client::new();
        let base: Arc<str> = base.into();
        Arc::new(move || {
            let (http, base) = (http.clone(), Arc::clone(&base));
            Box::pin(async move {
                match self {
                    Vendor::Idenfy => idenfy_by_hand(&http, &base).await,
                    Vendor::Veriff => veriff_by_hand(&http, &base).await,
                    Vendor::Sumsub => sumsub_by_hand(&http, &base).await,
                    Vendor::Onfido => onfido_by_hand(&http, &base).await,
                }
            })
        })
    }
}

#[derive(serde::Deserialize)]
struct IdenfyToken {
    #[serde(rename = "authToken")]
    auth_token: String,
    #[serde(rename = "scanRef")]
    scan_ref: String,
}

#[derive(serde::Deserialize)]
struct VeriffCreated {
    verification: VeriffVerification,
}

#[derive(serde::Deserialize)]
struct VeriffVerification {
    id: String,
    url: String,
}

#[derive(serde::Deserialize)]
struct SumsubLink {
    url: String,
}

#[derive(serde::Deserialize)]
struct OnfidoApplicant {
    id: String,
}

#[derive(serde::Deserialize)]
struct OnfidoRun {
    id: String,
    link: OnfidoLink,
}

#[derive(serde::Deserialize)]
struct OnfidoLink {
    url: String,
}

/// POST `body` to `url` with `headers`, check the status, decode `T`.
async fn post_json<T: serde::de::DeserializeOwned>(request: reqwest::RequestBuilder) -> T {
    let response = request.header("content-type", "application/json").send().await.expect("sent");
    assert!(response.status().is_success());
    let bytes = response.bytes().await.expect("body");
    serde_json::from_slice(&bytes).expect("decoded")
}

async fn idenfy_by_hand(http: &reqwest::Client, base: &str) {
    let token: IdenfyToken = post_json(
        http.post(format!("{base}/api/v2/token"))
            .basic_auth("key", Some("secret"))
            .body(r#"{"clientId":"bench-user"}"#),
    )
    .await;
    assert!(!token.auth_token.is_empty() && !token.scan_ref.is_empty());
}

async fn veriff_by_hand(http: &reqwest::Client, base: &str) {
    let created: VeriffCreated = post_json(
        http.post(format!("{base}/v1/sessions"))
            .header("x-auth-client", VERIFF_KEY)
            .body(r#"{"verification":{"vendorData":"bench-user"}}"#),
    )
    .await;
    assert!(!created.verification.id.is_empty() && !created.verification.url.is_empty());
}

/// Signed as <https://docs.sumsub.com/reference/authentication> says: hex HMAC-SHA256 of the
/// timestamp, method, path and body.
async fn sumsub_by_hand(http: &reqwest::Client, base: &str) {
    const PATH: &str = "/resources/sdkIntegrations/levels/-/websdkLink";
    const BODY: &str = r#"{"levelName":"basic-kyc-level","userId":"bench-user","ttlInSecs":1800}"#;
    let ts = chrono::Utc::now().timestamp().to_string();
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(SUMSUB_SECRET.as_bytes()).expect("key");
    for part in [ts.as_str(), "POST", PATH, BODY] {
        mac.update(part.as_bytes());
    }
    let mut signature = String::with_capacity(64);
    for byte in mac.finalize().into_bytes() {
        signature.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        signature.push(char::from(b"0123456789abcdef"[usize::from(byte & 15)]));
    }
    let link: SumsubLink = post_json(
        http.post(format!("{base}{PATH}"))
            .header("x-app-token", SUMSUB_TOKEN)
            .header("x-app-access-ts", ts)
            .header("x-app-access-sig", signature)
            .body(BODY),
    )
    .await;
    assert!(!link.url.is_empty());
}

async fn onfido_by_hand(http: &reqwest::Client, base: &str) {
    let authorization = format!("Token token={ONFIDO_TOKEN}");
    let applicant: OnfidoApplicant = post_json(
        http.post(format!("{base}/v3.6/applicants"))
            .header("authorization", &authorization)
            .body(r#"{"first_name":"Jane","last_name":"Doe"}"#),
    )
    .await;
    let body = format!(
        r#"{{"workflow_id":"{ONFIDO_WORKFLOW}","applicant_id":"{}","customer_user_id":"bench-user","link":{{"expires_at":"2099-03-11T10:00:00Z"}}}}"#,
        applicant.id
    );
    let run: OnfidoRun = post_json(
        http.post(format!("{base}/v3.6/workflow_runs"))
            .header("authorization", &authorization)
            .body(body),
    )
    .await;
    assert!(!run.id.is_empty() && !run.link.url.is_empty());
}
