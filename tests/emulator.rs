//! The emulator, through the real adapters and over raw HTTP: the conformance suite, each
//! endpoint's success and auth failure, the validation rules it enforces, the hosted page's
//! decisions and `RunningEmulator::decide`'s through to the status and decision endpoints and
//! the webhooks, and each fault. The adapters are configured from the emulator's environment
//! (`RunningEmulator::vars`), as a deployment is.

mod support;

use std::time::Duration;

use kyc::conformance::{self, RequestCounter};
use kyc::{
    ClientId, ErrorKind, Outcome, SessionRequest, VerificationKind, VerificationSession,
    WebhookVerifier,
};
use kyc_emulator::{Choice, Emulator, EmulatorError, Fault, FaultMode, RunningEmulator, Vendor};
use serde_json::{Value, json};
use support::emulator;

fn idenfy(emulator: &RunningEmulator) -> kyc::Idenfy {
    support::idenfy(emulator).with_timeout(Duration::from_millis(500)).build().unwrap()
}

fn veriff(emulator: &RunningEmulator) -> kyc::Veriff {
    support::veriff(emulator).with_timeout(Duration::from_millis(500)).build().unwrap()
}

/// The emulator's environment with `name` set to `value`: a deployment with one thing wrong.
fn vars_with(emulator: &RunningEmulator, name: &str, value: &str) -> Vec<(&'static str, String)> {
    let vars = emulator.vars();
    assert!(vars.iter().any(|(key, _)| *key == name), "{name} is one of the emulator's variables");
    vars.into_iter()
        .map(|(key, old)| (key, if key == name { value.to_owned() } else { old }))
        .collect()
}

fn request(client_id: &str) -> SessionRequest {
    SessionRequest::new(ClientId::new(client_id).unwrap())
}

struct Counter<'a>(&'a RunningEmulator, Vendor);

#[async_trait::async_trait]
impl RequestCounter for Counter<'_> {
    async fn requests_received(&self) -> usize {
        self.0.requests_received(self.1) as usize
    }
}

#[tokio::test]
async fn every_adapter_passes_the_conformance_suite_against_the_emulator() {
    let emulator = emulator().await;
    conformance::run(&idenfy(&emulator), &Counter(&emulator, Vendor::Idenfy)).await;
    conformance::run(&veriff(&emulator), &Counter(&emulator, Vendor::Veriff)).await;
    let sumsub = kyc::SumsubBuilder::from_vars(emulator.vars()).unwrap().build().unwrap();
    conformance::run(&sumsub, &Counter(&emulator, Vendor::Sumsub)).await;
}

#[tokio::test]
async fn wrong_credentials_are_refused() {
    let emulator = emulator().await;
    let wrong_idenfy =
        kyc::IdenfyBuilder::from_vars(vars_with(&emulator, "IDENFY_API_SECRET", "wrong"))
            .unwrap()
            .build()
            .unwrap();
    let error = wrong_idenfy.create_session(&request("u1")).await.unwrap_err();
    // A 401 without an identifier (https://documentation.idenfy.com/kyc/id-error-messages).
    assert_eq!((error.kind(), error.vendor_code()), (ErrorKind::Unauthenticated, None));
    let kyb = wrong_idenfy
        .create_session(&request("c1").with_kind(VerificationKind::Business))
        .await
        .unwrap_err();
    assert_eq!(kyb.kind(), ErrorKind::Unauthenticated);

    let stranger = vars_with(&emulator, "VERIFF_API_KEY", "00000000-0000-4000-8000-000000000000");
    let wrong_veriff = kyc::VeriffBuilder::from_vars(stranger).unwrap().build().unwrap();
    let error = wrong_veriff.create_session(&request("u1")).await.unwrap_err();
    assert_eq!((error.kind(), error.vendor_code()), (ErrorKind::Unauthenticated, Some("1803")));
    let wrong_secret = vars_with(&emulator, "VERIFF_SHARED_SECRET", "not-the-secret");
    let wrong_secret = kyc::VeriffBuilder::from_vars(wrong_secret).unwrap().build().unwrap();
    let error = wrong_secret.create_session(&request("u1")).await.unwrap_err();
    assert_eq!((error.kind(), error.vendor_code()), (ErrorKind::Unauthenticated, Some("1819")));

    // Sumsub checks every call's signature: one made with another secret does not match.
    let wrong_sumsub = vars_with(&emulator, "SUMSUB_SECRET_KEY", "not-the-secret");
    let wrong_sumsub = kyc::SumsubBuilder::from_vars(wrong_sumsub).unwrap().build().unwrap();
    let error = wrong_sumsub.create_session(&request("u1")).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unauthenticated, "{error}");
}

