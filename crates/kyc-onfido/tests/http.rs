//! The Onfido adapter against a real HTTP server on 127.0.0.1 (wiremock): both calls' bytes and
//! their order, the applicant id carried into the workflow run, the half-done session (the
//! orphan applicant deleted after a refused or failed second call, the error when that fails
//! too, the applicant kept after a timeout), every error row, hostile answers, polling, erasure,
//! the documented webhook signature vectors, and the conformance suite.
//!
//! Requests and answers are those of <https://documentation.onfido.com/api/latest/> and the
//! OpenAPI specification, <https://github.com/onfido/onfido-openapi-spec>.

use std::time::Duration;

use chrono::NaiveDate;
use kyc_core::conformance::{self, RequestCounter};
use kyc_core::{
    ClientId, ErrorKind, Feature, Field, LeftoverState, Locale, Outcome, Person, Redirects,
    SessionErasure, SessionRef, SessionRequest, Status, VerificationResults, VerificationSession,
    WebhookVerifier,
};
use kyc_onfido::{
    ConsentName, Onfido, OnfidoAddress, OnfidoConsent, OnfidoOptions, OnfidoWebhooks,
};
use serde_json::{Value, json};
use url::Url;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "api_sandbox.test-token.0123456789";
const WORKFLOW: &str = "b42cf165-031f-4792-a57e-eea4fa10c4e2";
const APPLICANT: &str = "6b0d1e3a-3c2f-4d6e-9d34-1f2a7c9b5e10";
const RUN: &str = "cd92c304-1c16-4bb5-8395-d5b8fe27088e";

fn applicant_answer() -> String {
    json!({"id": APPLICANT, "created_at": "2025-03-04T10:00:00Z", "delete_at": null,
           "href": format!("/v3.6/applicants/{APPLICANT}"), "sandbox": true,
           "first_name": "Jane", "last_name": "Doe"})
    .to_string()
}

fn run_answer(status: &str) -> Value {
    json!({
        "id": RUN, "applicant_id": APPLICANT, "workflow_id": WORKFLOW, "workflow_version_id": 2,
        "status": status,
        "dashboard_url": format!("https://dashboard.onfido.com/results/{RUN}"),
        "output": null, "reasons": [], "error": null,
        "sdk_token": "eyJhbGciOiJFUzUxMiJ9.eyJzdWIiOiJydW4ifQ.c2ln",
        "link": {"url": format!("https://eu.onfido.app/l/{RUN}"),
                 "completed_redirect_url": "https://app.example.com/kyc/done",
                 "expired_redirect_url": null, "expires_at": "2025-03-11T10:00:00Z",
                 "language": "en_US"},
        "tags": ["signup"], "customer_user_id": "user-8841",
        "created_at": "2025-03-04T10:00:02Z", "updated_at": "2025-03-04T10:00:03Z"
    })
}

fn json_answer(status: u16, body: impl Into<String>) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.into(), "application/json")
}

/// Answers a workflow run with the link expiry it was sent, as Onfido does.
struct RunWithSentExpiry;

impl wiremock::Respond for RunWithSentExpiry {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let sent: Value = serde_json::from_slice(&request.body).unwrap_or_default();
        let mut run = run_answer("awaiting_input");
        run["link"]["expires_at"] = sent["link"]["expires_at"].clone();
        json_answer(201, run.to_string())
    }
}

/// A server where both calls succeed.
async fn onfido_server() -> MockServer {
    runs_answered_with(RunWithSentExpiry).await
}

/// A server whose applicant call succeeds and whose run call answers with `run`.
async fn runs_answered_with(run: impl wiremock::Respond + 'static) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v3.6/applicants"))
        .respond_with(json_answer(201, applicant_answer()))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v3.6/workflow_runs"))
        .respond_with(run)
        .mount(&server)
        .await;
    server
}

async fn delete_answers(server: &MockServer, answer: ResponseTemplate) {
    Mock::given(method("DELETE"))
        .and(path(format!("/v3.6/applicants/{APPLICANT}")))
        .respond_with(answer)
        .mount(server)
        .await;
}

fn client(server: &MockServer) -> Onfido {
    Onfido::builder(TOKEN, WORKFLOW)
        .with_base_url(format!("{}/v3.6", server.uri()))
        .build()
        .unwrap()
}

