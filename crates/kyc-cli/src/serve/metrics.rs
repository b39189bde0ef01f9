//! `GET /metrics`: what the server did, per vendor, in the Prometheus text exposition format
//! (<https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format>). Counters
//! only, since the process started; a vendor appears with 0 before anything happened, so a
//! rate query sees the series from the start.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::vendors::VENDORS;

/// What is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Counter {
    /// A session created at the vendor (a reused or replayed one is not).
    SessionsCreated,
    /// A creation the vendor failed (each failed attempt of a failover chain counts at its own
    /// vendor; a vendor passed over without a call does not).
    SessionsFailed,
    /// A call a failover chain made to the vendor, whatever came of it.
    FailoverAttempts,
    /// A webhook whose signature matched (a redelivery too).
    WebhooksVerified,
    /// A webhook refused: no or a wrong signature, too large, not the vendor's payload.
    WebhooksRefused,
    /// A verified webhook recorded before (a redelivery).
    WebhooksDuplicate,
    /// A status refresh that asked the vendor.
    Polls,
}

const COUNTERS: [(Counter, &str, &str); 7] = [
    (Counter::SessionsCreated, "kyc_sessions_created_total", "Sessions created at the vendor."),
    (
        Counter::SessionsFailed,
        "kyc_sessions_failed_total",
        "Creations the vendor failed (each failed call of a failover chain at its vendor).",
    ),
    (
        Counter::FailoverAttempts,
        "kyc_failover_attempts_total",
        "Calls failover chains made to the vendor, whatever came of them.",
    ),
    (
        Counter::WebhooksVerified,
        "kyc_webhooks_verified_total",
        "Webhooks whose signature matched, redeliveries included.",
    ),
    (
        Counter::WebhooksRefused,
        "kyc_webhooks_refused_total",
        "Webhooks refused: signature missing or wrong, body too large or not the vendor's.",
    ),
    (
        Counter::WebhooksDuplicate,
        "kyc_webhooks_duplicate_total",
        "Verified webhooks recorded before (redeliveries).",
    ),
    (Counter::Polls, "kyc_polls_total", "Status refreshes that asked the vendor."),
];

/// The counters, one per vendor each.
#[derive(Debug)]
pub(crate) struct Metrics {
    values: Vec<AtomicU64>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self { values: (0..COUNTERS.len() * VENDORS.len()).map(|_| AtomicU64::new(0)).collect() }
    }
}

impl Metrics {
    /// Counts one `counter` for `provider` (a name the registry does not know is not counted:
    /// it has no series).
    pub(crate) fn count(&self, counter: Counter, provider: &str) {
        if let Some(value) = self.slot(counter, provider) {
            value.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn slot(&self, counter: Counter, provider: &str) -> Option<&AtomicU64> {
        let row = COUNTERS.iter().position(|(known, ..)| *known == counter)?;
        let column = VENDORS.iter().position(|vendor| vendor.name == provider)?;
        self.values.get(row * VENDORS.len() + column)
    }

    /// The text exposition.
    pub(crate) fn render(&self) -> String {
        let mut text = String::new();
        for (row, (_, name, help)) in COUNTERS.iter().enumerate() {
            let _ = writeln!(text, "# HELP {name} {help}\n# TYPE {name} counter");
            for (column, vendor) in VENDORS.iter().enumerate() {
                let value = self.values[row * VENDORS.len() + column].load(Ordering::Relaxed);
                let _ = writeln!(text, "{name}{{provider=\"{}\"}} {value}", vendor.name);
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vendor_has_every_series() {
        let metrics = Metrics::default();
        metrics.count(Counter::WebhooksRefused, "veriff");
        metrics.count(Counter::WebhooksRefused, "veriff");
        metrics.count(Counter::Polls, "acme");
        let text = metrics.render();
        assert!(text.contains("kyc_webhooks_refused_total{provider=\"veriff\"} 2\n"), "{text}");
        assert!(text.contains("kyc_webhooks_refused_total{provider=\"idenfy\"} 0\n"));
        assert!(text.contains("# TYPE kyc_polls_total counter\n"));
        assert!(!text.contains("acme"));
        let series = text.lines().filter(|line| !line.starts_with('#')).count();
        assert_eq!(series, COUNTERS.len() * VENDORS.len());
    }
}
