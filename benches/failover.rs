//! The price of failover: one session through the healthy provider alone, next to the same
//! session when a dead provider (connection refused) comes first, and when that dead provider's
//! circuit breaker is already open. Real adapters, real loopback sockets: the healthy provider
//! is the emulator's Veriff, the dead one an iDenfy at a port where nothing listens.
//!
//! ```sh
//! cargo bench --bench failover
//! ```

use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use kyc::{
    BreakerConfig, BreakerState, ClientId, Failover, FailoverPolicy, SessionRequest,
    VerificationSession,
};
use kyc_emulator::Emulator;

/// A loopback port nothing listens on: a dead vendor (connection refused).
async fn dead_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("loopback");
    listener.local_addr().expect("bound").port()
}

fn failover(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (emulator, dead, healthy) = runtime.block_on(async {
        let emulator = Emulator::builder().start().await.expect("emulator");
        let dead = kyc::Idenfy::builder("key", "secret")
            .with_base_url(format!("http://127.0.0.1:{}", dead_port().await))
            .build()
            .expect("idenfy");
        let veriff = kyc::VeriffBuilder::from_vars(emulator.vars())
            .and_then(kyc::VeriffBuilder::build)
            .expect("veriff");
        (
            emulator,
            Arc::new(dead) as Arc<dyn VerificationSession>,
            Arc::new(veriff) as Arc<dyn VerificationSession>,
        )
    });
    let request = SessionRequest::new(ClientId::new("bench-user").expect("client id"));
    let no_retries = FailoverPolicy::default().with_max_retries(0);

    // The breaker never opens: every session pays for the dead provider.
    let through_dead = Failover::new(vec![Arc::clone(&dead), Arc::clone(&healthy)])
        .with_policy(no_retries)
        .with_breaker(BreakerConfig::new(u32::MAX, Duration::from_secs(3600)));
    // The breaker opens at the first failure and stays open for the whole run.
    let open_breaker = Failover::new(vec![Arc::clone(&dead), Arc::clone(&healthy)])
        .with_policy(no_retries)
        .with_breaker(BreakerConfig::new(1, Duration::from_secs(3600)));
    runtime.block_on(open_breaker.create_session(&request)).expect("served");
    assert_eq!(open_breaker.breaker_states()[0].1, BreakerState::Open);

    let mut group = c.benchmark_group("create_session");
    group.bench_function("healthy provider alone", |b| {
        b.to_async(&runtime).iter(|| healthy.create_session(&request))
    });
    group.bench_function("failover from a dead provider", |b| {
        b.to_async(&runtime).iter(|| through_dead.create_session(&request))
    });
    group.bench_function("failover past an open breaker", |b| {
        b.to_async(&runtime).iter(|| open_breaker.create_session(&request))
    });
    group.finish();
    drop(emulator);
}

criterion_group!(benches, failover);
criterion_main!(benches);
