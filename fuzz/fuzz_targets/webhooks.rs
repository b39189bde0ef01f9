//! Any bytes as a webhook body, accepted unsigned so the parsers are reached: a classified
//! error or a decision, never a panic.
#![no_main]

use std::sync::LazyLock;

use kyc::VerificationResults;
use libfuzzer_sys::fuzz_target;

/// Built once: a client holds an HTTP connection pool and TLS settings.
static IDENFY: LazyLock<kyc::Idenfy> = LazyLock::new(|| {
    kyc::Idenfy::builder("fuzz", "fuzz")
        .dangerously_accept_unsigned_webhooks()
        .build()
        .expect("client")
});
static VERIFF: LazyLock<kyc::Veriff> = LazyLock::new(|| {
    kyc::Veriff::builder("3fa85f64-5717-4562-b3fc-2c963f66afa6")
        .dangerously_accept_unsigned_webhooks()
        .build()
        .expect("client")
});

fuzz_target!(|data: &[u8]| {
    let headers = reqwest::header::HeaderMap::new();
    let _ = IDENFY.verify_webhook(&headers, data);
    let _ = VERIFF.verify_webhook(&headers, data);
});
