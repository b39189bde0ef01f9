//! `kyc session list`: the sessions the ledger keeps, newest first, filtered as the vendors'
//! dashboards filter them; `--refresh` first polls every session that is not final.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use kyc::{SessionRef, VerificationResults};
use kyc_ledger::ListFilter;

use crate::args::ListArgs;
use crate::exit::Failure;
use crate::vendors::VENDORS;
use crate::{ledger, output};

/// Runs the command.
pub(crate) async fn run(args: &ListArgs) -> Result<(), Failure> {
    let store = ledger::for_reading().await?;
    let mut filter = ListFilter::default();
    filter.client_id.clone_from(&args.client_id);
    filter.provider = args.provider.map(|vendor| vendor.name.to_owned());
    filter.status = args.status;
    let mut failed = false;
    if args.refresh {
        let mut open = filter.clone();
        open.open_only = true;
        // One client per vendor for the whole refresh, so each adapter's own polling limits
        // (iDenfy's minute between polls of one session) hold across the sessions.
        let mut clients: HashMap<&str, Box<dyn VerificationResults>> = HashMap::new();
        for record in store.list(&open).await? {
            let Some(vendor) = VENDORS.iter().find(|vendor| vendor.name == record.provider) else {
                continue;
            };
            let session = SessionRef::new(record.kind, &record.session_id);
            let results = match clients.entry(vendor.name) {
                Entry::Occupied(known) => Ok(known.into_mut()),
                Entry::Vacant(slot) => vendor.results_from_env().map(|made| slot.insert(made)),
            };
            let polled = match results {
                Ok(results) => results.poll_decision(&session).await,
                Err(error) => Err(error),
            };
            match polled {
                Ok(Some(decision)) => {
                    ledger::record_poll(&*store, &decision).await;
                }
                Ok(None) => {}
                Err(error) => {
                    failed = true;
                    output::not_refreshed(&record.provider, &record.session_id, &error);
                }
            }
        }
    }
    output::sessions(&store.list(&filter).await?, args.output);
    match failed {
        true => Err(Failure::NotRefreshed),
        false => Ok(()),
    }
}
