//! The Veriff adapter against a real HTTP server on 127.0.0.1 (wiremock): exact requests for
//! the documented examples, signatures over the bytes received, documented answers decoded,
//! every error row mapped, every limit and unsupported feature refused before sending.
//!
//! The examples come from Veriff's guide to generating sessions, "the sessions guide"
//! (<https://devdocs.veriff.com/docs/how-to-generate-sessions-manually>): its current request
//! example and its older "Generating sessions using JavaScript" example with the legacy answer
//! (`baseUrl`); the current answer's fields are those of `POST /v1/sessions`
//! (<https://devdocs.veriff.com/apidocs/v1sessions>).

use std::time::Duration;

use chrono::NaiveDate;
use kyc_core::conformance::{self, RequestCounter};
use kyc_core::{
    ClientId, CountryCode, Denial, DocumentType, ErrorKind, ExpectedDocument, Feature, Field, Flow,
    Locale, Outcome, Person, Redirects, SessionRequest, VerificationKind, VerificationSession,
};
use kyc_veriff::{
    Consent, ConsentType, IdCardType, Veriff, VeriffBuilder, VeriffOptions, signature,
};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use strum::IntoEnumIterator;
use url::Url;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const API_KEY: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
const SECRET: &str = "abcdef12-abcd-abcd-abcd-abcdef012345";
const CURRENT: &str = include_str!("../fixtures/response-current.json");
const LEGACY_BASEURL: &str = include_str!("../fixtures/response-legacy-baseurl.json");

async fn server_answering(status: u16, body: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/sessions"))
        .and(header("x-auth-client", API_KEY))
        .and(header("content-type", "application/json"))
        .respond_with(
            ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json"),
        )
        .mount(&server)
        .await;
    server
}

fn builder(server: &MockServer) -> VeriffBuilder {
    Veriff::builder(API_KEY).with_base_url(server.uri())
}

fn client(server: &MockServer) -> Veriff {
    builder(server).build().unwrap()
}

fn request(client_id: &str) -> SessionRequest {
    SessionRequest::new(ClientId::new(client_id).unwrap())
}

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

fn country(s: &str) -> CountryCode {
    s.parse().unwrap()
}

/// The one request the server received.
async fn only_request(server: &MockServer) -> wiremock::Request {
    let mut received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1, "expected exactly one request");
    received.remove(0)
}

async fn sends(request: &SessionRequest, expected: Value) {
    let server = server_answering(201, CURRENT).await;
    client(&server).create_session(request).await.expect("session created");
    let received = only_request(&server).await;
    assert_eq!(received.url.path(), "/v1/sessions");
    assert_eq!(serde_json::from_slice::<Value>(&received.body).unwrap(), expected);
    assert!(received.headers.get("x-hmac-signature").is_none(), "no secret, no signature");
}

#[tokio::test]
async fn sessions_guide_javascript_example() {
    let mut request = request("user-42")
        .with_redirects(Redirects::default().with_success(url("https://this.is.your.redirect.url")))
        .with_person(Person::default().with_first_name("John").with_last_name("Smith"))
        .with_locale(Locale::En);
    let mut options = VeriffOptions::default();
    options.features = vec!["selfid".into()];
    options.timestamp = Some("2016-05-19T08:30:25.597Z".parse().unwrap());
    request = request.with_options(options.clone());
    // The sessions guide's JavaScript body, plus `vendorData` (the client id is always sent),
    // and the callback as a URL prints it: with the root path `/`.
    sends(
        &request,
        json!({
            "verification": {
                "callback": "https://this.is.your.redirect.url/",
                "person": {"firstName": "John", "lastName": "Smith"},
                "vendorData": "user-42",
                "lang": "en",
                "features": ["selfid"],
                "timestamp": "2016-05-19T08:30:25.597Z"
            }
        }),
    )
    .await;
}

