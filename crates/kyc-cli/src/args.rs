//! The command line (clap): subcommands and flags, the request flags turned into a
//! `SessionRequest`, and clap's own refusals turned into the one-line error every command
//! prints.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use kyc::idenfy::KybOptions;
use kyc::{
    ClientId, CountryCode, DocumentType, Field, FieldError, Flow, IdenfyOptions, Locale,
    SessionRequest, Sex, VeriffOptions, VerificationKind,
};
use url::Url;

use crate::exit::{self, Failure};
use crate::vendors::{self, Vendor};

/// Identity-verification links from a terminal, on iDenfy, Veriff, Sumsub, Onfido or several.
///
/// Credentials and endpoints come from the environment only: IDENFY_API_KEY,
/// IDENFY_API_SECRET, IDENFY_BASE_URL, VERIFF_API_KEY, VERIFF_SHARED_SECRET, VERIFF_BASE_URL,
/// SUMSUB_APP_TOKEN, SUMSUB_SECRET_KEY, SUMSUB_LEVEL_NAME, SUMSUB_BASE_URL, ONFIDO_API_TOKEN,
/// ONFIDO_WORKFLOW_ID, ONFIDO_REGION, ONFIDO_BASE_URL. With none set, a built-in emulator
/// serves every vendor.
///
/// Every session is kept in a ledger: KYC_DATABASE_URL (sqlite:PATH or postgres://...; default
/// a SQLite file in the user's data directory, see `kyc session list --help`), with
/// KYC_LEDGER_KEY, the key requests are fingerprinted with (the same on every host sharing a
/// database; default a key file beside the default SQLite file). With neither KYC_DATABASE_URL
/// nor HOME set, sessions are not kept.
#[derive(Debug, Parser)]
#[command(
    name = "kyc",
    version,
    about,
    after_help = top_help()
)]
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
    #[command(after_help = exit::help(exit::PROVIDERS))]
    Providers {
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        output: MatrixOutput,
    },
    /// Creates the same session on every configured vendor at once and compares the answers.
    #[command(after_help = exit::help(exit::COMPARE))]
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
    /// Runs the emulator of every vendor in the foreground and prints the variables that point
    /// `kyc` (or an application) at it, webhook keys included.
    #[command(after_help = exit::help(exit::EMULATOR))]
    Emulator(Box<EmulatorArgs>),
    /// Serves an operator console (create, list, follow and erase sessions in a browser) and
    /// every vendor's webhook receiver, over the ledger. The console's password is
    /// KYC_CONSOLE_PASSWORD (generated and printed once when unset).
    #[command(after_help = exit::help(exit::SERVE))]
    Serve(ServeArgs),
}

/// `kyc serve`'s flags.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub(crate) listen: std::net::SocketAddr,
}

#[derive(Debug, Args)]
pub(crate) struct EmulatorArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub(crate) listen: std::net::SocketAddr,
    /// Where iDenfy's result webhooks go (a session's own --webhook-url wins), signed with the
    /// IDENFY_WEBHOOK_KEY printed.
    #[arg(long, value_name = "URL")]
    pub(crate) idenfy_webhook_url: Option<Url>,
    /// Where Veriff's event and decision webhooks go, signed with the VERIFF_SHARED_SECRET
    /// printed.
    #[arg(long, value_name = "URL")]
    pub(crate) veriff_webhook_url: Option<Url>,
    /// Where Sumsub's applicant webhooks go, digested with the SUMSUB_WEBHOOK_SECRET printed.
    #[arg(long, value_name = "URL")]
    pub(crate) sumsub_webhook_url: Option<Url>,
    /// Where Onfido's workflow webhooks go (workflow_task.started, workflow_task.completed,
    /// workflow_run.completed), signed (X-SHA2-Signature) with the ONFIDO_WEBHOOK_TOKEN printed.
    #[arg(long, value_name = "URL")]
    pub(crate) onfido_webhook_url: Option<Url>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum SessionCommand {
    /// Creates a verification session and prints its link (emailed with --email).
    #[command(after_help = exit::help(exit::SESSION_CREATE))]
    Create(Box<CreateArgs>),
    /// Asks a vendor where a session stands.
    #[command(after_help = exit::help(exit::SESSION_STATUS))]
    Status(SessionAt),
    /// Lists the sessions the ledger keeps, newest first, as the vendors' dashboards do.
    #[command(after_help = list_help())]
    List(ListArgs),
    /// One session from the ledger: where it stands, the attempts that created it, its events.
    #[command(after_help = exit::help(exit::SESSION_SHOW))]
    Show(ShowArgs),
    /// Erases a session's personal data at the vendor (documents, photos, what was read from
    /// them). iDenfy erases only once the link has expired; Veriff enables erasure on request
    /// and limits it per hour and per day; Onfido deletes the run's applicant; Sumsub's API
    /// erases nothing.
    #[command(after_help = exit::help(exit::SESSION_ERASE))]
    Erase(SessionAt),
}

