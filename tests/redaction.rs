//! Secrets and personal data never appear in `Debug` or `Display` of the public types.

use kyc::testing::ErrorExt;
use kyc::{
    ClientId, CountryCode, Error, ExpectedDocument, Person, SessionRequest, Sex, StubProvider,
    VerificationSession,
};
use serde_json::json;

const FIRST: &str = "Jonas";
const LAST: &str = "Jonaitis";
const BIRTH: &str = "1987-06-05";
const PERSONAL_NUMBER: &str = "38706050000";
const DOCUMENT_NUMBER: &str = "LT9988776";
const ADDRESS: &str = "Gedimino pr. 9";
const EMAIL: &str = "jonas.jonaitis@example.com";
const PHONE: &str = "+37061234567";
const ADDITIONAL: &str = "SSN-123-45-6789";

const PERSONAL: [&str; 9] =
    [FIRST, LAST, BIRTH, PERSONAL_NUMBER, DOCUMENT_NUMBER, ADDRESS, EMAIL, PHONE, ADDITIONAL];

fn personal_request() -> SessionRequest {
    SessionRequest::new(ClientId::new("user-1").unwrap())
        .with_person(
            Person::default()
                .with_first_name(FIRST)
                .with_last_name(LAST)
                .with_date_of_birth(BIRTH.parse().unwrap())
                .with_sex(Sex::Male)
                .with_nationality("LT".parse::<CountryCode>().unwrap())
                .with_personal_number(PERSONAL_NUMBER)
                .with_address(ADDRESS)
                .with_email(EMAIL)
                .with_phone(PHONE),
        )
        .with_document(
            ExpectedDocument::default()
                .with_number(DOCUMENT_NUMBER)
                .with_issue_date("2019-02-03".parse().unwrap())
                .with_expiry_date("2029-02-03".parse().unwrap()),
        )
        .with_provider_options("idenfy", json!({ "additionalData": { "ssn": ADDITIONAL } }))
}

fn assert_clean(printed: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!printed.contains(secret), "{secret:?} printed in {printed}");
    }
}

#[test]
fn requests_print_no_personal_data() {
    let request = personal_request();
    let printed = format!("{request:?} {request:#?}");
    assert_clean(&printed, &PERSONAL);
    assert_clean(&printed, &["2019-02-03", "2029-02-03"]);
    // It still says what is set, which is what debugging needs (each field under its wire
    // name, from the field table).
    assert!(printed.contains("\"person.firstName\": <redacted>"), "{printed}");
    assert!(printed.contains("\"idenfy\""), "{printed}");
}

#[tokio::test]
async fn sessions_print_no_token_or_link() {
    let stub = StubProvider::new("stub");
    let session = stub.create_session(&personal_request()).await.unwrap();
    let printed = format!("{session:?} {session:#?}");
    assert_clean(&printed, &[session.url.as_str(), "stub-token-"]);
    assert_clean(&printed, &PERSONAL);
}

#[test]
fn errors_print_no_personal_data() {
    let mut request = personal_request();
    request.person.first_name = Some(format!("{FIRST}\n"));
    request.person.email = Some(format!("{EMAIL} "));
    let invalid = request.validate().unwrap_err();

    let json_error = SessionRequest::from_json(&format!(
        r#"{{"clientId": "u", "person": {{"firstName": ["{FIRST}"], "dateOfBirth": "{BIRTH}x"}}}}"#
    ))
    .unwrap_err();

    let vendor = Error::rejected("idenfy", 400)
        .with_vendor_code("BAD_VALUE")
        .with_vendor_message(format!("firstName {FIRST} {LAST} is invalid"));

    for error in [invalid, json_error, vendor] {
        let printed = format!("{error} {error:?} {error:#?}");
        assert_clean(&printed, &PERSONAL);
    }
}
