//! What the library costs on top of a hand-written reqwest call: `create_session` through each
//! adapter against the same minimal local server as a plain reqwest POST of the same JSON, in
//! the same run. Latency p50 and p99 sequentially; throughput at 1, 16 and 64 concurrent
//! requests; each as a ratio to the baseline.
//!
//! ```sh
//! cargo bench --bench overhead
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use kyc::{ClientId, SessionRequest, VerificationSession};

/// iDenfy's documented answer (<https://documentation.idenfy.com/kyc/generate-token>).
const IDENFY_ANSWER: &str = r#"{"message":"Token created successfully","authToken":"pgYQX0z2T8mtcpNj9I20uWVCLKNuG0vgr12f0wAC","scanRef":"ec6a7108-8c26-11e9-9758-309c231b1bac","clientId":"bench-user","firstName":null,"lastName":null,"redirectUrl":"https://ivs.idenfy.com/api/v2/redirect?authToken=pgYQX0z2T8mtcpNj9I20uWVCLKNuG0vgr12f0wAC","digitString":null,"expiryTime":3600,"sessionLength":600}"#;
/// Veriff's documented answer (<https://devdocs.veriff.com/apidocs/v1sessions>).
const VERIFF_ANSWER: &str = r#"{"status":"success","verification":{"id":"f04bdb47-d3be-4b28-b028-a652feb060b5","url":"https://alchemy.veriff.com/v/eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9","vendorData":"bench-user","host":"https://alchemy.veriff.com","status":"created","sessionToken":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"}}"#;
const VERIFF_KEY: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";

const SEQUENTIAL: usize = 2000;
const CONCURRENT_TOTAL: usize = 4000;
const ROUNDS: usize = 5;

/// A hand-written client: POST the JSON, check the status, decode the two fields it needs.
#[derive(serde::Deserialize)]
struct IdenfyToken {
    #[serde(rename = "authToken")]
    _auth_token: String,
    #[serde(rename = "scanRef")]
    _scan_ref: String,
}

#[derive(serde::Deserialize)]
struct VeriffCreated {
    verification: VeriffVerification,
}

#[derive(serde::Deserialize)]
struct VeriffVerification {
    _id: Option<String>,
    url: String,
}

type Call =
    Arc<dyn Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> + Send + Sync>;