#[tokio::test]
async fn every_locale_is_sent_as_an_iso_639_1_code() {
    // Veriff falls back to English for a language it lacks, so none is refused; ISO 639-1 has
    // no script, so Traditional Chinese goes as `zh`.
    for (locale, lang) in [(Locale::ZhHant, "zh"), (Locale::Zh, "zh"), (Locale::Pt, "pt")] {
        sends(
            &request("user-1").with_locale(locale),
            json!({"verification": {"vendorData": "user-1", "lang": lang}}),
        )
        .await;
    }
    let veriff = Veriff::new(API_KEY).unwrap();
    for locale in Locale::iter() {
        let body: Value =
            serde_json::from_slice(&veriff.encode(&request("u").with_locale(locale)).unwrap())
                .unwrap();
        let lang = body["verification"]["lang"].as_str().unwrap().to_owned();
        assert!(
            lang.len() == 2 && lang.chars().all(|c| c.is_ascii_lowercase()),
            "{locale}: {lang}"
        );
    }
}

#[tokio::test]
async fn sessions_guide_current_example() {
    let mut request = request("11111111")
        .with_redirects(Redirects::default().with_success(url("https://veriff.com")))
        .with_person(
            Person::default()
                .with_first_name("John")
                .with_last_name("Smith")
                .with_personal_number("123456789")
                .with_address("Lorem Ipsum 30, 13612 Tallinn, Estonia"),
        )
        .with_document(
            ExpectedDocument::default()
                .with_number("B01234567")
                .with_type(DocumentType::Passport)
                .with_country(country("EE")),
        );
    let mut options = VeriffOptions::default();
    options.end_user_id = Some("fa820aba-019f-455a-ae81-cfca8075bc3f".into());
    options.consents = vec![Consent::new(ConsentType::Ine, true)];
    request = request.with_options(options.clone());
    sends(
        &request,
        json!({
            "verification": {
                "callback": "https://veriff.com/",
                "person": {"firstName": "John", "lastName": "Smith", "idNumber": "123456789"},
                "document": {"number": "B01234567", "type": "PASSPORT", "country": "EE"},
                "address": {"fullAddress": "Lorem Ipsum 30, 13612 Tallinn, Estonia"},
                "vendorData": "11111111",
                "endUserId": "fa820aba-019f-455a-ae81-cfca8075bc3f",
                "consents": [{"type": "ine", "approved": true}]
            }
        }),
    )
    .await;
}

#[tokio::test]
async fn every_mapped_field_and_option_reaches_the_body() {
    let mut request = request("user-1")
        .with_person(
            Person::default()
                .with_first_name("Mari")
                .with_last_name("Maasikas")
                .with_date_of_birth(NaiveDate::from_ymd_opt(1990, 5, 15).unwrap())
                .with_sex(kyc_core::Sex::Female)
                .with_personal_number("49005150000")
                .with_email("mari@example.com")
                .with_phone("+3725000000"),
        )
        .with_document(
            ExpectedDocument::default()
                .with_type(DocumentType::DriverLicense)
                .with_country(country("CO")),
        )
        .with_link_validity(Duration::from_secs(7 * 24 * 3600));
    let mut options = VeriffOptions::default();
    options.marital_status = Some(kyc_veriff::MaritalStatus::Single);
    options.is_deceased = Some(false);
    options.id_card_type = Some(IdCardType::Cc);
    options.first_issue = NaiveDate::from_ymd_opt(2015, 3, 21);
    options.proof_of_address_types = vec!["UTILITY_BILL".into()];
    options.extra.insert("newField".into(), json!({"x": 1}));
    request = request.with_options(options.clone());
    sends(
        &request,
        json!({
            "verification": {
                "person": {
                    "firstName": "Mari", "lastName": "Maasikas", "idNumber": "49005150000",
                    "gender": "F", "dateOfBirth": "1990-05-15", "email": "mari@example.com",
                    "phoneNumber": "+3725000000", "maritalStatus": "single", "isDeceased": false
                },
                "document": {
                    "type": "DRIVERS_LICENSE", "country": "CO", "idCardType": "CC",
                    "firstIssue": "2015-03-21"
                },
                "proofOfAddress": {"acceptableTypes": [{"name": "UTILITY_BILL"}]},
                "vendorData": "user-1",
                "newField": {"x": 1}
            }
        }),
    )
    .await;
}

