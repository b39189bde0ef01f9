//! Everything the command line prints, as JSON or text: sessions and their attempts, decisions,
//! errors, the compare table, the capability table ([`matrix`]) and the notes on standard
//! error. The commands decide what to say; this module alone decides how it looks, so the
//! field names scripts rely on live in one place.
//!
//! The link is what the operator needs; tokens, secrets and the vendors' document data never
//! appear.

pub(crate) mod matrix;

use std::net::SocketAddr;
use std::time::Duration;

use kyc::{SessionRef, WebhookEvent};
use serde_json::{Value, json};

use crate::args::Output;
use crate::exit::Failure;

/// One vendor's answer in `compare`: its name, what it answered, and how long it took.
pub(crate) type Comparison = (String, Result<kyc::Session, kyc::Error>, Duration);

/// A command's failure, on standard error: one line, or none when the output already said it.
pub(crate) fn failure(failure: &Failure) {
    match failure {
        Failure::Input(message) | Failure::Config(message) => eprintln!("error: {message}"),
        Failure::Kyc(error) | Failure::Webhook(error) | Failure::NotErased(error) => {
            eprintln!("error: {error}")
        }
        Failure::Unconfigured(error) => {
            eprintln!("error: {error}");
            // The built-in emulator of `session create` is gone with its command, so its
            // sessions can be asked about only on an emulator that keeps running.
            eprintln!(
                "note: to poll an emulator, {KEEP_AN_EMULATOR} (create the session there too)"
            );
        }
        Failure::NotEmailed(message) => {
            eprintln!("error: {message}; the session was created and its link is above")
        }
        Failure::Missing(message) => eprintln!("error: {message}"),
        Failure::NoneCreated | Failure::NotRefreshed => {}
    }
}

/// How to keep an emulator running beyond one command, and point `kyc` (or an application) at
/// it: the built-in one lives only as long as the command that started it.
const KEEP_AN_EMULATOR: &str = "run `kyc emulator --listen 127.0.0.1:8080` in another terminal \
     and export the variables it prints";

/// A session that could not be created, for a script reading JSON (the reason goes to standard
/// error as well). `leftover` is what a half-done creation left at the vendor (Onfido's
/// applicant when its workflow run was not made), null when nothing did.
pub(crate) fn creation_failed(error: &kyc::Error, output: Output) {
    match output {
        Output::Json => println!(
            "{}",
            json!({
                "error": error.kind().as_ref(),
                "message": error.to_string(),
                "attempts": attempts(error.attempts()),
                "leftover": leftover(error.leftover()),
            })
        ),
        // Every provider tried or passed over, and why, before the error line itself.
        Output::Text => {
            for attempt in error.attempts() {
                eprintln!("{}", attempt_line(attempt));
            }
        }
    }
}

/// One attempt, as the text output prints it.
fn attempt_line(attempt: &kyc::Attempt) -> String {
    match (&attempt.skipped, attempt.error) {
        (Some(feature), _) => {
            format!("attempt:    {} passed over (does not support {feature})", attempt.provider)
        }
        (None, Some(error)) => {
            let mut line = format!(
                "attempt:    {} failed ({error}); may have created a session: {}",
                attempt.provider, attempt.may_have_created_session
            );
            if let Some(leftover) = &attempt.leftover {
                line.push_str(&format!("; {leftover}"));
            }
            line
        }
        (None, None) => format!("attempt:    {} created it", attempt.provider),
    }
}

fn attempts(attempts: &[kyc::Attempt]) -> Value {
    attempts
        .iter()
        .map(|a| {
            json!({
                "provider": a.provider,
                "error": a.error.map(|kind| kind.as_ref().to_owned()),
                // Why it was passed over without a call; null for a provider that was called.
                "skipped": a.skipped.as_ref().map(ToString::to_string),
                "may_have_created_session": a.may_have_created_session,
                // What a half-done creation left at the vendor; null when nothing.
                "leftover": leftover(a.leftover.as_ref()),
            })
        })
        .collect()
}

/// What a creation in two calls left at the vendor: the record's kind in the vendor's word, its
/// id (the vendor's, not personal data) and what became of it (`deleted`, `kept` on purpose
/// because a session may exist for it, or `deletion_failed`: it remains, the message says why).
fn leftover(leftover: Option<&kyc::Leftover>) -> Value {
    let Some(leftover) = leftover else { return Value::Null };
    let state = match leftover.state() {
        kyc::LeftoverState::Deleted => "deleted",
        kyc::LeftoverState::Kept => "kept",
        kyc::LeftoverState::DeletionFailed { .. } => "deletion_failed",
        // A state a later library version adds: whether the record remains is still known.
        _ if leftover.remains() => "remains",
        _ => "deleted",
    };
    json!({ "resource": leftover.resource(), "id": leftover.id(), "state": state })
}