fn main() {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    let server = Router::new()
        .route(
            "/api/v2/token",
            post(|| async {
                (StatusCode::CREATED, [("content-type", "application/json")], IDENFY_ANSWER)
            }),
        )
        .route(
            "/v1/sessions",
            post(|| async {
                (StatusCode::CREATED, [("content-type", "application/json")], VERIFF_ANSWER)
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("loopback");
    let base = format!("http://{}", listener.local_addr().expect("bound"));
    tokio::spawn(async move { axum::serve(listener, server).await.expect("server") });

    let request = Arc::new(SessionRequest::new(ClientId::new("bench-user").expect("client id")));
    let idenfy: Arc<dyn VerificationSession> = Arc::new(
        kyc::Idenfy::builder("key", "secret").with_base_url(&base).build().expect("idenfy"),
    );
    let veriff: Arc<dyn VerificationSession> =
        Arc::new(kyc::Veriff::builder(VERIFF_KEY).with_base_url(&base).build().expect("veriff"));
    let plain = reqwest::Client::new();

    let library = |provider: Arc<dyn VerificationSession>| -> Call {
        let request = Arc::clone(&request);
        Arc::new(move || {
            let (provider, request) = (Arc::clone(&provider), Arc::clone(&request));
            Box::pin(async move {
                provider.create_session(&request).await.expect("session");
            })
        })
    };
    let idenfy_baseline: Call = {
        let (plain, url) = (plain.clone(), format!("{base}/api/v2/token"));
        Arc::new(move || {
            let (plain, url) = (plain.clone(), url.clone());
            Box::pin(async move {
                let response = plain
                    .post(url)
                    .basic_auth("key", Some("secret"))
                    .header("content-type", "application/json")
                    .body(r#"{"clientId":"bench-user"}"#)
                    .send()
                    .await
                    .expect("sent");
                assert!(response.status().is_success());
                let bytes = response.bytes().await.expect("body");
                let _: IdenfyToken = serde_json::from_slice(&bytes).expect("decoded");
            })
        })
    };
    let veriff_baseline: Call = {
        let (plain, url) = (plain.clone(), format!("{base}/v1/sessions"));
        Arc::new(move || {
            let (plain, url) = (plain.clone(), url.clone());
            Box::pin(async move {
                let response = plain
                    .post(url)
                    .header("x-auth-client", VERIFF_KEY)
                    .header("content-type", "application/json")
                    .body(r#"{"verification":{"vendorData":"bench-user"}}"#)
                    .send()
                    .await
                    .expect("sent");
                assert!(response.status().is_success());
                let bytes = response.bytes().await.expect("body");
                let created: VeriffCreated = serde_json::from_slice(&bytes).expect("decoded");
                assert!(!created.verification.url.is_empty());
            })
        })
    };

    println!("| vendor | measure | hand-written reqwest | kyc | ratio (kyc / reqwest) |");
    println!("|---|---|---|---|---|");
    for (vendor, baseline, ours) in
        [("iDenfy", idenfy_baseline, library(idenfy)), ("Veriff", veriff_baseline, library(veriff))]
    {
        // Warm both connection pools.
        sequential(&baseline, 300).await;
        sequential(&ours, 300).await;
        // Rounds alternate which side goes first, and the median round is reported: two cores
        // shared by client and server make single runs noisy.
        let mut latency: Vec<[(Duration, Duration); 2]> = Vec::new();
        let mut rates: Vec<[(f64, f64); 3]> = Vec::new();
        for round in 0..ROUNDS {
            let (b, o) = match round % 2 {
                0 => {
                    let b = sequential(&baseline, SEQUENTIAL).await;
                    (b, sequential(&ours, SEQUENTIAL).await)
                }
                _ => {
                    let o = sequential(&ours, SEQUENTIAL).await;
                    (sequential(&baseline, SEQUENTIAL).await, o)
                }
            };
            latency.push([0.50, 0.99].map(|p| (percentile(&b, p), percentile(&o, p))));
            let mut rate = [(0.0, 0.0); 3];
            for (slot, concurrency) in [1, 16, 64].into_iter().enumerate() {
                rate[slot] = match round % 2 {
                    0 => {
                        let b = throughput(&baseline, concurrency).await;
                        (b, throughput(&ours, concurrency).await)
                    }
                    _ => {
                        let o = throughput(&ours, concurrency).await;
                        (throughput(&baseline, concurrency).await, o)
                    }
                };
            }
            rates.push(rate);
        }
        for (slot, name) in ["latency p50", "latency p99"].into_iter().enumerate() {
            let mut rounds: Vec<(Duration, Duration)> = latency.iter().map(|l| l[slot]).collect();
            rounds.sort_by(|x, y| ratio(x.1, x.0).total_cmp(&ratio(y.1, y.0)));
            let (b, o) = rounds[rounds.len() / 2];
            println!(
                "| {vendor} | {name} | {} µs | {} µs | {:.3} |",
                b.as_micros(),
                o.as_micros(),
                ratio(o, b)
            );
        }
        for (slot, concurrency) in [1, 16, 64].into_iter().enumerate() {
            let mut rounds: Vec<(f64, f64)> = rates.iter().map(|r| r[slot]).collect();
            rounds.sort_by(|x, y| (x.1 / x.0).total_cmp(&(y.1 / y.0)));
            let (b, o) = rounds[rounds.len() / 2];
            println!(
                "| {vendor} | throughput at {concurrency} | {b:.0}/s | {o:.0}/s | {:.3} |",
                o / b
            );
        }
    }
}

fn ratio(ours: Duration, baseline: Duration) -> f64 {
    ours.as_secs_f64() / baseline.as_secs_f64()
}

async fn sequential(call: &Call, count: usize) -> Vec<Duration> {
    let mut timings = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        call().await;
        timings.push(started.elapsed());
    }
    timings.sort();
    timings
}

fn percentile(sorted: &[Duration], pick: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * pick).round() as usize]
}

async fn throughput(call: &Call, concurrency: usize) -> f64 {
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let call = Arc::clone(call);
        workers.spawn(async move {
            for _ in 0..CONCURRENT_TOTAL / concurrency {
                call().await;
            }
        });
    }
    while workers.join_next().await.is_some() {}
    (CONCURRENT_TOTAL / concurrency * concurrency) as f64 / started.elapsed().as_secs_f64()
}