/// One session at one vendor, as `status` and `erase` name it.
#[derive(Debug, Args)]
pub(crate) struct SessionAt {
    /// The vendor.
    #[arg(long, value_parser = vendors::parser())]
    pub(crate) provider: &'static Vendor,
    /// The vendor's session id (iDenfy scanRef or KYB companyId, Veriff verification id, Sumsub
    /// userId, Onfido workflow run id).
    #[arg(long)]
    pub(crate) session_id: String,
    /// The session verifies a company (KYB): iDenfy keeps those apart.
    #[arg(long)]
    pub(crate) business: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) output: Output,
}

impl SessionAt {
    /// The session named.
    pub(crate) fn session(&self) -> kyc::SessionRef {
        match self.business {
            true => kyc::SessionRef::business(&self.session_id),
            false => kyc::SessionRef::identity(&self.session_id),
        }
    }
}

/// Where the ledger is, as `--help` says it.
fn ledger_help() -> String {
    match crate::ledger::default_database() {
        Some(path) => format!("The ledger: KYC_DATABASE_URL (default: sqlite:{})", path.display()),
        None => "The ledger: KYC_DATABASE_URL (no default: HOME is not set)".to_owned(),
    }
}

/// `kyc --help`'s closing lines.
fn top_help() -> String {
    format!("{}\n\nEach command's --help lists the exit statuses it returns.", ledger_help())
}

/// `kyc session list --help`: its statuses and where the ledger is.
fn list_help() -> String {
    format!("{}\n\n{}", exit::help(exit::SESSION_LIST), ledger_help())
}

/// `kyc session list`'s filters.
#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Only this client's sessions.
    #[arg(long)]
    pub(crate) client_id: Option<String>,
    /// Only this vendor's.
    #[arg(long, value_parser = vendors::parser())]
    pub(crate) provider: Option<&'static Vendor>,
    /// Only those in this status (created, started, submitted, review, approved, declined, ...).
    #[arg(long)]
    pub(crate) status: Option<kyc::Status>,
    /// First asks each vendor where every session that is not final stands (within each
    /// vendor's polling limits), and records what it says.
    #[arg(long)]
    pub(crate) refresh: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) output: Output,
}

/// `kyc session show`'s session.
#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// The vendor's session id.
    #[arg(long)]
    pub(crate) session_id: String,
    /// The vendor (needed only when two vendors have a session with this id).
    #[arg(long, value_parser = vendors::parser())]
    pub(crate) provider: Option<&'static Vendor>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) output: Output,
}

