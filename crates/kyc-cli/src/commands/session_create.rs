//! `kyc session create`: a verification link on the vendors named (in failover order), or on
//! those configured, printed and, with `--email`, emailed; through the ledger, so a key buys
//! one session and a live session of the same request is reused unless `--new`.

use kyc_ledger::Created;

use crate::args::CreateArgs;
use crate::exit::Failure;
use crate::{email, ledger, output, vendors};

/// Runs the command.
pub(crate) async fn run(args: CreateArgs) -> Result<(), Failure> {
    // Everything the operator can get wrong is checked before a session (and a credit) exists.
    let request = args.request.to_request()?;
    request.validate()?;
    let outgoing = email::prepare(&args.email)?;
    let sessions = vendors::sessions(&args.provider).await?;
    output::unknown_options(&sessions.unknown_options(&request));
    let provider = vendors::provider_over(&sessions.clients);
    let reuse = ledger::reuse(args.new);
    let ledger = ledger::open(sessions.on_emulator(), reuse, sessions.account()).await?;
    let created = ledger.create_session(&*provider, &request, args.idempotency_key.as_deref());
    let Created { session, reused, .. } = match created.await {
        Ok(created) => created,
        Err(error) => {
            output::creation_failed(&error, args.output);
            return Err(error.into());
        }
    };
    output::session(&session, reused, args.output);
    if let Some(outgoing) = outgoing {
        outgoing.send(session.url.as_str()).await.map_err(Failure::NotEmailed)?;
        output::emailed(args.email.email.as_deref().unwrap_or_default(), args.output);
    }
    Ok(())
}
