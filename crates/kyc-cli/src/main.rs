//! `kyc`: a verification link from a terminal, on any vendor, with failover; emailed if asked;
//! vendors compared. The job the vendors' dashboards do by hand (seeds 000, 001, 003).
//!
//! Exit status: 0 created; 2 invalid input or unsupported (nothing sent); 3 authentication or
//! configuration problem; 4 every provider failed otherwise; 5 the session was created but the
//! email was not sent.

mod args;
mod email;
mod matrix;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::Parser;
use kyc::{ErrorKind, Failover, FailoverPolicy, Session, VerificationSession};
use kyc_emulator::{Emulator, RunningEmulator};
use serde_json::{Value, json};

use crate::args::{
    Cli, Command, CreateArgs, MatrixOutput, Output, ProviderName, SessionCommand, WebhookCommand,
};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return ExitCode::from(usage_error(&error)),
    };
    let code = match cli.command {
        Command::Session(SessionCommand::Create(args)) => create(*args).await,
        Command::Session(SessionCommand::Status { provider, session_id, output }) => {
            status(provider, &session_id, output).await
        }
        Command::Webhook(WebhookCommand::Verify { provider, headers, body, output }) => {
            verify(provider, &headers, body.as_deref(), output)
        }
        Command::Providers { output } => providers(output),
        Command::Compare { request, output } => compare(&request, output).await,
        Command::Emulator { listen } => emulator(listen).await,
    };
    ExitCode::from(code)
}

/// Prints a command-line mistake as one line that names the flag but never repeats the value
/// (it may be a date of birth); help and version go out as clap renders them.
fn usage_error(error: &clap::Error) -> u8 {
    use clap::error::{ContextKind, ContextValue, ErrorKind as Clap};
    match error.kind() {
        Clap::DisplayHelp
        | Clap::DisplayVersion
        | Clap::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = error.print();
            return 0;
        }
        Clap::InvalidValue | Clap::ValueValidation => {
            let flag = match error.get(ContextKind::InvalidArg) {
                Some(ContextValue::String(flag)) => {
                    flag.split_whitespace().next().unwrap_or("").to_owned()
                }
                _ => "an argument".to_owned(),
            };
            let expected = match error.get(ContextKind::ValidValue) {
                Some(ContextValue::Strings(values)) => format!(" (one of: {})", values.join(", ")),
                _ => String::new(),
            };
            eprintln!("error: invalid value for {flag}{expected}");
        }
        _ => {
            let rendered = error.to_string();
            eprintln!("{}", rendered.lines().next().unwrap_or("error: invalid arguments"));
        }
    }
    2
}

/// The exit status for an error.
fn exit_code(error: &kyc::Error) -> u8 {
    match error.kind() {
        ErrorKind::InvalidRequest => 2,
        // Refused before sending; one a vendor answered (KYB not in the contract) was sent.
        ErrorKind::Unsupported if error.outcome() == kyc::Outcome::NotSent => 2,
        ErrorKind::Unsupported => 4,
        ErrorKind::Unauthenticated | ErrorKind::Config => 3,
        _ => 4,
    }
}

fn fail(error: &kyc::Error) -> u8 {
    eprintln!("error: {error}");
    exit_code(error)
}

/// The vendors to use: those named, or those with credentials, or the built-in emulator.
struct Vendors {
    providers: Vec<Arc<dyn VerificationSession>>,
    /// Kept alive while the command runs.
    _emulator: Option<RunningEmulator>,
}

