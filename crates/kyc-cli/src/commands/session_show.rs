//! `kyc session show`: one session from the ledger, the attempts that created it and its
//! events.

use crate::args::ShowArgs;
use crate::exit::Failure;
use crate::vendors::VENDORS;
use crate::{ledger, output};

/// Runs the command.
pub(crate) async fn run(args: &ShowArgs) -> Result<(), Failure> {
    let store = ledger::for_reading().await?;
    let providers: Vec<&str> = match args.provider {
        Some(vendor) => vec![vendor.name],
        None => VENDORS.iter().map(|vendor| vendor.name).collect(),
    };
    for provider in providers {
        if let Some(record) = store.session(provider, &args.session_id).await? {
            let events = store.events(provider, &args.session_id).await?;
            output::session_record(&record, &events, args.output);
            return Ok(());
        }
    }
    Err(Failure::Missing(format!("the ledger has no session {}", args.session_id)))
}