#[tokio::test]
async fn a_configured_secret_signs_the_exact_bytes_sent() {
    let server = server_answering(201, CURRENT).await;
    let veriff = builder(&server)
        .with_shared_secret(SECRET)
        .with_shared_secret("an-older-secret")
        .with_integration_id("integration-7")
        .build()
        .unwrap();
    let request = request("unique id of a user")
        .with_person(Person::default().with_first_name("John").with_last_name("Smith"));
    veriff.create_session(&request).await.unwrap();
    let received = only_request(&server).await;
    let sent = received.headers.get("x-hmac-signature").expect("signed").to_str().unwrap();
    assert_eq!(sent, signature(SECRET.as_bytes(), &received.body), "the first secret signs");
    assert_eq!(sent.len(), 64);
    assert!(sent.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)), "lowercase hex");
    assert_eq!(received.headers.get("vrf-integration-id").unwrap(), "integration-7");
}

#[tokio::test]
async fn a_base_path_is_kept_before_v1() {
    let server = server_answering(201, CURRENT).await;
    Mock::given(method("POST"))
        .and(path("/proxy/veriff/v1/sessions"))
        .respond_with(ResponseTemplate::new(201).set_body_raw(CURRENT, "application/json"))
        .mount(&server)
        .await;
    let veriff = Veriff::builder(API_KEY)
        .with_base_url(format!("{}/proxy/veriff/", server.uri()))
        .build()
        .unwrap();
    veriff.create_session(&request("user-1")).await.unwrap();
    assert_eq!(only_request(&server).await.url.path(), "/proxy/veriff/v1/sessions");
}

#[tokio::test]
async fn documented_answers_decode() {
    let cases = [
        (
            CURRENT,
            201,
            "f04bdb47-d3be-4b28-b028-a652feb060b5",
            "https://alchemy.veriff.com/v/eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...",
            "https://alchemy.veriff.com",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...",
        ),
        (
            LEGACY_BASEURL,
            200,
            "f04bdb47-d3be-4b28-b028-............",
            "https://magic.veriff.me/v/sample-url.................",
            "https://magic.veriff.me",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJh............",
        ),
    ];
    for (fixture, status, id, link, host, token) in cases {
        let server = server_answering(status, fixture).await;
        let session = client(&server).create_session(&request("11111111")).await.unwrap();
        assert_eq!(session.provider, "veriff");
        assert_eq!(session.id, id);
        assert_eq!(session.url.as_str(), link);
        assert_eq!(session.vendor_fields["host"], host);
        assert_eq!(session.token.as_ref().unwrap().expose_secret(), token);
        assert_eq!(session.client_id.as_str(), "11111111");
        assert_eq!(session.expires_at.unwrap() - session.created_at, chrono::TimeDelta::days(7));
    }
}

#[tokio::test]
async fn an_answer_with_both_host_and_base_url_decodes() {
    let body = r#"{"verification": {"id": "f04bdb47-d3be-4b28-b028-a652feb060b5", "url": "https://alchemy.veriff.com/v/t", "host": "https://alchemy.veriff.com", "baseUrl": "https://magic.veriff.me"}}"#;
    let server = server_answering(201, body).await;
    let session = client(&server).create_session(&request("u1")).await.unwrap();
    assert_eq!(session.vendor_fields["host"], "https://alchemy.veriff.com");
}