#[derive(Debug, Subcommand)]
pub(crate) enum WebhookCommand {
    /// Verifies a webhook's signature and prints the normalized result. Keys come from
    /// VERIFF_SHARED_SECRET, IDENFY_WEBHOOK_KEY, SUMSUB_WEBHOOK_SECRET and ONFIDO_WEBHOOK_TOKEN
    /// (several, comma-separated, for rotation); no API credentials are needed.
    #[command(after_help = exit::help(exit::WEBHOOK_VERIFY))]
    Verify {
        /// The vendor that sent it.
        #[arg(long, value_parser = vendors::parser())]
        provider: &'static Vendor,
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
    #[arg(long, value_delimiter = ',', value_parser = vendors::parser())]
    pub(crate) provider: Vec<&'static Vendor>,
    #[command(flatten)]
    pub(crate) request: RequestArgs,
    /// Creates the session at most once for this key, from any host sharing the ledger: the
    /// same key with the same request prints the recorded session (JSON "reused": true); with
    /// another request it is refused.
    #[arg(long, value_name = "KEY")]
    pub(crate) idempotency_key: Option<String>,
    /// Buys a new session even when the ledger has a live one (unexpired, not started) for the
    /// same client and request at the same vendor account, which is reused otherwise.
    #[arg(long, conflicts_with = "idempotency_key")]
    pub(crate) new: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) output: Output,
    #[command(flatten)]
    pub(crate) email: EmailArgs,
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

/// The email the link goes out in, and the SMTP server it goes through.
#[derive(Debug, Args)]
pub(crate) struct EmailArgs {
    /// Emails the link to this address (the recipient; the person's own address for the
    /// vendor is --person-email).
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
    /// The SMTP server, smtp:// or smtps:// (needed with --email).
    // It may carry a password, which a flag would leave in `ps` and shell history: the flag
    // exists only because clap reads a variable through one, and is not advertised.
    #[arg(long, env = "SMTP_URL", hide = true, hide_env_values = true)]
    pub(crate) smtp_url: Option<String>,
    /// The email's sender.
    #[arg(long, env = "SMTP_FROM", default_value = "kyc <no-reply@localhost>")]
    pub(crate) smtp_from: String,
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
    /// The person's own email address, for the vendor (not where the link goes: see --email).
    #[arg(long)]
    pub(crate) person_email: Option<String>,
    /// The person's own phone number, for the vendor.
    #[arg(long)]
    pub(crate) person_phone: Option<String>,
    /// An accepted document type (repeatable): passport, id_card, driver_license, ...
    #[arg(long)]
    pub(crate) document_type: Vec<DocumentType>,
    /// The document's issuing country, ISO 3166-1 alpha-2.
    #[arg(long)]
    pub(crate) document_country: Option<CountryCode>,
    /// The expected document number.
    #[arg(long)]
    pub(crate) document_number: Option<String>,
    /// The document's expected date of issue, YYYY-MM-DD.
    #[arg(long)]
    pub(crate) document_issue_date: Option<chrono::NaiveDate>,
    /// The document's expected date of expiry, YYYY-MM-DD.
    #[arg(long)]
    pub(crate) document_expiry_date: Option<chrono::NaiveDate>,
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
    /// iDenfy: screens the person against AML lists (its `checkAml`).
    #[arg(long)]
    pub(crate) idenfy_check_aml: bool,
    /// Veriff: your UUID for the person (its `endUserId`).
    #[arg(long, value_name = "UUID")]
    pub(crate) veriff_end_user_id: Option<String>,
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
    pub(crate) fn to_request(&self) -> Result<SessionRequest, Failure> {
        let mut request = match &self.request {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    invalid("--request", format!("cannot read {}: {e}", path.display()))
                })?;
                SessionRequest::from_json(&text)?
            }
            None => {
                let Some(id) = &self.client_id else {
                    return Err(invalid(
                        "--client-id",
                        "is required (or a --request file with clientId)",
                    ));
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
        set(&mut person.email, &self.person_email);
        set(&mut person.phone, &self.person_phone);
        let document = &mut request.document;
        if !self.document_type.is_empty() {
            document.types = self.document_type.clone();
        }
        set(&mut document.country, &self.document_country);
        set(&mut document.number, &self.document_number);
        set(&mut document.issue_date, &self.document_issue_date);
        set(&mut document.expiry_date, &self.document_expiry_date);
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
        let mut kyb = KybOptions::default();
        if let Some(workflow) = &self.workflow {
            kyb = kyb.with_workflow(workflow.clone());
        }
        if let Some(theme) = &self.theme {
            kyb = kyb.with_theme(theme.clone());
        }
        if !self.scan_ref.is_empty() {
            kyb = kyb.with_scan_refs(self.scan_ref.iter().cloned());
        }
        // Without a vendor flag the request file's options stay exactly as written; with one,
        // it is merged key by key over them (and checked by `validate`, like every option set
        // in code).
        if !kyb.is_empty() {
            request = request.with_options(kyb);
        }
        if self.idenfy_check_aml {
            request = request.with_options(IdenfyOptions::default().with_check_aml(true));
        }
        if let Some(id) = &self.veriff_end_user_id {
            request = request.with_options(VeriffOptions::default().with_end_user_id(id.clone()));
        }
        Ok(request)
    }
}

/// The flag that sets the request field at `path` (a [`Field`]'s JSON path, or a vendor
/// option's), so a refusal naming the field can stand beside the flag's input in `kyc serve`'s
/// form.
pub(crate) fn flag_of(path: &str) -> Option<&'static str> {
    use strum::IntoEnumIterator;
    let option = match path {
        "providerOptions.idenfy.kyb.flow" => Some("--workflow"),
        "providerOptions.idenfy.kyb.theme" => Some("--theme"),
        "providerOptions.idenfy.kyb.scanRefs" => Some("--scan-ref"),
        "providerOptions.idenfy.checkAml" => Some("--idenfy-check-aml"),
        "providerOptions.veriff.endUserId" => Some("--veriff-end-user-id"),
        _ => None,
    };
    option.or_else(|| Field::iter().find(|field| field.as_ref() == path).and_then(field_flag))
}

