//! The Sumsub adapter against a real HTTP server on 127.0.0.1 (wiremock): the bytes of every
//! request (the signature recomputed over what the server received, the timestamp, the query
//! string, each body field), the documented answer decoded, every error row mapped, hostile
//! answers classified, every unsupported feature refused before sending, and the conformance
//! suite.
//!
//! The request and answer are those of <https://docs.sumsub.com/reference/generate-websdk-external-link>;
//! signing is <https://docs.sumsub.com/reference/authentication>.

use std::time::Duration;

use chrono::{NaiveDate, Utc};
use kyc_core::conformance::{self, RequestCounter};
use kyc_core::{
    ClientId, CountryCode, DocumentType, ErrorKind, ExpectedDocument, Feature, Field, Flow, Locale,
    Outcome, Person, Redirects, SessionRequest, VerificationKind, VerificationSession,
};
use kyc_sumsub::{Sumsub, SumsubBuilder, SumsubOptions, correlation_id, signature};
use serde_json::{Value, json};
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The shape of a sandbox token in Sumsub's official examples, and their placeholder secret
/// (<https://github.com/SumSubstance/AppTokenUsageExamples>): test input only.
const TOKEN: &str = "sbx:uY0CgwELmgUAEyl4hNWxLngb.0WSeQeiYny4WEqmAALEAiK2qTC96fBad";
const SECRET: &str = "Hej2ch71kG2kTd1iIUDZFNsO5C1lh5Gq";
const LINK_PATH: &str = "/resources/sdkIntegrations/levels/-/websdkLink";
const LINK: &str = r#"{"url":"https://in.sumsub.com/websdk/p/7JwtC0pb9mcqQsLb"}"#;

async fn server_answering(status: u16, body: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(LINK_PATH))
        .respond_with(
            ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json"),
        )
        .mount(&server)
        .await;
    server
}

fn builder(server: &MockServer) -> SumsubBuilder {
    Sumsub::builder(TOKEN, SECRET).with_base_url(server.uri())
}

fn client(server: &MockServer) -> Sumsub {
    builder(server).build().unwrap()
}

fn request(client_id: &str) -> SessionRequest {
    SessionRequest::new(ClientId::new(client_id).unwrap())
}

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

/// The one request the server received.
async fn only_request(server: &MockServer) -> wiremock::Request {
    let mut received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1, "expected exactly one request");
    received.remove(0)
}

fn header<'a>(request: &'a wiremock::Request, name: &str) -> &'a str {
    request.headers.get(name).unwrap_or_else(|| panic!("no {name}")).to_str().unwrap()
}

/// The request target as received: path and query, as the server saw them.
fn target(request: &wiremock::Request) -> String {
    match request.url.query() {
        Some(query) => format!("{}?{query}", request.url.path()),
        None => request.url.path().to_owned(),
    }
}

