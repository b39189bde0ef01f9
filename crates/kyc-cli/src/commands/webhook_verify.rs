//! `kyc webhook verify`: checks a webhook's signature with the webhook secret alone (no API
//! credentials), records it in the ledger (once: a redelivery is a duplicate) and prints the
//! normalized decision, or the vendor's other event.

use std::io::Read;
use std::path::Path;

use http::{HeaderMap, HeaderName, HeaderValue};

use crate::args::Output;
use crate::exit::Failure;
use crate::vendors::Vendor;
use crate::{ledger, output};

/// Runs the command on the headers as received and the raw body (standard input without
/// `body`).
pub(crate) async fn run(
    vendor: &Vendor,
    raw_headers: &[String],
    body: Option<&Path>,
    output: Output,
) -> Result<(), Failure> {
    let headers = parse_headers(raw_headers)?;
    let body = match body {
        Some(path) => std::fs::read(path),
        None => {
            let mut bytes = Vec::new();
            std::io::stdin().read_to_end(&mut bytes).map(|_| bytes)
        }
    }
    .map_err(|error| Failure::Input(format!("cannot read the body: {error}")))?;
    let verifier = vendor.webhooks_from_env()?;
    let event = verifier.verify_webhook(&headers, &body).map_err(Failure::Webhook)?;
    let duplicate = match ledger::recorder().await {
        Some(store) => ledger::record_webhook(&*store, &event).await == ledger::Kept::Duplicate,
        None => false,
    };
    output::webhook_event(&event, duplicate, output);
    Ok(())
}

/// `Name: value` lines, as `--header` takes them.
fn parse_headers(raw_headers: &[String]) -> Result<HeaderMap, Failure> {
    let mut headers = HeaderMap::new();
    for raw in raw_headers {
        let (name, value) = raw
            .split_once(':')
            .and_then(|(name, value)| {
                let name = HeaderName::from_bytes(name.trim().as_bytes()).ok()?;
                let value = HeaderValue::from_str(value.trim()).ok()?;
                Some((name, value))
            })
            .ok_or_else(|| Failure::Input("--header: expected `Name: value`".into()))?;
        headers.append(name, value);
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_name_colon_value() {
        let raw = ["X-HMAC-SIGNATURE: ab12".to_owned(), "x-hmac-signature:cd34".to_owned()];
        let headers = parse_headers(&raw).unwrap();
        let values: Vec<&str> =
            headers.get_all("x-hmac-signature").iter().map(|v| v.to_str().unwrap()).collect();
        assert_eq!(values, ["ab12", "cd34"]);
        for bad in ["no colon", "bad name: x", ": empty name"] {
            assert!(matches!(parse_headers(&[bad.to_owned()]), Err(Failure::Input(_))), "{bad}");
        }
    }
}
