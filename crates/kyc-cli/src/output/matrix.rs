//! The capability table of `kyc providers`: every vendor's declared capabilities side by side,
//! read from the adapters' own tables (so it cannot drift from what they do), as text, JSON or
//! the Markdown table the README carries.

use std::time::Duration;

use kyc::{Capabilities, Field, KindCapabilities, VerificationKind};
use serde_json::{Value, json};
use strum::IntoEnumIterator;

use crate::args::MatrixOutput;
use crate::vendors::Vendor;

/// One column: a vendor and what it declares.
pub(crate) type Column = (&'static Vendor, Capabilities);

/// The table in `output`'s format.
pub(crate) fn print(columns: &[Column], output: MatrixOutput) {
    match output {
        MatrixOutput::Text => print!("{}", text(columns)),
        MatrixOutput::Markdown => print!("{}", markdown(columns)),
        MatrixOutput::Json => println!("{}", json(columns)),
    }
}

/// One row: what is compared, then each vendor's answer.
fn rows(vendors: &[Column]) -> Vec<(String, Vec<String>)> {
    let mut rows = Vec::new();
    for kind in [VerificationKind::Identity, VerificationKind::Business] {
        let label = |what: &str| match kind {
            VerificationKind::Business => format!("KYB: {what}"),
            _ => what.to_owned(),
        };
        let each = |f: &dyn Fn(&KindCapabilities) -> String| {
            vendors.iter().map(|(_, caps)| caps.for_kind(kind).map_or("—".to_owned(), f)).collect()
        };
        let offered = vendors.iter().map(|(_, caps)| yes(caps.for_kind(kind).is_some())).collect();
        rows.push((format!("{kind} verification"), offered));
        rows.push((
            label("flows"),
            each(&|c| list(c.flows.iter().map(ToString::to_string), c.supports(Field::Flow))),
        ));
        rows.push((
            label("document types"),
            each(&|c| {
                let max = c
                    .max_document_types
                    .map_or(String::new(), |m| format!(" (at most {m} a request)"));
                format!(
                    "{}{max}",
                    list(
                        c.document_types.iter().map(ToString::to_string),
                        c.supports(Field::DocumentTypes)
                    )
                )
            }),
        ));
        rows.push((
            label("UI languages"),
            each(&|c| {
                if c.supports(Field::Locale) { c.locales.len().to_string() } else { "no".into() }
            }),
        ));
        rows.push((label("link validity"), each(&|c| range(&c.link_validity))));
        rows.push((label("session duration"), each(&|c| range(&c.session_duration))));
        rows.push((
            label("tags"),
            each(&|c| {
                if c.supports(Field::Tags) { format!("up to {}", c.max_tags) } else { "no".into() }
            }),
        ));
        for field in Field::iter() {
            if matches!(
                field,
                Field::ClientId
                    | Field::Flow
                    | Field::DocumentTypes
                    | Field::Locale
                    | Field::Tags
                    | Field::LinkValidity
                    | Field::SessionDuration
            ) {
                continue;
            }
            rows.push((label(field.as_ref()), each(&|c| describe(c, field))));
        }
        rows.push((label("clientId"), each(&|c| describe(c, Field::ClientId))));
    }
    rows
}

fn describe(caps: &KindCapabilities, field: Field) -> String {
    if !caps.supports(field) {
        return "no".into();
    }
    let mut notes = Vec::new();
    if let Some(max) = caps.max_chars.get(&field) {
        notes.push(format!("max {max}"));
    }
    if caps.ascii_only.contains(&field) {
        notes.push("ASCII".into());
    }
    if caps.https_only.contains(&field) {
        notes.push("https".into());
    }
    match notes.is_empty() {
        true => "yes".into(),
        false => format!("yes ({})", notes.join(", ")),
    }
}

fn yes(value: bool) -> String {
    if value { "yes".into() } else { "no".into() }
}

fn list(items: impl Iterator<Item = String>, supported: bool) -> String {
    if !supported {
        return "no".into();
    }
    let items: Vec<String> = items.collect();
    items.join(", ")
}

fn range(range: &Option<std::ops::RangeInclusive<Duration>>) -> String {
    match range {
        None => "not settable".into(),
        Some(r) if r.start() == r.end() => format!("fixed {}", human(*r.start())),
        Some(r) => format!("{} to {}", human(*r.start()), human(*r.end())),
    }
}

fn human(duration: Duration) -> String {
    let seconds = duration.as_secs();
    match seconds {
        s if s % 86_400 == 0 => format!("{} d", s / 86_400),
        s if s % 3600 == 0 => format!("{} h", s / 3600),
        s if s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

/// The matrix as a Markdown table (the README's).
fn markdown(vendors: &[Column]) -> String {
    let names: Vec<&str> = vendors.iter().map(|(vendor, _)| vendor.display_name).collect();
    let mut out = format!("| | {} |\n|---|{}\n", names.join(" | "), "---|".repeat(names.len()));
    for (what, values) in rows(vendors) {
        out.push_str(&format!("| {what} | {} |\n", values.join(" | ")));
    }
    out
}

/// The matrix as aligned text columns.
fn text(vendors: &[Column]) -> String {
    let rows = rows(vendors);
    let width = rows.iter().map(|(what, _)| what.len()).max().unwrap_or(0);
    let mut out = format!(
        "{:width$}  {}\n",
        "",
        vendors
            .iter()
            .map(|(vendor, _)| format!("{:<40}", vendor.display_name))
            .collect::<String>()
            .trim_end()
    );
    for (what, values) in rows {
        let cells: String = values.iter().map(|v| format!("{v:<40}")).collect();
        out.push_str(&format!("{what:width$}  {}\n", cells.trim_end()));
    }
    out
}

/// The matrix as JSON: one object a row, keyed by the vendors' command-line names.
fn json(vendors: &[Column]) -> Value {
    let rows: Vec<Value> = rows(vendors)
        .into_iter()
        .map(|(what, values)| {
            let mut row = serde_json::Map::new();
            row.insert("capability".into(), json!(what));
            for ((vendor, _), value) in vendors.iter().zip(values) {
                row.insert(vendor.name.to_owned(), json!(value));
            }
            Value::Object(row)
        })
        .collect();
    Value::Array(rows)
}
