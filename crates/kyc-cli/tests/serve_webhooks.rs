//! `kyc serve`'s webhook receivers over plain HTTP/1.1: each vendor's documented example,
//! signed as the vendor signs it with the built-in emulator's public default keys, recorded once
//! and then seen as a duplicate; wrong and missing signatures, oversized bodies, signed bodies
//! that are not the vendor's payload and unknown vendors refused with a 4xx (never a 5xx); the
//! counters of `GET /metrics`; and nothing secret or personal on the server's output.
//!
//! The signed fixtures are first checked without the server, by the library's own verifiers
//! built from the emulator's variables (`fixtures_*`), so a server test failing means the
//! server, not the fixture.
//!
//! The documented examples (the same bytes the adapters' own tests decode):
//!
//! - iDenfy: the 2022 identification webhook example, file URLs shortened
//!   (<https://documentation.idenfy.com/kyc/webhooks>; `crates/kyc-idenfy/fixtures/webhook.json`),
//!   signed in `Idenfy-Signature`, the hex HMAC-SHA256 of the raw body
//!   (<https://documentation.idenfy.com/security/callback-signing>), its event in
//!   `Idenfy-Event-Type`.
//! - Veriff: the decision webhook example (<https://devdocs.veriff.com/docs/decision-webhook>;
//!   `crates/kyc-veriff/fixtures/decision-webhook.json`: the legacy official sample, with
//!   `attemptId`/`endUserId` from <https://devdocs.veriff.com/apidocs/v1sessionsiddecision-1>),
//!   signed in `X-HMAC-SIGNATURE`, the hex HMAC-SHA256 of the raw body under the shared secret,
//!   with the API key in `X-AUTH-CLIENT`
//!   (<https://devdocs.veriff.com/docs/hmac-authentication-and-endpoint-security>).
//! - Sumsub: the `applicantReviewed` (RED/RETRY) webhook of `crates/kyc-sumsub/fixtures/`, in
//!   the pretty-printed format Sumsub delivers, fields as its user verification webhooks page
//!   documents them, values illustrative (<https://docs.sumsub.com/docs/user-verification-webhooks>),
//!   signed in `x-payload-digest` with the algorithm named in `x-payload-digest-alg`
//!   (`HMAC_SHA256_HEX`; <https://docs.sumsub.com/docs/webhooks>).
//! - Onfido: the `workflow_run.completed` event of Onfido's own Java client's webhook tests
//!   (<https://github.com/onfido/onfido-java/blob/master/src/test/java/com/onfido/webhooks/StudioWebhookEventVerifierTest.java>,
//!   the event format of <https://documentation.onfido.com/api/latest/#webhooks>), signed in
//!   `X-SHA2-Signature`, the hex HMAC-SHA256 of the raw body under the webhook token
//!   (<https://documentation.onfido.com/api/latest/#webhooks-signature>).
//!
//! Each server test starts its own `kyc serve --listen 127.0.0.1:0`, without any vendor
//! credential in its environment (every vendor then runs on the built-in emulator, whose webhook
//! keys are `kyc_emulator`'s public defaults).

#[path = "support/serve.rs"]
#[allow(dead_code)] // This file uses a part of it.
mod serve;

use std::collections::HashMap;

use kyc::{ErrorKind, Status, WebhookEvent, WebhookVerifier};
use kyc_adapter::webhook::{HmacAlgorithm, WEBHOOK_BODY_CAP, hex_hmac_with};
use kyc_emulator::{
    DEFAULT_IDENFY_KEY, DEFAULT_IDENFY_SECRET, DEFAULT_IDENFY_WEBHOOK_KEY,
    DEFAULT_ONFIDO_API_TOKEN, DEFAULT_ONFIDO_WEBHOOK_TOKEN, DEFAULT_SUMSUB_APP_TOKEN,
    DEFAULT_SUMSUB_SECRET_KEY, DEFAULT_SUMSUB_WEBHOOK_SECRET, DEFAULT_VERIFF_KEY,
    DEFAULT_VERIFF_SECRET, Emulator,
};
use serde_json::json;

use serve::{Answer, Console, Server};

// ---------------------------------------------------------------------------------------------
// The documented examples and how each vendor signs them
// ---------------------------------------------------------------------------------------------

/// iDenfy's 2022 identification webhook example (<https://documentation.idenfy.com/kyc/webhooks>).
const IDENFY_EXAMPLE: &str = include_str!("../../kyc-idenfy/fixtures/webhook.json");
/// The event iDenfy names in `Idenfy-Event-Type` for that example's automatic result.
const IDENFY_EVENT: &str = "IDENTIFICATION_AUTO_FINISHED";

/// Veriff's decision webhook example (<https://devdocs.veriff.com/docs/decision-webhook>).
const VERIFF_EXAMPLE: &str = include_str!("../../kyc-veriff/fixtures/decision-webhook.json");