/// The flag of each neutral field.
fn field_flag(field: Field) -> Option<&'static str> {
    Some(match field {
        Field::ClientId => "--client-id",
        Field::FirstName => "--first-name",
        Field::LastName => "--last-name",
        Field::DateOfBirth => "--date-of-birth",
        Field::Sex => "--sex",
        Field::Nationality => "--nationality",
        Field::PersonalNumber => "--personal-number",
        Field::Address => "--address",
        Field::Email => "--person-email",
        Field::Phone => "--person-phone",
        Field::DocumentTypes => "--document-type",
        Field::DocumentCountry => "--document-country",
        Field::DocumentNumber => "--document-number",
        Field::DocumentIssueDate => "--document-issue-date",
        Field::DocumentExpiryDate => "--document-expiry-date",
        Field::Locale => "--locale",
        Field::Flow => "--flow",
        Field::SuccessUrl => "--success-url",
        Field::FailureUrl => "--failure-url",
        Field::CancelUrl => "--cancel-url",
        Field::WebhookUrl => "--webhook-url",
        Field::LinkValidity => "--link-validity",
        Field::SessionDuration => "--session-duration",
        Field::ExternalRef => "--external-ref",
        Field::Tags => "--tag",
        _ => return None,
    })
}

/// A flag's value breaking a rule, worded as the library words an invalid request.
fn invalid(flag: &str, rule: impl Into<String>) -> Failure {
    Failure::Input(format!("invalid request: {}", FieldError::new(flag, rule)))
}

