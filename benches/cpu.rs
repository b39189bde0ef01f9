//! The CPU cost of one session without the network, per adapter: validate a full request
//! (every field the vendor carries; built once, as an application builds it), check it against
//! the capabilities and the vendor's rules, serialize it, decode a full documented answer,
//! normalize it. Target: at most 3 µs each. Onfido's is both calls' bodies (each checked
//! through the public `encode_*`, so its checks run twice here where `create_session` runs
//! them once) and the workflow run's answer.
//!
//! ```sh
//! cargo bench --bench cpu
//! ```

use std::hint::black_box;
use std::time::Duration;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use kyc::{
    ClientId, DocumentType, ExpectedDocument, Locale, Person, Redirects, SessionRequest, Sex,
};
use url::Url;

const IDENFY_ANSWER: &str =
    include_str!("../crates/kyc-idenfy/fixtures/token-response-older-full.json");
const VERIFF_ANSWER: &str = include_str!("../crates/kyc-veriff/fixtures/response-current.json");
/// <https://docs.sumsub.com/reference/generate-websdk-external-link>.
const SUMSUB_ANSWER: &str = r#"{"url":"https://in.sumsub.com/websdk/p/sbx_uY4hNEfM9Ge7tdxW"}"#;
const ONFIDO_APPLICANT_ID: &str = "6b0d1e3a-3c2f-4d6e-9d34-1f2a7c9b5e10";

fn idenfy_request() -> SessionRequest {
    SessionRequest::new(ClientId::new("100000").expect("client id"))
        .with_person(
            Person::default()
                .with_first_name("John Tom")
                .with_last_name("Smith")
                .with_date_of_birth("1990-12-20".parse().expect("date"))
                .with_nationality("LT".parse().expect("country"))
                .with_personal_number("123456789")
                .with_sex(Sex::Male)
                .with_address("Address"),
        )
        .with_document(
            ExpectedDocument::default()
                .with_country("LT".parse().expect("country"))
                .with_type(DocumentType::Passport)
                .with_number("123456")
                .with_issue_date("2019-12-20".parse().expect("date"))
                .with_expiry_date("2029-12-20".parse().expect("date")),
        )
        .with_redirects(
            Redirects::default()
                .with_success(Url::parse("https://www.my-company.com/idenfy/success").expect("url"))
                .with_failure(Url::parse("https://www.my-company.com/idenfy/fail").expect("url")),
        )
        .with_webhook_url(Url::parse("https://mywebsite.com/idenfy/webhookendpoint").expect("url"))
        .with_locale(Locale::En)
        .with_link_validity(Duration::from_secs(600))
        .with_session_duration(Duration::from_secs(600))
        .with_external_ref("reference")
}

fn veriff_request() -> SessionRequest {
    SessionRequest::new(ClientId::new("11111111").expect("client id"))
        .with_redirects(
            Redirects::default().with_success(Url::parse("https://veriff.com").expect("url")),
        )
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
                .with_country("EE".parse().expect("country")),
        )
        .with_locale(Locale::En)
}

fn sumsub_request() -> SessionRequest {
    SessionRequest::new(ClientId::new("user-8841").expect("client id"))
        .with_person(
            Person::default().with_email("jane.doe@example.com").with_phone("+37060000000"),
        )
        .with_redirects(
            Redirects::default()
                .with_success(Url::parse("https://app.example.com/kyc/done").expect("url"))
                .with_failure(Url::parse("https://app.example.com/kyc/failed").expect("url")),
        )
        .with_locale(Locale::De)
        .with_link_validity(Duration::from_secs(3600))
}

fn onfido_request() -> SessionRequest {
    SessionRequest::new(ClientId::new("user-8841").expect("client id"))
        .with_person(
            Person::default()
                .with_first_name("Jane")
                .with_last_name("Doe")
                .with_date_of_birth("1990-12-20".parse().expect("date"))
                .with_email("jane.doe@example.com")
                .with_phone("+447700900000"),
        )
        .with_redirects(
            Redirects::default()
                .with_success(Url::parse("https://app.example.com/kyc/done").expect("url")),
        )
        .with_tag("signup")
        .with_locale(Locale::En)
        .with_link_validity(Duration::from_secs(7 * 24 * 3600))
}

/// The documented run (<https://documentation.onfido.com/api/latest/#create-workflow-run>).
fn onfido_answer() -> String {
    let run = "cd92c304-1c16-4bb5-8395-d5b8fe27088e";
    serde_json::json!({
        "id": run, "applicant_id": ONFIDO_APPLICANT_ID,
        "workflow_id": "b42cf165-031f-4792-a57e-eea4fa10c4e2", "workflow_version_id": 2,
        "status": "awaiting_input",
        "dashboard_url": format!("https://dashboard.onfido.com/results/{run}"),
        "output": null, "reasons": [], "error": null,
        "sdk_token": "eyJhbGciOiJFUzUxMiJ9.eyJzdWIiOiJydW4ifQ.c2ln",
        "link": {"url": format!("https://eu.onfido.app/l/{run}"),
                 "completed_redirect_url": "https://app.example.com/kyc/done",
                 "expired_redirect_url": null, "expires_at": "2025-03-11T10:00:00Z",
                 "language": "en_US"},
        "tags": ["signup"], "customer_user_id": "user-8841",
        "created_at": "2025-03-04T10:00:02Z", "updated_at": "2025-03-04T10:00:03Z"
    })
    .to_string()
}

fn cpu(c: &mut Criterion) {
    let idenfy = kyc::Idenfy::new("key", "secret").expect("idenfy");
    let veriff = kyc::Veriff::new("3fa85f64-5717-4562-b3fc-2c963f66afa6").expect("veriff");
    let sumsub = kyc::Sumsub::builder("sbx:app.token", "secret").build().expect("sumsub");
    let onfido = kyc::Onfido::builder("api_sandbox.token", "b42cf165-031f-4792-a57e-eea4fa10c4e2")
        .build()
        .expect("onfido");
    let onfido_run = onfido_answer();
    let mut group = c.benchmark_group("one session without the network");
    let request = idenfy_request();
    group.bench_function("idenfy", |b| {
        b.iter(|| {
            let (_, body) = idenfy.encode(&request).expect("encoded");
            black_box(body);
            idenfy.decode(&request, 201, IDENFY_ANSWER.as_bytes(), Utc::now()).expect("decoded")
        })
    });
    let request = veriff_request();
    group.bench_function("veriff", |b| {
        b.iter(|| {
            let body = veriff.encode(&request).expect("encoded");
            black_box(body);
            veriff.decode(&request, 201, VERIFF_ANSWER.as_bytes(), Utc::now()).expect("decoded")
        })
    });
    let request = sumsub_request();
    group.bench_function("sumsub", |b| {
        b.iter(|| {
            let (url, body) = sumsub.encode(&request).expect("encoded");
            black_box((url, body));
            sumsub.decode(&request, 200, SUMSUB_ANSWER.as_bytes(), Utc::now()).expect("decoded")
        })
    });
    let request = onfido_request();
    group.bench_function("onfido", |b| {
        b.iter(|| {
            let now = Utc::now();
            black_box(onfido.encode_applicant(&request).expect("applicant"));
            let run = onfido.encode_workflow_run(&request, ONFIDO_APPLICANT_ID, now);
            black_box(run.expect("run"));
            onfido.decode(&request, 201, onfido_run.as_bytes(), now).expect("decoded")
        })
    });
    group.finish();
}

criterion_group!(benches, cpu);
criterion_main!(benches);