fn session_json(session: &kyc::Session) -> Value {
    json!({
        "provider": session.provider,
        "session_id": session.id,
        "url": session.url.as_str(),
        "client_id": session.client_id.as_str(),
        "expires_at": session.expires_at.map(|at| at.to_rfc3339()),
        "attempts": attempts(&session.attempts),
    })
}

/// A created session, or one the ledger had (`reused`: a replayed idempotency key, a live
/// session of the same request); in text, the link comes first so `| head -1` is the link.
pub(crate) fn session(session: &kyc::Session, reused: bool, output: Output) {
    match output {
        Output::Json => {
            let mut value = session_json(session);
            value["reused"] = json!(reused);
            println!("{value}");
        }
        Output::Text => {
            if reused {
                eprintln!(
                    "note: the ledger has this session already (created {}); nothing was bought \
                     (--new buys another)",
                    session.created_at.to_rfc3339()
                );
            }
            println!("{}", session.url);
            println!("provider:   {}", session.provider);
            println!("session id: {}", session.id);
            println!("client id:  {}", session.client_id);
            println!(
                "expires at: {}",
                session.expires_at.map_or("unknown".to_owned(), |at| at.to_rfc3339())
            );
            for attempt in &session.attempts {
                println!("{}", attempt_line(attempt));
            }
        }
    }
}

/// The note that what was learnt could not be recorded (it is printed all the same).
pub(crate) fn not_recorded(reason: &str) {
    eprintln!("note: not recorded in the ledger: {reason}");
}

/// The note that `session list --refresh` could not poll a session.
pub(crate) fn not_refreshed(provider: &str, session_id: &str, error: &kyc::Error) {
    eprintln!("note: {provider} session {session_id} not refreshed: {error}");
}

fn record_json(record: &kyc_ledger::SessionRecord) -> Value {
    json!({
        "provider": record.provider,
        "session_id": record.session_id,
        "kind": record.kind.as_ref(),
        "client_id": record.client_id,
        "status": record.status.as_ref(),
        "final": record.is_final,
        "created_at": record.created_at.to_rfc3339(),
        "expires_at": record.expires_at.map(|at| at.to_rfc3339()),
        "idempotency_key": record.idempotency_key,
        // The link is the person's bearer secret: whether it is kept, never what it is.
        "has_link": record.link.is_some(),
    })
}

/// The ledger's sessions, newest first: one JSON array, or a table.
pub(crate) fn sessions(records: &[kyc_ledger::SessionRecord], output: Output) {
    match output {
        Output::Json => {
            let all: Vec<Value> = records.iter().map(record_json).collect();
            println!("{}", Value::Array(all));
        }
        Output::Text => {
            println!(
                "{:<8} {:<38} {:<24} {:<23} {:<5} {:<25} EXPIRES",
                "PROVIDER", "SESSION", "CLIENT", "STATUS", "FINAL", "CREATED"
            );
            for r in records {
                println!(
                    "{:<8} {:<38} {:<24} {:<23} {:<5} {:<25} {}",
                    r.provider,
                    r.session_id,
                    r.client_id,
                    r.status.as_ref(),
                    if r.is_final { "yes" } else { "no" },
                    r.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    r.expires_at.map_or("-".to_owned(), |at| {
                        at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                    })
                );
            }
        }
    }
}

/// One session from the ledger, the attempts that created it and its events (their types and
/// statuses: the vendors' bodies are not kept).
pub(crate) fn session_record(
    record: &kyc_ledger::SessionRecord,
    events: &[kyc_ledger::EventRecord],
    output: Output,
) {
    let mut value = record_json(record);
    value["attempts"] = record
        .attempts
        .iter()
        .map(|a| {
            json!({
                "provider": a.provider, "error": a.error, "skipped": a.skipped,
                "may_have_created_session": a.may_have_created_session, "leftover": a.leftover,
            })
        })
        .collect();
    value["events"] = events
        .iter()
        .map(|e| {
            json!({
                "source": e.source, "event": e.event, "status": e.status.map(|s| s.as_ref().to_owned()),
                "vendor_status": e.vendor_status, "final": e.is_final,
                "occurred_at": e.occurred_at.to_rfc3339(),
            })
        })
        .collect();
    match output {
        Output::Json => println!("{value}"),
        Output::Text => {
            let keys = ["provider", "session_id", "kind", "client_id", "status", "final"];
            print_lines(&value, &keys);
            print_lines(&value, &["created_at", "expires_at", "idempotency_key", "has_link"]);
            for attempt in &record.attempts {
                let outcome = attempt.error.as_deref().unwrap_or("created");
                println!("attempt       {} {outcome}", attempt.provider);
            }
            for event in events {
                let what = event.event.as_deref().unwrap_or("-");
                let status: &str = event.status.map_or("-", |s| s.into());
                println!(
                    "event         {} {what} {status} ({})",
                    event.occurred_at.to_rfc3339(),
                    event.source
                );
            }
        }
    }
}

