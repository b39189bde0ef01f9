//! Any bytes as a webhook body, accepted unsigned so the parsers are reached: a classified
//! error, a decision or a notice, never a panic, for every vendor. The first byte picks iDenfy's
//! `Idenfy-Event-Type` (none, or one of the event types it routes by), so the KYB parsers that
//! only the header reaches are fuzzed too.
#![no_main]

use kyc::{IdenfyWebhooks, OnfidoWebhooks, SumsubWebhooks, VeriffWebhooks, WebhookVerifier};
use libfuzzer_sys::fuzz_target;

/// The event types iDenfy documents, each routed to its own parser.
const IDENFY_EVENTS: [&str; 9] = [
    "IDENTIFICATION_AUTO_FINISHED",
    "DOCUMENT_EXPIRATION",
    "COMPANY_SUBMIT",
    "COMPANY_REVIEW",
    "COMPANY_INFO_REQUEST",
    "COMPANY_DELETE",
    "COMPANY_EXPIRATION",
    "COMPANY_AML_REVIEW",
    "COMPANY_TOKEN_EXPIRED",
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else { return };
    let mut idenfy_headers = http::HeaderMap::new();
    if let Some(event) = IDENFY_EVENTS.get(usize::from(selector) % (IDENFY_EVENTS.len() + 1)) {
        idenfy_headers.insert("idenfy-event-type", http::HeaderValue::from_static(event));
    }
    // Built per run: verifiers hold no connection pool, only keys.
    let idenfy = IdenfyWebhooks::new("fuzz").dangerously_accept_unsigned();
    let veriff = VeriffWebhooks::new("fuzz").dangerously_accept_unsigned();
    let sumsub = SumsubWebhooks::new("fuzz").dangerously_accept_unsigned();
    let onfido = OnfidoWebhooks::new("fuzz").dangerously_accept_unsigned();
    let _ = idenfy.verify_webhook(&idenfy_headers, body);
    let _ = veriff.verify_webhook(&http::HeaderMap::new(), data);
    let _ = sumsub.verify_webhook(&http::HeaderMap::new(), data);
    let _ = onfido.verify_webhook(&http::HeaderMap::new(), data);
});