/// Checks the signature headers of `request` against what was received, and returns the
/// target it covered.
fn assert_signed(request: &wiremock::Request) -> String {
    assert_eq!(header(request, "x-app-token"), TOKEN);
    let ts = header(request, "x-app-access-ts");
    assert!(ts.len() == 10 && ts.chars().all(|c| c.is_ascii_digit()), "seconds, not ms: {ts}");
    let ts: i64 = ts.parse().unwrap();
    assert!((Utc::now().timestamp() - ts).abs() <= 5, "a fresh timestamp: {ts}");
    let sig = header(request, "x-app-access-sig");
    let target = target(request);
    let expected =
        signature(SECRET.as_bytes(), ts, request.method.as_str(), &target, &request.body);
    assert_eq!(sig, expected, "the signature covers what was received");
    assert!(sig.len() == 64 && sig.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')));
    assert_eq!(header(request, "accept"), "application/json");
    target
}

/// Creates a session for `request` at a fresh server and returns what it received.
async fn received_for(request: &SessionRequest) -> wiremock::Request {
    let server = server_answering(200, LINK).await;
    client(&server).create_session(request).await.expect("session created");
    only_request(&server).await
}

#[tokio::test]
async fn the_documented_example_is_sent_byte_for_byte_and_signed() {
    let request = request("user-42")
        .with_person(Person::default().with_email("jane@example.com"))
        .with_locale(Locale::En)
        .with_link_validity(Duration::from_secs(1800));
    let received = received_for(&request).await;
    assert_eq!(received.method.as_str(), "POST");
    assert_eq!(assert_signed(&received), format!("{LINK_PATH}?lang=en"));
    assert_eq!(header(&received, "content-type"), "application/json");
    // Vector V2's body: the bytes the signature covers are the bytes sent.
    assert_eq!(
        String::from_utf8(received.body.clone()).unwrap(),
        r#"{"levelName":"basic-kyc-level","userId":"user-42","applicantIdentifiers":{"email":"jane@example.com"},"ttlInSecs":1800}"#
    );
}

#[tokio::test]
async fn the_answer_becomes_a_session_named_by_the_user_id() {
    let server = server_answering(200, LINK).await;
    let started = Utc::now();
    let session = client(&server)
        .create_session(&request("user-42").with_link_validity(Duration::from_secs(3600)))
        .await
        .unwrap();
    assert_eq!(session.provider, "sumsub");
    assert_eq!(session.id, "user-42");
    assert_eq!(session.kind, VerificationKind::Identity);
    assert_eq!(session.client_id.as_str(), "user-42");
    assert_eq!(session.url.as_str(), "https://in.sumsub.com/websdk/p/7JwtC0pb9mcqQsLb");
    assert!(session.created_at >= started - chrono::TimeDelta::seconds(1));
    assert_eq!(session.expires_at.unwrap() - session.created_at, chrono::TimeDelta::hours(1));
    assert_eq!(session.vendor_fields["levelName"], "basic-kyc-level");
    assert_eq!(session.reference().id, "user-42");
    // Without a validity, the default 30 minutes is sent and is the expiry.
    let server = server_answering(200, LINK).await;
    let session = client(&server).create_session(&request("u")).await.unwrap();
    assert_eq!(session.expires_at.unwrap() - session.created_at, chrono::TimeDelta::minutes(30));
    let body: Value = serde_json::from_slice(&only_request(&server).await.body).unwrap();
    assert_eq!(body["ttlInSecs"], 1800);
}

#[tokio::test]
async fn every_mapped_field_reaches_the_body_or_the_query() {
    let request = request("user@example.com")
        .with_person(Person::default().with_email("jane@example.com").with_phone("+4400000000000"))
        .with_redirects(
            Redirects::default()
                .with_success(url("https://app.example/kyc/ok"))
                .with_failure(url("https://app.example/kyc/no")),
        )
        .with_locale(Locale::ZhHant)
        .with_link_validity(Duration::from_secs(600))
        .with_options(
            SumsubOptions::default()
                .with_customization_name("Dark Theme".into())
                .with_translation_name("ours".into()),
        );
    let received = received_for(&request).await;
    let target = assert_signed(&received);
    assert_eq!(
        target,
        format!("{LINK_PATH}?lang=zh-tw&customizationName=Dark+Theme&translationName=ours")
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&received.body).unwrap(),
        json!({
            "levelName": "basic-kyc-level",
            "userId": "user@example.com",
            "applicantIdentifiers": {"email": "jane@example.com", "phone": "+4400000000000"},
            "ttlInSecs": 600,
            "redirect": {"successUrl": "https://app.example/kyc/ok", "rejectUrl": "https://app.example/kyc/no"}
        })
    );
    // One redirect alone, and no query at all without a locale or options.
    let received = received_for(
        &self::request("u1")
            .with_redirects(Redirects::default().with_failure(url("https://app.example/no"))),
    )
    .await;
    assert_eq!(assert_signed(&received), LINK_PATH);
    let body: Value = serde_json::from_slice(&received.body).unwrap();
    assert_eq!(body["redirect"], json!({"rejectUrl": "https://app.example/no"}));
    assert!(body.get("applicantIdentifiers").is_none());
    // Norwegian Bokmål goes as Sumsub's `no`.
    let received = received_for(&self::request("u1").with_locale(Locale::Nb)).await;
    assert_eq!(assert_signed(&received), format!("{LINK_PATH}?lang=no"));
}

