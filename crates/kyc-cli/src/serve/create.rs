//! The console's creation form: one input per flag of `kyc session create`, named as the flag
//! is without its dashes, and parsed by the very same parser (clap's, then
//! [`RequestArgs::to_request`](crate::args::RequestArgs::to_request), then the library's
//! validation, then the email's checks), so the form accepts and refuses exactly what the
//! command does, and each refusal is shown beside the input it names.
//!
//! Left out: `--request FILE.json` and `--template FILE` (paths on the server's disk are no
//! operator's input in a browser), `--output` (the page is the output).

use std::collections::BTreeMap;

use clap::Parser;
use clap::error::{ContextKind, ContextValue};
use kyc::{DocumentType, SessionRequest};
use strum::IntoEnumIterator;

use super::form::FormData;
use crate::args::{self, Cli, Command, CreateArgs, SessionCommand};
use crate::email::{self, Outgoing};
use crate::exit::Failure;

/// How an input is shown and turned into flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Input {
    Text,
    Date,
    Email,
    Url,
    /// A box: the flag, alone, when ticked.
    Check,
    /// One of these values (the first, empty, means none).
    Choice(&'static [&'static str]),
    /// Several values, comma-separated in one input: the flag once per value.
    List,
    /// Several of the document types, chosen in a list.
    DocumentTypes,
}

/// One input of the form.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FormField {
    /// Its flag without the dashes, and its input's name.
    pub(crate) name: &'static str,
    pub(crate) label: &'static str,
    pub(crate) input: Input,
    pub(crate) hint: &'static str,
}

const fn field(
    name: &'static str,
    label: &'static str,
    input: Input,
    hint: &'static str,
) -> FormField {
    FormField { name, label, input, hint }
}

/// The form's sections and their inputs, in order.
pub(crate) const SECTIONS: &[(&str, &[FormField])] = &[
    (
        "Session",
        &[
            field(
                "client-id",
                "Client id",
                Input::Text,
                "your id for the person or company (required)",
            ),
            field(
                "provider",
                "Vendors",
                Input::List,
                "in failover order, comma-separated (default: every one configured)",
            ),
            field("link-validity", "Link valid for", Input::Text, "seconds, or 90m, 12h, 7d"),
            field(
                "session-duration",
                "Session duration",
                Input::Text,
                "once started: seconds, or 90m, 12h, 7d",
            ),
            field("locale", "Language", Input::Text, "ISO 639-1: en, lt, ..."),
            field("flow", "Flow", Input::Choice(&["", "document_and_selfie", "document_only"]), ""),
            field("external-ref", "Your reference", Input::Text, ""),
            field("tag", "Tags", Input::List, "comma-separated"),
            field(
                "idempotency-key",
                "Idempotency key",
                Input::Text,
                "creates the session at most once for this key",
            ),
            field(
                "new",
                "Buy a new session even if a live one exists for the same request",
                Input::Check,
                "",
            ),
        ],
    ),
    (
        "Person",
        &[
            field("first-name", "Given names", Input::Text, ""),
            field("last-name", "Family names", Input::Text, ""),
            field("date-of-birth", "Date of birth", Input::Date, ""),
            field("sex", "Sex", Input::Choice(&["", "male", "female"]), "as on the document"),
            field("nationality", "Nationality", Input::Text, "ISO 3166-1 alpha-2: LT, DE, ..."),
            field("personal-number", "Personal number", Input::Text, ""),
            field("address", "Address", Input::Text, "on one line"),
            field(
                "person-email",
                "The person's email",
                Input::Email,
                "for the vendor (where the link goes is below)",
            ),
            field("person-phone", "The person's phone", Input::Text, ""),
        ],
    ),
    (
        "Document",
        &[
            field("document-type", "Accepted documents", Input::DocumentTypes, "none chosen: any"),
            field("document-country", "Issuing country", Input::Text, "ISO 3166-1 alpha-2"),
            field("document-number", "Document number", Input::Text, ""),
            field("document-issue-date", "Date of issue", Input::Date, ""),
            field("document-expiry-date", "Date of expiry", Input::Date, ""),
        ],
    ),
    (
        "Redirects and webhook",
        &[
            field("success-url", "After a success", Input::Url, ""),
            field("failure-url", "After a failure", Input::Url, ""),
            field("cancel-url", "After giving up", Input::Url, ""),
            field(
                "webhook-url",
                "Webhook URL",
                Input::Url,
                "default: the vendor's configured one (this server's when on the emulator)",
            ),
        ],
    ),
    (
        "Company (KYB)",
        &[
            field("business", "Verify a company instead of a person", Input::Check, ""),
            field("workflow", "iDenfy workflow id", Input::Text, ""),
            field("theme", "iDenfy theme id", Input::Text, ""),
            field(
                "scan-ref",
                "iDenfy verifications to link",
                Input::List,
                "comma-separated scanRefs",
            ),
        ],
    ),
    (
        "Vendor options",
        &[
            field("idenfy-check-aml", "iDenfy: screen against AML lists", Input::Check, ""),
            field("veriff-end-user-id", "Veriff end user id", Input::Text, "a UUID"),
        ],
    ),
    (
        "Email the link",
        &[
            field("email", "Send the link to", Input::Email, "optional; needs SMTP_URL"),
            field("cc", "Copy to", Input::List, "comma-separated, up to 8"),
            field("subject", "Subject", Input::Text, "default: Please verify your identity"),
        ],
    ),
];

