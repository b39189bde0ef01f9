//! The command line: subcommands, and the request flags turned into a `SessionRequest`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use kyc::{
    ClientId, CountryCode, DocumentType, Flow, Locale, SessionRequest, Sex, VerificationKind,
};
use serde_json::{Value, json};
use url::Url;

/// Identity-verification links from a terminal, on iDenfy, Veriff or both.
///
/// Credentials and endpoints come from the environment only: IDENFY_API_KEY,
/// IDENFY_API_SECRET, IDENFY_BASE_URL, VERIFF_API_KEY, VERIFF_SHARED_SECRET, VERIFF_BASE_URL.
/// With none set, a built-in emulator serves both vendors.
#[derive(Debug, Parser)]
#[command(name = "kyc", version, about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Verification sessions.
    #[command(subcommand)]
    Session(SessionCommand),
    /// What each vendor can honour, side by side.
    Providers {
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        output: MatrixOutput,
    },
    /// Creates the same session on every configured vendor at once and compares the answers.
    Compare {
        #[command(flatten)]
        request: Box<RequestArgs>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        output: Output,
    },
    /// Webhooks from the vendors.
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Runs the emulator of both vendors in the foreground.
    Emulator {
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum SessionCommand {
    /// Creates a verification session and prints its link (emailed with --email).
    Create(Box<CreateArgs>),
    /// Asks a vendor where a session stands.
    Status {
        /// The vendor.
        #[arg(long, value_enum)]
        provider: ProviderName,
        /// The vendor's session id (iDenfy scanRef, Veriff verification id).
        #[arg(long)]
        session_id: String,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        output: Output,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum WebhookCommand {
    /// Verifies a webhook's signature and prints the normalized result. Keys come from
    /// VERIFF_SHARED_SECRET and IDENFY_WEBHOOK_KEY (several, comma-separated, for rotation).
    Verify {
        /// The vendor that sent it.
        #[arg(long, value_enum)]
        provider: ProviderName,
        /// A header as received, `Name: value` (repeatable).
        #[arg(long = "header")]
        headers: Vec<String>,
        /// The raw body (default: standard input).
        #[arg(long)]
        body: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        output: Output,
    },
}

#[derive(Debug, Args)]
pub(crate) struct CreateArgs {
    /// The vendors to use, in failover order (default: those with credentials set).
    #[arg(long, value_delimiter = ',', value_enum)]
    pub(crate) provider: Vec<ProviderName>,
    #[command(flatten)]
    pub(crate) request: RequestArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) output: Output,
    #[command(flatten)]
    pub(crate) email: EmailArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ProviderName {
    Idenfy,
    Veriff,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Output {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum MatrixOutput {
    Text,
    Json,
    Markdown,
}

/// The email the link goes out in (SMTP server from `SMTP_URL`, sender from `SMTP_FROM`).
#[derive(Debug, Args)]
pub(crate) struct EmailArgs {
    /// Emails the link to this address.
    #[arg(long)]
    pub(crate) email: Option<String>,
    /// Copies the email to this address (repeatable, up to 8).
    #[arg(long, requires = "email")]
    pub(crate) cc: Vec<String>,
    /// The email's subject.
    #[arg(long, requires = "email", default_value = "Please verify your identity")]
    pub(crate) subject: String,
    /// The email's text; must contain {{session_url}}.
    #[arg(long, requires = "email")]
    pub(crate) template: Option<PathBuf>,
}

/// The session request, as flags (or a JSON file they override).
#[derive(Debug, Args)]
pub(crate) struct RequestArgs {
    /// A request in the library's JSON shape; flags override its fields.
    #[arg(long, value_name = "FILE.json")]
    pub(crate) request: Option<PathBuf>,
    /// Your id for the person or company (required unless in --request).
    #[arg(long)]
    pub(crate) client_id: Option<String>,
    /// Given name(s).
    #[arg(long)]
    pub(crate) first_name: Option<String>,
    /// Family name(s).
    #[arg(long)]
    pub(crate) last_name: Option<String>,
    /// Date of birth, YYYY-MM-DD.
    #[arg(long)]
    pub(crate) date_of_birth: Option<chrono::NaiveDate>,
    /// Sex as on the document (male, female, M, F).
    #[arg(long)]
    pub(crate) sex: Option<Sex>,
    /// Nationality, ISO 3166-1 alpha-2.
    #[arg(long)]
    pub(crate) nationality: Option<CountryCode>,
    /// National identification number.
    #[arg(long)]
    pub(crate) personal_number: Option<String>,
    /// Postal address on one line.
    #[arg(long)]
    pub(crate) address: Option<String>,
    /// An accepted document type (repeatable): passport, id_card, driver_license, ...
    #[arg(long)]
    pub(crate) document_type: Vec<DocumentType>,
    /// The document's issuing country, ISO 3166-1 alpha-2.
    #[arg(long)]
    pub(crate) document_country: Option<CountryCode>,
    /// The expected document number.
    #[arg(long)]
    pub(crate) document_number: Option<String>,
    /// The UI language (ISO 639-1: en, lt, ...).
    #[arg(long)]
    pub(crate) locale: Option<Locale>,
    /// identity (document and selfie) or document (document only).
    #[arg(long)]
    pub(crate) flow: Option<Flow>,
    /// Where the person goes after a success.
    #[arg(long)]
    pub(crate) success_url: Option<Url>,
    /// Where the person goes after a failure.
    #[arg(long)]
    pub(crate) failure_url: Option<Url>,
    /// Where the person goes after giving up.
    #[arg(long)]
    pub(crate) cancel_url: Option<Url>,
    /// Where this session's results are posted.
    #[arg(long)]
    pub(crate) webhook_url: Option<Url>,
    /// How long the link stays valid: seconds, or 90m, 12h, 7d.
    #[arg(long, value_parser = parse_duration)]
    pub(crate) link_validity: Option<Duration>,
    /// How long the person has once started: seconds, or 90m, 12h, 7d.
    #[arg(long, value_parser = parse_duration)]
    pub(crate) session_duration: Option<Duration>,
    /// Your own reference.
    #[arg(long)]
    pub(crate) external_ref: Option<String>,
    /// A tag (repeatable).
    #[arg(long)]
    pub(crate) tag: Vec<String>,
    /// Verifies a company (KYB) instead of a person.
    #[arg(long)]
    pub(crate) business: bool,
    /// iDenfy KYB: the dashboard workflow id (its `flow`).
    #[arg(long)]
    pub(crate) workflow: Option<String>,
    /// iDenfy KYB: the UI theme id.
    #[arg(long)]
    pub(crate) theme: Option<String>,
    /// iDenfy KYB: an existing verification to link (repeatable).
    #[arg(long)]
    pub(crate) scan_ref: Vec<String>,
}

/// `3600`, `90m`, `12h`, `7d`.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().last() {
        Some((at, unit)) if unit.is_ascii_alphabetic() => (&text[..at], Some(unit)),
        _ => (text, None),
    };
    let amount: u64 =
        number.parse().map_err(|_| format!("'{text}' is not a duration (3600, 90m, 12h, 7d)"))?;
    let seconds = match unit {
        None | Some('s') => Some(amount),
        Some('m') => amount.checked_mul(60),
        Some('h') => amount.checked_mul(3600),
        Some('d') => amount.checked_mul(86_400),
        Some(_) => return Err(format!("'{text}': the unit must be s, m, h or d")),
    };
    seconds.map(Duration::from_secs).ok_or_else(|| format!("'{text}' is too long"))
}

impl RequestArgs {
    /// The request: the file's, then every flag given on top.
    pub(crate) fn to_request(&self) -> Result<SessionRequest, kyc::Error> {
        let mut request = match &self.request {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    kyc::Error::invalid_request(vec![kyc::FieldError::new(
                        "--request",
                        format!("cannot read {}: {e}", path.display()),
                    )])
                })?;
                SessionRequest::from_json(&text)?
            }
            None => {
                let Some(id) = &self.client_id else {
                    return Err(kyc::Error::invalid_request(vec![kyc::FieldError::new(
                        "--client-id",
                        "is required (or a --request file with clientId)",
                    )]));
                };
                SessionRequest::new(ClientId::new(id.clone())?)
            }
        };
        if let Some(id) = &self.client_id {
            request.client_id = ClientId::new(id.clone())?;
        }
        let person = &mut request.person;
        set(&mut person.first_name, &self.first_name);
        set(&mut person.last_name, &self.last_name);
        set(&mut person.date_of_birth, &self.date_of_birth);
        set(&mut person.sex, &self.sex);
        set(&mut person.nationality, &self.nationality);
        set(&mut person.personal_number, &self.personal_number);
        set(&mut person.address, &self.address);
        let document = &mut request.document;
        if !self.document_type.is_empty() {
            document.types = self.document_type.clone();
        }
        set(&mut document.country, &self.document_country);
        set(&mut document.number, &self.document_number);
        set(&mut request.locale, &self.locale);
        set(&mut request.flow, &self.flow);
        set(&mut request.redirects.success, &self.success_url);
        set(&mut request.redirects.failure, &self.failure_url);
        set(&mut request.redirects.cancel, &self.cancel_url);
        set(&mut request.webhook_url, &self.webhook_url);
        set(&mut request.link_validity, &self.link_validity);
        set(&mut request.session_duration, &self.session_duration);
        set(&mut request.external_ref, &self.external_ref);
        if !self.tag.is_empty() {
            request.tags = self.tag.clone();
        }
        if self.business {
            request.kind = VerificationKind::Business;
        }
        let mut kyb = serde_json::Map::new();
        if let Some(workflow) = &self.workflow {
            kyb.insert("flow".into(), json!(workflow));
        }
        if let Some(theme) = &self.theme {
            kyb.insert("theme".into(), json!(theme));
        }
        if !self.scan_ref.is_empty() {
            kyb.insert("scanRefs".into(), json!(self.scan_ref));
        }
        if !kyb.is_empty() {
            let options =
                request.provider_options.entry("idenfy".into()).or_insert_with(|| json!({}));
            if let Value::Object(options) = options {
                options.insert("kyb".into(), Value::Object(kyb));
            }
        }
        Ok(request)
    }
}

fn set<T: Clone>(target: &mut Option<T>, flag: &Option<T>) {
    if let Some(value) = flag {
        *target = Some(value.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("3600"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("90m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("12h"), Ok(Duration::from_secs(43_200)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(604_800)));
        assert!(parse_duration("7w").is_err());
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("99999999999999999999d").is_err());
        assert!(parse_duration("999999999999999999d").is_err());
    }
}