fn person() -> Person {
    Person::default().with_first_name("Jane").with_last_name("Doe")
}

fn request() -> SessionRequest {
    SessionRequest::new(ClientId::new("user-8841").unwrap()).with_person(person())
}

/// What the server received, as `METHOD path`.
async fn calls(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| match r.url.query() {
            Some(query) => format!("{} {}?{query}", r.method, r.url.path()),
            None => format!("{} {}", r.method, r.url.path()),
        })
        .collect()
}

fn body(request: &wiremock::Request) -> Value {
    serde_json::from_slice(&request.body).unwrap()
}

#[tokio::test]
async fn a_session_is_an_applicant_then_a_workflow_run_for_it() {
    let server = onfido_server().await;
    let onfido = client(&server);
    let request = request()
        .with_person(
            person()
                .with_date_of_birth(NaiveDate::from_ymd_opt(1990, 1, 22).unwrap())
                .with_email("jane.doe@example.com")
                .with_phone("+351911111111"),
        )
        .with_locale(Locale::Fr)
        .with_redirects(
            Redirects::default()
                .with_success(Url::parse("https://app.example.com/kyc/done").unwrap()),
        )
        .with_link_validity(Duration::from_secs(3600))
        .with_tag("signup")
        .with_options(
            OnfidoOptions::default()
                .with_address(
                    OnfidoAddress::new("SW4 6EH", "GBR").with_street("Main Street", "100"),
                )
                .with_expired_redirect_url("https://app.example.com/kyc/expired".into())
                .with_consents([OnfidoConsent::new(ConsentName::PrivacyNoticesRead, true)]),
        );
    let before = chrono::Utc::now();
    let session = onfido.create_session(&request).await.unwrap();

    assert_eq!(calls(&server).await, ["POST /v3.6/applicants", "POST /v3.6/workflow_runs"]);
    let received = server.received_requests().await.unwrap();
    for call in &received {
        assert_eq!(call.headers["authorization"], format!("Token token={TOKEN}").as_str());
        assert_eq!(call.headers["content-type"], "application/json");
    }
    assert_eq!(
        body(&received[0]),
        json!({"first_name": "Jane", "last_name": "Doe", "dob": "1990-01-22",
               "email": "jane.doe@example.com", "phone_number": "+351911111111",
               "address": {"building_number": "100", "street": "Main Street",
                           "postcode": "SW4 6EH", "country": "GBR"},
               "consents": [{"name": "privacy_notices_read", "granted": true}]})
    );
    let run = body(&received[1]);
    let expires_at: chrono::DateTime<chrono::Utc> =
        run["link"]["expires_at"].as_str().unwrap().parse().unwrap();
    let validity = (expires_at - before).num_seconds();
    assert!((3599..=3601).contains(&validity), "{validity}");
    assert_eq!(
        run,
        json!({"workflow_id": WORKFLOW, "applicant_id": APPLICANT, "customer_user_id": "user-8841",
               "tags": ["signup"],
               "link": {"completed_redirect_url": "https://app.example.com/kyc/done",
                        "expired_redirect_url": "https://app.example.com/kyc/expired",
                        "expires_at": run["link"]["expires_at"], "language": "fr_FR"}})
    );

    assert_eq!(session.id, RUN);
    assert_eq!(session.url.as_str(), format!("https://eu.onfido.app/l/{RUN}"));
    assert_eq!(session.expires_at, Some(expires_at));
    assert!(session.token.is_some());
    assert_eq!(session.vendor_fields["applicantId"], APPLICANT);
    assert_eq!(session.vendor_fields["workflowId"], WORKFLOW);
    let printed = format!("{session:?} {request:?}");
    for personal in ["Jane", "Doe", "jane.doe", "1990", "351911111111", "SW4", "eyJhbGci"] {
        assert!(!printed.contains(personal), "{personal}: {printed}");
    }
}