/// The document types offered.
pub(crate) fn document_types() -> impl Iterator<Item = &'static str> {
    DocumentType::iter().map(<&'static str>::from)
}

/// The flows offered (checked against the library's, so a new flow fails a test).
#[cfg(test)]
fn flows() -> Vec<&'static str> {
    kyc::Flow::iter().map(<&'static str>::from).collect()
}

/// What the form asked for, checked as `kyc session create` checks it.
pub(crate) struct Checked {
    pub(crate) args: CreateArgs,
    pub(crate) request: SessionRequest,
    pub(crate) email: Option<Outgoing>,
}

/// What is wrong with a submitted form: each message under the input it is about (`""` for
/// the form as a whole).
pub(crate) type Errors = BTreeMap<&'static str, Vec<String>>;

/// The command line the form stands for.
fn command_line(form: &FormData) -> Vec<String> {
    let mut line = vec!["kyc".to_owned(), "session".to_owned(), "create".to_owned()];
    for field in SECTIONS.iter().flat_map(|(_, fields)| fields.iter()) {
        let flag = format!("--{}", field.name);
        let values = form.fields().filter(|(name, _)| *name == field.name).map(|(_, value)| value);
        // `--flag=value`, so a value starting with `-` is a value; an input left blank is a
        // flag not given; a value is passed as typed, for the command's rules to judge.
        for value in values.filter(|value| !value.trim().is_empty()) {
            match field.input {
                Input::Check => line.push(flag.clone()),
                Input::List => {
                    for item in value.split(',').map(str::trim).filter(|item| !item.is_empty()) {
                        line.push(format!("{flag}={item}"));
                    }
                }
                _ => line.push(format!("{flag}={value}")),
            }
        }
    }
    line
}

/// Checks the form, as the command checks its flags: nothing is sent anywhere.
pub(crate) fn check(form: &FormData) -> Result<Checked, Errors> {
    let mut errors = Errors::new();
    let cli = match Cli::try_parse_from(command_line(form)) {
        Ok(cli) => cli,
        Err(error) => {
            errors.entry(clap_input(&error)).or_default().push(clap_message(&error));
            return Err(errors);
        }
    };
    let Command::Session(SessionCommand::Create(args)) = cli.command else {
        unreachable!("the command line is always `kyc session create`")
    };
    let request = args.request.to_request().and_then(|request| {
        request.validate()?;
        Ok(request)
    });
    let request = match request {
        Ok(request) => Some(request),
        Err(failure) => {
            add_failure(&mut errors, &failure);
            None
        }
    };
    let email = email::prepare(&args.email).map_err(|failure| add_failure(&mut errors, &failure));
    match (request, email) {
        (Some(request), Ok(email)) if errors.is_empty() => {
            Ok(Checked { args: *args, request, email })
        }
        _ => Err(errors),
    }
}

/// The input a flag names (`--first-name` or `--first-name <FIRST_NAME>`).
fn input_named(flag: &str) -> Option<&'static str> {
    let name = flag.trim_start_matches('-').split_whitespace().next()?;
    SECTIONS.iter().flat_map(|(_, fields)| fields.iter()).find(|f| f.name == name).map(|f| f.name)
}

fn clap_input(error: &clap::Error) -> &'static str {
    match error.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(flag)) => input_named(flag).unwrap_or(""),
        Some(ContextValue::Strings(flags)) => {
            flags.first().and_then(|flag| input_named(flag)).unwrap_or("")
        }
        _ => "",
    }
}

/// clap's refusal, worded as the command words it (never repeating the value: it may be a
/// date of birth).
fn clap_message(error: &clap::Error) -> String {
    match args::refusal(error) {
        Err(Failure::Input(message)) => message,
        _ => "invalid input".to_owned(),
    }
}

