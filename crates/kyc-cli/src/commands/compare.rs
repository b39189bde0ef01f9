//! `kyc compare`: the same session created on every configured vendor at once, answers and
//! latencies side by side.

use std::sync::Arc;
use std::time::Instant;

use crate::args::{Output, RequestArgs};
use crate::exit::Failure;
use crate::{output, vendors};

/// Runs the command; a vendor that did not create fails it (after the table is printed).
pub(crate) async fn run(request: &RequestArgs, output: Output) -> Result<(), Failure> {
    let request = request.to_request()?;
    request.validate()?;
    let request = Arc::new(request);
    let sessions = vendors::sessions(&[]).await?;
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
        // A call that panicked has no row to show.
        rows.push(call.await.map_err(|_| Failure::Incomplete)?);
    }
    output::comparison(&rows, output);
    match rows.iter().all(|(_, result, _)| result.is_ok()) {
        true => Ok(()),
        false => Err(Failure::Incomplete),
    }
}
