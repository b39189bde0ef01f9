//! Emailing the link, as the vendors' dashboards do (iDenfy's: an address, up to 8 in cc, a
//! subject, and a text with `{{session_url}}` where the link goes,
//! <https://documentation.idenfy.com/guides/dashboard/kyc/new-verification-via-dashboard>), over
//! SMTP with lettre.
//!
//! Everything that can be checked is checked before a session is created, so a bad address or
//! template never costs a credit.

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::args::EmailArgs;
use crate::exit::Failure;

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

/// Checks the email flags (the operator's to fix) and the SMTP settings (the machine's
/// configuration); `None` without `--email`.
pub(crate) fn prepare(args: &EmailArgs) -> Result<Option<Outgoing>, Failure> {
    let Some(to) = &args.email else { return Ok(None) };
    let address = |flag: &str, text: &str| {
        text.parse::<Mailbox>().map_err(|_| Failure::Input(format!("{flag}: not an email address")))
    };
    let to = address("--email", to)?;
    if args.cc.len() > MAX_CC {
        return Err(Failure::Input(format!("--cc: at most {MAX_CC} addresses")));
    }
    let cc = args.cc.iter().map(|cc| address("--cc", cc)).collect::<Result<Vec<_>, _>>()?;
    let template = match &args.template {
        Some(path) => std::fs::read_to_string(path).map_err(|e| {
            Failure::Input(format!("--template: cannot read {}: {e}", path.display()))
        })?,
        None => DEFAULT_TEMPLATE.to_owned(),
    };
    if !template.contains(PLACEHOLDER) {
        return Err(Failure::Input(format!(
            "--template: must contain {PLACEHOLDER}, or the person gets no link"
        )));
    }
    let url = args.smtp_url.as_deref().ok_or_else(|| {
        Failure::Config("SMTP_URL is not set (e.g. smtp://127.0.0.1:2525)".into())
    })?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map_err(|_| Failure::Config("SMTP_URL is not a valid smtp:// or smtps:// URL".into()))?
        .build();
    let from = args
        .smtp_from
        .parse::<Mailbox>()
        .map_err(|_| Failure::Config("SMTP_FROM is not an email address".into()))?;
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