/// Sumsub's `applicantReviewed` webhook in its delivered format
/// (<https://docs.sumsub.com/docs/user-verification-webhooks>).
const SUMSUB_EXAMPLE: &str =
    include_str!("../../kyc-sumsub/fixtures/applicant-reviewed-red-retry.json");
/// That fixture's SHA-256 digest under the secret it was computed with (Python's `hmac`; see
/// `crates/kyc-sumsub/fixtures/README.md`): proves these are its exact bytes.
const SUMSUB_EXAMPLE_SECRET: &str = "whsec-example-0123456789";
const SUMSUB_EXAMPLE_DIGEST: &str =
    "47b08c699de0d61cf017282638361b3d7d3223d5bfe75ac586a9a61c95d5d0d6";

/// Onfido's `workflow_run.completed` event, byte for byte as in its Java client's
/// `StudioWebhookEventVerifierTest.workflowRunCompletedTest`
/// (<https://github.com/onfido/onfido-java/blob/master/src/test/java/com/onfido/webhooks/StudioWebhookEventVerifierTest.java>),
/// the same bytes as `crates/kyc-onfido/tests/http.rs`'s V4 vector.
const ONFIDO_EXAMPLE: &str = r#"{"payload":{"resource_type":"workflow_run","action":"workflow_run.completed","object":{"id":"d19692d6-730a-4730-9005-82185a5ec595","status":"approved","completed_at_iso8601":"2024-07-10T11:48:04Z","href":"https://api.eu.onfido.com/v3.6/workflow_runs/d19692d6-730a-4730-9005-82185a5ec595"},"resource":{"link":{"completed_redirect_url":null,"language":null,"expired_redirect_url":null,"url":"https://eu.onfido.app/l/d19692d6-730a-4730-9005-82185a5ec595","expires_at":null},"error":null,"id":"d19692d6-730a-4730-9005-82185a5ec595","updated_at":"2024-07-10T11:48:04Z","output":null,"applicant_id":"520d3d08-c600-4458-abf3-d0e91cff2735","tags":[],"created_at":"2024-07-10T11:48:04Z","sdk_token":null,"reasons":[],"status":"approved","workflow_version_id":1,"dashboard_url":"https://dashboard.onfido.com/results/d19692d6-730a-4730-9005-82185a5ec595","workflow_id":"221f9d24-cf72-4762-ac4a-01bf3ccc09dd"}}}"#;
/// The token and signature of that test: prove these are its exact bytes.
const ONFIDO_EXAMPLE_TOKEN: &str = "sgx0lCZimfQBJHnuiKJaNUF76yQZfD94";
const ONFIDO_EXAMPLE_SIGNATURE: &str =
    "de43e2a218c589d6bb750d9d7014744d378660cd106886f722f72a9c0eef3027";

/// The four vendors, in the order of the `provider` label's documented values.
const VENDORS: [Vendor; 4] = [Vendor::Idenfy, Vendor::Veriff, Vendor::Sumsub, Vendor::Onfido];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Vendor {
    Idenfy,
    Veriff,
    Sumsub,
    Onfido,
}

