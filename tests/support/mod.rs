//! Shared by the integration tests; each test binary uses its own part of it.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

/// An emulator with its default credentials, on a fresh loopback port.
#[cfg(all(feature = "idenfy", feature = "veriff"))]
pub(crate) async fn emulator() -> kyc_emulator::RunningEmulator {
    kyc_emulator::Emulator::builder().start().await.expect("the emulator starts")
}

/// iDenfy configured for `emulator` the way a deployment is configured: from its environment
/// (`IdenfyBuilder::from_vars`). A test chains what it needs on top (a timeout, a name).
#[cfg(all(feature = "idenfy", feature = "veriff"))]
pub(crate) fn idenfy(emulator: &kyc_emulator::RunningEmulator) -> kyc::IdenfyBuilder {
    kyc::IdenfyBuilder::from_vars(emulator.vars())
        .expect("the emulator's variables configure iDenfy")
}

/// Veriff configured for `emulator` from its environment (`VeriffBuilder::from_vars`).
#[cfg(all(feature = "idenfy", feature = "veriff"))]
pub(crate) fn veriff(emulator: &kyc_emulator::RunningEmulator) -> kyc::VeriffBuilder {
    kyc::VeriffBuilder::from_vars(emulator.vars())
        .expect("the emulator's variables configure Veriff")
}

#[cfg(all(feature = "idenfy", feature = "veriff"))]
pub(crate) type Received = tokio::sync::mpsc::UnboundedReceiver<(String, http::HeaderMap, Vec<u8>)>;

#[cfg(all(feature = "idenfy", feature = "veriff"))]
/// A webhook receiver on loopback, `{base}/idenfy` and `{base}/veriff`: what each delivery
/// brought (the path's vendor, headers, body), in arrival order. It takes each one before
/// answering, so whatever `RunningEmulator::decide` delivered is here when it returns.
pub(crate) async fn webhook_receiver() -> (String, Received) {
    let (sent, received) = tokio::sync::mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/{vendor}",
        axum::routing::post(
            move |axum::extract::Path(vendor): axum::extract::Path<String>,
                  headers: http::HeaderMap,
                  body: axum::body::Bytes| {
                let _ = sent.send((vendor, headers, body.to_vec()));
                async { http::StatusCode::OK }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, received)
}

/// Collects what `tracing` writes, to check what reaches the logs.
#[derive(Clone, Default)]
pub(crate) struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Everything written so far.
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    /// A subscriber writing here at `level`, active on this thread while the guard lives.
    pub(crate) fn install(&self, level: tracing::Level) -> tracing::subscriber::DefaultGuard {
        let subscriber = tracing_subscriber::fmt()
            .with_writer(self.clone())
            .with_max_level(level)
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_default(subscriber)
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Self;
    fn make_writer(&'a self) -> Self {
        self.clone()
    }
}