#[tokio::test]
async fn levels_come_from_the_configuration_the_kind_and_the_options() {
    let server = server_answering(200, LINK).await;
    let sumsub = builder(&server).with_level("id-level").with_kyb_level("company-level").build();
    let sumsub = sumsub.unwrap();
    let business = sumsub
        .create_session(&request("acme-1").with_kind(VerificationKind::Business))
        .await
        .unwrap();
    assert_eq!(business.kind, VerificationKind::Business);
    assert_eq!(business.vendor_fields["levelName"], "company-level");
    sumsub.create_session(&request("u1")).await.unwrap();
    let own = SumsubOptions::default().with_level_name("vip-level".into());
    let session = sumsub.create_session(&request("u2").with_options(own)).await.unwrap();
    assert_eq!(session.vendor_fields["levelName"], "vip-level");
    let levels: Vec<Value> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice::<Value>(&r.body).unwrap()["levelName"].clone())
        .collect();
    assert_eq!(levels, [json!("company-level"), json!("id-level"), json!("vip-level")]);
}

#[tokio::test]
async fn a_base_path_is_kept_and_signed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/emulator/sumsub{LINK_PATH}")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(LINK, "application/json"))
        .mount(&server)
        .await;
    let sumsub = Sumsub::builder(TOKEN, SECRET)
        .with_base_url(format!("{}/emulator/sumsub/", server.uri()))
        .build()
        .unwrap();
    sumsub.create_session(&request("u1").with_locale(Locale::De)).await.unwrap();
    let received = only_request(&server).await;
    assert_eq!(assert_signed(&received), format!("/emulator/sumsub{LINK_PATH}?lang=de"));
}

