//! The iDenfy adapter against a real HTTP server on 127.0.0.1 (wiremock): exact requests for
//! the documented examples, documented responses decoded, every error row mapped, every limit
//! enforced before anything is sent.
//!
//! The examples come from iDenfy's current token reference
//! (<https://documentation.idenfy.com/kyc/generate-token>) and its older token reference
//! (<https://documentation.idenfy.com/API/GeneratingIdentificationToken>).

use std::time::Duration;

use chrono::{NaiveDate, Utc};
use kyc_core::conformance::{self, RequestCounter};
use kyc_core::{
    ClientId, CountryCode, Denial, DocumentType, Error, ErrorKind, ExpectedDocument, Feature,
    Field, Flow, Locale, Outcome, Person, Redirects, SessionRef, SessionRequest, Sex,
    VerificationKind, VerificationSession,
};
use kyc_idenfy::{Idenfy, IdenfyOptions};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use url::Url;
use wiremock::matchers::{basic_auth, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "test-api-key";
const SECRET: &str = "test-api-secret";

const CURRENT_REFERENCE_RESPONSE: &str = include_str!("../fixtures/token-response-current.json");
const OLDER_REFERENCE_FULL_RESPONSE: &str =
    include_str!("../fixtures/token-response-older-full.json");
const OLDER_REFERENCE_MINIMAL_RESPONSE: &str =
    include_str!("../fixtures/token-response-older-minimal.json");
const KYB_RESPONSE: &str = include_str!("../fixtures/kyb-response.json");

/// A server answering both token endpoints, only to correctly authenticated JSON requests.
async fn server_answering(token: &str, kyb: &str) -> MockServer {
    let server = MockServer::start().await;
    for (route, body) in [("/api/v2/token", token), ("/kyb/tokens/", kyb)] {
        Mock::given(method("POST"))
            .and(path(route))
            .and(basic_auth(KEY, SECRET))
            .and(header("content-type", "application/json"))
            .respond_with(
                ResponseTemplate::new(201).set_body_raw(body.to_owned(), "application/json"),
            )
            .mount(&server)
            .await;
    }
    server
}

fn client(server: &MockServer) -> Idenfy {
    Idenfy::builder(KEY, SECRET).with_base_url(server.uri()).build().unwrap()
}

fn request(client_id: &str) -> SessionRequest {
    SessionRequest::new(ClientId::new(client_id).unwrap())
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

fn country(s: &str) -> CountryCode {
    s.parse().unwrap()
}

/// The one request the server received: its path and JSON body.
async fn only_request(server: &MockServer) -> (String, Value) {
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1, "expected exactly one request");
    let body = serde_json::from_slice(&received[0].body).expect("JSON body");
    (received[0].url.path().to_owned(), body)
}

async fn sends(request: &SessionRequest, expected: Value) {
    let server = server_answering(CURRENT_REFERENCE_RESPONSE, KYB_RESPONSE).await;
    client(&server).create_session(request).await.expect("session created");
    let (path, body) = only_request(&server).await;
    assert_eq!(path, "/api/v2/token");
    assert_eq!(body, expected);
}

#[tokio::test]
async fn current_reference_minimal_example() {
    sends(&request("user-123"), json!({"clientId": "user-123"})).await;
}

#[tokio::test]
async fn current_reference_data_matching_example() {
    let request = request("user-123").with_person(
        Person::default()
            .with_first_name("John")
            .with_last_name("Doe")
            .with_date_of_birth(date("1990-05-15")),
    );
    let expected = json!({
        "clientId": "user-123", "firstName": "John", "lastName": "Doe", "dateOfBirth": "1990-05-15"
    });
    sends(&request, expected).await;
}

#[tokio::test]
async fn current_reference_restricted_countries_and_documents_example() {
    let mut request = request("user-123")
        .with_person(Person::default().with_first_name("John").with_last_name("Doe"))
        .with_document(
            ExpectedDocument::default()
                .with_type(DocumentType::Passport)
                .with_type(DocumentType::IdCard),
        );
    let mut options = IdenfyOptions::default();
    options.countries = vec![country("US"), country("GB"), country("DE")];
    request = request.with_options(options.clone());
    let expected = json!({
        "clientId": "user-123", "firstName": "John", "lastName": "Doe",
        "country": ["US", "GB", "DE"], "documents": ["PASSPORT", "ID_CARD"]
    });
    sends(&request, expected).await;
}

#[tokio::test]
async fn current_reference_full_example() {
    let request = request("user-123")
        .with_person(
            Person::default()
                .with_first_name("John")
                .with_last_name("Doe")
                .with_date_of_birth(date("1990-05-15")),
        )
        .with_document(
            ExpectedDocument::default()
                .with_country(country("US"))
                .with_type(DocumentType::Passport)
                .with_type(DocumentType::IdCard),
        )
        .with_locale(Locale::En)
        .with_link_validity(Duration::from_secs(3600))
        .with_session_duration(Duration::from_secs(600))
        .with_redirects(
            Redirects::default()
                .with_success(url("https://yourapp.com/verified"))
                .with_failure(url("https://yourapp.com/failed")),
        )
        .with_webhook_url(url("https://yourapp.com/webhook"));
    let expected = json!({
        "clientId": "user-123",
        "firstName": "John",
        "lastName": "Doe",
        "dateOfBirth": "1990-05-15",
        "country": "US",
        "documents": ["PASSPORT", "ID_CARD"],
        "locale": "en",
        "expiryTime": 3600,
        "sessionLength": 600,
        "successUrl": "https://yourapp.com/verified",
        "errorUrl": "https://yourapp.com/failed",
        "callbackUrl": "https://yourapp.com/webhook"
    });
    sends(&request, expected).await;
}

#[tokio::test]
async fn older_reference_full_request() {
    let mut request = request("100000")
        .with_person(
            Person::default()
                .with_first_name("John Tom")
                .with_last_name("Smith")
                .with_date_of_birth(date("1990-12-20"))
                .with_nationality(country("lt"))
                .with_personal_number("123456789")
                .with_sex(Sex::Male)
                .with_address("Address"),
        )
        .with_document(
            ExpectedDocument::default()
                .with_country(country("lt"))
                .with_type(DocumentType::Passport)
                .with_expiry_date(date("1990-12-20"))
                .with_issue_date(date("1990-12-20"))
                .with_number("123456"),
        )
        .with_redirects(
            Redirects::default()
                .with_success(url("https://www.my-company.com/idenfy/success"))
                .with_failure(url("https://www.my-company.com/idenfy/fail"))
                .with_cancel(url("https://www.my-company.com/idenfy/unverified")),
        )
        .with_webhook_url(url("https://mywebsite.com/idenfy/webhookendpoint"))
        .with_locale(Locale::En)
        .with_link_validity(Duration::from_secs(600))
        .with_session_duration(Duration::from_secs(600))
        .with_flow(Flow::DocumentAndSelfie)
        .with_external_ref("reference");
    let mut options = IdenfyOptions::default();
    options.show_instructions = Some(true);
    options.video_call_questions = vec!["Question 1".into(), "Question 2".into()];
    options.utility_bill = Some(false);
    request = request.with_options(options.clone());
    // The older token reference's request, with two differences: countries go upper case (the
    // form iDenfy answers with in the current token reference and documents as ISO 3166-1
    // alpha-2), and `additionalSteps: null` / `additionalData: null` (their defaults) are left
    // out like every unset field.
    let expected = json!({
        "clientId": "100000",
        "firstName": "John Tom",
        "lastName": "Smith",
        "successUrl": "https://www.my-company.com/idenfy/success",
        "errorUrl": "https://www.my-company.com/idenfy/fail",
        "unverifiedUrl": "https://www.my-company.com/idenfy/unverified",
        "callbackUrl": "https://mywebsite.com/idenfy/webhookendpoint",
        "locale": "en",
        "showInstructions": true,
        "expiryTime": 600,
        "sessionLength": 600,
        "country": "LT",
        "documents": ["PASSPORT"],
        "dateOfBirth": "1990-12-20",
        "dateOfExpiry": "1990-12-20",
        "dateOfIssue": "1990-12-20",
        "nationality": "LT",
        "personalNumber": "123456789",
        "documentNumber": "123456",
        "sex": "M",
        "address": "Address",
        "tokenType": "IDENTIFICATION",
        "videoCallQuestions": ["Question 1", "Question 2"],
        "externalRef": "reference",
        "utilityBill": false
    });
    sends(&request, expected).await;
}

#[tokio::test]
async fn every_option_and_unknown_parameters_reach_the_body() {
    let mut defaults = IdenfyOptions::default();
    defaults.check_liveness = Some(true);
    defaults.max_attempt_count = Some(1);
    let mut request = request("user-1").with_flow(Flow::DocumentOnly);
    request = request.with_provider_options(
        "idenfy",
        json!({
            "maxAttemptCount": 3,
            "questionnaire": null,
            "fraudServices": ["AML_NAMES_CHECK", "LID"],
            "detectionTypes": ["FACE"],
            "levenshteinTextMatchRatio": 0.8,
            "generateDigitString": true,
            "additionalSteps": {"ALL": {"UTILITY_BILL": {"type": "EXTRA"}}},
            "additionalData": {"UTILITY_BILL": {"address": "Gedimino pr. 1"}},
            "featureFromTomorrow": {"enabled": true}
        }),
    );
    let server = server_answering(OLDER_REFERENCE_FULL_RESPONSE, KYB_RESPONSE).await;
    let idenfy =
        Idenfy::builder(KEY, SECRET).with_base_url(server.uri()).with_default_options(defaults);
    let session = idenfy.build().unwrap().create_session(&request).await.unwrap();
    assert_eq!(session.vendor_fields.get("digitString").map(String::as_str), Some("4823657"));
    let (_, body) = only_request(&server).await;
    assert_eq!(
        body,
        json!({
            "clientId": "user-1",
            "tokenType": "DOCUMENT",
            "checkLiveness": true,
            "maxAttemptCount": 3,
            "questionnaire": null,
            "fraudServices": ["AML_NAMES_CHECK", "LID"],
            "detectionTypes": ["FACE"],
            "levenshteinTextMatchRatio": 0.8,
            "generateDigitString": true,
            "additionalSteps": {"ALL": {"UTILITY_BILL": {"type": "EXTRA"}}},
            "additionalData": {"UTILITY_BILL": {"address": "Gedimino pr. 1"}},
            "featureFromTomorrow": {"enabled": true}
        })
    );
}

#[tokio::test]
async fn current_reference_response_decodes() {
    let server = server_answering(CURRENT_REFERENCE_RESPONSE, KYB_RESPONSE).await;
    let before = Utc::now();
    let session = client(&server).create_session(&request("user-123")).await.unwrap();
    assert_eq!(session.provider, "idenfy");
    assert_eq!(session.id, "ec6a7108-8c26-11e9-9758-309c231b1bac");
    assert_eq!(
        session.url.as_str(),
        "https://ivs.idenfy.com/api/v2/redirect?authToken=pgYQX0z2T8..."
    );
    assert_eq!(
        session.token.as_ref().unwrap().expose_secret(),
        "pgYQX0z2T8mtcpNj9I20uWVCLKNuG0vgr12f0wAC"
    );
    assert_eq!(session.client_id.as_str(), "user-123");
    assert!(session.vendor_fields.is_empty(), "digitString null is not kept");
    let expires = session.expires_at.unwrap() - session.created_at;
    assert_eq!(expires.num_seconds(), 3600);
    assert!(session.created_at >= before);
}

#[tokio::test]
async fn older_reference_responses_decode_and_build_the_redirect_url() {
    for (fixture, id, token, validity) in [
        (
            OLDER_REFERENCE_FULL_RESPONSE,
            "ec6a7108-8c26-11e9-9758-309c231b1bac",
            "pgYQX0z2T8mtcpNj9I20uWVCLKNuG0vgr12f0wAC",
            600,
        ),
        (
            OLDER_REFERENCE_MINIMAL_RESPONSE,
            "9b11acb2-8c27-11e9-9758-309c231b1bac",
            "LEWCd6xHTW2auHrst9MEqZN8tUgKsUQ8hSMNYoLI",
            3600,
        ),
    ] {
        let server = server_answering(fixture, KYB_RESPONSE).await;
        let session = client(&server).create_session(&request("100000")).await.unwrap();
        assert_eq!(session.id, id);
        // No redirectUrl in the older token reference: built on the configured base.
        assert_eq!(
            session.url.as_str(),
            format!("{}/api/v2/redirect?authToken={token}", server.uri())
        );
        assert_eq!(session.token.as_ref().unwrap().expose_secret(), token);
        assert_eq!(session.vendor_fields["digitString"], "4823657");
        assert_eq!((session.expires_at.unwrap() - session.created_at).num_seconds(), validity);
    }
}

#[tokio::test]
async fn a_200_answer_and_an_untrusted_redirect_url() {
    // 200 instead of the documented 201, and a plain-http redirectUrl off loopback: the token
    // must not travel in clear, so the documented link is built instead.
    let body = json!({"authToken": "T0k", "scanRef": "s-9", "redirectUrl": "http://evil.example/r?authToken=T0k"});
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let session = client(&server).create_session(&request("u1")).await.unwrap();
    assert_eq!(session.url.as_str(), format!("{}/api/v2/redirect?authToken=T0k", server.uri()));
    assert_eq!(session.id, "s-9");
}

#[tokio::test]
async fn token_string_is_accepted_for_auth_token() {
    let body = json!({"tokenString": "Tok3n", "scanRef": "s-1", "brandNew": {"x": 1}}).to_string();
    let server = server_answering(&body, KYB_RESPONSE).await;
    let session = client(&server).create_session(&request("u1")).await.unwrap();
    assert_eq!(session.token.unwrap().expose_secret(), "Tok3n");
    assert_eq!(session.expires_at.unwrap() - session.created_at, chrono::TimeDelta::days(1));
}

#[tokio::test]
async fn kyb_requests_hit_the_kyb_endpoint_and_return_the_kyb_url() {
    let server = server_answering(CURRENT_REFERENCE_RESPONSE, KYB_RESPONSE).await;
    let mut request = request("company-1")
        .with_kind(VerificationKind::Business)
        .with_link_validity(Duration::from_secs(7200))
        .with_external_ref("crm-7")
        .with_locale(Locale::Lt)
        .with_tag("vip")
        .with_tag("eu");
    request = request.with_provider_options(
        "idenfy",
        json!({"kyb": {
            "tokenType": "GOV1",
            "flow": "0f8fad5b-d9cb-469f-a165-70867728950e",
            "theme": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
            "questionnaire": "kyb-questions",
            "questionnaireRequired": false,
            "scanRefs": ["ec6a7108-8c26-11e9-9758-309c231b1bac"]
        }}),
    );
    let session = client(&server).create_session(&request).await.unwrap();
    let (path, body) = only_request(&server).await;
    assert_eq!(path, "/kyb/tokens/");
    assert_eq!(
        body,
        json!({
            "tokenType": "GOV1",
            "clientId": "company-1",
            "lifetime": 7200,
            "externalRef": "crm-7",
            "locale": "lt",
            "tags": ["vip", "eu"],
            "flow": "0f8fad5b-d9cb-469f-a165-70867728950e",
            "theme": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
            "questionnaire": "kyb-questions",
            "questionnaireRequired": false,
            "scanRefs": ["ec6a7108-8c26-11e9-9758-309c231b1bac"]
        })
    );
    assert_eq!(
        session.url.as_str(),
        "https://kyb.ui.idenfy.com/welcome?authToken=kybT0kenStr1ngFromTheOpenApiExample"
    );
    // The company is the session: KYB webhooks and /kyb/companies/{id}/ name it.
    assert_eq!(session.id, "3b241101-e2bb-4255-8caf-4136c566a962");
    assert_eq!(session.kind, VerificationKind::Business);
    assert_eq!(session.reference(), SessionRef::business("3b241101-e2bb-4255-8caf-4136c566a962"));
    assert_eq!(session.expires_at.unwrap().to_rfc3339(), "2023-11-07T05:31:56+00:00");
}

#[tokio::test]
async fn a_minimal_kyb_request_sends_the_form_token_type() {
    let kyb = json!({"tokenString": "kyb-secret-token", "companyId": "7bPN6YMQ9F7"}).to_string();
    let server = server_answering(CURRENT_REFERENCE_RESPONSE, &kyb).await;
    let idenfy = Idenfy::builder(KEY, SECRET)
        .with_base_url(server.uri())
        .with_kyb_ui_url("http://127.0.0.1:9/kyb/welcome")
        .build()
        .unwrap();
    let session = idenfy
        .create_session(&request("company-1").with_kind(VerificationKind::Business))
        .await
        .unwrap();
    let (_, body) = only_request(&server).await;
    assert_eq!(body, json!({"tokenType": "FORM", "clientId": "company-1"}));
    assert_eq!(session.url.as_str(), "http://127.0.0.1:9/kyb/welcome?authToken=kyb-secret-token");
    assert_eq!((session.id.as_str(), session.kind), ("7bPN6YMQ9F7", VerificationKind::Business));
    assert_eq!((session.expires_at.unwrap() - session.created_at).num_seconds(), 3600);
}

#[tokio::test]
async fn a_kyb_token_without_its_company_is_a_decode_error() {
    // The OpenAPI's `companyId` is nullable; the older rendered sample had none. The token
    // exists then (a credit is spent), but nothing could match its results to it.
    for kyb in [
        json!({"tokenString": "kyb-secret-token", "companyId": null}),
        json!({"tokenString": "kyb-secret-token"}),
        json!({"tokenString": "kyb-secret-token", "companyId": " "}),
    ] {
        let server = server_answering(CURRENT_REFERENCE_RESPONSE, &kyb.to_string()).await;
        let error = client(&server)
            .create_session(&request("company-1").with_kind(VerificationKind::Business))
            .await
            .unwrap_err();
        assert_eq!((error.kind(), error.http_status()), (ErrorKind::Decode, Some(201)), "{kyb}");
        assert_eq!(error.outcome(), Outcome::Unknown, "a session may exist");
        assert!(error.to_string().contains("no companyId"), "{error}");
        assert!(!format!("{error} {error:?}").contains("kyb-secret-token"));
    }
}

struct Row {
    kind: VerificationKind,
    status: u16,
    body: &'static str,
    retry_after: Option<&'static str>,
    expect: ErrorKind,
    outcome: Outcome,
    code: Option<&'static str>,
    denial: Option<Denial>,
    /// The vendor's message, wherever in the body it was.
    message: Option<&'static str>,
}

fn row(status: u16, body: &'static str, expect: ErrorKind, outcome: Outcome) -> Row {
    Row {
        kind: VerificationKind::Identity,
        status,
        body,
        retry_after: None,
        expect,
        outcome,
        code: None,
        denial: None,
        message: None,
    }
}

/// A refusal of the account (`Forbidden`), for `denial`.
fn forbidden(status: u16, body: &'static str, denial: Denial) -> Row {
    Row { denial: Some(denial), ..row(status, body, ErrorKind::Forbidden, Outcome::Rejected) }
}

/// An answer with an identifier.
fn coded(code: &'static str, status: u16, body: &'static str, expect: ErrorKind) -> Row {
    let outcome = match expect {
        ErrorKind::Unavailable => Outcome::Unknown,
        _ => Outcome::Rejected,
    };
    Row { code: Some(code), ..row(status, body, expect, outcome) }
}

#[tokio::test]
async fn every_error_row_maps_as_documented() {
    use Denial::{AccountInactive, FeatureNotEnabled, Unspecified, WrongEnvironment};
    use ErrorKind::{OutOfFunds, RateLimited, Rejected, Unauthenticated, Unavailable, Unsupported};
    use Outcome::{Rejected as Refused, Unknown};
    let inactive = "Partner inactive";
    let wrong_environment = "This endpoint is not available for TESTING partners.";
    let no_funds = "Action not allowed due to lack of funds or exceeded limit.";
    let rows = [
        // /kyc/id-error-messages: errors "with no identifier field", their message under
        // `message`, `detail` or `message.detail` (the page shows no body).
        Row {
            message: Some("Invalid authorization credentials"),
            ..row(
                401,
                r#"{"message": "Invalid authorization credentials"}"#,
                Unauthenticated,
                Refused,
            )
        },
        Row {
            message: Some("Invalid authorization credentials"),
            ..row(
                401,
                r#"{"detail": "Invalid authorization credentials"}"#,
                Unauthenticated,
                Refused,
            )
        },
        row(401, "", Unauthenticated, Refused),
        Row {
            message: Some(no_funds),
            ..row(
                402,
                r#"{"message": "Action not allowed due to lack of funds or exceeded limit."}"#,
                OutOfFunds,
                Refused,
            )
        },
        Row {
            message: Some(no_funds),
            ..row(
                402,
                r#"{"detail": "Action not allowed due to lack of funds or exceeded limit."}"#,
                OutOfFunds,
                Refused,
            )
        },
        row(402, "", OutOfFunds, Refused),
        Row {
            message: Some(inactive),
            ..forbidden(403, r#"{"message": "Partner inactive"}"#, AccountInactive)
        },
        Row {
            message: Some(inactive),
            ..forbidden(403, r#"{"detail": "Partner inactive"}"#, AccountInactive)
        },
        Row {
            message: Some(inactive),
            ..forbidden(
                403,
                r#"{"message": {"detail": "Partner inactive", "completed": false}}"#,
                AccountInactive,
            )
        },
        Row {
            message: Some(wrong_environment),
            ..forbidden(
                403,
                r#"{"detail": "This endpoint is not available for TESTING partners."}"#,
                WrongEnvironment,
            )
        },
        forbidden(
            403,
            r#"{"message": "This endpoint is not available for PRODUCTION partners."}"#,
            WrongEnvironment,
        ),
        forbidden(
            403,
            r#"{"message": {"detail": "This endpoint is not available for DEMO partners."}}"#,
            WrongEnvironment,
        ),
        // The error-handling guide: "403 forbidden (feature not enabled)".
        forbidden(
            403,
            r#"{"detail": "You do not have permission to perform this action."}"#,
            FeatureNotEnabled,
        ),
        forbidden(403, "", FeatureNotEnabled),
        // An identifier this library does not know: the status decides.
        Row {
            code: Some("SOMETHING_NEW"),
            ..forbidden(403, r#"{"identifier": "SOMETHING_NEW"}"#, Unspecified)
        },
        // The standard table.
        coded(
            "UNAUTHORIZED",
            400,
            r#"{"identifier": "UNAUTHORIZED", "message": "x"}"#,
            Unauthenticated,
        ),
        Row {
            message: Some("Partner reached token limit."),
            ..coded(
                "PERMISSIONS_ERROR",
                400,
                r#"{"message": "Partner reached token limit.", "identifier": "PERMISSIONS_ERROR"}"#,
                OutOfFunds,
            )
        },
        Row {
            denial: Some(WrongEnvironment),
            ..coded(
                "PERMISSIONS_ERROR",
                403,
                r#"{"message": "This endpoint is not available for TESTING/PRODUCTION partners.", "identifier": "PERMISSIONS_ERROR"}"#,
                ErrorKind::Forbidden,
            )
        },
        Row {
            denial: Some(WrongEnvironment),
            ..coded(
                "PERMISSIONS_ERROR",
                400,
                r#"{"message": "This endpoint is not available for DEMO partners.", "identifier": "PERMISSIONS_ERROR"}"#,
                ErrorKind::Forbidden,
            )
        },
        coded(
            "PERMISSIONS_ERROR",
            400,
            r#"{"identifier": "PERMISSIONS_ERROR", "message": "x"}"#,
            Rejected,
        ),
        // The documented identifier is never read weaker than its status.
        coded(
            "PERMISSIONS_ERROR",
            402,
            r#"{"identifier": "PERMISSIONS_ERROR", "message": "x"}"#,
            OutOfFunds,
        ),
        Row {
            denial: Some(Unspecified),
            ..coded(
                "PERMISSIONS_ERROR",
                403,
                r#"{"identifier": "PERMISSIONS_ERROR", "message": "x"}"#,
                ErrorKind::Forbidden,
            )
        },
        Row {
            denial: Some(AccountInactive),
            ..coded(
                "PERMISSIONS_ERROR",
                403,
                r#"{"identifier": "PERMISSIONS_ERROR", "message": "Partner inactive"}"#,
                ErrorKind::Forbidden,
            )
        },
        Row {
            message: Some("Action not allowed due to lack of funds or exceeded limit."),
            ..coded(
                "PERMISSIONS_ERROR",
                400,
                r#"{"identifier": "PERMISSIONS_ERROR", "message": "Action not allowed due to lack of funds or exceeded limit."}"#,
                OutOfFunds,
            )
        },
        Row {
            retry_after: Some("30"),
            ..coded(
                "TOO_MANY_REQUESTS",
                429,
                r#"{"identifier": "TOO_MANY_REQUESTS", "message": "x"}"#,
                RateLimited,
            )
        },
        coded(
            "TOO_MANY_REQUESTS",
            400,
            r#"{"identifier": "TOO_MANY_REQUESTS", "message": "x"}"#,
            RateLimited,
        ),
        coded(
            "BAD_VALUE",
            400,
            r#"{"identifier": "BAD_VALUE", "message": "Field 'country' must be a valid ISO 3166-1 alpha-2 code."}"#,
            Rejected,
        ),
        coded("MISSING_VALUE", 400, r#"{"identifier": "MISSING_VALUE", "message": "x"}"#, Rejected),
        coded(
            "VALIDATION_ERROR",
            400,
            r#"{"identifier": "VALIDATION_ERROR", "message": "x"}"#,
            Rejected,
        ),
        coded("JSON_ERROR", 400, r#"{"identifier": "JSON_ERROR", "message": "x"}"#, Rejected),
        coded(
            "ENCODING_ERROR",
            400,
            r#"{"identifier": "ENCODING_ERROR", "message": "x"}"#,
            Rejected,
        ),
        coded(
            "TOKEN_NOT_VALID",
            400,
            r#"{"identifier": "TOKEN_NOT_VALID", "message": "x"}"#,
            Rejected,
        ),
        // Outside an erasure, `PARTNER_ERROR` is only what its status says.
        coded("PARTNER_ERROR", 400, r#"{"identifier": "PARTNER_ERROR", "message": "x"}"#, Rejected),
        Row {
            denial: Some(FeatureNotEnabled),
            ..coded(
                "PARTNER_CONTRACT_ERROR",
                400,
                r#"{"identifier": "PARTNER_CONTRACT_ERROR", "message": "x"}"#,
                ErrorKind::Forbidden,
            )
        },
        Row {
            kind: VerificationKind::Business,
            ..coded(
                "PARTNER_CONTRACT_ERROR",
                403,
                r#"{"identifier": "PARTNER_CONTRACT_ERROR", "message": "KYB is not enabled"}"#,
                Unsupported,
            )
        },
        coded(
            "INTERNAL_ERROR",
            500,
            r#"{"identifier": "INTERNAL_ERROR", "message": "x"}"#,
            Unavailable,
        ),
        coded(
            "INTERNAL_ERROR",
            400,
            r#"{"identifier": "INTERNAL_ERROR", "message": "x"}"#,
            Unavailable,
        ),
        row(409, r#"{"message": "Duplicate clientId"}"#, Rejected, Refused),
        // Not iDenfy's JSON at all: the status decides.
        row(
            502,
            "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
            Unavailable,
            Unknown,
        ),
        row(503, "", Unavailable, Refused),
        row(500, "Internal Server Error", Unavailable, Unknown),
        row(429, "slow down", RateLimited, Refused),
        row(404, "<h1>Not Found</h1>", Rejected, Refused),
    ];
    for row in rows {
        let server = MockServer::start().await;
        let mut template =
            ResponseTemplate::new(row.status).set_body_raw(row.body, "application/json");
        if let Some(wait) = row.retry_after {
            template = template.insert_header("retry-after", wait);
        }
        Mock::given(method("POST")).respond_with(template).expect(1).mount(&server).await;
        let error = client(&server)
            .create_session(&request("user-1").with_kind(row.kind))
            .await
            .expect_err("an error status");
        let context = format!("{} {}: {error} / {error:?}", row.status, row.body);
        assert_eq!(error.kind(), row.expect, "{context}");
        assert_eq!(error.outcome(), row.outcome, "{context}");
        assert_eq!(error.vendor_code(), row.code, "{context}");
        assert_eq!(error.denial(), row.denial, "{context}");
        assert_eq!(error.http_status(), Some(row.status), "{context}");
        assert_eq!(error.provider(), Some("idenfy"));
        if let Some(message) = row.message {
            assert_eq!(error.vendor_message(), Some(message), "{context}");
        }
        if let Some(wait) = row.retry_after {
            assert_eq!(error.retry_after(), Some(Duration::from_secs(wait.parse().unwrap())));
        }
        if row.expect == ErrorKind::Unsupported {
            assert_eq!(
                error.unsupported_feature(),
                Some(&Feature::Kind(VerificationKind::Business))
            );
        }
        if row.expect == ErrorKind::OutOfFunds {
            assert!(!error.is_retryable(), "out of credits is not retryable");
        }
        if row.body.starts_with("<html>") {
            assert_eq!(error.vendor_message(), Some("502 Bad Gateway nginx"));
        }
        // The vendor's words are kept for the caller, printed nowhere.
        let printed = format!("{error} {error:?}");
        assert!(!printed.contains("Field 'country'") && !printed.contains("nginx"), "{printed}");
    }
}

#[tokio::test]
async fn broken_success_answers_are_decode_errors() {
    for (status, body, detail) in [
        (201, "", "body (line 1, column 0): EOF while parsing a value"),
        (201, "<html>ok</html>", "body (line 1, column 1): expected value"),
        (
            200,
            r#"{"authToken": "t", "scanRef": 5}"#,
            "body (line 1, column 31): invalid type, expected a string",
        ),
        (201, r#"{"authToken": "t"}"#, "body (line 1, column 18): missing field `scanRef`"),
        (201, r#"{"authToken": " ", "scanRef": "s"}"#, "empty scanRef or authToken"),
        (
            201,
            r#"{"authToken": "t", "scanRef": "s""#,
            "body (line 1, column 33): EOF while parsing an object",
        ),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(status).set_body_raw(body, "application/json"))
            .mount(&server)
            .await;
        let error = client(&server).create_session(&request("u1")).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode, "{body}");
        assert_eq!(error.outcome(), Outcome::Unknown, "a 2xx may have created a session");
        assert_eq!(
            error.to_string(),
            format!("undecodable response from idenfy: {detail} (http {status})")
        );
    }
}

/// Requests iDenfy's documented limits refuse, each with the error it must get.
fn over_the_limits() -> Vec<(&'static str, SessionRequest, ErrorKind)> {
    use ErrorKind::{InvalidRequest, Unsupported};
    let base = || request("user-1");
    let person = |p: Person| base().with_person(p);
    let long = |n: usize| "a".repeat(n);
    let mut utility_and_steps = base();
    let mut options = IdenfyOptions::default();
    options.utility_bill = Some(true);
    options.additional_steps = Some(json!({"ALL": {}}));
    utility_and_steps = utility_and_steps.with_options(options.clone());
    let mut both_countries =
        base().with_document(ExpectedDocument::default().with_country(country("LT")));
    let mut options = IdenfyOptions::default();
    options.countries = vec![country("LV")];
    both_countries = both_countries.with_options(options.clone());
    let shadowing = base().with_provider_options("idenfy", json!({"firstName": "Sneaky"}));
    let business = || base().with_kind(VerificationKind::Business);
    vec![
        ("non-ASCII clientId", request("ūser-1"), Unsupported),
        ("clientId over 100", request(&long(101)), Unsupported),
        ("digit in firstName", person(Person::default().with_first_name("J0hn")), Unsupported),
        ("symbol in lastName", person(Person::default().with_last_name("Smith@home")), Unsupported),
        ("firstName over 100", person(Person::default().with_first_name(long(101))), Unsupported),
        ("address over 255", person(Person::default().with_address(long(256))), Unsupported),
        ("externalRef over 40", base().with_external_ref(long(41)), Unsupported),
        ("non-ASCII externalRef", base().with_external_ref("užsakymas"), Unsupported),
        (
            "URL over 2048",
            base().with_redirects(
                Redirects::default()
                    .with_failure(url(&format!("https://a.example/{}", long(2040)))),
            ),
            InvalidRequest,
        ),
        (
            "plain-http successUrl",
            base().with_redirects(Redirects::default().with_success(url("http://a.example/ok"))),
            Unsupported,
        ),
        (
            "plain-http callbackUrl",
            base().with_webhook_url(url("http://127.0.0.1/hook")),
            Unsupported,
        ),
        ("expiryTime 0", base().with_link_validity(Duration::ZERO), InvalidRequest),
        (
            "expiryTime over 30 days",
            base().with_link_validity(Duration::from_secs(2_592_001)),
            Unsupported,
        ),
        (
            "sessionLength under 60",
            base().with_session_duration(Duration::from_secs(59)),
            Unsupported,
        ),
        (
            "sessionLength over 3600",
            base().with_session_duration(Duration::from_secs(3601)),
            Unsupported,
        ),
        ("undocumented locale", base().with_locale(Locale::Ar), Unsupported),
        (
            "documentNumber over 50",
            base().with_document(ExpectedDocument::default().with_number(long(51))),
            Unsupported,
        ),
        (
            "personalNumber over 50",
            person(Person::default().with_personal_number(long(51))),
            Unsupported,
        ),
        ("email", person(Person::default().with_email("a@b.example")), Unsupported),
        // Options are the caller's own mistakes: refused as invalid, so failover stops.
        ("utilityBill with additionalSteps", utility_and_steps, InvalidRequest),
        ("country twice", both_countries, InvalidRequest),
        ("option shadowing a neutral field", shadowing, InvalidRequest),
        ("identity tags", base().with_tag("vip"), Unsupported),
        ("KYB tag with a comma", business().with_tag("a,b"), Unsupported),
        ("six KYB tags", (0..6).fold(business(), |r, i| r.with_tag(format!("t{i}"))), Unsupported),
        ("KYB tag over 32", business().with_tag(long(33)), Unsupported),
        ("KYB webhook", business().with_webhook_url(url("https://a.example/hook")), Unsupported),
        ("KYB locale sv", business().with_locale(Locale::Sv), Unsupported),
        (
            "identity option on a KYB request",
            business().with_provider_options("idenfy", json!({"checkAml": true})),
            InvalidRequest,
        ),
        (
            "KYB option on an identity request",
            base().with_provider_options(
                "idenfy",
                json!({"kyb": {"theme": "7c9e6679-7425-40de-944b-e07fc1f90ae7"}}),
            ),
            InvalidRequest,
        ),
    ]
}

#[tokio::test]
async fn every_limit_refuses_before_sending() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201))
        .expect(0)
        .mount(&server)
        .await;
    let idenfy = client(&server);
    for (what, request, expected) in over_the_limits() {
        let error = idenfy.create_session(&request).await.expect_err(what);
        assert_eq!(error.kind(), expected, "{what}: {error}");
        assert_eq!(error.outcome(), Outcome::NotSent, "{what}");
    }
    assert!(server.received_requests().await.unwrap().is_empty(), "the server saw a request");
}

#[tokio::test]
async fn a_request_option_may_lean_on_the_clients_defaults() {
    let server = server_answering(CURRENT_REFERENCE_RESPONSE, KYB_RESPONSE).await;
    let steps = json!({"ALL": {"UTILITY_BILL": {"type": "EXTRA"}}});
    let with_steps = Idenfy::builder(KEY, SECRET)
        .with_base_url(server.uri())
        .with_default_options(IdenfyOptions::default().with_additional_steps(steps))
        .build()
        .unwrap();
    let data = request("user-1")
        .with_options(IdenfyOptions::default().with_additional_data(json!({"UTILITY_BILL": {}})));
    // On its own the request is fine: the steps its data is for may come from the defaults.
    assert!(data.validate().is_ok());
    with_steps.create_session(&data).await.unwrap();
    let body: Value =
        serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
    assert!(body["additionalSteps"].is_object() && body["additionalData"].is_object(), "{body}");
    // Without them, the adapter refuses it as the caller's mistake, before sending.
    let error = client(&server).create_session(&data).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid request: providerOptions.idenfy.additionalData: must be used with additionalSteps"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn raw_default_options_cannot_shadow_typed_ones() {
    let server = MockServer::start().await;
    let mut defaults = IdenfyOptions::default();
    defaults.extra.insert("tokenType".into(), json!("VIDEO_CALL"));
    defaults.extra.insert("callbackUrl".into(), json!("https://elsewhere.example/hook"));
    let idenfy = Idenfy::builder(KEY, SECRET)
        .with_base_url(server.uri())
        .with_default_options(defaults)
        .build()
        .unwrap();
    let error = idenfy.create_session(&request("user-1")).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid request: providerOptions.idenfy.callbackUrl: is set \
         through the request's webhookUrl; providerOptions.idenfy.tokenType: is set through the flow, or the typed \
         option tokenType"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn several_broken_rules_are_reported_together() {
    let server = MockServer::start().await;
    let idenfy = client(&server);
    let options = IdenfyOptions::default().with_age_limit(40).with_age_max(18);
    // The caller's own mistakes first, every one: no provider could take these.
    let invalid = request("user-1")
        .with_person(Person::default().with_first_name("J0hn").with_last_name(""))
        .with_link_validity(Duration::ZERO)
        .with_options(options.clone());
    let error = idenfy.create_session(&invalid).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidRequest);
    let fields: Vec<&str> = error.invalid_fields().iter().map(|f| f.field()).collect();
    assert_eq!(
        fields,
        ["person.lastName", "linkValiditySeconds", "providerOptions.idenfy.ageLimit"]
    );
    // Then iDenfy's own rules for neutral values: another provider may take these, so they are
    // "unsupported".
    let refused = request("user-1")
        .with_person(Person::default().with_first_name("J0hn").with_last_name("Sm1th"));
    let error = idenfy.create_session(&refused).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unsupported);
    let Some(Feature::Rules(rules)) = error.unsupported_feature() else { panic!("{error:?}") };
    let fields: Vec<&str> = rules.iter().map(|f| f.field()).collect();
    assert_eq!(fields, ["person.firstName", "person.lastName"]);
    assert!(server.received_requests().await.unwrap().is_empty());
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
    // The OpenAPI example's expiration lies in the past; a live answer's does not.
    let mut kyb: Value = serde_json::from_str(KYB_RESPONSE).unwrap();
    kyb["expiration"] = json!((Utc::now() + chrono::TimeDelta::hours(1)).to_rfc3339());
    let server = server_answering(CURRENT_REFERENCE_RESPONSE, &kyb.to_string()).await;
    let idenfy = client(&server);
    conformance::run(&idenfy, &ServerCounter(&server)).await;
    conformance::refuses_erasure_it_does_not_offer(&idenfy, &idenfy, &ServerCounter(&server)).await;
    assert_eq!(idenfy.capabilities().identity.as_ref().unwrap().locales.len(), 36);
}

#[tokio::test]
async fn secrets_stay_out_of_debug_and_errors() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_raw("{}", "application/json"))
        .mount(&server)
        .await;
    let mut options = IdenfyOptions::default();
    options.additional_data = Some(json!({"UTILITY_BILL": {"ssn": "123-45-6789"}}));
    let builder = Idenfy::builder(KEY, SECRET)
        .with_base_url(server.uri())
        .with_default_options(options.clone());
    let idenfy = builder.clone().build().unwrap();
    let error: Error = idenfy.create_session(&request("u1")).await.unwrap_err();
    let printed = format!(
        "{builder:?} {idenfy:?} {error} {error:?} {options:?} {:?}",
        idenfy.default_options()
    );
    assert!(printed.contains(r#"set: ["additionalData"]"#), "{printed}");
    assert!(!printed.contains("123-45-6789"), "{printed}");
    for secret in [KEY, SECRET] {
        assert!(!printed.contains(secret), "{printed}");
    }
    assert!(printed.contains("Idenfy"), "{printed}");
}

#[test]
fn configuration_from_variables() {
    use kyc_idenfy::IdenfyBuilder;
    let config_error = |vars: &[(&str, &str)]| {
        let result = IdenfyBuilder::from_vars(vars.iter().copied()).and_then(IdenfyBuilder::build);
        result.map(|_| ()).map_err(|e| (e.kind(), e.to_string()))
    };
    let credentials = [("IDENFY_API_KEY", "k"), ("IDENFY_API_SECRET", "s")];
    assert_eq!(config_error(&credentials), Ok(()));
    assert_eq!(
        config_error(&[("IDENFY_API_SECRET", "s")]),
        Err((ErrorKind::Config, "invalid idenfy configuration: IDENFY_API_KEY is not set".into()))
    );
    assert_eq!(
        config_error(&[("IDENFY_API_KEY", "k"), ("IDENFY_API_SECRET", " ")]),
        Err((ErrorKind::Config, "invalid idenfy configuration: IDENFY_API_SECRET is empty".into()))
    );
    let with = |extra: (&'static str, &'static str)| {
        let mut vars = credentials.to_vec();
        vars.push(extra);
        config_error(&vars)
    };
    assert_eq!(with(("IDENFY_BASE_URL", "http://127.0.0.1:8080/idenfy")), Ok(()));
    assert_eq!(
        with(("IDENFY_BASE_URL", "http://ivs.example.com")),
        Err((
            ErrorKind::Config,
            "invalid idenfy configuration: base URL must use https (plain http only for loopback hosts)".into()
        ))
    );
    assert_eq!(
        with(("IDENFY_KYB_UI_URL", "not a url")),
        Err((
            ErrorKind::Config,
            "invalid idenfy configuration: the KYB UI URL is not a URL".into()
        ))
    );
    assert!(Idenfy::new("key:with:colons", "s").is_err());
    let built =
        IdenfyBuilder::from_vars(credentials).unwrap().with_name("idenfy-eu").build().unwrap();
    assert_eq!(built.provider(), "idenfy-eu");
    assert_eq!(built.capabilities(), &kyc_idenfy::capabilities(), "a name changes no capability");
}

#[tokio::test]
async fn the_field_limit_errors_name_field_and_rule() {
    let server = MockServer::start().await;
    let error = client(&server)
        .create_session(&request("user-1").with_external_ref("a".repeat(41)))
        .await
        .unwrap_err();
    assert_eq!(error.to_string(), "idenfy does not support externalRef longer than 40 characters");
    assert_eq!(
        error.unsupported_feature(),
        Some(&Feature::TooLong { field: Field::ExternalRef, max_chars: 40 })
    );
}

#[tokio::test]
async fn every_language_is_sent_as_idenfys_code() {
    use Locale::{
        Bg, Cs, Da, De, El, En, Es, Et, Fi, Fr, Hi, Hr, Hu, Id, It, Ja, Ko, Lt, Lv, Nb, Nl, No, Pl,
        Pt, Ro, Ru, Sk, Sl, Sr, Sv, Th, Tr, Uk, Vi, Zh, ZhHant,
    };
    // https://documentation.idenfy.com/resources/supported-languages, in its order (its `SI`
    // and `ZH_TW`), then Korean (the OpenAPI's `locale` example) and Bokmål.
    let identity = [
        (En, "en"),
        (Es, "es"),
        (Fr, "fr"),
        (Ru, "ru"),
        (De, "de"),
        (It, "it"),
        (Pl, "pl"),
        (Lt, "lt"),
        (Lv, "lv"),
        (Et, "et"),
        (Sv, "sv"),
        (Cs, "cs"),
        (Ro, "ro"),
        (Hu, "hu"),
        (Ja, "ja"),
        (Bg, "bg"),
        (Nl, "nl"),
        (Pt, "pt"),
        (Uk, "uk"),
        (Sk, "sk"),
        (Sl, "si"),
        (Vi, "vi"),
        (Th, "th"),
        (Hi, "hi"),
        (Id, "id"),
        (Hr, "hr"),
        (Da, "da"),
        (Fi, "fi"),
        (El, "el"),
        (No, "no"),
        (Tr, "tr"),
        (Sr, "sr"),
        (Zh, "zh"),
        (ZhHant, "zh_tw"),
        (Ko, "ko"),
        (Nb, "no"),
    ];
    let server = server_answering(CURRENT_REFERENCE_RESPONSE, KYB_RESPONSE).await;
    let idenfy = client(&server);
    for (locale, code) in identity {
        let (_, body) = idenfy.encode(&request("user-1").with_locale(locale)).unwrap();
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["locale"], code, "{locale}");
    }
    let declared = &idenfy.capabilities().identity.as_ref().unwrap().locales;
    assert_eq!(declared.len(), identity.len());
    assert!(identity.iter().all(|(locale, _)| declared.contains(locale)));
    // One through the wire, to be sure the encoded body is the one sent.
    idenfy.create_session(&request("user-1").with_locale(ZhHant)).await.unwrap();
    let (_, sent) = only_request(&server).await;
    assert_eq!(sent["locale"], "zh_tw");
    // KYB: the 17 codes of the KYB OpenAPI's `KybLocaleEnum`, as they are.
    let business = [En, Es, Fr, Ru, De, It, Pl, Lt, Lv, Et, Cs, Ro, Hu, Ja, Bg, Nl, Pt];
    let declared = &idenfy.capabilities().business.as_ref().unwrap().locales;
    assert_eq!(declared.len(), business.len());
    for locale in business {
        let kyb = request("company-1").with_kind(VerificationKind::Business).with_locale(locale);
        let (_, body) = idenfy.encode(&kyb).unwrap();
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["locale"], locale.to_string(), "{locale}");
    }
}

#[test]
fn both_kinds_declare_erasure_and_the_openapis_number_limits() {
    let caps = kyc_idenfy::capabilities();
    let identity = caps.identity.as_ref().unwrap();
    assert!(identity.erasure && caps.business.as_ref().unwrap().erasure);
    for field in [Field::DocumentNumber, Field::PersonalNumber] {
        assert_eq!(identity.max_chars.get(&field), Some(&50), "{field:?}");
    }
}