impl Vendor {
    /// The name in `/webhooks/{vendor}` and in the `provider` label.
    fn name(self) -> &'static str {
        match self {
            Self::Idenfy => "idenfy",
            Self::Veriff => "veriff",
            Self::Sumsub => "sumsub",
            Self::Onfido => "onfido",
        }
    }

    fn path(self) -> String {
        format!("/webhooks/{}", self.name())
    }

    /// The documented example.
    fn example(self) -> &'static [u8] {
        match self {
            Self::Idenfy => IDENFY_EXAMPLE.as_bytes(),
            Self::Veriff => VERIFF_EXAMPLE.as_bytes(),
            Self::Sumsub => SUMSUB_EXAMPLE.as_bytes(),
            Self::Onfido => ONFIDO_EXAMPLE.as_bytes(),
        }
    }

    /// The key the built-in emulator signs this vendor's webhooks with.
    fn emulator_key(self) -> &'static str {
        match self {
            Self::Idenfy => DEFAULT_IDENFY_WEBHOOK_KEY,
            Self::Veriff => DEFAULT_VERIFF_SECRET,
            Self::Sumsub => DEFAULT_SUMSUB_WEBHOOK_SECRET,
            Self::Onfido => DEFAULT_ONFIDO_WEBHOOK_TOKEN,
        }
    }

    /// The variable the library's verifier reads the key from (`from_vars`).
    fn key_var(self) -> &'static str {
        match self {
            Self::Idenfy => "IDENFY_WEBHOOK_KEY",
            Self::Veriff => "VERIFF_SHARED_SECRET",
            Self::Sumsub => "SUMSUB_WEBHOOK_SECRET",
            Self::Onfido => "ONFIDO_WEBHOOK_TOKEN",
        }
    }

    /// The header carrying the signature (names as the vendors write them; HTTP header names
    /// are case-insensitive).
    fn signature_header(self) -> &'static str {
        match self {
            Self::Idenfy => "Idenfy-Signature",
            Self::Veriff => "X-HMAC-SIGNATURE",
            Self::Sumsub => "X-Payload-Digest",
            Self::Onfido => "X-SHA2-Signature",
        }
    }

    /// The headers a delivery carries besides its signature.
    fn other_headers(self) -> Vec<(&'static str, String)> {
        match self {
            Self::Idenfy => vec![("Idenfy-Event-Type", IDENFY_EVENT.to_owned())],
            Self::Veriff => vec![("X-AUTH-CLIENT", DEFAULT_VERIFF_KEY.to_owned())],
            Self::Sumsub => vec![("X-Payload-Digest-Alg", "HMAC_SHA256_HEX".to_owned())],
            Self::Onfido => Vec::new(),
        }
    }

    /// The headers of `body` signed with `key`, as the vendor signs: every one of the four
    /// sends the lowercase hex HMAC-SHA256 of the raw body.
    fn signed_with(self, key: &str, body: &[u8]) -> Vec<(&'static str, String)> {
        let mut headers = self.other_headers();
        headers.push((self.signature_header(), hmac_sha256_hex(key, body)));
        headers
    }

    /// `body` signed with the emulator's key: what the server must accept.
    fn signed(self, body: &[u8]) -> Vec<(&'static str, String)> {
        self.signed_with(self.emulator_key(), body)
    }

    /// `body` signed with a key the server does not hold.
    fn wrongly_signed(self, body: &[u8]) -> Vec<(&'static str, String)> {
        self.signed_with("not-the-webhook-key", body)
    }

    /// A delivery without its signature header (its other headers kept).
    fn unsigned(self) -> Vec<(&'static str, String)> {
        self.other_headers()
    }

    /// What the documented example decides: (session id, status).
    fn expected_decision(self) -> (&'static str, Status) {
        match self {
            Self::Idenfy => ("scan-ref", Status::Approved),
            Self::Veriff => ("12df6045-3846-3e45-946a-14fa6136d78b", Status::Approved),
            Self::Sumsub => ("user-42", Status::ResubmissionRequested),
            Self::Onfido => ("d19692d6-730a-4730-9005-82185a5ec595", Status::Approved),
        }
    }

    /// Correctly signed bodies that are not this vendor's payload: the library's verifier
    /// answers `Decode` for each (checked by `fixtures_*`), the server 400.
    ///
    /// `{"hello":1}` is not among iDenfy's and Veriff's: both adapters accept every signed JSON
    /// object as a notice (iDenfy's "every correctly signed delivery whose body is a JSON object
    /// is accepted", Veriff's "anything else ... Notice, event unknown"), so those vendors get a
    /// malformed decision instead.
    fn not_the_payload(self) -> Vec<Vec<u8>> {
        let mut bodies: Vec<Vec<u8>> = vec![
            b"not json".to_vec(),
            b"".to_vec(),
            b"[1, 2, 3]".to_vec(),
            b"\"a string\"".to_vec(),
            // Deeper than serde_json's recursion limit.
            format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes(),
            // Not UTF-8.
            b"{\"scanRef\": \"\xff\xfe\"}".to_vec(),
        ];
        let specific: &[&str] = match self {
            // With `Idenfy-Event-Type: IDENTIFICATION_AUTO_FINISHED`: a decision event without
            // `scanRef` and `status`.
            Self::Idenfy => &[r#"{"hello":1}"#, r#"{"scanRef":"s-1"}"#],
            // A decision webhook without `verification.id` and `verification.status`.
            Self::Veriff => &[r#"{"verification":{"hello":1}}"#, r#"{"action":"submitted"}"#],
            // No string `type`.
            Self::Sumsub => &[r#"{"hello":1}"#, r#"{"type":42}"#],
            // No `payload.action`; a finished run without `object.id`.
            Self::Onfido => {
                &[r#"{"hello":1}"#, r#"{"payload":{"action":"workflow_run.completed"}}"#]
            }
        };
        bodies.extend(specific.iter().map(|body| body.as_bytes().to_vec()));
        bodies
    }
}

/// Hex HMAC-SHA256, computed here independently of the library.
fn hmac_sha256_hex(key: &str, body: &[u8]) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(body);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// 1 MiB, the largest body the contract accepts.
const ONE_MIB: usize = 1024 * 1024;

/// Personal data in the documented examples (and Sumsub's internal `clientComment`), which the
/// server must never print.
const PERSONAL: &[&str] = &[
    // iDenfy's example.
    "FIRST-NAME-EXAMPLE",
    "LAST-NAME-EXAMPLE",
    "FULL-NAME-EXAMPLE",
    "ŠILUVA",
    "Kaunas, Lithuania",
    "192.0.2.0",
    "ssn number",
    // Veriff's example.
    "SARAH",
    "MORGAN",
    "1967-03-30",
    "MORGA753116SM9IJ",
    "Snowy Ridge",
    "186.153.67.122",
    // Sumsub's example: the comment "that should not be shown to your applicants".
    "Screenshots are not accepted",
];

// ---------------------------------------------------------------------------------------------
// The fixtures, proven without the server
// ---------------------------------------------------------------------------------------------

fn header_map(headers: &[(&'static str, String)]) -> http::HeaderMap {
    let mut map = http::HeaderMap::new();
    for (name, value) in headers {
        let name = http::HeaderName::from_bytes(name.as_bytes()).unwrap();
        map.append(name, http::HeaderValue::from_str(value).unwrap());
    }
    map
}

/// The library's verifier for `vendor`, built from `vars` as `kyc webhook verify` builds it.
fn verifier(vendor: Vendor, vars: &[(&'static str, String)]) -> Box<dyn WebhookVerifier> {
    let vars = vars.iter().map(|(name, value)| (*name, value.clone()));
    match vendor {
        Vendor::Idenfy => Box::new(kyc::IdenfyWebhooks::from_vars(vars).unwrap()),
        Vendor::Veriff => Box::new(kyc::VeriffWebhooks::from_vars(vars).unwrap()),
        Vendor::Sumsub => Box::new(kyc::SumsubWebhooks::from_vars(vars).unwrap()),
        Vendor::Onfido => Box::new(kyc::OnfidoWebhooks::from_vars(vars).unwrap()),
    }
}

#[tokio::test]
async fn fixtures_verify_with_the_emulator_s_default_keys() {
    // The examples are the documented bytes: their published signatures still verify.
    let sumsub = kyc::SumsubWebhooks::new(SUMSUB_EXAMPLE_SECRET);
    let headers = header_map(&[("x-payload-digest", SUMSUB_EXAMPLE_DIGEST.to_owned())]);
    assert!(sumsub.verify_webhook(&headers, SUMSUB_EXAMPLE.as_bytes()).is_ok());
    let onfido = kyc::OnfidoWebhooks::new(ONFIDO_EXAMPLE_TOKEN);
    let headers = header_map(&[("x-sha2-signature", ONFIDO_EXAMPLE_SIGNATURE.to_owned())]);
    assert!(onfido.verify_webhook(&headers, ONFIDO_EXAMPLE.as_bytes()).is_ok());
    assert_eq!(ONE_MIB, WEBHOOK_BODY_CAP, "the contract's 1 MiB is the library's cap");

    // The emulator signs with its public defaults, and hands them out as these variables.
    let emulator = Emulator::builder().start().await.unwrap();
    let vars = emulator.vars();
    for vendor in VENDORS {
        let value = vars.iter().find(|(name, _)| *name == vendor.key_var()).map(|(_, v)| v);
        assert_eq!(value.map(String::as_str), Some(vendor.emulator_key()), "{vendor:?}");
    }
    let veriff_key = vars.iter().find(|(name, _)| *name == "VERIFF_API_KEY").unwrap();
    assert_eq!(veriff_key.1, DEFAULT_VERIFF_KEY, "X-AUTH-CLIENT is the emulator's API key");

    for vendor in VENDORS {
        let verifier = verifier(vendor, &vars);
        let example = vendor.example();

        let event = verifier.verify_webhook(&header_map(&vendor.signed(example)), example);
        let decision = match event {
            Ok(WebhookEvent::Decision(decision)) => decision,
            other => panic!("{vendor:?}: the documented example is no decision: {other:?}"),
        };
        let (session_id, status) = vendor.expected_decision();
        assert_eq!(decision.provider, vendor.name());
        assert_eq!((decision.session_id.as_str(), decision.status), (session_id, status));

        // A wrong key, no signature: refused before anything is read.
        for headers in [vendor.wrongly_signed(example), vendor.unsigned()] {
            let error = verifier.verify_webhook(&header_map(&headers), example).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidSignature, "{vendor:?} {headers:?}");
        }
        // The right signature over other bytes.
        let mut tampered = example.to_vec();
        tampered.push(b' ');
        let error = verifier.verify_webhook(&header_map(&vendor.signed(example)), &tampered);
        assert_eq!(error.unwrap_err().kind(), ErrorKind::InvalidSignature, "{vendor:?}");

        // Signed, but not the vendor's payload: `Decode` (400 from the server).
        for body in vendor.not_the_payload() {
            let error = verifier.verify_webhook(&header_map(&vendor.signed(&body)), &body);
            let shown = String::from_utf8_lossy(&body[..body.len().min(60)]).into_owned();
            assert_eq!(error.unwrap_err().kind(), ErrorKind::Decode, "{vendor:?} {shown}");
        }

        // Over the cap, however well signed: refused (413 from the server, before this).
        let huge = vec![b' '; ONE_MIB + 1];
        let error = verifier.verify_webhook(&header_map(&vendor.signed(&huge)), &huge);
        assert_eq!(error.unwrap_err().kind(), ErrorKind::Decode, "{vendor:?}");
    }

    // Why `{"hello":1}` is no 400 case for iDenfy (without an identification event) and
    // Veriff: both accept every signed JSON object, as a notice.
    let hello = br#"{"hello":1}"#;
    for vendor in [Vendor::Idenfy, Vendor::Veriff] {
        let mut headers = vendor.signed(hello);
        headers.retain(|(name, _)| *name != "Idenfy-Event-Type");
        let event = verifier(vendor, &vars).verify_webhook(&header_map(&headers), hello).unwrap();
        assert!(matches!(event, WebhookEvent::Notice(_)), "{vendor:?}: {event:?}");
    }

    // Sumsub names its algorithm: legacy SHA-1 and an unknown word are refused.
    let sumsub = verifier(Vendor::Sumsub, &vars);
    let example = Vendor::Sumsub.example();
    for (alg, digest) in sumsub_refused_algorithms(example) {
        let headers = [("x-payload-digest", digest), ("x-payload-digest-alg", alg.to_owned())];
        let error = sumsub.verify_webhook(&header_map(&headers), example).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidSignature, "{alg}");
    }
}

/// Sumsub deliveries correctly digested under an algorithm the verifier refuses: (name, digest).
fn sumsub_refused_algorithms(body: &[u8]) -> Vec<(&'static str, String)> {
    let key = DEFAULT_SUMSUB_WEBHOOK_SECRET.as_bytes();
    vec![
        ("HMAC_SHA1_HEX", hex_hmac_with(HmacAlgorithm::Sha1, key, body)),
        ("HMAC_MD5_HEX", hex_hmac_with(HmacAlgorithm::Sha256, key, body)),
    ]
}

// ---------------------------------------------------------------------------------------------
// The server (`support/serve.rs`), and what these tests expect of its answers
// ---------------------------------------------------------------------------------------------

/// `POST path` with a delivery's `headers` (and `Content-Type: application/json`).
async fn send(
    server: &Server,
    path: &str,
    headers: &[(&'static str, String)],
    body: &[u8],
) -> Answer {
    let headers: Vec<(&str, &str)> =
        headers.iter().map(|(name, value)| (*name, value.as_str())).collect();
    server.post(path, &headers, body).await
}

/// What a webhook answer must be.
trait Expect {
    /// Asserts the status: first that it is no 5xx, whatever was expected.
    fn expect(&self, status: u16, what: &str) -> &Self;
    /// Asserts `{"error": "..."}`, a non-empty message.
    fn expect_error(&self, status: u16, what: &str);
}

impl Expect for Answer {
    #[track_caller]
    fn expect(&self, status: u16, what: &str) -> &Self {
        assert!(self.status < 500, "{what}: a 5xx for bad input: {self}");
        self.assert_status(status, what)
    }

    #[track_caller]
    fn expect_error(&self, status: u16, what: &str) {
        self.expect(status, what);
        let error = self.json();
        let message = error["error"].as_str().unwrap_or_default();
        assert!(!message.is_empty(), "{what}: no error message: {self}");
    }
}

/// `GET /metrics` (its content type checked), as samples.
async fn metrics(server: &Server) -> HashMap<(String, String), f64> {
    server.metrics().await.samples
}

/// A counter's value for `vendor` (a series not exported yet counts 0).
fn count(samples: &HashMap<(String, String), f64>, name: &str, vendor: Vendor) -> f64 {
    samples.get(&(name.to_owned(), vendor.name().to_owned())).copied().unwrap_or(0.0)
}

const VERIFIED: &str = "kyc_webhooks_verified_total";
const DUPLICATE: &str = "kyc_webhooks_duplicate_total";
const REFUSED: &str = "kyc_webhooks_refused_total";

/// The documented example of `vendor`, signed, posted.
async fn deliver_example(server: &Server, vendor: Vendor) -> Answer {
    let example = vendor.example();
    send(server, &vendor.path(), &vendor.signed(example), example).await
}

#[track_caller]
fn expect_status_word(answer: &Answer, word: &str, what: &str) {
    answer.expect(200, what);
    assert_eq!(answer.json(), json!({ "status": word }), "{what}: {answer}");
}

// ---------------------------------------------------------------------------------------------
// The server tests
// ---------------------------------------------------------------------------------------------

/// (a) Each documented example, signed as the vendor signs: recorded, then a duplicate.
#[tokio::test]
async fn serve_records_each_documented_example_once() {
    let server = Server::start().await;
    for vendor in VENDORS {
        let what = format!("{vendor:?}'s documented example");
        expect_status_word(&deliver_example(&server, vendor).await, "recorded", &what);
        let again = format!("{what}, delivered again");
        expect_status_word(&deliver_example(&server, vendor).await, "duplicate", &again);
        expect_status_word(&deliver_example(&server, vendor).await, "duplicate", &again);
    }
    // One vendor's delivery is not another's duplicate: the same bytes, recorded per vendor
    // above, still duplicates now.
    for vendor in VENDORS {
        let what = format!("{vendor:?}'s documented example, after the others");
        expect_status_word(&deliver_example(&server, vendor).await, "duplicate", &what);
    }
    // Shown, once each, on the console's page of the session it is about (one this ledger did
    // not create).
    let console = Console::login(&server).await;
    for vendor in VENDORS {
        let (session_id, status) = vendor.expected_decision();
        // Opened by its id from the list's form.
        let open = format!("/sessions/open?provider={}&id={session_id}", vendor.name());
        let path = format!("/sessions/{}/{session_id}", vendor.name());
        console.get(&open).await.assert_redirect(&path, "open by id");
        let page = console.get(&path).await;
        page.assert_status(200, &format!("{vendor:?}'s session page"));
        let rows = page.html().table_rows("events");
        assert_eq!(rows.len(), 1, "{vendor:?}: one event, recorded once: {rows:?}");
        assert!(rows[0].contains(&"webhook".to_owned()), "{vendor:?}: {rows:?}");
        assert!(rows[0].contains(&status.as_ref().to_owned()), "{vendor:?}: {rows:?}");
        assert!(page.text().contains("id=\"foreign\""), "{vendor:?}: {}", page.text());
    }
}

/// (b) A wrong signature and a missing one: 401 `{"error": ...}` for every vendor, and nothing
/// recorded (the correctly signed example is still recorded afterwards, not a duplicate).
#[tokio::test]
async fn serve_refuses_wrong_and_missing_signatures() {
    let server = Server::start().await;
    for vendor in VENDORS {
        let example = vendor.example();
        let path = vendor.path();
        let wrong = send(&server, &path, &vendor.wrongly_signed(example), example).await;
        wrong.expect_error(401, &format!("{vendor:?}: a wrong signature"));
        let missing = send(&server, &path, &vendor.unsigned(), example).await;
        missing.expect_error(401, &format!("{vendor:?}: no signature"));

        // The right signature over other bytes, and one that is not hex.
        let mut tampered = example.to_vec();
        tampered.push(b'\n');
        let answer = send(&server, &path, &vendor.signed(example), &tampered).await;
        answer.expect_error(401, &format!("{vendor:?}: a signature of other bytes"));
        let mut not_hex = vendor.other_headers();
        not_hex.push((vendor.signature_header(), "zz".repeat(32)));
        let answer = send(&server, &path, &not_hex, example).await;
        answer.expect_error(401, &format!("{vendor:?}: a signature that is not hex"));

        let what = format!("{vendor:?}'s example after the refused ones");
        expect_status_word(&deliver_example(&server, vendor).await, "recorded", &what);
    }

    // Sumsub names its algorithm: legacy SHA-1 and an unknown one are refused, however right
    // the digest.
    let example = Vendor::Sumsub.example();
    for (alg, digest) in sumsub_refused_algorithms(example) {
        let headers = [("X-Payload-Digest", digest), ("X-Payload-Digest-Alg", alg.to_owned())];
        let answer = send(&server, "/webhooks/sumsub", &headers, example).await;
        answer.expect_error(401, &format!("sumsub with {alg}"));
    }
}

/// (c) A body over 1 MiB: 413 for every vendor, however well signed; exactly 1 MiB is not
/// refused for its size.
#[tokio::test]
async fn serve_refuses_bodies_over_one_mib() {
    let server = Server::start().await;
    let mut over = b"not json".to_vec();
    over.resize(ONE_MIB + 1, b' ');
    let mut at_cap = b"not json".to_vec();
    at_cap.resize(ONE_MIB, b' ');
    for vendor in VENDORS {
        let path = vendor.path();
        let answer = send(&server, &path, &vendor.signed(&over), &over).await;
        answer.expect(413, &format!("{vendor:?}: 1 MiB + 1 byte, signed"));
        let answer = send(&server, &path, &vendor.unsigned(), &over).await;
        answer.expect(413, &format!("{vendor:?}: 1 MiB + 1 byte, unsigned"));
        let much_more = vec![b'{'; 8 * ONE_MIB];
        let answer = send(&server, &path, &vendor.signed(&much_more), &much_more).await;
        answer.expect(413, &format!("{vendor:?}: 8 MiB"));

        // At the cap the size is fine: these bytes are refused for what they are.
        let answer = send(&server, &path, &vendor.signed(&at_cap), &at_cap).await;
        answer.expect_error(400, &format!("{vendor:?}: exactly 1 MiB, signed, not JSON"));
    }
    // The server still serves after all that.
    expect_status_word(&deliver_example(&server, Vendor::Onfido).await, "recorded", "after 413s");
}

/// (d) Correctly signed bodies that are not the vendor's payload: 400 `{"error": ...}`.
#[tokio::test]
async fn serve_rejects_signed_bodies_that_are_not_the_vendor_s_payload() {
    let server = Server::start().await;
    for vendor in VENDORS {
        for body in vendor.not_the_payload() {
            let shown = String::from_utf8_lossy(&body[..body.len().min(60)]).into_owned();
            let answer = send(&server, &vendor.path(), &vendor.signed(&body), &body).await;
            answer.expect_error(400, &format!("{vendor:?}: signed {shown:?}"));
        }
    }
}

/// (e) An unknown vendor: 404, signed or not; and it counts for none of the four.
#[tokio::test]
async fn serve_answers_404_for_an_unknown_vendor() {
    let server = Server::start().await;
    let example = Vendor::Idenfy.example();
    let signed = Vendor::Idenfy.signed(example);
    for path in ["/webhooks/acme", "/webhooks/acme?provider=idenfy", "/webhooks/idenfy2"] {
        send(&server, path, &signed, example).await.expect(404, path);
        send(&server, path, &[], b"{}").await.expect(404, path);
    }
    let samples = metrics(&server).await;
    for vendor in VENDORS {
        for name in [VERIFIED, DUPLICATE, REFUSED] {
            assert_eq!(count(&samples, name, vendor), 0.0, "{name} {vendor:?}");
        }
    }
    let acme = samples.keys().find(|(_, provider)| provider == "acme");
    assert!(acme.is_none(), "no series for an unknown vendor: {acme:?}");
}

/// (f) The webhook counters per provider: every verified delivery (duplicates included),
/// the duplicates, the refused signatures. Each vendor gets different counts, so a label mixed
/// up shows.
#[tokio::test]
async fn serve_counts_webhooks_per_provider_in_metrics() {
    let server = Server::start().await;
    let before = metrics(&server).await;
    for vendor in VENDORS {
        for name in [VERIFIED, DUPLICATE, REFUSED] {
            assert_eq!(count(&before, name, vendor), 0.0, "{name} {vendor:?} before anything");
        }
    }

    for (i, vendor) in VENDORS.into_iter().enumerate() {
        // idenfy: 2 deliveries (1 duplicate), 1 refused; veriff 3 (2), 2; sumsub 4 (3), 3;
        // onfido 5 (4), 4.
        for delivery in 0..i + 2 {
            let word = if delivery == 0 { "recorded" } else { "duplicate" };
            let answer = deliver_example(&server, vendor).await;
            expect_status_word(&answer, word, &format!("{vendor:?} delivery {delivery}"));
        }
        let example = vendor.example();
        for refused in 0..i + 1 {
            let headers =
                if refused % 2 == 0 { vendor.wrongly_signed(example) } else { vendor.unsigned() };
            let answer = send(&server, &vendor.path(), &headers, example).await;
            answer.expect(401, &format!("{vendor:?} refused {refused}"));
        }
    }

    let after = metrics(&server).await;
    for (i, vendor) in VENDORS.into_iter().enumerate() {
        let i = i as f64;
        assert_eq!(count(&after, VERIFIED, vendor), i + 2.0, "{VERIFIED} {vendor:?}: {after:?}");
        assert_eq!(count(&after, DUPLICATE, vendor), i + 1.0, "{DUPLICATE} {vendor:?}: {after:?}");
        assert_eq!(count(&after, REFUSED, vendor), i + 1.0, "{REFUSED} {vendor:?}: {after:?}");
    }
    for (name, provider) in after.keys() {
        if name.starts_with("kyc_") && !provider.is_empty() {
            assert!(
                VENDORS.iter().any(|vendor| vendor.name() == provider),
                "{name}: provider label {provider:?} is none of the four"
            );
        }
    }
}

/// (g) Nothing secret or personal on the server's output, after every kind of delivery: not the
/// webhook keys, the emulator's API credentials, the console password or the signatures sent,
/// nor the examples' personal data; and every line is one of `kyc serve: `.
#[tokio::test]
async fn serve_keeps_secrets_and_personal_data_out_of_its_output() {
    let server = Server::start().await;
    let mut signatures = Vec::new();
    for vendor in VENDORS {
        let example = vendor.example();
        let path = vendor.path();
        let signed = vendor.signed(example);
        signatures.extend(signed.iter().map(|(_, value)| value.clone()));
        send(&server, &path, &signed, example).await.expect(200, "recorded");
        send(&server, &path, &signed, example).await.expect(200, "duplicate");
        let wrong = vendor.wrongly_signed(example);
        signatures.extend(wrong.iter().map(|(_, value)| value.clone()));
        send(&server, &path, &wrong, example).await.expect(401, "wrong signature");
        send(&server, &path, &vendor.unsigned(), example).await.expect(401, "no signature");
        // Personal data in a body that fails to decode, and in an oversized one.
        let mut broken = example.to_vec();
        broken.truncate(example.len() - 2);
        send(&server, &path, &vendor.signed(&broken), &broken).await.expect(400, "cut short");
        let mut huge = example.to_vec();
        huge.resize(ONE_MIB + 1, b' ');
        send(&server, &path, &vendor.signed(&huge), &huge).await.expect(413, "over 1 MiB");
    }
    send(&server, "/webhooks/acme", &Vendor::Idenfy.signed(b"{}"), b"{}").await.expect(404, "acme");
    metrics(&server).await;

    let (_, stdout, stderr) = server.stop().await;
    let output = format!("{stdout}\n{stderr}");
    let secrets = [
        DEFAULT_IDENFY_WEBHOOK_KEY,
        DEFAULT_VERIFF_SECRET,
        DEFAULT_SUMSUB_WEBHOOK_SECRET,
        DEFAULT_ONFIDO_WEBHOOK_TOKEN,
        DEFAULT_IDENFY_KEY,
        DEFAULT_IDENFY_SECRET,
        DEFAULT_VERIFF_KEY,
        DEFAULT_SUMSUB_APP_TOKEN,
        DEFAULT_SUMSUB_SECRET_KEY,
        DEFAULT_ONFIDO_API_TOKEN,
        // The console password the server runs with.
        serve::PASSWORD,
    ];
    for secret in secrets.iter().copied().chain(signatures.iter().map(String::as_str)) {
        assert!(!output.contains(secret), "a secret printed ({secret}): {output}");
    }
    for personal in PERSONAL {
        assert!(!output.contains(personal), "personal data printed ({personal}): {output}");
    }
    // The server's own lines, and the notes every command shares (`note: not recorded in the
    // ledger: ...`): nothing else (a request line, a library's log) reaches standard error.
    for line in stderr.lines().filter(|line| !line.trim().is_empty()) {
        let known = line.starts_with("kyc serve: ") || line.starts_with("note: ");
        assert!(known, "a stderr line neither `kyc serve: ` nor `note: `: {line:?}");
    }
}

/// (h) Hostile input of every kind: never a 5xx, the documented 4xx where the contract names
/// one, and the server still healthy afterwards.
#[tokio::test]
async fn serve_never_answers_5xx_to_hostile_input() {
    let server = Server::start().await;
    for vendor in VENDORS {
        let path = vendor.path();
        let example = vendor.example();

        // A signature header that is not text.
        let mut headers: Vec<(&str, &[u8])> = vec![("Content-Type", b"application/json")];
        let others = vendor.other_headers();
        headers.extend(others.iter().map(|(name, value)| (*name, value.as_bytes())));
        headers.push((vendor.signature_header(), b"\xff\xfe\xfd"));
        let answer = server.request("POST", &path, &headers, example).await;
        answer.expect_error(401, &format!("{vendor:?}: a signature that is not text"));

        // An empty signature, a signature of the wrong length.
        for (value, status) in [(String::new(), 401), ("ab".repeat(16), 401)] {
            let mut headers = vendor.other_headers();
            headers.push((vendor.signature_header(), value.clone()));
            let answer = send(&server, &path, &headers, example).await;
            answer.expect_error(status, &format!("{vendor:?}: signature {value:?}"));
        }

        // Two signature headers, the wrong one first: refused or accepted, never a 5xx.
        let mut twice = vendor.wrongly_signed(example);
        twice.push((vendor.signature_header(), hmac_sha256_hex(vendor.emulator_key(), example)));
        let answer = send(&server, &path, &twice, example).await;
        assert!(answer.status < 500, "{vendor:?}: two signatures: {answer}");

        // Another method, a longer path.
        let answer = server.request("GET", &path, &[], b"").await;
        assert!(answer.status < 500 && answer.status != 200, "{vendor:?}: GET: {answer}");
        let answer = server.request("PUT", &path, &[], example).await;
        assert!(answer.status < 500 && answer.status != 200, "{vendor:?}: PUT: {answer}");
        let longer = format!("{path}/extra");
        let answer = send(&server, &longer, &vendor.signed(example), example).await;
        assert!(answer.status < 500 && answer.status != 200, "{longer}: {answer}");
    }

    // Odd paths.
    for path in
        ["/webhooks/", "/webhooks", "/webhooks/%00", "/webhooks/..%2fmetrics", "/webhooks/IDENFY"]
    {
        let answer = send(&server, path, &[], b"{}").await;
        assert!(answer.status < 500, "{path}: {answer}");
    }

    let health = server.get("/healthz", &[]).await;
    health.expect(200, "GET /healthz after hostile input");
    assert_eq!(health.text().trim(), "ok", "{health}");
}
