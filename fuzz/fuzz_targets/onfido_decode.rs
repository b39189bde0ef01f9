//! Any bytes as Onfido's answer to `POST /workflow_runs`: a classified error or a session,
//! never a panic.
#![no_main]

use std::sync::LazyLock;

use kyc::{ClientId, SessionRequest};
use libfuzzer_sys::fuzz_target;

/// Built once: a client holds an HTTP connection pool and TLS settings.
static ONFIDO: LazyLock<kyc::Onfido> = LazyLock::new(|| {
    kyc::Onfido::builder("api_sandbox.fuzz", "b42cf165-031f-4792-a57e-eea4fa10c4e2")
        .build()
        .expect("client")
});

fuzz_target!(|data: &[u8]| {
    let request = SessionRequest::new(ClientId::new("fuzz").expect("client id"));
    let _ = ONFIDO.decode(&request, 201, data, chrono::Utc::now());
});