/// A refusal from the request's or the email's checks, beside the input it names.
fn add_failure(errors: &mut Errors, failure: &Failure) {
    match failure {
        Failure::Kyc(error) if !error.invalid_fields().is_empty() => {
            for field in error.invalid_fields() {
                // `tags[1]` is the tags' input.
                let path = field.field().split('[').next().unwrap_or_default();
                match args::flag_of(path).and_then(input_named) {
                    Some(input) => errors.entry(input).or_default().push(field.rule().to_owned()),
                    // No input sets it: the whole form's, naming the field.
                    None => errors.entry("").or_default().push(field.to_string()),
                }
            }
        }
        Failure::Input(message) | Failure::Config(message) => {
            // The email's checks name their flag first (`--cc: at most 8 addresses`); SMTP's
            // configuration is the email's.
            let message = message.strip_prefix("invalid request: ").unwrap_or(message);
            let (input, rule) = match message.split_once(": ") {
                Some((flag, rule)) if input_named(flag).is_some() => (input_named(flag), rule),
                _ if message.contains("SMTP") => (Some("email"), message),
                _ => (None, message),
            };
            errors.entry(input.unwrap_or("")).or_default().push(rule.to_owned());
        }
        other => {
            let message = match other {
                Failure::Kyc(error) => error.to_string(),
                _ => "invalid input".to_owned(),
            };
            errors.entry("").or_default().push(message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(fields: &[(&str, &str)]) -> FormData {
        let body: String =
            url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        FormData::parse(body.as_bytes())
    }

    #[test]
    fn every_input_is_a_flag_of_session_create() {
        use clap::CommandFactory;
        let mut cli = Cli::command();
        let create =
            cli.find_subcommand_mut("session").unwrap().find_subcommand_mut("create").unwrap();
        let flags: Vec<String> =
            create.get_arguments().filter_map(|arg| arg.get_long().map(str::to_owned)).collect();
        for field in SECTIONS.iter().flat_map(|(_, fields)| fields.iter()) {
            assert!(flags.contains(&field.name.to_owned()), "--{} is not a flag", field.name);
        }
        // And every flag of the request is an input, but for the server's paths and the output.
        for flag in &flags {
            let left_out = ["request", "template", "output", "smtp-url", "smtp-from", "help"];
            assert!(
                left_out.contains(&flag.as_str()) || input_named(flag).is_some(),
                "--{flag} has no input"
            );
        }
        assert_eq!(
            flows(),
            ["document_and_selfie", "document_only"],
            "the flow choice lists every flow"
        );
    }

    #[test]
    fn a_valid_form_is_the_command_s_request() {
        let checked = check(&form(&[
            ("csrf", "x"),
            ("client-id", "u1"),
            ("first-name", "Jonas"),
            ("date-of-birth", "1990-05-15"),
            ("document-type", "passport"),
            ("document-type", "id_card"),
            ("tag", "vip, new"),
            ("provider", "veriff, idenfy"),
            ("last-name", "-Jonaitis"),
            ("new", "on"),
            ("business", ""),
        ]))
        .unwrap_or_else(|errors| panic!("{errors:?}"));
        let request = checked.request;
        assert_eq!(request.client_id.as_str(), "u1");
        assert_eq!(request.person.first_name.as_deref(), Some("Jonas"));
        assert_eq!(request.person.last_name.as_deref(), Some("-Jonaitis"));
        assert_eq!(request.document.types.len(), 2);
        assert_eq!(request.tags, ["vip", "new"]);
        assert_eq!(request.kind, kyc::VerificationKind::Identity);
        assert!(checked.args.new);
        let names: Vec<&str> = checked.args.provider.iter().map(|v| v.name).collect();
        assert_eq!(names, ["veriff", "idenfy"]);
        assert!(checked.email.is_none());
    }

    #[test]
    fn each_refusal_stands_beside_its_input_without_the_value() {
        let errors =
            check(&form(&[("client-id", "u1"), ("date-of-birth", "15/05/1990")])).err().unwrap();
        assert_eq!(errors.keys().copied().collect::<Vec<_>>(), ["date-of-birth"]);
        assert!(!errors["date-of-birth"][0].contains("1990"), "{errors:?}");

        let errors = check(&form(&[("first-name", "Jonas")])).err().unwrap();
        assert!(errors["client-id"][0].contains("required"), "{errors:?}");

        let errors = check(&form(&[
            ("client-id", "u1"),
            ("veriff-end-user-id", "user-7"),
            ("business", "on"),
            ("theme", "dark"),
        ]))
        .err()
        .unwrap();
        assert_eq!(errors["veriff-end-user-id"], ["must be a UUID"], "{errors:?}");
        assert_eq!(errors["theme"], ["must be a UUID"], "{errors:?}");

        let errors =
            check(&form(&[("client-id", "u1"), ("email", "not an address")])).err().unwrap();
        assert_eq!(errors["email"], ["not an email address"]);
        let errors = check(&form(&[("client-id", "u1"), ("provider", "acme")])).err().unwrap();
        assert!(errors["provider"][0].contains("idenfy"), "{errors:?}");
        // As the command: a value is taken as typed, spaces and leading dashes included.
        let errors = check(&form(&[("client-id", " u1 ")])).err().unwrap();
        assert!(errors["client-id"][0].contains("whitespace"), "{errors:?}");
        let errors = check(&form(&[("client-id", "u1"), ("cc", "boss@example.org")]));
        assert!(errors.err().unwrap()["email"][0].contains("--email"));
        let errors = check(&form(&[("client-id", "u1"), ("tag", &"t".repeat(300))])).err().unwrap();
        assert_eq!(errors.keys().copied().collect::<Vec<_>>(), ["tag"], "{errors:?}");
    }
}
