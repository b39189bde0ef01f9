//! Any bytes as iDenfy's answer to an identity and a business token request: a classified
//! error or a session, never a panic.
#![no_main]

use std::sync::LazyLock;

use kyc::{ClientId, SessionRequest, VerificationKind};
use libfuzzer_sys::fuzz_target;

/// Built once: a client holds an HTTP connection pool and TLS settings.
static IDENFY: LazyLock<kyc::Idenfy> =
    LazyLock::new(|| kyc::Idenfy::new("fuzz", "fuzz").expect("client"));

fuzz_target!(|data: &[u8]| {
    let idenfy = &*IDENFY;
    let request = SessionRequest::new(ClientId::new("fuzz").expect("client id"));
    let business = request.clone().with_kind(VerificationKind::Business);
    for request in [&request, &business] {
        let _ = idenfy.decode(request, 201, data, chrono::Utc::now());
    }
});