async fn vendors(named: &[ProviderName]) -> Result<Vendors, kyc::Error> {
    let has = |name: &str| std::env::var(name).is_ok_and(|v| !v.trim().is_empty());
    let credentials = [
        (ProviderName::Idenfy, has("IDENFY_API_KEY")),
        (ProviderName::Veriff, has("VERIFF_API_KEY")),
    ];
    let any = credentials.iter().any(|(_, set)| *set);
    let chosen: Vec<ProviderName> = match named.is_empty() {
        false => named.to_vec(),
        true if any => credentials.iter().filter(|(_, set)| *set).map(|(name, _)| *name).collect(),
        true => vec![ProviderName::Idenfy, ProviderName::Veriff],
    };
    if any {
        let providers = chosen
            .iter()
            .map(|name| match name {
                ProviderName::Idenfy => {
                    kyc::Idenfy::from_env().map(|p| Arc::new(p) as Arc<dyn VerificationSession>)
                }
                ProviderName::Veriff => {
                    kyc::Veriff::from_env().map(|p| Arc::new(p) as Arc<dyn VerificationSession>)
                }
            })
            .collect::<Result<_, _>>()?;
        return Ok(Vendors { providers, _emulator: None });
    }
    let emulator = Emulator::builder()
        .start()
        .await
        .map_err(|e| kyc::Error::config("emulator", "cannot listen on 127.0.0.1").with_source(e))?;
    eprintln!(
        "note: no vendor credentials set; using the built-in emulator at http://{}",
        emulator.address()
    );
    let providers = chosen
        .iter()
        .map(|name| -> Result<Arc<dyn VerificationSession>, kyc::Error> {
            Ok(match name {
                ProviderName::Idenfy => {
                    let (key, secret) = emulator.idenfy_credentials();
                    Arc::new(
                        kyc::Idenfy::builder(key.to_owned(), secret.to_owned())
                            .with_base_url(emulator.idenfy_base_url())
                            .with_kyb_ui_url(emulator.idenfy_kyb_ui_url())
                            .build()?,
                    )
                }
                ProviderName::Veriff => {
                    let (key, secret) = emulator.veriff_credentials();
                    Arc::new(
                        kyc::Veriff::builder(key.to_owned())
                            .with_shared_secret(secret.to_owned())
                            .with_base_url(emulator.veriff_base_url())
                            .build()?,
                    )
                }
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(Vendors { providers, _emulator: Some(emulator) })
}

async fn create(args: CreateArgs) -> u8 {
    // Everything the user can get wrong is checked before a session (and a credit) exists.
    let request = match args.request.to_request().and_then(|r| r.validate().map(|()| r)) {
        Ok(request) => request,
        Err(error) => return fail(&error),
    };
    let outgoing = match email::prepare(&args.email) {
        Ok(outgoing) => outgoing,
        Err(email::Refusal::Input(message)) => {
            eprintln!("error: {message}");
            return 2;
        }
        Err(email::Refusal::Config(message)) => {
            eprintln!("error: {message}");
            return 3;
        }
    };
    let vendors = match vendors(&args.provider).await {
        Ok(vendors) => vendors,
        Err(error) => return fail(&error),
    };
    let provider: Arc<dyn VerificationSession> = match vendors.providers.len() {
        1 => Arc::clone(&vendors.providers[0]),
        _ => Arc::new(
            Failover::new(vendors.providers.clone()).with_policy(FailoverPolicy::default()),
        ),
    };
    let session = match provider.create_session(&request).await {
        Ok(session) => session,
        Err(error) => {
            if args.output == Output::Json {
                println!(
                    "{}",
                    json!({"error": error.kind().as_ref(), "message": error.to_string(), "attempts": attempts(error.attempts())})
                );
            }
            return fail(&error);
        }
    };
    print_session(&session, args.output);
    if let Some(outgoing) = outgoing {
        if let Err(message) = outgoing.send(session.url.as_str()).await {
            eprintln!("error: {message}; the session was created and its link is above");
            return 5;
        }
        if args.output == Output::Text {
            eprintln!("emailed the link to {}", args.email.email.as_deref().unwrap_or_default());
        }
    }
    0
}

fn attempts(attempts: &[kyc::Attempt]) -> Value {
    attempts
        .iter()
        .map(|a| {
            json!({
                "provider": a.provider,
                "error": a.error.map(|kind| kind.as_ref().to_owned()),
                "may_have_created_session": a.may_have_created_session,
            })
        })
        .collect()
}

fn session_json(session: &Session) -> Value {
    // The link is what the operator needs; the token and secrets never appear.
    json!({
        "provider": session.provider,
        "session_id": session.id,
        "url": session.url.as_str(),
        "client_id": session.client_id.as_str(),
        "expires_at": session.expires_at.map(|at| at.to_rfc3339()),
        "attempts": attempts(&session.attempts),
    })
}

fn print_session(session: &Session, output: Output) {
    match output {
        Output::Json => println!("{}", session_json(session)),
        Output::Text => {
            println!("{}", session.url);
            println!("provider:   {}", session.provider);
            println!("session id: {}", session.id);
            println!("client id:  {}", session.client_id);
            println!(
                "expires at: {}",
                session.expires_at.map_or("unknown".to_owned(), |at| at.to_rfc3339())
            );
            for attempt in &session.attempts {
                match attempt.error {
                    Some(error) => println!(
                        "attempt:    {} failed ({error}); may have created a session: {}",
                        attempt.provider, attempt.may_have_created_session
                    ),
                    None => println!("attempt:    {} created it", attempt.provider),
                }
            }
        }
    }
}

/// A decision as one JSON object (the same for webhooks and polling).
fn decision_json(decision: Option<&kyc::Decision>, provider: &str, session_id: &str) -> Value {
    match decision {
        Some(d) => json!({
            "provider": d.provider,
            "session_id": d.session_id,
            "client_id": d.client_id,
            "status": d.status.as_ref(),
            "vendor_status": d.vendor_status,
            "final": d.is_final,
            "reason_code": d.reason.as_ref().and_then(|r| r.code.clone()),
            "reason": d.reason.as_ref().and_then(|r| r.text.clone()),
            "event": d.event,
        }),
        // Nothing to report yet (Veriff answers `verification: null` before a decision).
        None => json!({
            "provider": provider, "session_id": session_id, "client_id": null, "status": null,
            "vendor_status": null, "final": false, "reason_code": null, "reason": null, "event": null,
        }),
    }
}

fn print_decision(value: &Value, output: Output) {
    match output {
        Output::Json => println!("{value}"),
        Output::Text => {
            for key in [
                "status",
                "final",
                "session_id",
                "client_id",
                "vendor_status",
                "reason_code",
                "reason",
                "event",
            ] {
                let shown = match &value[key] {
                    Value::String(text) => text.clone(),
                    Value::Null => "-".to_owned(),
                    other => other.to_string(),
                };
                println!("{key:<14}{shown}");
            }
        }
    }
}

/// The vendor's results side, configured from the environment.
fn results_from_env(
    provider: ProviderName,
) -> Result<Box<dyn kyc::VerificationResults>, kyc::Error> {
    Ok(match provider {
        ProviderName::Idenfy => Box::new(kyc::Idenfy::from_env()?),
        ProviderName::Veriff => Box::new(kyc::Veriff::from_env()?),
    })
}

async fn status(provider: ProviderName, session_id: &str, output: Output) -> u8 {
    let results = match results_from_env(provider) {
        Ok(results) => results,
        Err(error) => return fail(&error),
    };
    match results.poll_decision(session_id).await {
        Ok(decision) => {
            print_decision(
                &decision_json(decision.as_ref(), results.provider(), session_id),
                output,
            );
            0
        }
        Err(error) => fail(&error),
    }
}

fn verify(
    provider: ProviderName,
    raw_headers: &[String],
    body: Option<&std::path::Path>,
    output: Output,
) -> u8 {
    let mut headers = reqwest::header::HeaderMap::new();
    for raw in raw_headers {
        let parsed = raw.split_once(':').and_then(|(name, value)| {
            let name = reqwest::header::HeaderName::from_bytes(name.trim().as_bytes()).ok()?;
            let value = reqwest::header::HeaderValue::from_str(value.trim()).ok()?;
            Some((name, value))
        });
        match parsed {
            Some((name, value)) => {
                headers.append(name, value);
            }
            None => {
                eprintln!("error: --header: expected `Name: value`");
                return 2;
            }
        }
    }
    let body = match body {
        Some(path) => std::fs::read(path),
        None => {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes).map(|_| bytes)
        }
    };
    let body = match body {
        Ok(body) => body,
        Err(error) => {
            eprintln!("error: cannot read the body: {error}");
            return 2;
        }
    };
    // Verifying needs only the webhook keys; the API credentials are placeholders when unset.
    let has = |name: &str| std::env::var(name).is_ok_and(|v| !v.trim().is_empty());
    let results: Result<Box<dyn kyc::VerificationResults>, kyc::Error> = match provider {
        ProviderName::Idenfy => {
            let mut builder = kyc::Idenfy::builder("webhook-only", "webhook-only");
            for key in std::env::var("IDENFY_WEBHOOK_KEY")
                .unwrap_or_default()
                .split(',')
                .filter(|k| !k.trim().is_empty())
            {
                builder = builder.with_webhook_key(key.trim().to_owned());
            }
            builder.build().map(|p| Box::new(p) as _)
        }
        ProviderName::Veriff => {
            let key = if has("VERIFF_API_KEY") {
                std::env::var("VERIFF_API_KEY").unwrap_or_default()
            } else {
                "00000000-0000-4000-8000-000000000000".into()
            };
            let mut builder = kyc::Veriff::builder(key);
            for secret in std::env::var("VERIFF_SHARED_SECRET")
                .unwrap_or_default()
                .split(',')
                .filter(|k| !k.trim().is_empty())
            {
                builder = builder.with_shared_secret(secret.trim().to_owned());
            }
            builder.build().map(|p| Box::new(p) as _)
        }
    };
    let results = match results {
        Ok(results) => results,
        Err(error) => return fail(&error),
    };
    match results.verify_webhook(&headers, &body) {
        Ok(decision) => {
            print_decision(
                &decision_json(Some(&decision), results.provider(), &decision.session_id),
                output,
            );
            0
        }
        Err(error) => {
            eprintln!("error: {error}");
            match error.kind() {
                ErrorKind::Unauthenticated | ErrorKind::Config => 3,
                _ => 2,
            }
        }
    }
}

fn providers(output: MatrixOutput) -> u8 {
    let vendors = matrix::vendors();
    match output {
        MatrixOutput::Text => print!("{}", matrix::text(&vendors)),
        MatrixOutput::Markdown => print!("{}", matrix::markdown(&vendors)),
        MatrixOutput::Json => println!("{}", matrix::json(&vendors)),
    }
    0
}

async fn compare(request: &args::RequestArgs, output: Output) -> u8 {
    let request = match request.to_request().and_then(|r| r.validate().map(|()| r)) {
        Ok(request) => Arc::new(request),
        Err(error) => return fail(&error),
    };
    let vendors = match vendors(&[]).await {
        Ok(vendors) => vendors,
        Err(error) => return fail(&error),
    };
    let mut calls = Vec::new();
    for provider in &vendors.providers {
        let (provider, request) = (Arc::clone(provider), Arc::clone(&request));
        calls.push(tokio::spawn(async move {
            let started = Instant::now();
            let result = provider.create_session(&request).await;
            (provider.provider().to_owned(), result, started.elapsed())
        }));
    }
    let mut rows = Vec::new();
    for call in calls {
        match call.await {
            Ok(row) => rows.push(row),
            Err(_) => return 4,
        }
    }
    let all_created = rows.iter().all(|(_, result, _)| result.is_ok());
    match output {
        Output::Json => {
            let rows: Vec<Value> = rows
                .iter()
                .map(|(vendor, result, elapsed)| match result {
                    Ok(session) => json!({"vendor": vendor, "outcome": "created", "latency_ms": elapsed.as_millis() as u64, "session_id": session.id, "url": session.url.as_str()}),
                    Err(error) => json!({"vendor": vendor, "outcome": error.kind().as_ref(), "latency_ms": elapsed.as_millis() as u64, "message": error.to_string()}),
                })
                .collect();
            println!("{}", Value::Array(rows));
        }
        Output::Text => {
            println!(
                "{:<8} {:<16} {:>8}  {:<38} url",
                "vendor", "outcome", "latency", "session id"
            );
            for (vendor, result, elapsed) in &rows {
                let latency = format!("{} ms", elapsed.as_millis());
                match result {
                    Ok(session) => println!(
                        "{vendor:<8} {:<16} {latency:>8}  {:<38} {}",
                        "created", session.id, session.url
                    ),
                    Err(error) => {
                        println!("{vendor:<8} {:<16} {latency:>8}  {error}", error.kind().as_ref())
                    }
                }
            }
        }
    }
    if all_created { 0 } else { 4 }
}

async fn emulator(listen: std::net::SocketAddr) -> u8 {
    let emulator = match Emulator::builder().with_listen(listen).start().await {
        Ok(emulator) => emulator,
        Err(error) => {
            eprintln!("error: cannot listen on {listen}: {error}");
            return 3;
        }
    };
    let (idenfy_key, idenfy_secret) = emulator.idenfy_credentials();
    let (veriff_key, veriff_secret) = emulator.veriff_credentials();
    // Made-up local credentials: printing them is the point.
    println!("kyc emulator listening on http://{}", emulator.address());
    println!("IDENFY_BASE_URL={}", emulator.idenfy_base_url());
    println!("IDENFY_KYB_UI_URL={}", emulator.idenfy_kyb_ui_url());
    println!("IDENFY_API_KEY={idenfy_key}");
    println!("IDENFY_API_SECRET={idenfy_secret}");
    println!("VERIFF_BASE_URL={}", emulator.veriff_base_url());
    println!("VERIFF_API_KEY={veriff_key}");
    println!("VERIFF_SHARED_SECRET={veriff_secret}");
    let _ = tokio::signal::ctrl_c().await;
    emulator.stop().await;
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_error_kind() {
        assert_eq!(exit_code(&kyc::Error::invalid_request(Vec::new())), 2);
        let kyb = kyc::Feature::Kind(kyc::VerificationKind::Business);
        assert_eq!(exit_code(&kyc::Error::unsupported("p", kyb.clone())), 2);
        assert_eq!(exit_code(&kyc::Error::unsupported_by_provider("p", kyb, 403)), 4);
        assert_eq!(exit_code(&kyc::Error::unauthenticated("p", 401)), 3);
        assert_eq!(exit_code(&kyc::Error::config("p", "x")), 3);
        assert_eq!(exit_code(&kyc::Error::unavailable("p", 503)), 4);
    }

    #[test]
    fn requests_come_from_flags() {
        let cli = Cli::try_parse_from([
            "kyc",
            "session",
            "create",
            "--client-id",
            "u1",
            "--document-type",
            "passport",
            "--document-type",
            "id_card",
            "--link-validity",
            "12h",
            "--business",
            "--workflow",
            "0f8fad5b-d9cb-469f-a165-70867728950e",
            "--scan-ref",
            "s1",
        ])
        .unwrap();
        let Command::Session(SessionCommand::Create(args)) = cli.command else { panic!() };
        let request: kyc::SessionRequest = args.request.to_request().unwrap();
        assert_eq!(request.document.types.len(), 2);
        assert_eq!(request.link_validity, Some(std::time::Duration::from_secs(43_200)));
        assert_eq!(request.kind, kyc::VerificationKind::Business);
        assert_eq!(request.provider_options["idenfy"]["kyb"]["scanRefs"], json!(["s1"]));
    }
}