#[tokio::test]
async fn every_error_row_maps_as_documented() {
    use ErrorKind::{
        Config, Conflict, Forbidden, OutOfFunds, RateLimited, Rejected, Unauthenticated,
        Unavailable,
    };
    use Outcome::{NotSent, Rejected as Refused, Unknown};
    let auth = |code: u32, name: &str| {
        format!(
            r#"{{"description":"x","code":401,"correlationId":"c0b20cfbbf674ce5aeaf479e72d33af8","errorCode":{code},"errorName":"{name}"}}"#
        )
    };
    let rows: Vec<(u16, String, ErrorKind, Outcome, Option<&str>)> = vec![
        (401, auth(4000, "app-token-invalid-format"), Unauthenticated, Refused, Some("4000")),
        (401, auth(4001, "app-token-not-found"), Unauthenticated, Refused, Some("4001")),
        (401, auth(4002, "app-token-private-part-mismatch"), Unauthenticated, Refused, Some("4002")),
        (401, auth(4003, "app-token-signature mismatch"), Unauthenticated, Refused, Some("4003")),
        (401, auth(4004, "app-token-request-expired"), Config, NotSent, Some("4004")),
        (401, auth(4005, "app-token-invalid-value"), Unauthenticated, Refused, Some("4005")),
        (401, auth(4006, "app-token-missing-headers"), Unauthenticated, Refused, Some("4006")),
        (401, auth(4007, "app-token-invalid-params"), Unauthenticated, Refused, Some("4007")),
        (401, r#"{"description":"Unauthorized","code":401}"#.into(), Unauthenticated, Refused, None),
        (402, r#"{"description":"Payment required","code":402}"#.into(), OutOfFunds, Refused, None),
        (403, r#"{"description":"Forbidden","code":403}"#.into(), Forbidden, Refused, None),
        (400, r#"{"description":"Invalid id '000'","code":400}"#.into(), Rejected, Refused, None),
        (400, r#"{"description":"x","code":400,"errorCode":1004}"#.into(), Rejected, Refused, Some("1004")),
        (404, r#"{"description":"Not found","code":404}"#.into(), Rejected, Refused, None),
        (405, "".into(), Rejected, Refused, None),
        (415, r#"{"description":"Unsupported media type","code":415}"#.into(), Rejected, Refused, None),
        (409, r#"{"description":"x","code":409,"errorCode":1008,"errorName":"applicant-marked-as-deleted"}"#.into(), Conflict, Refused, Some("1008")),
        (409, r#"{"description":"x","code":409,"errorCode":1009,"errorName":"applicant-with-final-reject"}"#.into(), Conflict, Refused, Some("1009")),
        (409, r#"{"description":"Applicant with external user id 'u' already exists: 690e7f5976808036b2e8fa38","code":409}"#.into(), Conflict, Refused, None),
        (429, r#"{"description":"Too many requests","code":429}"#.into(), RateLimited, Refused, None),
        (500, r#"{"description":"Internal error","code":500,"errorCode":4003}"#.into(), Unavailable, Unknown, Some("4003")),
        (502, "<html><title>502 Bad Gateway</title></html>".into(), Unavailable, Unknown, None),
        (503, "".into(), Unavailable, Refused, None),
        (504, "upstream timed out".into(), Unavailable, Unknown, None),
        (401, "<html>Unauthorized</html>".into(), Unauthenticated, Refused, None),
    ];
    for (status, body, kind, outcome, code) in rows {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(status)
                    .set_body_raw(body.clone(), "application/json")
                    .insert_header("retry-after", "12"),
            )
            .expect(1)
            .mount(&server)
            .await;
        let error = client(&server).create_session(&request("user-1")).await.unwrap_err();
        let context = format!("{status} {body}: {error} / {error:?}");
        assert_eq!(error.kind(), kind, "{context}");
        assert_eq!(error.outcome(), outcome, "{context}");
        assert_eq!(error.vendor_code(), code, "{context}");
        assert_eq!(error.provider(), Some("sumsub"));
        assert_eq!(error.http_status(), Some(status), "{context}");
        if kind == RateLimited || status == 503 {
            assert_eq!(error.retry_after(), Some(Duration::from_secs(12)), "{context}");
        }
        if body.contains("correlationId") {
            assert_eq!(correlation_id(&error), Some("c0b20cfbbf674ce5aeaf479e72d33af8"));
        }
        // The description may quote what was sent: never printed.
        let printed = format!("{error} {error:?}");
        assert!(!printed.contains("already exists") && !printed.contains("'000'"), "{printed}");
    }
}

#[tokio::test]
async fn a_stale_clock_is_told_apart_from_a_wrong_signature() {
    let body = r#"{"description":"X-App-Access-Ts doesn't match to the number of seconds since Unix Epoch in UTC","code":401,"correlationId":"req-fa94263f-0b23-42d7-9393-ab10b28ef42d","errorCode":4004,"errorName":"app-token-request-expired"}"#;
    let server = server_answering(401, body).await;
    let stale = client(&server).create_session(&request("u1")).await.unwrap_err();
    assert_eq!(stale.kind(), ErrorKind::Config);
    assert_eq!(
        stale.to_string(),
        "invalid sumsub configuration: Sumsub refused the request timestamp (X-App-Access-Ts) as \
         more than a minute away from its clock: this machine's clock is wrong; synchronise it \
         (NTP) (http 401, code 4004)"
    );
    assert_eq!(correlation_id(&stale), Some("req-fa94263f-0b23-42d7-9393-ab10b28ef42d"));
    assert!(stale.vendor_message().unwrap().starts_with("X-App-Access-Ts doesn't match"));
    let body = r#"{"description":"Request signature mismatch","code":401,"correlationId":"c0b20cfbbf674ce5aeaf479e72d33af8","errorCode":4003,"errorName":"app-token-signature mismatch"}"#;
    let server = server_answering(401, body).await;
    let mismatch = client(&server).create_session(&request("u1")).await.unwrap_err();
    assert_eq!(mismatch.kind(), ErrorKind::Unauthenticated);
    assert_eq!(mismatch.to_string(), "sumsub refused the credentials (http 401, code 4003)");
    assert_eq!(correlation_id(&mismatch), Some("c0b20cfbbf674ce5aeaf479e72d33af8"));
}

#[tokio::test]
async fn a_rate_limit_without_retry_after_waits_one_window() {
    let server = server_answering(429, r#"{"description":"Too many requests","code":429}"#).await;
    let error = client(&server).create_session(&request("u1")).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::RateLimited);
    assert_eq!(error.retry_after(), Some(Duration::from_secs(5)));
}

#[tokio::test]
async fn hostile_success_answers_are_decode_errors_with_an_unknown_outcome() {
    let huge = format!(r#"{{"url":"https://in.sumsub.com/websdk/p/{}"}}"#, "a".repeat(1 << 20));
    let cases: Vec<(String, &str)> = vec![
        ("<html><body>Welcome</body></html>".into(), "body (line 1, column 1)"),
        (r#"{"url":"https://in.sumsub.com/websdk/p/7Jw"#.into(), "EOF while parsing"),
        (String::new(), "EOF while parsing a value"),
        (r#"{"url":7}"#.into(), "invalid type, expected a string"),
        (r#"{"link":"https://in.sumsub.com/websdk/p/x"}"#.into(), "missing field `url`"),
        (r#"{"url":"http://in.sumsub.example/websdk/p/x"}"#.into(), "url is not an https URL"),
        (r#"{"url":"javascript:alert(1)"}"#.into(), "url is not an https URL"),
        (r#"[1,2,3]"#.into(), "invalid type"),
        (huge, "body larger than 1048576 bytes"),
    ];
    for (body, detail) in cases {
        let server = server_answering(200, &body).await;
        let error = client(&server).create_session(&request("u1")).await.unwrap_err();
        let short: String = body.chars().take(60).collect();
        assert_eq!(error.kind(), ErrorKind::Decode, "{short}: {error}");
        assert_eq!(error.outcome(), Outcome::Unknown, "{short}");
        assert!(error.to_string().contains(detail), "{short}: {error}");
        assert!(!error.to_string().contains("Welcome"), "{error}");
    }
}

/// Requests Sumsub cannot honour, each with the error it must get.
fn refused_requests() -> Vec<(&'static str, SessionRequest, ErrorKind)> {
    use ErrorKind::{InvalidRequest, Unsupported};
    let base = || request("user-1");
    let country = |s: &str| s.parse::<CountryCode>().unwrap();
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let person = |p: Person| base().with_person(p);
    let document = |d: ExpectedDocument| base().with_document(d);
    vec![
        ("an invalid email", person(Person::default().with_email("not-an-email")), InvalidRequest),
        ("business without a KYB level", base().with_kind(VerificationKind::Business), Unsupported),
        ("first name", person(Person::default().with_first_name("Jane")), Unsupported),
        ("last name", person(Person::default().with_last_name("Doe")), Unsupported),
        (
            "date of birth",
            person(Person::default().with_date_of_birth(date(1990, 1, 15))),
            Unsupported,
        ),
        ("sex", person(Person::default().with_sex(kyc_core::Sex::Female)), Unsupported),
        ("nationality", person(Person::default().with_nationality(country("DE"))), Unsupported),
        (
            "personal number",
            person(Person::default().with_personal_number("39005150000")),
            Unsupported,
        ),
        ("address", person(Person::default().with_address("Main St 1")), Unsupported),
        (
            "document type",
            document(ExpectedDocument::default().with_type(DocumentType::Passport)),
            Unsupported,
        ),
        (
            "document country",
            document(ExpectedDocument::default().with_country(country("DE"))),
            Unsupported,
        ),
        (
            "document number",
            document(ExpectedDocument::default().with_number("AB123")),
            Unsupported,
        ),
        ("flow", base().with_flow(Flow::DocumentOnly), Unsupported),
        (
            "cancel redirect",
            base().with_redirects(Redirects::default().with_cancel(url("https://a.example/c"))),
            Unsupported,
        ),
        ("webhook", base().with_webhook_url(url("https://a.example/hook")), Unsupported),
        ("session duration", base().with_session_duration(Duration::from_secs(600)), Unsupported),
        ("external ref", base().with_external_ref("order-1"), Unsupported),
        ("tags", base().with_tag("vip"), Unsupported),
        ("Macedonian", base().with_locale(Locale::Mk), Unsupported),
        ("Albanian", base().with_locale(Locale::Sq), Unsupported),
        ("Slovenian", base().with_locale(Locale::Sl), Unsupported),
        ("a link of 59 seconds", base().with_link_validity(Duration::from_secs(59)), Unsupported),
        (
            "a link of 8 days",
            base().with_link_validity(Duration::from_secs(8 * 24 * 3600)),
            Unsupported,
        ),
        (
            "a blank level option",
            base().with_provider_options("sumsub", json!({"levelName": " "})),
            InvalidRequest,
        ),
        (
            "an unknown option",
            base().with_provider_options("sumsub", json!({"source": "api"})),
            InvalidRequest,
        ),
        (
            "non-object options",
            base().with_provider_options("sumsub", json!(["x"])),
            InvalidRequest,
        ),
    ]
}

#[tokio::test]
async fn every_unsupported_feature_is_refused_before_sending() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let sumsub = client(&server);
    for (what, request, expected) in refused_requests() {
        let error = sumsub.create_session(&request).await.expect_err(what);
        assert_eq!(error.kind(), expected, "{what}: {error}");
        assert_eq!(error.outcome(), Outcome::NotSent, "{what}");
        assert_eq!(sumsub.preflight(&request).unwrap_err().kind(), expected, "{what}");
    }
    assert!(server.received_requests().await.unwrap().is_empty(), "the server saw a request");
    let error = sumsub
        .create_session(
            &request("u")
                .with_redirects(Redirects::default().with_cancel(url("https://a.example/c"))),
        )
        .await
        .unwrap_err();
    assert_eq!(error.to_string(), "sumsub does not support the field redirects.cancel");
    assert_eq!(error.unsupported_feature(), Some(&Feature::Field(Field::CancelUrl)));
}

struct ServerCounter<'a>(&'a MockServer);

#[async_trait::async_trait]
impl RequestCounter for ServerCounter<'_> {
    async fn requests_received(&self) -> usize {
        self.0.received_requests().await.unwrap_or_default().len()
    }
}

#[tokio::test]
async fn passes_the_conformance_suite() {
    let server = server_answering(200, LINK).await;
    let sumsub = client(&server);
    conformance::run(&sumsub, &ServerCounter(&server)).await;
    // No erasure through Sumsub's API: refused for every kind, nothing sent.
    conformance::refuses_erasure_it_does_not_offer(&sumsub, &sumsub, &ServerCounter(&server)).await;
    // Every request the suite got through was signed over what was received.
    for received in server.received_requests().await.unwrap() {
        assert_signed(&received);
    }
}

#[tokio::test]
async fn passes_the_conformance_suite_with_a_kyb_level() {
    let server = server_answering(200, LINK).await;
    let sumsub = builder(&server).with_kyb_level("kyb-level").build().unwrap();
    assert!(sumsub.capabilities().business.is_some());
    conformance::run(&sumsub, &ServerCounter(&server)).await;
}

#[tokio::test]
async fn secrets_stay_out_of_debug_and_errors() {
    let server = server_answering(401, r#"{"description":"x","code":401,"errorCode":4003}"#).await;
    let builder = builder(&server).with_webhook_secret("whsec-very-secret");
    let sumsub = builder.clone().build().unwrap();
    let error = sumsub.create_session(&request("u1")).await.unwrap_err();
    let session_server = server_answering(200, LINK).await;
    let session = client(&session_server).create_session(&request("u1")).await.unwrap();
    let printed =
        format!("{builder:?} {sumsub:?} {error} {error:?} {session:?} {:?}", sumsub.webhooks());
    for secret in
        [TOKEN, "uY0CgwELmgUAEyl4hNWxLngb", SECRET, "whsec-very-secret", "7JwtC0pb9mcqQsLb"]
    {
        assert!(!printed.contains(secret), "{secret} in {printed}");
    }
    assert!(printed.contains("sandbox: true"), "{printed}");
}

#[test]
fn configuration_from_variables() {
    let outcome = |vars: &[(&str, &str)]| {
        SumsubBuilder::from_vars(vars.iter().copied())
            .and_then(SumsubBuilder::build)
            .map(|sumsub| (sumsub.level().to_owned(), sumsub.kyb_level().map(str::to_owned)))
            .map_err(|e| (e.kind(), e.to_string()))
    };
    let required = [("SUMSUB_APP_TOKEN", TOKEN), ("SUMSUB_SECRET_KEY", SECRET)];
    assert_eq!(outcome(&required), Ok(("basic-kyc-level".into(), None)));
    let mut all = required.to_vec();
    all.extend([
        ("SUMSUB_LEVEL_NAME", "id-level"),
        ("SUMSUB_KYB_LEVEL_NAME", "company-level"),
        ("SUMSUB_BASE_URL", "http://127.0.0.1:9/sumsub"),
        ("SUMSUB_WEBHOOK_SECRET", "new-secret, old-secret"),
    ]);
    assert_eq!(outcome(&all), Ok(("id-level".into(), Some("company-level".into()))));
    let built = SumsubBuilder::from_vars(all.iter().copied()).unwrap();
    assert!(format!("{built:?}").contains("webhook_secrets: 2"), "{built:?}");
    let sumsub = built.build().unwrap();
    assert_eq!(sumsub.base_url().as_str(), "http://127.0.0.1:9/sumsub");
    assert_eq!(sumsub.webhooks().keys().keys().len(), 2);
    assert!(sumsub.is_sandbox());
    assert_eq!(
        outcome(&[("SUMSUB_APP_TOKEN", TOKEN)]),
        Err((
            ErrorKind::Config,
            "invalid sumsub configuration: SUMSUB_SECRET_KEY is not set".into()
        ))
    );
    assert_eq!(
        outcome(&[("SUMSUB_SECRET_KEY", SECRET)]),
        Err((
            ErrorKind::Config,
            "invalid sumsub configuration: SUMSUB_APP_TOKEN is not set".into()
        ))
    );
    let mut plain = required.to_vec();
    plain.push(("SUMSUB_BASE_URL", "http://api.sumsub.com"));
    assert_eq!(
        outcome(&plain),
        Err((
            ErrorKind::Config,
            "invalid sumsub configuration: base URL must use https (plain http only for loopback hosts)".into()
        ))
    );
    for broken in [
        Sumsub::builder(TOKEN, " padded "),
        Sumsub::builder("", SECRET),
        Sumsub::builder("tok\nen", SECRET),
        Sumsub::builder(TOKEN, SECRET).with_level(""),
        Sumsub::builder(TOKEN, SECRET).with_kyb_level(" kyb"),
        Sumsub::builder(TOKEN, SECRET).with_webhook_secret(" "),
    ] {
        let error = broken.build().unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Config, "{error}");
        assert!(!error.to_string().contains(SECRET));
    }
    let production = Sumsub::builder("prd:abc.def", SECRET).build().unwrap();
    assert!(!production.is_sandbox());
}
