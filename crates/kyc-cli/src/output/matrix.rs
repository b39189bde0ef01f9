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
        rows.push((label("erasure"), each(&|c| yes(c.erasure))));
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
    if caps.required.contains(&field) {
        notes.push("required".into());
    }
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

/// The widest a vendor's column gets in text, in characters: two columns and the labels fit
/// in a terminal of 100.
const CELL_WIDTH: usize = 34;

/// The matrix as aligned text columns; a cell longer than its column wraps onto the next
/// lines (at ", " or a space), so no cell runs into the next column.
fn text(vendors: &[Column]) -> String {
    let rows = rows(vendors);
    let label_width = rows.iter().map(|(what, _)| chars(what)).max().unwrap_or(0);
    // Each column as wide as its longest cell, up to CELL_WIDTH (its name never wraps).
    let widths: Vec<usize> = vendors
        .iter()
        .enumerate()
        .map(|(at, (vendor, _))| {
            let longest = rows.iter().map(|(_, values)| chars(&values[at])).max().unwrap_or(0);
            longest.min(CELL_WIDTH).max(chars(vendor.display_name))
        })
        .collect();
    let header: Vec<Vec<String>> =
        vendors.iter().map(|(vendor, _)| vec![vendor.display_name.to_owned()]).collect();
    let mut out = lines("", &header, label_width, &widths);
    for (what, values) in &rows {
        let cells: Vec<Vec<String>> =
            values.iter().zip(&widths).map(|(value, width)| wrap(value, *width)).collect();
        out.push_str(&lines(what, &cells, label_width, &widths));
    }
    out
}

/// One row of the text table: as many lines as its tallest cell, the label on the first.
fn lines(label: &str, cells: &[Vec<String>], label_width: usize, widths: &[usize]) -> String {
    let height = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let mut out = String::new();
    for line in 0..height {
        let label = if line == 0 { label } else { "" };
        let mut text = format!("{label:label_width$}");
        for (cell, width) in cells.iter().zip(widths) {
            let part = cell.get(line).map_or("", String::as_str);
            text.push_str(&format!("  {part:width$}"));
        }
        out.push_str(text.trim_end());
        out.push('\n');
    }
    out
}

/// `text` in lines of at most `width` characters, broken after ", " or a space (the break
/// itself dropped); a word longer than a line is cut.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_inclusive(' ') {
        // `line` ends with the space it would be joined with.
        if !line.is_empty() && chars(&line) + chars(word.trim_end()) > width {
            lines.push(line.trim_end().to_owned());
            line.clear();
        }
        line.push_str(word);
        while chars(line.trim_end()) > width {
            let rest: String = line.chars().skip(width).collect();
            lines.push(line.chars().take(width).collect());
            line = rest;
        }
    }
    if !line.trim_end().is_empty() || lines.is_empty() {
        lines.push(line.trim_end().to_owned());
    }
    lines
}

/// Width as a terminal counts it, near enough: characters, not bytes ("—" is three bytes).
fn chars(text: &str) -> usize {
    text.chars().count()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vendors::VENDORS;

    #[test]
    fn cells_wrap_at_commas_and_spaces_within_their_width() {
        assert_eq!(wrap("yes", 10), ["yes"]);
        assert_eq!(wrap("", 10), [""]);
        assert_eq!(wrap("passport, id_card, visa", 18), ["passport, id_card,", "visa"]);
        assert_eq!(wrap("passport, id_card, visa", 17), ["passport,", "id_card, visa"]);
        assert_eq!(wrap("1 min to 1 h", 12), ["1 min to 1 h"]);
        assert_eq!(wrap("a_very_long_word x", 6), ["a_very", "_long_", "word x"]);
        for width in 1..30 {
            for line in wrap("—, document_and_selfie, document_only (at most 1)", width) {
                assert!(chars(&line) <= width, "{line:?} is wider than {width}");
            }
        }
    }

    /// The text table read back: each row's label and cells, a wrapped cell's lines joined.
    fn read_back(table: &str, label_width: usize, widths: &[usize]) -> Vec<(String, Vec<String>)> {
        let mut rows: Vec<(String, Vec<String>)> = Vec::new();
        for line in table.lines().skip(1) {
            let line: Vec<char> = line.chars().collect();
            let part = |from: usize, width: usize| -> String {
                line.iter().skip(from).take(width).collect::<String>().trim().to_owned()
            };
            let label = part(0, label_width);
            let mut at = label_width;
            let mut cells = Vec::new();
            for width in widths {
                // Two spaces before every column: nothing runs into it.
                assert_eq!(part(at, 2), "", "a cell runs into the next column: {line:?}");
                cells.push(part(at + 2, *width));
                at += 2 + width;
            }
            assert!(line.len() <= at, "wider than the table: {line:?}");
            match label.is_empty() {
                false => rows.push((label, cells)),
                true => {
                    let (_, row) = rows.last_mut().expect("a row before its continuation");
                    for (cell, more) in row.iter_mut().zip(cells) {
                        if !more.is_empty() {
                            cell.push(' ');
                            cell.push_str(&more);
                        }
                    }
                }
            }
        }
        rows
    }

    #[test]
    fn the_text_table_never_runs_columns_together_and_loses_nothing() {
        let columns: Vec<Column> =
            VENDORS.iter().map(|vendor| (vendor, (vendor.capabilities)())).collect();
        let table = text(&columns);
        let expected = rows(&columns);
        assert!(
            expected.iter().any(|(_, values)| values.iter().any(|v| chars(v) > CELL_WIDTH)),
            "no cell is long enough to wrap: this test checks nothing"
        );
        let label_width = expected.iter().map(|(what, _)| chars(what)).max().unwrap();
        let widths: Vec<usize> = columns
            .iter()
            .enumerate()
            .map(|(at, (vendor, _))| {
                let longest = expected.iter().map(|(_, v)| chars(&v[at])).max().unwrap();
                longest.min(CELL_WIDTH).max(chars(vendor.display_name))
            })
            .collect();
        assert!(widths.iter().all(|width| *width <= CELL_WIDTH));
        assert_eq!(read_back(&table, label_width, &widths), expected, "{table}");
    }
}
