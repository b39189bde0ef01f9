//! The price of failover: one session through the healthy provider alone, next to the same
//! session when a dead provider (connection refused) comes first, and when that dead provider's
//! circuit breaker is already open. Real adapters, real loopback sockets.
//!
//! ```sh
//! cargo bench --bench failover
//! ```

#[path = "../examples/support/veriff_stand_in.rs"]
mod veriff_stand_in;

use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use kyc::{
    BreakerConfig, BreakerState, ClientId, Failover, FailoverPolicy, SessionRequest,
    VerificationSession,
};

fn failover(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (dead, healthy) = runtime.block_on(async {
        let port = veriff_stand_in::dead_port().await;
        let dead = kyc::Idenfy::builder("key", "secret")
            .with_base_url(format!("http://127.0.0.1:{port}"))
            .build()
            .expect("idenfy");
        let veriff = kyc::Veriff::builder("3fa85f64-5717-4562-b3fc-2c963f66afa6")
            .with_base_url(veriff_stand_in::start().await)
            .build()
            .expect("veriff");
        (
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
}

criterion_group!(benches, failover);
criterion_main!(benches);