#[tokio::test]
async fn a_request_onfido_cannot_serve_is_refused_before_the_first_call() {
    let server = onfido_server().await;
    let onfido = client(&server);
    let base = || SessionRequest::new(ClientId::new("u1").unwrap());
    let cases = [
        (
            base().with_person(Person::default().with_last_name("Doe")),
            Feature::Required(Field::FirstName),
        ),
        (
            base().with_person(Person::default().with_first_name("Jane")),
            Feature::Required(Field::LastName),
        ),
        (request().with_locale(Locale::Lt), Feature::Locale(Locale::Lt)),
        (request().with_person(person().with_address("1 Main St")), Feature::Field(Field::Address)),
        (request().with_external_ref("order-1"), Feature::Field(Field::ExternalRef)),
        (
            request().with_kind(kyc_core::VerificationKind::Business),
            Feature::Kind(kyc_core::VerificationKind::Business),
        ),
    ];
    for (request, feature) in cases {
        let error = onfido.create_session(&request).await.unwrap_err();
        assert_eq!((error.kind(), error.outcome()), (ErrorKind::Unsupported, Outcome::NotSent));
        assert_eq!(error.unsupported_feature(), Some(&feature), "{error}");
    }
    let error = onfido
        .create_session(
            &request()
                .with_person(Person::default().with_first_name("J{ane}").with_last_name("Doe")),
        )
        .await
        .unwrap_err();
    let Some(Feature::Rules(rules)) = error.unsupported_feature() else { panic!("{error}") };
    assert_eq!(rules[0].field(), "person.firstName");
    assert!(!error.to_string().contains("J{ane}"), "{error}");
    let error = onfido
        .create_session(
            &request().with_options(OnfidoOptions::default().with_workflow_id("wf-1".into())),
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidRequest);
    assert_eq!(error.invalid_fields()[0].field(), "providerOptions.onfido.workflowId");
    assert_eq!(calls(&server).await, Vec::<String>::new(), "nothing may be sent");
}

#[tokio::test]
async fn a_refused_workflow_run_deletes_the_orphan_applicant() {
    let refusal = r#"{"error":{"type":"validation_error","message":"There was a validation error on this request","fields":{"link":{"language":["is not included in the list"]}}}}"#;
    let server = runs_answered_with(json_answer(422, refusal)).await;
    delete_answers(&server, ResponseTemplate::new(204)).await;
    let error = client(&server).create_session(&request()).await.unwrap_err();

    assert_eq!(
        calls(&server).await,
        [
            "POST /v3.6/applicants".to_owned(),
            "POST /v3.6/workflow_runs".to_owned(),
            format!("DELETE /v3.6/applicants/{APPLICANT}"),
        ]
    );
    assert_eq!((error.kind(), error.outcome()), (ErrorKind::Unsupported, Outcome::Rejected));
    let leftover = error.leftover().expect("the applicant is reported");
    assert_eq!((leftover.resource(), leftover.id()), ("applicant", APPLICANT));
    assert!(matches!(leftover.state(), LeftoverState::Deleted));
    assert!(!leftover.remains());
    assert!(!error.outcome().may_have_created_session(), "nothing billable exists");
    assert_eq!(
        error.to_string(),
        format!(
            "onfido does not support these values: locale: refused by Onfido (validation_error); \
             no session was created, and the applicant {APPLICANT} made for it was deleted"
        )
    );
}

