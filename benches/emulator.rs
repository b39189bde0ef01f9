//! How many sessions a second the emulator serves, so it never bounds the other benchmarks:
//! 64 concurrent `create_session` calls per iteration through each real adapter.
//!
//! ```sh
//! cargo bench --bench emulator
//! ```

use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kyc::{ClientId, SessionRequest, VerificationSession};
use kyc_emulator::Emulator;

const CONCURRENT: usize = 64;

fn emulator(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (emulator, idenfy, veriff) = runtime.block_on(async {
        let emulator = Emulator::builder().start().await.expect("emulator");
        // Configured from the emulator's environment, as a deployment is from its own (Veriff
        // requests are then signed, as with a shared secret in production).
        let idenfy = kyc::IdenfyBuilder::from_vars(emulator.vars())
            .and_then(kyc::IdenfyBuilder::build)
            .expect("idenfy");
        let veriff = kyc::VeriffBuilder::from_vars(emulator.vars())
            .and_then(kyc::VeriffBuilder::build)
            .expect("veriff");
        (
            emulator,
            Arc::new(idenfy) as Arc<dyn VerificationSession>,
            Arc::new(veriff) as Arc<dyn VerificationSession>,
        )
    });
    let request = Arc::new(SessionRequest::new(ClientId::new("bench-user").expect("client id")));

    let mut group = c.benchmark_group("emulator");
    group.throughput(Throughput::Elements(CONCURRENT as u64));
    for (name, provider) in [("idenfy sessions", &idenfy), ("veriff sessions", &veriff)] {
        group.bench_function(name, |b| {
            b.to_async(&runtime).iter(|| async {
                let mut calls = tokio::task::JoinSet::new();
                for _ in 0..CONCURRENT {
                    let (provider, request) = (Arc::clone(provider), Arc::clone(&request));
                    calls.spawn(async move { provider.create_session(&request).await });
                }
                while let Some(done) = calls.join_next().await {
                    done.expect("task").expect("session");
                }
            })
        });
    }
    group.finish();
    drop(emulator);
}

criterion_group!(benches, emulator);
criterion_main!(benches);