async fn post(url: &str, auth: (&str, &str), body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(url)
        .basic_auth(auth.0, Some(auth.1))
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn idenfy_validation_rules_answer_idenfys_errors() {
    let emulator = emulator().await;
    let token = format!("{}/api/v2/token", emulator.idenfy_base_url());
    let kyb = format!("{}/kyb/tokens/", emulator.idenfy_base_url());
    let auth = emulator.idenfy_credentials();
    let cases = [
        (&token, json!({}), "MISSING_VALUE"),
        (&token, json!({"clientId": "ū"}), "BAD_VALUE"),
        (&token, json!({"clientId": "u", "firstName": "J0hn"}), "BAD_VALUE"),
        (&token, json!({"clientId": "u", "dateOfBirth": "20-12-1990"}), "BAD_VALUE"),
        (&token, json!({"clientId": "u", "sex": "X"}), "BAD_VALUE"),
        (&token, json!({"clientId": "u", "country": "LTU"}), "BAD_VALUE"),
        (&token, json!({"clientId": "u", "documents": ["LIBRARY_CARD"]}), "BAD_VALUE"),
        (&token, json!({"clientId": "u", "locale": "xx"}), "BAD_VALUE"),
        (&kyb, json!({"clientId": "c", "tokenType": "FORM", "locale": "sv"}), "BAD_VALUE"),
        (&token, json!({"clientId": "u", "callbackUrl": "http://a.example/hook"}), "BAD_VALUE"),
        (&token, json!({"clientId": "u", "successUrl": "h"}), "BAD_VALUE"),
        (&token, json!({"clientId": "u", "expiryTime": 0}), "BAD_VALUE"),
        (&token, json!({"clientId": "u", "sessionLength": 30}), "BAD_VALUE"),
        (&token, json!({"clientId": "u", "externalRef": "x".repeat(41)}), "BAD_VALUE"),
        (&token, json!({"clientId": "u", "address": "x".repeat(256)}), "BAD_VALUE"),
        (&token, json!({"clientId": "u", "tokenType": "SELFIE"}), "BAD_VALUE"),
        (&token, json!({"clientId": "u", "utilityBill": true, "additionalSteps": {}}), "BAD_VALUE"),
        (&kyb, json!({"clientId": "c"}), "MISSING_VALUE"),
        (&kyb, json!({"clientId": "c", "tokenType": "FORM", "tags": ["a,b"]}), "BAD_VALUE"),
        (
            &kyb,
            json!({"clientId": "c", "tokenType": "FORM", "tags": ["1", "2", "3", "4", "5", "6"]}),
            "BAD_VALUE",
        ),
        (&kyb, json!({"clientId": "c", "tokenType": "FORM", "lifetime": 2_592_001}), "BAD_VALUE"),
        (&kyb, json!({"clientId": "c", "tokenType": "FORM", "flow": "standard"}), "BAD_VALUE"),
    ];
    for (url, body, identifier) in cases {
        let (status, answer) = post(url, auth, body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["identifier"], identifier, "{body}: {answer}");
        assert!(answer["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let raw = reqwest::Client::new()
        .post(&token)
        .basic_auth(auth.0, Some(auth.1))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    assert_eq!(raw.json::<Value>().await.unwrap()["identifier"], "JSON_ERROR");
}

#[tokio::test]
async fn veriff_validation_rules_answer_veriffs_codes() {
    let emulator = emulator().await;
    let url = format!("{}/v1/sessions", emulator.veriff_base_url());
    let cases = [
        (json!({}), "1102"),
        (json!({"verification": {"callback": "http://a.example/done"}}), "1302"),
        (json!({"verification": {"vendorData": "x".repeat(1001)}}), "1500"),
        (json!({"verification": {"vendorData": 12}}), "1501"),
        (json!({"verification": {"person": {"dateOfBirth": "1990-13-45"}}}), "1203"),
        (json!({"verification": {"document": {"number": "AB-12"}}}), "2102"),
        (json!({"verification": {"document": {"type": "LIBRARY_CARD"}}}), "2103"),
        (json!({"verification": {"document": {"country": "Estonia"}}}), "2104"),
        (json!({"verification": {"timestamp": "yesterday"}}), "1202"),
        (json!({"verification": {"timestamp": "2016-05-19T08:30:25.597Z"}}), "1201"),
    ];
    for (body, code) in cases {
        let response = reqwest::Client::new()
            .post(&url)
            .header("x-auth-client", emulator.veriff_credentials().0)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{body}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(
            (answer["status"].as_str(), answer["code"].as_str()),
            (Some("fail"), Some(code)),
            "{body}"
        );
    }
    let missing_key =
        reqwest::Client::new().post(&url).json(&json!({"verification": {}})).send().await.unwrap();
    assert_eq!(missing_key.status(), 401);
    assert_eq!(missing_key.json::<Value>().await.unwrap()["code"], "1801");
}

/// Submits the hosted page's form, as a person's browser would: for the tests of the page
/// itself; the others decide with `RunningEmulator::decide`.
async fn submit_form(
    emulator: &RunningEmulator,
    vendor: Vendor,
    token: &str,
    choice: &str,
) -> String {
    let url = format!("http://{}/{}/decide", emulator.address(), vendor.name());
    let response = reqwest::Client::new()
        .post(url)
        .form(&[("token", token), ("choice", choice)])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    response.text().await.unwrap()
}

fn token_of(session: &kyc::Session) -> String {
    use secrecy::ExposeSecret;
    session.token.as_ref().unwrap().expose_secret().to_owned()
}

#[tokio::test]
async fn the_hosted_page_decides_what_idenfys_status_says() {
    let emulator = emulator().await;
    let idenfy = idenfy(&emulator);
    let auth = emulator.idenfy_credentials();
    let status_url = format!("{}/api/v2/status", emulator.idenfy_base_url());
    for (choice, expected) in
        [("approve", "APPROVED"), ("decline", "DENIED"), ("suspect", "SUSPECTED")]
    {
        let session = idenfy.create_session(&request("person-1")).await.unwrap();
        let (_, before) = post(&status_url, auth, json!({"scanRef": session.id})).await;
        assert_eq!(before["status"], "ACTIVE");
        let page = reqwest::get(session.url.as_str()).await.unwrap().text().await.unwrap();
        assert!(
            page.contains("iDenfy") && page.contains("person-1") && page.contains("<form"),
            "{page}"
        );
        let after_page = submit_form(&emulator, Vendor::Idenfy, &token_of(&session), choice).await;
        assert!(after_page.contains("Decided"), "{after_page}");
        let (status, answer) = post(&status_url, auth, json!({"scanRef": session.id})).await;
        assert_eq!((status, answer["status"].as_str()), (200, Some(expected)), "{answer}");
        assert_eq!(answer["clientId"], "person-1");
    }
}

#[tokio::test]
async fn a_decision_is_what_veriffs_decision_endpoint_says() {
    let emulator = emulator().await;
    let veriff = veriff(&emulator);
    let (key, secret) = emulator.veriff_credentials();
    let decision = |id: &str| {
        let url = format!("{}/v1/sessions/{id}/decision", emulator.veriff_base_url());
        let signature = kyc::veriff::signature(secret.as_bytes(), id.as_bytes());
        reqwest::Client::new()
            .get(url)
            .header("x-auth-client", key)
            .header("x-hmac-signature", signature)
            .send()
    };
    // Both ways of running out share code 9104, told apart by `status`
    // (https://devdocs.veriff.com/docs/verification-session-status-codes-table).
    for (choice, status, code) in [
        (Choice::Approve, "approved", 9001),
        (Choice::Decline, "declined", 9102),
        (Choice::Resubmit, "resubmission_requested", 9103),
        (Choice::Expire, "expired", 9104),
        (Choice::Abandon, "abandoned", 9104),
    ] {
        let session = veriff.create_session(&request("person-2")).await.unwrap();
        let before: Value = decision(&session.id).await.unwrap().json().await.unwrap();
        assert_eq!(before, json!({"status": "success", "verification": null}));
        emulator.decide(Vendor::Veriff, &session.id, choice).await.unwrap();
        let after: Value = decision(&session.id).await.unwrap().json().await.unwrap();
        assert_eq!(after["verification"]["status"], status, "{after}");
        assert_eq!(after["verification"]["code"], code);
        assert_eq!(after["verification"]["vendorData"], "person-2");
    }
    let unsigned = reqwest::Client::new()
        .get(format!("{}/v1/sessions/x/decision", emulator.veriff_base_url()))
        .header("x-auth-client", key)
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 401);
    assert_eq!(unsigned.json::<Value>().await.unwrap()["code"], "1818");
}

#[tokio::test]
async fn expired_links_say_so() {
    let emulator = emulator().await;
    let session = idenfy(&emulator)
        .create_session(&request("late").with_link_validity(Duration::from_secs(1)))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let response = reqwest::get(session.url.as_str()).await.unwrap();
    assert_eq!(response.status(), 410);
    assert!(response.text().await.unwrap().contains("expired"));
    let (_, status) = post(
        &format!("{}/api/v2/status", emulator.idenfy_base_url()),
        emulator.idenfy_credentials(),
        json!({"scanRef": session.id}),
    )
    .await;
    assert_eq!(status["status"], "EXPIRED");
}

#[tokio::test]
async fn every_fault_reaches_the_adapters_as_documented() {
    let emulator = emulator().await;
    let idenfy = idenfy(&emulator);
    let veriff = veriff(&emulator);
    let cases: Vec<(Fault, ErrorKind, Outcome)> = vec![
        (Fault::status(503).times(1), ErrorKind::Unavailable, Outcome::Rejected),
        (Fault::status(500).times(1), ErrorKind::Unavailable, Outcome::Unknown),
        (Fault::status(429).retry_after(7).times(1), ErrorKind::RateLimited, Outcome::Rejected),
        (Fault::mode(FaultMode::Drop).times(1), ErrorKind::Transport, Outcome::Unknown),
        (Fault::mode(FaultMode::Hang).times(1), ErrorKind::Timeout, Outcome::Unknown),
        (Fault::mode(FaultMode::Malformed).times(1), ErrorKind::Decode, Outcome::Unknown),
    ];
    for (fault, kind, outcome) in cases {
        for (vendor, provider) in
            [(Vendor::Idenfy, &idenfy as &dyn VerificationSession), (Vendor::Veriff, &veriff)]
        {
            emulator.set_fault(vendor, fault.clone());
            let error = provider.create_session(&request("u1")).await.unwrap_err();
            assert_eq!(
                (error.kind(), error.outcome()),
                (kind, outcome),
                "{vendor:?} {fault:?}: {error}"
            );
            if kind == ErrorKind::RateLimited {
                assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));
            }
            // `times(1)`: the next request is served again.
            provider.create_session(&request("u1")).await.unwrap();
        }
    }
}

#[tokio::test]
async fn latency_ratio_and_the_admin_endpoint() {
    let emulator = emulator().await;
    let veriff = veriff(&emulator);
    let admin = format!("http://{}/__emulator/faults/veriff", emulator.address());
    let client = reqwest::Client::new();
    let put = client.put(&admin).json(&json!({"status": 503, "ratio": 0.5})).send().await.unwrap();
    assert_eq!(put.status(), 204);
    let shown: Value = client.get(&admin).send().await.unwrap().json().await.unwrap();
    assert_eq!(shown["status"], 503);
    let mut failed = 0;
    for _ in 0..10 {
        failed += usize::from(veriff.create_session(&request("u1")).await.is_err());
    }
    assert_eq!(failed, 5, "half of the requests, evenly spread");
    assert_eq!(client.delete(&admin).send().await.unwrap().status(), 204);
    veriff.create_session(&request("u1")).await.unwrap();

    emulator.set_fault(Vendor::Veriff, Fault::latency(Duration::from_millis(200)));
    let started = std::time::Instant::now();
    veriff.create_session(&request("u1")).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(200), "the latency was added");
    let rejected = client.put(&admin).json(&json!({"stauts": 503})).send().await.unwrap();
    assert_eq!(rejected.status(), 400, "a misspelt fault is refused");
}