/// What to do when clap refuses the command line: help and version are printed as clap renders
/// them (and are no failure); a mistake becomes one line that names the flag but never repeats
/// the value (it may be a date of birth).
pub(crate) fn refusal(error: &clap::Error) -> Result<(), Failure> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    match error.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = error.print();
            Ok(())
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
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
            Err(Failure::Input(format!("invalid value for {flag}{expected}")))
        }
        // clap lists what is missing on the lines after its first: named here, on one.
        ErrorKind::MissingRequiredArgument => {
            let missing = match error.get(ContextKind::InvalidArg) {
                Some(ContextValue::Strings(flags)) => flags
                    .iter()
                    .filter_map(|flag| flag.split_whitespace().next())
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => "an argument".to_owned(),
            };
            Err(Failure::Input(format!("{missing} is required by the flags given")))
        }
        _ => {
            let rendered = error.to_string();
            let first = rendered.lines().next().unwrap_or("error: invalid arguments");
            Err(Failure::Input(first.strip_prefix("error: ").unwrap_or(first).to_owned()))
        }
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

    fn create_args(flags: &[&str]) -> CreateArgs {
        let cli = Cli::try_parse_from(["kyc", "session", "create"].iter().chain(flags)).unwrap();
        let Command::Session(SessionCommand::Create(args)) = cli.command else { panic!() };
        *args
    }

    #[test]
    fn requests_come_from_flags() {
        let args = create_args(&[
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
        ]);
        let request: SessionRequest = args.request.to_request().unwrap();
        assert_eq!(request.document.types.len(), 2);
        assert_eq!(request.link_validity, Some(Duration::from_secs(43_200)));
        assert_eq!(request.kind, VerificationKind::Business);
        assert_eq!(
            request.provider_options["idenfy"]["kyb"]["scanRefs"],
            serde_json::json!(["s1"])
        );
        let kyb = request.options::<KybOptions>().unwrap().unwrap();
        assert_eq!(kyb.workflow.as_deref(), Some("0f8fad5b-d9cb-469f-a165-70867728950e"));
        assert_eq!((kyb.theme, kyb.scan_refs), (None, vec!["s1".to_owned()]));
        assert!(request.validate().is_ok());
    }

    /// A valid value for the flag of each neutral field. `Field` is the library's one
    /// description of the fields: a field added there fails this test until it has a flag.
    fn flag_for(field: Field) -> Option<[&'static str; 2]> {
        let value = match field {
            Field::ClientId => "u2",
            Field::FirstName => "Jonas",
            Field::LastName => "Jonaitis",
            Field::DateOfBirth => "1990-05-15",
            Field::Sex => "male",
            Field::Nationality => "LT",
            Field::PersonalNumber => "39005150000",
            Field::Address => "Gedimino pr. 1, Vilnius",
            Field::Email => "jonas@example.com",
            Field::Phone => "+37060000000",
            Field::DocumentTypes => "passport",
            Field::DocumentCountry => "LT",
            Field::DocumentNumber => "AB1234567",
            Field::DocumentIssueDate => "2020-01-01",
            Field::DocumentExpiryDate => "2030-01-01",
            Field::Locale => "lt",
            Field::Flow => "document",
            Field::SuccessUrl => "https://app.example/ok",
            Field::FailureUrl => "https://app.example/failed",
            Field::CancelUrl => "https://app.example/cancelled",
            Field::WebhookUrl => "https://app.example/hook",
            Field::LinkValidity => "2h",
            Field::SessionDuration => "10m",
            Field::ExternalRef => "order-7",
            Field::Tags => "vip",
            _ => return None,
        };
        Some([flag_of(field.as_ref())?, value])
    }

    #[test]
    fn every_neutral_field_has_a_flag() {
        use strum::IntoEnumIterator;
        let base = create_args(&["--client-id", "u1"]).request.to_request().unwrap();
        for field in Field::iter() {
            let [flag, value] = flag_for(field).unwrap_or_else(|| panic!("no flag sets {field}"));
            let args = match field {
                Field::ClientId => create_args(&[flag, value]),
                _ => create_args(&["--client-id", "u1", flag, value]),
            };
            let request = args.request.to_request().unwrap();
            assert_ne!(request, base, "{flag} sets nothing");
            assert!(request.validate().is_ok(), "{flag} {value}");
            // The JSON shape names the field where the flag put it.
            let json: serde_json::Value = serde_json::from_str(&request.to_json()).unwrap();
            let path: Vec<&str> = field.as_ref().split('.').collect();
            let found = path.iter().try_fold(&json, |value, key| value.get(*key));
            assert!(found.is_some(), "{flag} did not set {field}: {json}");
        }
    }

    #[test]
    fn kyb_flags_are_checked_as_the_adapter_checks_them() {
        let args = create_args(&["--client-id", "u1", "--business", "--theme", "dark"]);
        let error = args.request.to_request().unwrap().validate().unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid request: providerOptions.idenfy.kyb.theme: must be a UUID"
        );
    }

    #[test]
    fn the_person_s_contact_details_are_not_the_recipient() {
        let args = create_args(&[
            "--client-id",
            "u1",
            "--person-email",
            "jonas@example.com",
            "--person-phone",
            "+370 600 00000",
            "--email",
            "desk@example.org",
        ]);
        let request = args.request.to_request().unwrap();
        assert_eq!(request.person.email.as_deref(), Some("jonas@example.com"));
        assert_eq!(request.person.phone.as_deref(), Some("+370 600 00000"));
        assert_eq!(args.email.email.as_deref(), Some("desk@example.org"));
        assert!(request.validate().is_ok());

        let recipient_only = create_args(&["--client-id", "u1", "--email", "desk@example.org"]);
        let request = recipient_only.request.to_request().unwrap();
        assert_eq!((request.person.email, request.person.phone), (None, None));

        let compare = Cli::try_parse_from([
            "kyc",
            "compare",
            "--client-id",
            "u1",
            "--person-email",
            "j@example.com",
        ])
        .unwrap();
        let Command::Compare { request, .. } = compare.command else { panic!() };
        assert_eq!(request.to_request().unwrap().person.email.as_deref(), Some("j@example.com"));
    }

    #[test]
    fn vendor_option_flags_merge_over_the_request_file_s_options() {
        let dir = std::env::temp_dir().join(format!("kyc-cli-args-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("request.json");
        std::fs::write(
            &file,
            r#"{"clientId": "u1", "providerOptions": {
                "idenfy": {"checkIpProxy": true},
                "veriff": {"endUserId": "00000000-0000-4000-8000-000000000000",
                           "features": ["selfid"]}
            }}"#,
        )
        .unwrap();
        let id = "fa820aba-019f-455a-ae81-cfca8075bc3f";
        let args = create_args(&[
            "--request",
            file.to_str().unwrap(),
            "--idenfy-check-aml",
            "--veriff-end-user-id",
            id,
        ]);
        let request = args.request.to_request().unwrap();
        let idenfy = request.options::<IdenfyOptions>().unwrap().unwrap();
        assert_eq!((idenfy.check_aml, idenfy.check_ip_proxy), (Some(true), Some(true)));
        let veriff = request.options::<VeriffOptions>().unwrap().unwrap();
        assert_eq!(veriff.end_user_id.as_deref(), Some(id));
        assert_eq!(veriff.features, ["selfid"]);
        assert!(request.validate().is_ok());

        // Without the flags, the file's options are as written.
        let plain = create_args(&["--request", file.to_str().unwrap()]).request.to_request();
        let plain = plain.unwrap().options::<IdenfyOptions>().unwrap().unwrap();
        assert_eq!(plain.check_aml, None);
        std::fs::remove_dir_all(&dir).ok();

        // Checked like the rest of the request, naming the field and not the value.
        let args = create_args(&["--client-id", "u1", "--veriff-end-user-id", "user-7"]);
        let error = args.request.to_request().unwrap().validate().unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid request: providerOptions.veriff.endUserId: must be a UUID"
        );
        let compare =
            Cli::try_parse_from(["kyc", "compare", "--client-id", "u1", "--idenfy-check-aml"]);
        let Command::Compare { request, .. } = compare.unwrap().command else { panic!() };
        let idenfy = request.to_request().unwrap().options::<IdenfyOptions>().unwrap().unwrap();
        assert_eq!(idenfy.check_aml, Some(true));
    }

    #[test]
    fn every_command_s_help_lists_its_exit_statuses() {
        use clap::CommandFactory;
        let mut cli = Cli::command();
        for (path, codes) in [
            (&["session", "create"][..], exit::SESSION_CREATE),
            (&["session", "status"], exit::SESSION_STATUS),
            (&["compare"], exit::COMPARE),
            (&["providers"], exit::PROVIDERS),
            (&["webhook", "verify"], exit::WEBHOOK_VERIFY),
            (&["emulator"], exit::EMULATOR),
            (&["serve"], exit::SERVE),
        ] {
            let command = path.iter().fold(&mut cli, |command, name| {
                command.find_subcommand_mut(name).unwrap_or_else(|| panic!("{name}"))
            });
            let help = command.render_long_help().to_string();
            assert!(help.contains(&exit::help(codes)), "{path:?}:\n{help}");
        }
    }

    #[test]
    fn providers_are_the_registry_s() {
        let args = create_args(&["--client-id", "u1", "--provider", "veriff,idenfy"]);
        let names: Vec<&str> = args.provider.iter().map(|vendor| vendor.name).collect();
        assert_eq!(names, ["veriff", "idenfy"]);
        let error =
            Cli::try_parse_from(["kyc", "session", "create", "--provider", "acme"]).unwrap_err();
        let Err(Failure::Input(message)) = refusal(&error) else { panic!() };
        assert_eq!(
            message,
            "invalid value for --provider (one of: idenfy, veriff, sumsub, onfido)"
        );
    }
}
