//! What the emulator's test files share: a webhook receiver, the webhooks and answers as
//! received, and a hex HMAC computed here, independently of the emulator. Each file adds its
//! vendors' own readings of them.
#![allow(dead_code)]

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;
use tokio::sync::mpsc;

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hex HMAC-SHA256 of `message` under `key`.
pub(crate) fn hmac_sha256(key: &str, message: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(message);
    hex(&mac.finalize().into_bytes())
}

/// A webhook as received: its headers and raw body.
#[derive(Debug)]
pub(crate) struct Hook {
    pub(crate) headers: HeaderMap,
    pub(crate) raw: Vec<u8>,
}

impl Hook {
    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }
}

/// A receiver for webhooks, and the URL it listens on.
pub(crate) struct Receiver {
    pub(crate) url: String,
    pub(crate) hooks: mpsc::UnboundedReceiver<Hook>,
}

impl Receiver {
    pub(crate) async fn start() -> Self {
        let (sent, hooks) = mpsc::unbounded_channel();
        let app = Router::new().route(
            "/hook",
            post(move |headers: HeaderMap, body: axum::body::Bytes| {
                let _ = sent.send(Hook { headers, raw: body.to_vec() });
                async { StatusCode::OK }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, hooks }
    }

    pub(crate) async fn next(&mut self) -> Hook {
        let wait = tokio::time::timeout(Duration::from_secs(10), self.hooks.recv());
        wait.await.expect("a webhook in time").expect("the receiver runs")
    }

    pub(crate) fn none_yet(&mut self) -> bool {
        self.hooks.try_recv().is_err()
    }
}

/// An answer: status, headers, raw body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) raw: Vec<u8>,
}

impl Answer {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.raw).unwrap_or_else(|_| panic!("JSON: {:?}", self.raw))
    }
}

/// The answer to `request`, read whole.
pub(crate) async fn answer(request: reqwest::RequestBuilder) -> Answer {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    Answer { status, headers, raw: response.bytes().await.unwrap().to_vec() }
}
