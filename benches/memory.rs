//! Peak memory over 100,000 session creations against the emulator (which remembers only the
//! last 1,000, so what grows would be the library's): it must stay flat after warm-up.
//!
//! ```sh
//! cargo bench --bench memory
//! ```

use std::sync::Arc;

use kyc::{ClientId, Failover, SessionRequest, VerificationSession};
use kyc_emulator::Emulator;

const SESSIONS: usize = 100_000;
const CONCURRENT: usize = 32;
const SAMPLE_EVERY: usize = 10_000;

/// A `/proc/self/status` value in kB (Linux).
fn kilobytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with(field))?;
    line[field.len() + 1..].trim().trim_end_matches(" kB").trim().parse().ok()
}

fn main() {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let emulator =
            Emulator::builder().with_retained_sessions(1_000).start().await.expect("emulator");
        // Configured from the emulator's environment, as a deployment is from its own.
        let idenfy = kyc::IdenfyBuilder::from_vars(emulator.vars())
            .and_then(kyc::IdenfyBuilder::build)
            .expect("idenfy");
        let veriff = kyc::VeriffBuilder::from_vars(emulator.vars())
            .and_then(kyc::VeriffBuilder::build)
            .expect("veriff");
        let failover: Arc<dyn VerificationSession> =
            Arc::new(Failover::new(vec![Arc::new(idenfy), Arc::new(veriff)]));
        println!("| sessions created | resident memory (VmRSS) | peak (VmHWM) |");
        println!("|---|---|---|");
        let mut samples = Vec::new();
        for round in 0..SESSIONS / SAMPLE_EVERY {
            let mut workers = tokio::task::JoinSet::new();
            for worker in 0..CONCURRENT {
                let failover = Arc::clone(&failover);
                workers.spawn(async move {
                    for i in 0..SAMPLE_EVERY / CONCURRENT {
                        let id = format!("mem-{round}-{worker}-{i}");
                        let request = SessionRequest::new(ClientId::new(id).expect("client id"));
                        failover.create_session(&request).await.expect("session");
                    }
                });
            }
            while workers.join_next().await.is_some() {}
            let (rss, peak) = (kilobytes("VmRSS").unwrap_or(0), kilobytes("VmHWM").unwrap_or(0));
            println!("| {} | {} kB | {} kB |", (round + 1) * SAMPLE_EVERY, rss, peak);
            samples.push(rss);
        }
        if let (Some(warm), Some(last)) = (samples.get(1), samples.last()) {
            let growth = (*last as f64 - *warm as f64) / *warm as f64 * 100.0;
            println!("\nresident memory from 20,000 to {SESSIONS} sessions: {growth:+.1}%");
        }
    });
}
