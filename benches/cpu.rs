//! The CPU cost of one session without the network, per adapter: build and validate a full
//! request, serialize it, decode a full documented answer, normalize it. Target: under 10 µs.
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

fn cpu(c: &mut Criterion) {
    let idenfy = kyc::Idenfy::new("key", "secret").expect("idenfy");
    let veriff = kyc::Veriff::new("3fa85f64-5717-4562-b3fc-2c963f66afa6").expect("veriff");
    let mut group = c.benchmark_group("one session without the network");
    group.bench_function("idenfy", |b| {
        b.iter(|| {
            let request = idenfy_request();
            let (_, body) = idenfy.encode(&request).expect("encoded");
            black_box(body);
            idenfy.decode(&request, 201, IDENFY_ANSWER.as_bytes(), Utc::now()).expect("decoded")
        })
    });
    group.bench_function("veriff", |b| {
        b.iter(|| {
            let request = veriff_request();
            let body = veriff.encode(&request).expect("encoded");
            black_box(body);
            veriff.decode(&request, 201, VERIFF_ANSWER.as_bytes(), Utc::now()).expect("decoded")
        })
    });
    group.finish();
}

criterion_group!(benches, cpu);
criterion_main!(benches);
