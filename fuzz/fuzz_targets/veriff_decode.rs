//! Any bytes as Veriff's answer to a session request: a classified error or a session, never a
//! panic.
#![no_main]

use std::sync::LazyLock;

use kyc::{ClientId, SessionRequest};
use libfuzzer_sys::fuzz_target;

/// Built once: a client holds an HTTP connection pool and TLS settings.
static VERIFF: LazyLock<kyc::Veriff> =
    LazyLock::new(|| kyc::Veriff::new("3fa85f64-5717-4562-b3fc-2c963f66afa6").expect("client"));

fuzz_target!(|data: &[u8]| {
    let veriff = &*VERIFF;
    let request = SessionRequest::new(ClientId::new("fuzz").expect("client id"));
    let _ = veriff.decode(&request, 201, data, chrono::Utc::now());
});
