//! Emailing the link, as the vendors' dashboards do (seed 001: an address, up to 8 in cc, a
//! subject, and a text with `{{session_url}}` where the link goes), over SMTP with lettre.
//!
//! Everything that can be checked is checked before a session is created, so a bad address or
//! template never costs a credit.

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::args::EmailArgs;

/// The most addresses in cc, as on iDenfy's dashboard.
const MAX_CC: usize = 8;
const PLACEHOLDER: &str = "{{session_url}}";
const DEFAULT_TEMPLATE: &str = "Hello,\n\nplease verify your identity by following this link:\n\n{{session_url}}\n\nThank you.\n";

/// A checked email, waiting for its link.
pub(crate) struct Outgoing {
    from: Mailbox,
    to: Mailbox,
    cc: Vec<Mailbox>,
    subject: String,
    template: String,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

/// Why an email cannot go out; the first kind is the user's to fix (exit 2), the second the
/// machine's configuration (exit 3).
pub(crate) enum Refusal {
    Input(String),
    Config(String),
}

/// Checks the email flags and the SMTP settings (`SMTP_URL`, `SMTP_FROM`); `None` without
/// `--email`.
pub(crate) fn prepare(args: &EmailArgs) -> Result<Option<Outgoing>, Refusal> {
    let Some(to) = &args.email else { return Ok(None) };
    let address = |flag: &str, text: &str| {
        text.parse::<Mailbox>().map_err(|_| Refusal::Input(format!("{flag}: not an email address")))
    };
    let to = address("--email", to)?;
    if args.cc.len() > MAX_CC {
        return Err(Refusal::Input(format!("--cc: at most {MAX_CC} addresses")));
    }
    let cc = args.cc.iter().map(|cc| address("--cc", cc)).collect::<Result<Vec<_>, _>>()?;
    let template = match &args.template {
        Some(path) => std::fs::read_to_string(path).map_err(|e| {
            Refusal::Input(format!("--template: cannot read {}: {e}", path.display()))
        })?,
        None => DEFAULT_TEMPLATE.to_owned(),
    };
    if !template.contains(PLACEHOLDER) {
        return Err(Refusal::Input(format!(
            "--template: must contain {PLACEHOLDER}, or the person gets no link"
        )));
    }
    let url = std::env::var("SMTP_URL")
        .map_err(|_| Refusal::Config("SMTP_URL is not set (e.g. smtp://127.0.0.1:2525)".into()))?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
        .map_err(|_| Refusal::Config("SMTP_URL is not a valid smtp:// or smtps:// URL".into()))?
        .build();
    let from = std::env::var("SMTP_FROM").unwrap_or_else(|_| "kyc <no-reply@localhost>".into());
    let from = from
        .parse::<Mailbox>()
        .map_err(|_| Refusal::Config("SMTP_FROM is not an email address".into()))?;
    Ok(Some(Outgoing { from, to, cc, subject: args.subject.clone(), template, transport }))
}

impl Outgoing {
    /// Sends the email with `link` in place of the placeholder.
    pub(crate) async fn send(self, link: &str) -> Result<(), String> {
        let mut message = Message::builder().from(self.from).to(self.to).subject(self.subject);
        for cc in self.cc {
            message = message.cc(cc);
        }
        let message = message
            .header(ContentType::TEXT_PLAIN)
            .body(self.template.replace(PLACEHOLDER, link))
            .map_err(|e| format!("the email could not be built: {e}"))?;
        // lettre's errors name the server's answer, never the message's content.
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("the email was not sent: {e}"))
    }
}
