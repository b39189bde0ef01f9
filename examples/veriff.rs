//! Create a Veriff verification session and print its link.
//!
//! ```sh
//! export VERIFF_API_KEY=...            # the integration's API key (a UUID)
//! export VERIFF_BASE_URL=...           # the integration's API URL (Customer Portal)
//! export VERIFF_SHARED_SECRET=...      # optional: sign the request
//! cargo run --example veriff -- user-42 https://app.example/kyc/done
//! ```
//!
//! Sessions of Veriff test integrations are not billed; the first name "Approve" makes a test
//! integration approve the session by itself.

use std::process::ExitCode;

use kyc::{ClientId, Locale, Person, Redirects, SessionRequest, VerificationSession};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let client_id = args.next().unwrap_or_else(|| "example-user".to_owned());
    let callback = args.next();

    let veriff = match kyc::Veriff::from_env() {
        Ok(veriff) => veriff,
        Err(error) => {
            eprintln!("error: {error}");
            eprintln!(
                "set VERIFF_API_KEY and VERIFF_BASE_URL (or run the quickstart, which needs none)"
            );
            return ExitCode::from(3);
        }
    };

    let mut request = match ClientId::new(client_id) {
        Ok(id) => SessionRequest::new(id),
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    request = request
        .with_locale(Locale::En)
        .with_person(Person::default().with_first_name("Approve").with_last_name("Tester"));
    if let Some(callback) = callback {
        match url::Url::parse(&callback) {
            Ok(url) => request = request.with_redirects(Redirects::default().with_success(url)),
            Err(_) => {
                eprintln!("error: the callback is not a URL");
                return ExitCode::from(2);
            }
        }
    }

    match veriff.create_session(&request).await {
        Ok(session) => {
            println!("{}", session.url);
            println!("session id: {}", session.id);
            if let Some(expires_at) = session.expires_at {
                println!("expires at: {}", expires_at.to_rfc3339());
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            if let Some(code) = error.vendor_code() {
                eprintln!("Veriff code: {code}");
            }
            ExitCode::from(if error.outcome() == kyc::Outcome::NotSent { 2 } else { 4 })
        }
    }
}