#[tokio::test]
async fn the_oldest_sessions_are_forgotten_beyond_the_retention() {
    let emulator = Emulator::builder().with_retained_sessions(2).start().await.unwrap();
    let idenfy = idenfy(&emulator);
    let mut sessions = Vec::new();
    for i in 0..3 {
        sessions.push(idenfy.create_session(&request(&format!("r-{i}"))).await.unwrap());
    }
    let status = |id: String| {
        let emulator = &emulator;
        async move {
            post(
                &format!("{}/api/v2/status", emulator.idenfy_base_url()),
                emulator.idenfy_credentials(),
                json!({"scanRef": id}),
            )
            .await
            .0
        }
    };
    assert_eq!(status(sessions[0].id.clone()).await, 404, "forgotten");
    assert_eq!(status(sessions[2].id.clone()).await, 200);
    assert_eq!(reqwest::get(sessions[0].url.as_str()).await.unwrap().status(), 404);
}

#[tokio::test]
async fn status_and_decision_refuse_strangers_and_unknown_sessions() {
    let emulator = emulator().await;
    let status = format!("{}/api/v2/status", emulator.idenfy_base_url());
    assert_eq!(post(&status, ("key", "wrong"), json!({"scanRef": "x"})).await.0, 401);
    let (code, answer) = post(&status, emulator.idenfy_credentials(), json!({})).await;
    assert_eq!((code, answer["identifier"].as_str()), (400, Some("MISSING_VALUE")));
    assert_eq!(
        post(&status, emulator.idenfy_credentials(), json!({"scanRef": "nope"})).await.0,
        404
    );

    let (_, secret) = emulator.veriff_credentials();
    let decision = |key: &str, id: &str| {
        let url = format!("{}/v1/sessions/{id}/decision", emulator.veriff_base_url());
        let signature = kyc::veriff::signature(secret.as_bytes(), id.as_bytes());
        reqwest::Client::new()
            .get(url)
            .header("x-auth-client", key)
            .header("x-hmac-signature", signature)
            .send()
    };
    let stranger = decision("00000000-0000-4000-8000-000000000000", "x").await.unwrap();
    assert_eq!(stranger.json::<Value>().await.unwrap()["code"], "1803");
    let not_a_uuid = decision("not-a-key", "x").await.unwrap();
    assert_eq!(not_a_uuid.json::<Value>().await.unwrap()["code"], "1802");
    let unknown = decision(emulator.veriff_credentials().0, "nope").await.unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn decisions_are_final_and_each_page_offers_its_own_outcomes() {
    let emulator = emulator().await;
    let session = idenfy(&emulator).create_session(&request("p")).await.unwrap();
    let token = token_of(&session);
    let form = |vendor: &str, choice: &str| {
        let url = format!("http://{}/{vendor}/decide", emulator.address());
        reqwest::Client::new()
            .post(url)
            .form(&[("token", token.as_str()), ("choice", choice)])
            .send()
    };
    assert_eq!(form("idenfy", "resubmit").await.unwrap().status(), 400, "not an iDenfy outcome");
    assert_eq!(form("veriff", "approve").await.unwrap().status(), 404, "another vendor's token");
    assert!(form("idenfy", "approve").await.unwrap().status().is_success());
    assert_eq!(form("idenfy", "decline").await.unwrap().status(), 409, "a decision stands");
    let started = Emulator::builder()
        .with_fault(Vendor::Veriff, Fault::status(503).times(1))
        .start()
        .await
        .unwrap();
    let error = veriff(&started).create_session(&request("p")).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unavailable, "a fault set at start");
    veriff(&started).create_session(&request("p")).await.unwrap();
}