/// The note that the link went out by email (text output only: JSON output stays one object).
pub(crate) fn emailed(to: &str, output: Output) {
    if output == Output::Text {
        eprintln!("emailed the link to {to}");
    }
}

/// A decision as one JSON object, the same for webhooks and polling; `decided` tells a decision
/// from none yet without reading `status`, `notice` a vendor event that is no decision.
fn decision_json(decision: Option<&kyc::Decision>, provider: &str, session: &SessionRef) -> Value {
    match decision {
        Some(d) => json!({
            "decided": true,
            "notice": false,
            "provider": d.provider,
            "session_id": d.session_id,
            "kind": d.kind.as_ref(),
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
            "decided": false, "notice": false, "provider": provider, "session_id": session.id,
            "kind": session.kind.as_ref(), "client_id": null, "status": null,
            "vendor_status": null, "final": false, "reason_code": null, "reason": null,
            "event": null,
        }),
    }
}

/// The keys of a decision in text, in order.
const DECISION_KEYS: [&str; 8] = [
    "status",
    "final",
    "session_id",
    "client_id",
    "vendor_status",
    "reason_code",
    "reason",
    "event",
];

/// `value`'s `keys` as aligned lines, `-` for what is missing.
fn print_lines(value: &Value, keys: &[&str]) {
    for key in keys {
        let shown = match &value[*key] {
            Value::String(text) => text.clone(),
            Value::Null => "-".to_owned(),
            other => other.to_string(),
        };
        println!("{key:<14}{shown}");
    }
}

/// A poll's decision; `None` while the vendor has nothing to report about `session` at
/// `provider`.
pub(crate) fn decision(
    decision: Option<&kyc::Decision>,
    provider: &str,
    session: &SessionRef,
    output: Output,
) {
    let value = decision_json(decision, provider, session);
    match output {
        Output::Json => println!("{value}"),
        // What is known before a decision, rather than a column of dashes.
        Output::Text if decision.is_none() => {
            println!("{:<14}no decision yet", "status");
            println!("{:<14}{provider}", "provider");
            println!("{:<14}{}", "session_id", session.id);
        }
        Output::Text => print_lines(&value, &DECISION_KEYS),
    }
}

/// A verified webhook: a decision as a poll's, or a vendor event that is none (its type in
/// `event`, the rest of its body not printed: it may name the person).
pub(crate) fn webhook_event(event: &WebhookEvent, duplicate: bool, output: Output) {
    let mut value = match event {
        WebhookEvent::Decision(decision) => {
            decision_json(Some(decision), &decision.provider, &decision.session())
        }
        WebhookEvent::Notice(notice) => json!({
            "decided": false, "notice": true, "provider": notice.provider,
            "session_id": notice.session_id, "kind": notice.kind.as_ref(),
            "client_id": notice.client_id, "status": null, "vendor_status": null, "final": false,
            "reason_code": null, "reason": null, "event": notice.event,
        }),
        // A kind of event a later library version adds: its provider and type.
        other => json!({
            "decided": false, "notice": true, "provider": other.provider(),
            "session_id": other.session_id(), "event": other.event(),
        }),
    };
    // A redelivery the ledger recorded before: verified, and nothing new.
    value["duplicate"] = json!(duplicate);
    if duplicate && output == Output::Text {
        eprintln!("note: a duplicate: the ledger recorded this event before");
    }
    match (output, event) {
        (Output::Json, _) => println!("{value}"),
        (Output::Text, WebhookEvent::Decision(_)) => print_lines(&value, &DECISION_KEYS),
        (Output::Text, _) => {
            print_lines(&value, &["event", "session_id", "client_id", "provider"]);
            println!("{:<14}a vendor event, not a decision", "note");
        }
    }
}

/// A session whose data the vendor erased.
pub(crate) fn erased(provider: &str, session: &SessionRef, output: Output) {
    match output {
        Output::Json => println!(
            "{}",
            json!({
                "erased": true, "provider": provider, "session_id": session.id,
                "kind": session.kind.as_ref(),
            })
        ),
        Output::Text => println!("erased the data of {provider}'s {session}"),
    }
}