#[tokio::test]
async fn broken_success_answers_are_decode_errors() {
    for (body, detail) in [
        ("", "body (line 1, column 0): EOF while parsing a value"),
        (r#"{"status": "success"}"#, "body (line 1, column 21): missing field `verification`"),
        (
            r#"{"verification": {"id": "x", "url": "javascript:alert(1)"}}"#,
            "verification.url is not an https URL",
        ),
        (
            r#"{"verification": {"id": "x", "url": "http://alchemy.veriff.example/v/t0ken"}}"#,
            "verification.url is not an https URL",
        ),
        (
            r#"{"verification": {"id": "", "url": "https://a.example/v/1"}}"#,
            "empty verification.id",
        ),
        (
            r#"{"verification": {"id": 7, "url": "https://a.example/v/1"}}"#,
            "body (line 1, column 25): invalid type, expected a string",
        ),
    ] {
        let server = server_answering(201, body).await;
        let error = client(&server).create_session(&request("u1")).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode, "{body}");
        assert_eq!(error.outcome(), Outcome::Unknown);
        assert_eq!(
            error.to_string(),
            format!("undecodable response from veriff: {detail} (http 201)")
        );
    }
}

#[tokio::test]
async fn every_error_row_maps_as_documented() {
    use ErrorKind::{Forbidden, OutOfFunds, RateLimited, Rejected, Unauthenticated, Unavailable};
    use Outcome::{Rejected as Refused, Unknown};
    let rows: [(u16, &str, ErrorKind, Outcome, Option<&str>); 20] = [
        (
            401,
            r#"{"status": "fail", "code": "1801", "message": "Mandatory X-AUTH-CLIENT header containing the API key is missing from the request."}"#,
            Unauthenticated,
            Refused,
            Some("1801"),
        ),
        (
            401,
            r#"{"status": "fail", "code": "1803", "message": "Integration with the API key was not found."}"#,
            Unauthenticated,
            Refused,
            Some("1803"),
        ),
        // The integration is not active: the key is known, the account may not work.
        (401, r#"{"status": "fail", "code": 1804}"#, Forbidden, Refused, Some("1804")),
        (
            400,
            r#"{"status": 400, "code": "1804", "message": "x"}"#,
            Forbidden,
            Refused,
            Some("1804"),
        ),
        (403, r#"{"status": "fail", "message": "Forbidden"}"#, Forbidden, Refused, None),
        (402, "", OutOfFunds, Refused, None),
        (401, r#"{"status": "fail"}"#, Unauthenticated, Refused, None),
        (
            400,
            r#"{"status": "fail", "code": 1819, "message": "Signature does not match"}"#,
            Unauthenticated,
            Refused,
            Some("1819"),
        ),
        (
            400,
            r#"{"status": "fail", "code": "1102", "message": "Mandatory parameters are missing from the request."}"#,
            Rejected,
            Refused,
            Some("1102"),
        ),
        (
            400,
            r#"{"status": "fail", "code": "1104", "message": "Request includes invalid parameters."}"#,
            Rejected,
            Refused,
            Some("1104"),
        ),
        (
            400,
            r#"{"status": "fail", "code": "1302", "message": "Only HTTPS return URLs are allowed."}"#,
            Rejected,
            Refused,
            Some("1302"),
        ),
        (
            400,
            r#"{"status": "fail", "code": "1500", "message": "vendorData field must be less than 1000 symbols."}"#,
            Rejected,
            Refused,
            Some("1500"),
        ),
        (400, r#"{"status": "fail", "code": 2101}"#, Rejected, Refused, Some("2101")),
        (404, r#"{"status": "fail", "message": "Session not found"}"#, Rejected, Refused, None),
        (409, r#"{"status": "fail", "message": "Conflict"}"#, Rejected, Refused, None),
        (429, "Too Many Requests", RateLimited, Refused, None),
        (
            500,
            r#"{"status": "fail", "message": "Internal server error"}"#,
            Unavailable,
            Unknown,
            None,
        ),
        (502, "<html><title>502 Bad Gateway</title></html>", Unavailable, Unknown, None),
        (503, "", Unavailable, Refused, None),
        (401, "<html>Unauthorized</html>", Unauthenticated, Refused, None),
    ];
    for (status, body, kind, outcome, code) in rows {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(status)
                    .set_body_raw(body, "application/json")
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
        assert_eq!(error.provider(), Some("veriff"));
        if kind == RateLimited {
            assert_eq!(error.retry_after(), Some(Duration::from_secs(12)));
        }
        if kind == Forbidden {
            let denial = match code {
                Some("1804") => Denial::AccountInactive,
                _ => Denial::FeatureNotEnabled,
            };
            assert_eq!(error.denial(), Some(denial), "{context}");
        }
        let printed = format!("{error} {error:?}");
        assert!(!printed.contains("Mandatory") && !printed.contains("symbols"), "{printed}");
    }
}

/// Requests Veriff cannot honour, each with the error it must get.
fn refused_requests() -> Vec<(&'static str, SessionRequest, ErrorKind)> {
    use ErrorKind::{InvalidRequest, Unsupported};
    let base = || request("user-1");
    let with_options = |options: VeriffOptions| {
        let mut request = base();
        request = request.with_options(options.clone());
        request
    };
    let mut bad_end_user = VeriffOptions::default();
    bad_end_user.end_user_id = Some("user-1".into());
    let mut colombian_only = VeriffOptions::default();
    colombian_only.id_card_type = Some(IdCardType::Ti);
    let mut ine_refused = VeriffOptions::default();
    ine_refused.consents = vec![Consent::new(ConsentType::Ine, false)];
    let mut shadowing = VeriffOptions::default();
    shadowing.extra.insert("vendorData".into(), json!("someone-else"));
    let document = |d: ExpectedDocument| base().with_document(d);
    vec![
        (
            "a phone number with letters",
            base().with_person(Person::default().with_phone("call me")),
            InvalidRequest,
        ),
        ("business", base().with_kind(VerificationKind::Business), Unsupported),
        (
            "failure redirect",
            base().with_redirects(Redirects::default().with_failure(url("https://a.example/f"))),
            Unsupported,
        ),
        (
            "cancel redirect",
            base().with_redirects(Redirects::default().with_cancel(url("https://a.example/c"))),
            Unsupported,
        ),
        (
            "plain-http callback",
            base().with_redirects(Redirects::default().with_success(url("http://a.example/ok"))),
            Unsupported,
        ),
        ("webhook", base().with_webhook_url(url("https://a.example/hook")), Unsupported),
        (
            "link validity of an hour",
            base().with_link_validity(Duration::from_secs(3600)),
            Unsupported,
        ),
        ("session duration", base().with_session_duration(Duration::from_secs(600)), Unsupported),
        ("flow", base().with_flow(Flow::DocumentOnly), Unsupported),
        (
            "nationality",
            base().with_person(Person::default().with_nationality(country("EE"))),
            Unsupported,
        ),
        ("external ref", base().with_external_ref("order-1"), Unsupported),
        ("tags", base().with_tag("vip"), Unsupported),
        (
            "aadhaar",
            document(ExpectedDocument::default().with_type(DocumentType::Aadhaar)),
            Unsupported,
        ),
        (
            "two document types",
            document(
                ExpectedDocument::default()
                    .with_type(DocumentType::Passport)
                    .with_type(DocumentType::IdCard),
            ),
            Unsupported,
        ),
        (
            "document issue date",
            document(
                ExpectedDocument::default()
                    .with_issue_date(NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()),
            ),
            Unsupported,
        ),
        (
            "document expiry date",
            document(
                ExpectedDocument::default()
                    .with_expiry_date(NaiveDate::from_ymd_opt(2030, 1, 1).unwrap()),
            ),
            Unsupported,
        ),
        (
            "document number with a hyphen",
            document(ExpectedDocument::default().with_number("AB-123")),
            Unsupported,
        ),
        // Options are the caller's own mistakes: refused as invalid, so failover stops.
        ("endUserId not a UUID", with_options(bad_end_user), InvalidRequest),
        ("idCardType outside Colombia", with_options(colombian_only), InvalidRequest),
        ("INE consent not approved", with_options(ine_refused), InvalidRequest),
        ("option shadowing vendorData", with_options(shadowing), InvalidRequest),
        (
            "non-object options",
            base().with_provider_options("veriff", json!(["x"])),
            InvalidRequest,
        ),
    ]
}

#[tokio::test]
async fn every_limit_and_unsupported_feature_is_refused_before_sending() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201))
        .expect(0)
        .mount(&server)
        .await;
    let veriff = client(&server);
    for (what, request, expected) in refused_requests() {
        let error = veriff.create_session(&request).await.expect_err(what);
        assert_eq!(error.kind(), expected, "{what}: {error}");
        assert_eq!(error.outcome(), Outcome::NotSent, "{what}");
    }
    assert!(server.received_requests().await.unwrap().is_empty(), "the server saw a request");
    let error = veriff
        .create_session(
            &request("u")
                .with_redirects(Redirects::default().with_cancel(url("https://a.example/c"))),
        )
        .await
        .unwrap_err();
    assert_eq!(error.to_string(), "veriff does not support the field redirects.cancel");
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
    let server = server_answering(201, CURRENT).await;
    let veriff = builder(&server).with_shared_secret(SECRET).build().unwrap();
    conformance::run(&veriff, &ServerCounter(&server)).await;
    conformance::refuses_erasure_it_does_not_offer(&veriff, &veriff, &ServerCounter(&server)).await;
}

#[tokio::test]
async fn secrets_stay_out_of_debug_and_errors() {
    let server = server_answering(401, r#"{"status": "fail", "code": "1803"}"#).await;
    let builder = builder(&server).with_shared_secret(SECRET);
    let veriff = builder.clone().build().unwrap();
    let error = veriff.create_session(&request("u1")).await.unwrap_err();
    let session_server = server_answering(201, CURRENT).await;
    let session = client(&session_server).create_session(&request("11111111")).await.unwrap();
    let mut options = VeriffOptions::default();
    options.extra.insert("ssn".into(), json!("123-45-6789"));
    let configured =
        Veriff::builder(API_KEY).with_default_options(options.clone()).build().unwrap();
    let printed = format!(
        "{builder:?} {veriff:?} {error} {error:?} {session:?} {options:?} {:?}",
        configured.default_options()
    );
    assert!(printed.contains(r#"set: ["ssn"]"#), "{printed}");
    assert!(!printed.contains("123-45-6789"), "{printed}");
    for secret in [API_KEY, SECRET, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"] {
        assert!(!printed.contains(secret), "{secret} in {printed}");
    }
}

#[test]
fn configuration_from_variables() {
    let outcome = |vars: &[(&str, &str)]| {
        VeriffBuilder::from_vars(vars.iter().copied())
            .and_then(VeriffBuilder::build)
            .map(|_| ())
            .map_err(|e| (e.kind(), e.to_string()))
    };
    assert_eq!(outcome(&[("VERIFF_API_KEY", API_KEY)]), Ok(()));
    assert_eq!(
        outcome(&[]),
        Err((ErrorKind::Config, "invalid veriff configuration: VERIFF_API_KEY is not set".into()))
    );
    assert_eq!(
        outcome(&[("VERIFF_API_KEY", "not-a-uuid")]),
        Err((ErrorKind::Config, "invalid veriff configuration: the API key is not a UUID".into()))
    );
    assert_eq!(
        outcome(&[("VERIFF_API_KEY", API_KEY), ("VERIFF_BASE_URL", "http://api.veriff.example")]),
        Err((
            ErrorKind::Config,
            "invalid veriff configuration: base URL must use https (plain http only for loopback hosts)".into()
        ))
    );
    let rotated = VeriffBuilder::from_vars([
        ("VERIFF_API_KEY", API_KEY),
        ("VERIFF_SHARED_SECRET", "new-secret, old-secret"),
        ("VERIFF_INTEGRATION_ID", "integration-7"),
    ])
    .unwrap();
    assert!(format!("{rotated:?}").contains("shared_secrets: 2"));
    assert!(Veriff::builder(API_KEY).with_shared_secret(" ").build().is_err());
}
