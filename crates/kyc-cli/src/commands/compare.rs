//! `kyc compare`: the same session created on every configured vendor at once, answers and
//! latencies side by side.

use std::sync::Arc;
use std::time::Instant;

use crate::args::{Output, RequestArgs};
use crate::exit::Failure;
use crate::{output, vendors};

/// Runs the command; it fails only when no vendor created a session (after the table is
/// printed): one vendor that cannot serve the request is what a comparison is there to show.
pub(crate) async fn run(request: &RequestArgs, output: Output) -> Result<(), Failure> {
    let request = request.to_request()?;
    request.validate()?;
    let request = Arc::new(request);
    let sessions = vendors::sessions(&[]).await?;
    output::unknown_options(&sessions.unknown_options(&request));
    // A caller's mistake for any vendor (an option of the wrong type) stops the comparison
    // before any session exists: it is no vendor's answer to compare.
    for provider in &sessions.clients {
        if let Err(error) = provider.preflight(&request)
            && error.kind() == kyc::ErrorKind::InvalidRequest
        {
            return Err(error.into());
        }
    }
    let calls: Vec<_> = sessions
        .clients
        .iter()
        .map(|provider| {
            let (provider, request) = (Arc::clone(provider), Arc::clone(&request));
            tokio::spawn(async move {
                let started = Instant::now();
                let result = provider.create_session(&request).await;
                (provider.provider().to_owned(), result, started.elapsed())
            })
        })
        .collect();
    let mut rows = Vec::new();
    for call in calls {
        // A call that panicked has no row to show; the others still do.
        match call.await {
            Ok(row) => rows.push(row),
            Err(_) => output::lost_a_vendor(),
        }
    }
    output::comparison(&rows, output);
    match rows.iter().any(|(_, result, _)| result.is_ok()) {
        true => Ok(()),
        false => Err(Failure::NoneCreated),
    }
}