/// The compare table: one row a vendor.
pub(crate) fn comparison(rows: &[Comparison], output: Output) {
    match output {
        Output::Json => {
            let rows: Vec<Value> = rows
                .iter()
                .map(|(vendor, result, elapsed)| {
                    let latency_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
                    match result {
                        Ok(session) => json!({
                            "vendor": vendor,
                            "outcome": "created",
                            "latency_ms": latency_ms,
                            "session_id": session.id,
                            "url": session.url.as_str(),
                        }),
                        Err(error) => json!({
                            "vendor": vendor,
                            "outcome": error.kind().as_ref(),
                            "latency_ms": latency_ms,
                            "message": error.to_string(),
                            "leftover": leftover(error.leftover()),
                        }),
                    }
                })
                .collect();
            println!("{}", Value::Array(rows));
        }
        Output::Text => {
            println!(
                "{:<8} {:<16} {:>8}  {:<38} url",
                "vendor", "outcome", "latency", "session id"
            );
            for (vendor, result, elapsed) in rows {
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
}

/// The note that no credentials are set, so the commands talk to a private emulator, whose
/// links stop working when the command ends.
pub(crate) fn using_the_emulator(address: SocketAddr) {
    eprintln!("note: no vendor credentials set; using the built-in emulator at http://{address}");
    eprintln!(
        "note: its links work only while this command runs; to keep an emulator running, \
         {KEEP_AN_EMULATOR}"
    );
}

/// `kyc serve`'s first line on standard error: where it listens (scripts read the address).
pub(crate) fn serving(address: SocketAddr) {
    eprintln!("kyc serve: listening on http://{address}");
}

/// `kyc serve` on the built-in emulator: its sessions live as long as the server.
pub(crate) fn serving_the_emulator(address: SocketAddr) {
    eprintln!(
        "kyc serve: no vendor credentials set: every vendor runs on the built-in emulator at \
         http://{address} (its sessions, and the ledger's, last as long as this server)"
    );
}

/// The console password `kyc serve` made, shown this once (it is kept only as a hash).
pub(crate) fn console_password(password: &str, variable: &str) {
    eprintln!(
        "kyc serve: console password (generated, shown once; set {variable} to choose it): {password}"
    );
}

/// A vendor whose webhooks `kyc serve` cannot verify (no secret configured): refused with 503.
pub(crate) fn webhooks_not_received(vendor: &str, error: &kyc::Error) {
    eprintln!("kyc serve: {vendor} webhooks are not received: {error}");
}

/// `kyc serve` was asked to stop.
pub(crate) fn serve_stopping() {
    eprintln!("kyc serve: stopping once the requests in flight have finished");
}

/// A vendor's comparison call that never came back (its task panicked).
pub(crate) fn lost_a_vendor() {
    eprintln!("error: one vendor's call failed inside this command; its row is missing");
}

/// One note a field of the vendor options the adapter does not know: named, never its value.
pub(crate) fn unknown_options(fields: &[String]) {
    for field in fields {
        eprintln!("note: {field} is not an option this version knows; it is sent as is");
    }
}

/// `kyc emulator`'s banner: where it listens, and the variables that point a client at it.
/// Made-up local credentials: printing them is the point.
pub(crate) fn emulator_listening(address: SocketAddr, vars: &[(&str, String)]) {
    println!("kyc emulator listening on http://{address}");
    for (name, value) in vars {
        println!("{name}={value}");
    }
}

#[cfg(test)]
mod tests {
    use kyc::{Leftover, LeftoverState};
    use kyc_adapter::ErrorExt;

    use super::*;

    #[test]
    fn a_leftover_is_named_with_what_became_of_it() {
        assert_eq!(leftover(None), Value::Null);
        let kept = kyc::Error::timeout("onfido", true).with_leftover(Leftover::new(
            "applicant",
            "a-1",
            LeftoverState::Kept,
        ));
        assert_eq!(
            leftover(kept.leftover()),
            json!({"resource": "applicant", "id": "a-1", "state": "kept"})
        );
        let deletion = kyc::Error::unavailable("onfido", 503);
        let failed = kyc::Error::rejected("onfido", 404).with_leftover(Leftover::new(
            "applicant",
            "a-2",
            LeftoverState::deletion_failed(&deletion),
        ));
        assert_eq!(leftover(failed.leftover())["state"], "deletion_failed");
        let deleted = kyc::Error::rejected("onfido", 404).with_leftover(Leftover::new(
            "applicant",
            "a-3",
            LeftoverState::Deleted,
        ));
        assert_eq!(leftover(deleted.leftover())["state"], "deleted");
    }
}
