//! Any bytes as a webhook body, accepted unsigned so the parsers are reached: a classified
//! error or a decision, never a panic.
#![no_main]

use kyc::{IdenfyWebhooks, VeriffWebhooks, WebhookVerifier};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let headers = http::HeaderMap::new();
    // Built per run: verifiers hold no connection pool, only keys.
    let idenfy = IdenfyWebhooks::new("fuzz").dangerously_accept_unsigned();
    let veriff = VeriffWebhooks::new("fuzz").dangerously_accept_unsigned();
    let _ = idenfy.verify_webhook(&headers, data);
    let _ = veriff.verify_webhook(&headers, data);
});