#[tokio::test]
async fn when_deleting_the_orphan_fails_too_the_error_says_so() {
    let server = runs_answered_with(json_answer(404, r#"{"error":{"type":"resource_not_found","message":"Could not find the following resource: Workflow"}}"#)).await;
    delete_answers(&server, json_answer(500, r#"{"error":{"type":"internal_server_error"}}"#))
        .await;
    let error = client(&server).create_session(&request()).await.unwrap_err();
    assert_eq!(calls(&server).await.len(), 3);
    assert_eq!((error.kind(), error.outcome()), (ErrorKind::Rejected, Outcome::Rejected));
    let leftover = error.leftover().unwrap();
    let LeftoverState::DeletionFailed { kind, .. } = leftover.state() else { panic!("{error}") };
    assert_eq!(*kind, ErrorKind::Unavailable);
    assert!(leftover.remains());
    let message = error.to_string();
    assert!(message.contains("the workflow or the applicant does not exist"), "{message}");
    assert!(
        message.contains(&format!(
            "no session was created, and the applicant {APPLICANT} made for it remains: deleting \
             it failed (onfido is unavailable (http 500, code internal_server_error))"
        )),
        "{message}"
    );
}

/// Every refusal of the second call: no run exists, so the applicant is deleted and nothing
/// billable remains; the first call's error kinds, the status's.
#[tokio::test]
async fn every_refused_workflow_run_deletes_the_orphan() {
    let rows = [
        (401, ErrorKind::Unauthenticated),
        (402, ErrorKind::OutOfFunds),
        (403, ErrorKind::Forbidden),
        (429, ErrorKind::RateLimited),
        (503, ErrorKind::Unavailable),
    ];
    for (status, kind) in rows {
        let body = r#"{"error":{"type":"some_error","message":"refused"}}"#;
        let server = runs_answered_with(json_answer(status, body)).await;
        delete_answers(&server, ResponseTemplate::new(204)).await;
        let error = client(&server).create_session(&request()).await.unwrap_err();
        assert_eq!((error.kind(), error.outcome()), (kind, Outcome::Rejected), "{status}");
        assert!(matches!(error.leftover().unwrap().state(), LeftoverState::Deleted), "{status}");
        assert_eq!(calls(&server).await.len(), 3, "{status}: applicant, run, deletion");
    }
}

/// A 500 whose page is larger than any answer is read: still a 500 (the run may exist), so
/// Onfido is asked before anything is deleted.
#[tokio::test]
async fn a_huge_500_page_is_still_a_500() {
    let page = "<html>".repeat(400_000);
    let server = runs_answered_with(ResponseTemplate::new(500).set_body_string(page)).await;
    Mock::given(method("GET"))
        .and(path("/v3.6/workflow_runs"))
        .respond_with(json_answer(200, json!([run_answer("awaiting_input")]).to_string()))
        .mount(&server)
        .await;
    let error = client(&server).create_session(&request()).await.unwrap_err();
    assert_eq!((error.kind(), error.outcome()), (ErrorKind::Unavailable, Outcome::Unknown));
    assert!(matches!(error.leftover().unwrap().state(), LeftoverState::Kept));
    assert_eq!(calls(&server).await.len(), 3, "no deletion");
}

#[tokio::test]
async fn a_500_on_the_run_asks_onfido_whether_a_run_exists() {
    // None listed: nothing exists, the applicant is deleted, and failover may move on.
    let server =
        runs_answered_with(ResponseTemplate::new(500).set_body_string("<html>oops</html>")).await;
    Mock::given(method("GET"))
        .and(path("/v3.6/workflow_runs"))
        .and(query_param("applicant_id", APPLICANT))
        .respond_with(json_answer(200, "[]"))
        .mount(&server)
        .await;
    delete_answers(&server, ResponseTemplate::new(204)).await;
    let error = client(&server).create_session(&request()).await.unwrap_err();
    assert_eq!(
        calls(&server).await,
        [
            "POST /v3.6/applicants".to_owned(),
            "POST /v3.6/workflow_runs".to_owned(),
            format!("GET /v3.6/workflow_runs?applicant_id={APPLICANT}"),
            format!("DELETE /v3.6/applicants/{APPLICANT}"),
        ]
    );
    assert_eq!((error.kind(), error.outcome()), (ErrorKind::Unavailable, Outcome::Rejected));
    assert!(matches!(error.leftover().unwrap().state(), LeftoverState::Deleted));

    // One listed: a session may exist; the applicant is kept.
    let server = runs_answered_with(ResponseTemplate::new(502)).await;
    Mock::given(method("GET"))
        .and(path("/v3.6/workflow_runs"))
        .respond_with(json_answer(200, json!([run_answer("awaiting_input")]).to_string()))
        .mount(&server)
        .await;
    let error = client(&server).create_session(&request()).await.unwrap_err();
    assert_eq!(calls(&server).await.len(), 3, "no deletion");
    assert_eq!(error.outcome(), Outcome::Unknown);
    assert!(matches!(error.leftover().unwrap().state(), LeftoverState::Kept));
}

#[tokio::test]
async fn a_timeout_on_the_run_keeps_the_applicant_a_session_may_exist() {
    let slow = json_answer(201, run_answer("awaiting_input").to_string())
        .set_delay(Duration::from_secs(5));
    let server = runs_answered_with(slow).await;
    delete_answers(&server, ResponseTemplate::new(204)).await;
    let onfido = Onfido::builder(TOKEN, WORKFLOW)
        .with_base_url(format!("{}/v3.6", server.uri()))
        .with_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let error = onfido.create_session(&request()).await.unwrap_err();
    assert_eq!((error.kind(), error.outcome()), (ErrorKind::Timeout, Outcome::Unknown));
    assert!(!error.is_safe_to_resend());
    let leftover = error.leftover().unwrap();
    assert!(matches!(leftover.state(), LeftoverState::Kept));
    assert_eq!(
        error.to_string(),
        format!(
            "request to onfido timed out; the applicant {APPLICANT} made for it is kept (a \
             session may exist for it)"
        )
    );
    assert_eq!(calls(&server).await, ["POST /v3.6/applicants", "POST /v3.6/workflow_runs"]);
}

#[tokio::test]
async fn a_refused_applicant_is_the_whole_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v3.6/applicants"))
        .respond_with(json_answer(401, r#"{"error":{"type":"authorization_error","message":"Authorization error: please re-check your credentials"}}"#))
        .mount(&server)
        .await;
    let error = client(&server).create_session(&request()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unauthenticated);
    assert!(error.leftover().is_none());
    assert!(error.to_string().contains("belongs to another region than"), "{error}");
    assert_eq!(calls(&server).await, ["POST /v3.6/applicants"]);
}

#[tokio::test]
async fn hostile_answers_are_classified_never_a_panic() {
    let cases: [(u16, &str, ErrorKind, Outcome); 5] = [
        (201, "<html>Welcome</html>", ErrorKind::Decode, Outcome::Unknown),
        (201, r#"{"id": "#, ErrorKind::Decode, Outcome::Unknown),
        (201, r#"{"id": 42}"#, ErrorKind::Decode, Outcome::Unknown),
        (201, r#"{"id": "../../webhooks"}"#, ErrorKind::Decode, Outcome::Unknown),
        (502, "Bad gateway", ErrorKind::Unavailable, Outcome::Unknown),
    ];
    for (status, answer, kind, outcome) in cases {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v3.6/applicants"))
            .respond_with(json_answer(status, answer))
            .mount(&server)
            .await;
        let error = client(&server).create_session(&request()).await.unwrap_err();
        assert_eq!((error.kind(), error.outcome()), (kind, outcome), "{answer}");
        assert_eq!(calls(&server).await.len(), 1, "{answer}: nothing after a broken first answer");
    }
    // A run answer without a link, or with a plain-http one: a run exists, unusable.
    for link in [json!(null), json!({"url": "http://eu.onfido.app/l/x"}), json!({"url": 7})] {
        let mut run = run_answer("awaiting_input");
        run["link"] = link.clone();
        let server = runs_answered_with(json_answer(201, run.to_string())).await;
        let error = client(&server).create_session(&request()).await.unwrap_err();
        assert_eq!(
            (error.kind(), error.outcome()),
            (ErrorKind::Decode, Outcome::Unknown),
            "{link}"
        );
        assert!(matches!(error.leftover().unwrap().state(), LeftoverState::Kept));
    }
}

#[tokio::test]
async fn polling_reads_the_run() {
    let server = MockServer::start().await;
    let mut run = run_answer("error");
    run["error"] = json!({"type": "timeout", "message": "A task timed out"});
    run["reasons"] = json!(["document_expired"]);
    Mock::given(method("GET"))
        .and(path(format!("/v3.6/workflow_runs/{RUN}")))
        .respond_with(json_answer(200, run.to_string()))
        .mount(&server)
        .await;
    let onfido = client(&server);
    let decision = onfido.poll_decision(&RUN.into()).await.unwrap().unwrap();
    assert_eq!((decision.status, decision.is_final), (Status::Failed, true));
    assert_eq!(decision.vendor_status, "error");
    assert_eq!(decision.client_id.as_deref(), Some("user-8841"));
    assert_eq!(decision.details, ["document_expired"]);
    let reason = decision.reason.unwrap();
    assert_eq!(reason.code.as_deref(), Some("timeout"));
    assert!(decision.decided_at.is_some());
    for bad in ["", "..", "../applicants", RUN.replace('-', "/").as_str()] {
        let error = onfido.poll_decision(&bad.into()).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidRequest, "{bad}");
    }
    let error = onfido.poll_decision(&SessionRef::business(RUN)).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unsupported);
    assert_eq!(calls(&server).await.len(), 1);
}

#[tokio::test]
async fn erasure_deletes_the_runs_applicant() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v3.6/workflow_runs/{RUN}")))
        .respond_with(json_answer(200, run_answer("approved").to_string()))
        .mount(&server)
        .await;
    delete_answers(&server, ResponseTemplate::new(204)).await;
    let onfido = client(&server);
    onfido.erase_session(&RUN.into()).await.unwrap();
    assert_eq!(
        calls(&server).await,
        [format!("GET /v3.6/workflow_runs/{RUN}"), format!("DELETE /v3.6/applicants/{APPLICANT}")]
    );

    // Asked for one run, answered with another: nothing is deleted.
    let confused = MockServer::start().await;
    let mut other = run_answer("approved");
    other["id"] = json!("00000000-0000-4000-8000-000000000000");
    Mock::given(method("GET"))
        .respond_with(json_answer(200, other.to_string()))
        .mount(&confused)
        .await;
    let error = client(&confused).erase_session(&RUN.into()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
    assert_eq!(calls(&confused).await.len(), 1);

    let busy = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json_answer(200, run_answer("processing").to_string()))
        .mount(&busy)
        .await;
    delete_answers(&busy, json_answer(422, r#"{"error":{"type":"deletion_incomplete_checks","message":"Applicants with checks in progress cannot be deleted."}}"#)).await;
    let error = client(&busy).erase_session(&RUN.into()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Conflict, "{error}");
}

/// Onfido's signature vectors: its Java client's `workflow_run.completed` sample (V4), its Node
/// client's `check.completed` (V3), and a body whose trailing newline changes the signature.
#[test]
fn the_documented_signature_vectors_verify() {
    let v4 = br#"{"payload":{"resource_type":"workflow_run","action":"workflow_run.completed","object":{"id":"d19692d6-730a-4730-9005-82185a5ec595","status":"approved","completed_at_iso8601":"2024-07-10T11:48:04Z","href":"https://api.eu.onfido.com/v3.6/workflow_runs/d19692d6-730a-4730-9005-82185a5ec595"},"resource":{"link":{"completed_redirect_url":null,"language":null,"expired_redirect_url":null,"url":"https://eu.onfido.app/l/d19692d6-730a-4730-9005-82185a5ec595","expires_at":null},"error":null,"id":"d19692d6-730a-4730-9005-82185a5ec595","updated_at":"2024-07-10T11:48:04Z","output":null,"applicant_id":"520d3d08-c600-4458-abf3-d0e91cff2735","tags":[],"created_at":"2024-07-10T11:48:04Z","sdk_token":null,"reasons":[],"status":"approved","workflow_version_id":1,"dashboard_url":"https://dashboard.onfido.com/results/d19692d6-730a-4730-9005-82185a5ec595","workflow_id":"221f9d24-cf72-4762-ac4a-01bf3ccc09dd"}}}"#;
    let v3 = br#"{"payload":{"resource_type":"check","action":"check.completed","object":{"id":"check-123","status":"complete","completed_at_iso8601":"2020-01-01T00:00:00Z","href":"https://api.onfido.com/v3/checks/check-123"}}}"#;
    let b1 = br#"{"payload":{"resource_type":"workflow_run","action":"workflow_run.completed","object":{"id":"8a1c3f52-2b7e-4d0a-9c61-5e4f7b2d9a10","status":"declined","completed_at_iso8601":"2025-03-04T10:15:30Z","href":"https://api.eu.onfido.com/v3.6/workflow_runs/8a1c3f52-2b7e-4d0a-9c61-5e4f7b2d9a10"}}}"#;
    let headers = |signature: &str| {
        let mut headers = http::HeaderMap::new();
        headers.insert("X-SHA2-Signature", signature.parse().unwrap());
        headers
    };
    // Rotation: the verifier holds every token.
    let webhooks = OnfidoWebhooks::new("sgx0lCZimfQBJHnuiKJaNUF76yQZfD94")
        .with_key("_ABC123abc123ABC123abc123ABC123_")
        .with_key("emulator_webhook_token_01");

    let v4_signature = "de43e2a218c589d6bb750d9d7014744d378660cd106886f722f72a9c0eef3027";
    let decision =
        webhooks.verify_webhook(&headers(v4_signature), v4).unwrap().into_decision().unwrap();
    assert_eq!(decision.session_id, "d19692d6-730a-4730-9005-82185a5ec595");
    assert_eq!((decision.status, decision.is_final), (Status::Approved, true));
    assert_eq!(decision.event.as_deref(), Some("workflow_run.completed"));
    assert_eq!(decision.decided_at.unwrap().to_rfc3339(), "2024-07-10T11:48:04+00:00");
    // Either case of hex.
    let upper = v4_signature.to_uppercase();
    assert!(webhooks.verify_webhook(&headers(&upper), v4).is_ok());

    let v3_signature = "a0082d7481f9f0a2907583dbe1f344d6d4c0d9989df2fd804f98479f60cd760e";
    let event = webhooks.verify_webhook(&headers(v3_signature), v3).unwrap();
    assert!(event.into_decision().is_none(), "a check event is a notice");

    let b1_signature = "d908e4d3f24b04594742a9802993462eb3e900c3343b704c62bcdbe155eca4cd";
    assert!(webhooks.verify_webhook(&headers(b1_signature), b1).is_ok());
    let mut with_newline = b1.to_vec();
    with_newline.push(b'\n');
    let error = webhooks.verify_webhook(&headers(b1_signature), &with_newline).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidSignature);
    let newline_signature = "785da8a42be8f609e00688f4d8e10f863d89b5a7c498e6f97eaf819826ba3bc2";
    assert!(webhooks.verify_webhook(&headers(newline_signature), &with_newline).is_ok());

    // Another token's signature, none, and a good signature over a broken body.
    let other = OnfidoWebhooks::new("another-token");
    assert_eq!(
        other.verify_webhook(&headers(v4_signature), v4).unwrap_err().kind(),
        ErrorKind::InvalidSignature
    );
    assert_eq!(
        webhooks.verify_webhook(&http::HeaderMap::new(), v4).unwrap_err().kind(),
        ErrorKind::InvalidSignature
    );
    let broken = b"{\"payload\":";
    let signature = kyc_adapter::webhook::hex_hmac(b"emulator_webhook_token_01", broken);
    assert_eq!(
        webhooks.verify_webhook(&headers(&signature), broken).unwrap_err().kind(),
        ErrorKind::Decode
    );
}

/// Counts creations by their first call, `POST /applicants`: a refused request must not reach
/// it, and a session is one applicant (the second call is checked apart).
struct ApplicantCounter<'a>(&'a MockServer);

#[async_trait::async_trait]
impl RequestCounter for ApplicantCounter<'_> {
    async fn requests_received(&self) -> usize {
        let received = self.0.received_requests().await.unwrap_or_default();
        received.iter().filter(|r| r.url.path() == "/v3.6/applicants").count()
    }
}

#[tokio::test]
async fn passes_the_conformance_suite() {
    let server = onfido_server().await;
    let onfido = client(&server);
    conformance::run(&onfido, &ApplicantCounter(&server)).await;
    conformance::refuses_erasure_it_does_not_offer(&onfido, &onfido, &ApplicantCounter(&server))
        .await;
    // Every session the suite made was one applicant, then one run for it.
    let calls = calls(&server).await;
    let applicants = calls.iter().filter(|c| c.ends_with("/applicants")).count();
    assert_eq!(calls.len(), 2 * applicants, "{calls:?}");
    assert!(calls.iter().all(|c| c.starts_with("POST")), "{calls:?}");
}

/// A run whose objects repeat a key (JSON allows it; the last one counts) is still a session:
/// the run exists at Onfido, so failing its decoding would keep an applicant for nothing.
#[test]
fn a_run_with_a_repeated_key_decodes_with_the_last_one() {
    let onfido = Onfido::builder(TOKEN, WORKFLOW).build().unwrap();
    let body = format!(
        r#"{{"id":"{RUN}","status":"awaiting_input","error":{{"type":"a","type":"b"}},
            "link":{{"url":"https://eu.onfido.app/l/first","url":"https://eu.onfido.app/l/{RUN}",
                     "expires_at":null,"expires_at":"2025-03-11T10:00:00Z"}}}}"#
    );
    let now = chrono::Utc::now();
    let session = onfido.decode(&request(), 201, body.as_bytes(), now).unwrap();
    assert_eq!(session.url.as_str(), format!("https://eu.onfido.app/l/{RUN}"));
    assert_eq!(session.expires_at.unwrap().to_rfc3339(), "2025-03-11T10:00:00+00:00");
}