/// The requests a webhook receiver got, once there are `count` (or after five seconds).
async fn webhooks_received(
    receiver: &wiremock::MockServer,
    count: usize,
) -> Vec<wiremock::Request> {
    for _ in 0..100 {
        let received = receiver.received_requests().await.unwrap_or_default();
        if received.len() >= count {
            return received;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    receiver.received_requests().await.unwrap_or_default()
}

fn header_map(request: &wiremock::Request) -> http::HeaderMap {
    let mut headers = http::HeaderMap::new();
    for (name, value) in request.headers.iter() {
        headers.insert(name.clone(), value.clone());
    }
    headers
}

#[tokio::test]
async fn deciding_sends_signed_webhooks_that_verify() {
    use kyc::Status;
    let receiver = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .respond_with(wiremock::ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    let emulator = Emulator::builder()
        .with_idenfy_webhook_url(format!("{}/idenfy", receiver.uri()))
        .with_veriff_webhook_url(format!("{}/veriff", receiver.uri()))
        .start()
        .await
        .unwrap();

    // iDenfy: create, approve, receive, verify with the receiver's verifier (the signing key
    // alone, from `IDENFY_WEBHOOK_KEY`) and with the client built from the same variables.
    let idenfy = support::idenfy(&emulator).build().unwrap();
    let idenfy_webhooks = kyc::IdenfyWebhooks::from_vars(emulator.vars()).unwrap();
    let session = idenfy.create_session(&request("round-trip")).await.unwrap();
    emulator.decide(Vendor::Idenfy, &session.id, Choice::Approve).await.unwrap();
    let received = webhooks_received(&receiver, 1).await;
    assert_eq!(received.len(), 1);
    let (headers, body) = (header_map(&received[0]), &received[0].body);
    let decision = idenfy_webhooks.verify_webhook(&headers, body).unwrap().into_decision().unwrap();
    assert_eq!(
        (decision.session_id.as_str(), decision.status, decision.is_final),
        (session.id.as_str(), Status::Approved, true)
    );
    assert_eq!(decision.client_id.as_deref(), Some("round-trip"));
    assert_eq!(idenfy.verify_webhook(&headers, body).unwrap(), decision.into());

    // Veriff: opening the page sends `started`; deciding sends `submitted`, then the decision.
    let veriff = veriff(&emulator);
    let veriff_webhooks = kyc::VeriffWebhooks::from_vars(emulator.vars()).unwrap();
    let session = veriff.create_session(&request("round-trip-2")).await.unwrap();
    reqwest::get(session.url.as_str()).await.unwrap();
    // The page sends `started` in the background: wait for it, so it comes first.
    webhooks_received(&receiver, 2).await;
    emulator.decide(Vendor::Veriff, &session.id, Choice::Decline).await.unwrap();
    let received = webhooks_received(&receiver, 4).await;
    let statuses: Vec<Status> = received[1..]
        .iter()
        .map(|request| {
            let event = veriff_webhooks.verify_webhook(&header_map(request), &request.body);
            event.unwrap().into_decision().expect("a decision").status
        })
        .collect();
    assert_eq!(statuses, [Status::Started, Status::Submitted, Status::Declined]);
    // A webhook whose body was altered on the way does not verify.
    let mut altered = received[3].body.clone();
    altered.push(b' ');
    let forged = veriff_webhooks.verify_webhook(&header_map(&received[3]), &altered);
    assert_eq!(forged.unwrap_err().kind(), ErrorKind::InvalidSignature);
    assert!(veriff.verify_webhook(&header_map(&received[3]), &altered).is_err());
}

/// The neutral statuses of the webhooks `received` holds for `session`, each verified.
fn verified_statuses(
    received: &mut support::Received,
    vendor: Vendor,
    verifier: &dyn WebhookVerifier,
    session: &kyc::Session,
) -> Result<Vec<kyc::Status>, kyc::Error> {
    let mut statuses = Vec::new();
    while let Ok((path, headers, body)) = received.try_recv() {
        assert_eq!(path, vendor.name(), "each vendor's webhooks go to its own URL");
        let event = verifier.verify_webhook(&headers, &body)?;
        assert_eq!(event.session_id(), Some(session.id.as_str()));
        // Notices (a document expiring) are not where a session stands.
        if let Some(decision) = event.decision() {
            statuses.push(decision.status);
        }
    }
    Ok(statuses)
}

/// Every outcome of each vendor, decided with one call on a session the real adapter created,
/// reads back as its neutral status both ways: polled, and in the signed webhooks.
#[tokio::test]
async fn decide_gives_each_outcome_as_the_adapters_read_it() -> Result<(), kyc::Error> {
    use kyc::{Status, VerificationResults};
    let (hooks, mut received) = support::webhook_receiver().await;
    let emulator = Emulator::builder()
        .with_idenfy_webhook_url(format!("{hooks}/idenfy"))
        .with_veriff_webhook_url(format!("{hooks}/veriff"))
        .with_sumsub_webhook_url(format!("{hooks}/sumsub"))
        .start()
        .await
        .map_err(EmulatorError::from)?;
    // iDenfy asks for a minute between polls of a session; the emulator does not.
    let idenfy = kyc::IdenfyBuilder::from_vars(emulator.vars())?
        .with_min_poll_interval(Duration::ZERO)
        .build()?;
    let veriff = kyc::VeriffBuilder::from_vars(emulator.vars())?.build()?;
    let idenfy_webhooks = kyc::IdenfyWebhooks::from_vars(emulator.vars())?;
    let veriff_webhooks = kyc::VeriffWebhooks::from_vars(emulator.vars())?;
    let sumsub = kyc::SumsubBuilder::from_vars(emulator.vars())?.build()?;
    let sumsub_webhooks = kyc::SumsubWebhooks::from_vars(emulator.vars())?;
    // Sumsub announces the applicant when its first link is made
    // (https://docs.sumsub.com/docs/user-verification-webhooks).
    let created = sumsub.create_session(&request("warm-up")).await?;
    let statuses = verified_statuses(&mut received, Vendor::Sumsub, &sumsub_webhooks, &created)?;
    assert_eq!(statuses, [Status::Created]);

    // The status a poll reads, and the webhooks' in the order they come: Veriff's `submitted`
    // event before a decision, `started` before abandoning an unopened session
    // (https://devdocs.veriff.com/docs/event-webhook); iDenfy's one result webhook
    // (https://documentation.idenfy.com/kyc/webhooks); Sumsub's new applicant, its
    // submission, then its review (https://docs.sumsub.com/docs/user-verification-webhooks).
    let cases = [
        (
            Vendor::Sumsub,
            Choice::Approve,
            Status::Approved,
            vec![Status::Created, Status::Submitted, Status::Approved],
        ),
        (
            Vendor::Sumsub,
            Choice::Decline,
            Status::Declined,
            vec![Status::Created, Status::Submitted, Status::Declined],
        ),
        (
            Vendor::Sumsub,
            Choice::Resubmit,
            Status::ResubmissionRequested,
            vec![Status::Created, Status::Submitted, Status::ResubmissionRequested],
        ),
        (Vendor::Idenfy, Choice::Approve, Status::Approved, vec![Status::Approved]),
        (Vendor::Idenfy, Choice::Decline, Status::Declined, vec![Status::Declined]),
        (Vendor::Idenfy, Choice::Suspect, Status::Suspected, vec![Status::Suspected]),
        (Vendor::Idenfy, Choice::Expire, Status::Expired, vec![Status::Expired]),
        (
            Vendor::Veriff,
            Choice::Approve,
            Status::Approved,
            vec![Status::Submitted, Status::Approved],
        ),
        (
            Vendor::Veriff,
            Choice::Decline,
            Status::Declined,
            vec![Status::Submitted, Status::Declined],
        ),
        (
            Vendor::Veriff,
            Choice::Resubmit,
            Status::ResubmissionRequested,
            vec![Status::Submitted, Status::ResubmissionRequested],
        ),
        (Vendor::Veriff, Choice::Expire, Status::Expired, vec![Status::Expired]),
        (
            Vendor::Veriff,
            Choice::Abandon,
            Status::Abandoned,
            vec![Status::Started, Status::Abandoned],
        ),
    ];
    for (n, (vendor, choice, polled, webhooks)) in cases.into_iter().enumerate() {
        assert!(choice.is_offered_by(vendor));
        let (sessions, results, verifier): (
            &dyn VerificationSession,
            &dyn VerificationResults,
            &dyn WebhookVerifier,
        ) = match vendor {
            Vendor::Idenfy => (&idenfy, &idenfy, &idenfy_webhooks),
            Vendor::Veriff => (&veriff, &veriff, &veriff_webhooks),
            _ => (&sumsub, &sumsub, &sumsub_webhooks),
        };
        // A client id of its own: at Sumsub it names the applicant.
        let session = sessions.create_session(&request(&format!("person-3-{n}"))).await?;
        emulator.decide(vendor, &session.id, choice).await?;
        let decision = results.poll_decision(&session.reference()).await?.expect("decided");
        assert_eq!(
            (decision.session_id.as_str(), decision.status),
            (session.id.as_str(), polled),
            "{vendor:?} {choice:?}"
        );
        let statuses = verified_statuses(&mut received, vendor, verifier, &session)?;
        assert_eq!(statuses, webhooks, "{vendor:?} {choice:?}");
    }

    // Veriff's resubmission request is no final decision: the person decides again.
    let session = veriff.create_session(&request("person-4")).await?;
    emulator.decide(Vendor::Veriff, &session.id, Choice::Resubmit).await?;
    emulator.decide(Vendor::Veriff, &session.id, Choice::Approve).await?;
    let decision = veriff.poll_decision(&session.reference()).await?.expect("decided");
    assert_eq!(decision.status, Status::Approved);
    let statuses = verified_statuses(&mut received, Vendor::Veriff, &veriff_webhooks, &session)?;
    let resubmitted_then_approved =
        [Status::Submitted, Status::ResubmissionRequested, Status::Submitted, Status::Approved];
    assert_eq!(statuses, resubmitted_then_approved);

    // Another vendor's outcome, a decision that stands, a session the vendor does not have: the
    // emulator's errors, which are the library's `Config` errors for `?`.
    let session = idenfy.create_session(&request("person-5")).await?;
    emulator.decide(Vendor::Idenfy, &session.id, Choice::Approve).await?;
    let statuses = verified_statuses(&mut received, Vendor::Idenfy, &idenfy_webhooks, &session)?;
    assert_eq!(statuses, [Status::Approved]);
    let refusals = [
        (Vendor::Idenfy, session.id.as_str(), Choice::Resubmit),
        (Vendor::Idenfy, session.id.as_str(), Choice::Abandon),
        (Vendor::Veriff, session.id.as_str(), Choice::Suspect),
        (Vendor::Idenfy, session.id.as_str(), Choice::Decline),
        (Vendor::Veriff, session.id.as_str(), Choice::Approve),
    ];
    for (vendor, id, choice) in refusals {
        let refused = emulator.decide(vendor, id, choice).await.unwrap_err();
        match (&refused, choice.is_offered_by(vendor), vendor) {
            (EmulatorError::NotOffered { .. }, false, _) => {}
            (EmulatorError::AlreadyDecided { .. }, true, Vendor::Idenfy) => {}
            (EmulatorError::UnknownSession { .. }, true, Vendor::Veriff) => {}
            _ => panic!("{vendor:?} {choice:?}: {refused:?}"),
        }
        let error = kyc::Error::from(refused);
        assert_eq!((error.kind(), error.outcome()), (ErrorKind::Config, Outcome::NotSent));
    }
    assert_eq!(idenfy.poll_decision(&session.reference()).await?.unwrap().status, Status::Approved);
    assert!(received.try_recv().is_err(), "a refusal sends nothing");
    emulator.stop().await;
    Ok(())
}
