//! What the library costs on top of a hand-written reqwest call: `create_session` through each
//! adapter against the same minimal local server as the vendor's minimum written by hand
//! (`common`), in the same run, and what the ledger over its in-memory store costs on top of
//! the adapter. Latency p50 and p99 one call at a time; throughput at 1, 16 and 64 concurrent
//! calls; each as a ratio, with a pass or miss line per target:
//!
//! - the library against the baseline: latency at most 1.05×, throughput at least 0.95×;
//! - the ledger against the library alone: the same bounds (another 5% at most).
//!
//! Client and server share the machine's two cores with whatever else runs, which comes and
//! goes in bursts: so the sides take turns at a fine grain (latency every 32 calls, throughput
//! in bursts of 256 calls, the order rotating), and each ratio is over the whole run, with its
//! range over eight blocks of the run in brackets.
//!
//! ```sh
//! cargo bench --bench overhead
//! cargo bench --bench overhead -- veriff onfido   # some vendors only
//! ```

mod common;

use std::time::{Duration, Instant};

use common::{Call, Vendor};

/// Calls per side for latency, one at a time, the sides taking turns every `TURN` calls (call
/// by call, each call would find another client's connection and data cold in the cache).
const LATENCY_CALLS: usize = 8192;
const TURN: usize = 32;
/// Throughput slices per side: each a burst of `SLICE_CALLS` calls, the sides taking turns.
const SLICES: usize = 48;
const SLICE_CALLS: usize = 256;
/// Ratios are also computed per block of slices (or calls), for their spread.
const BLOCKS: usize = 8;
const CONCURRENCY: [usize; 3] = [1, 16, 64];
const LATENCY_BOUND: f64 = 1.05;
const THROUGHPUT_BOUND: f64 = 0.95;

fn main() {
    let only: Vec<Vendor> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .filter_map(|arg| Vendor::parse(&arg))
        .collect();
    let vendors = match only.is_empty() {
        true => Vendor::ALL.to_vec(),
        false => only,
    };
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    // On a worker thread, as an application's handler would be: a future driven by
    // `block_on` on the main thread pays a cross-thread wakeup per I/O event.
    let misses = runtime.block_on(async { tokio::spawn(run(vendors)).await.expect("bench") });
    println!();
    match misses {
        0 => println!("every target met"),
        n => println!("{n} targets missed"),
    }
}

async fn run(vendors: Vec<Vendor>) -> usize {
    let base = common::start_server().await;
    let mut misses = 0;
    println!(
        "| vendor | measure | hand-written reqwest | kyc | ratio | target | kyc + ledger | ratio to kyc | target |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for vendor in vendors {
        let sides = [vendor.baseline(&base), vendor.library(&base), vendor.ledger(&base)];
        for side in &sides {
            for _ in 0..300 {
                side().await; // warm the connection pools
            }
        }
        let latencies = latencies(&sides).await;
        let mut rows: Vec<(String, Row)> = Vec::new();
        for (name, pick) in [("latency p50", 0.50), ("latency p99", 0.99)] {
            let value = |block: &[Vec<Duration>; 3], side: usize| {
                percentile(&block[side], pick).as_secs_f64()
            };
            rows.push((name.into(), Row::new(&latencies, value, true)));
        }
        for concurrency in CONCURRENCY {
            let blocks = throughputs(&sides, concurrency).await;
            let value = |block: &[Duration; 3], side: usize| {
                (SLICE_CALLS * SLICES / BLOCKS) as f64 / block[side].as_secs_f64()
            };
            rows.push((format!("throughput at {concurrency}"), Row::new(&blocks, value, false)));
        }
        for (name, row) in rows {
            misses += usize::from(!row.library.met) + usize::from(!row.ledger.met);
            println!(
                "| {} | {name} | {} | {} | {} | {} | {} | {} | {} |",
                vendor.name(),
                row.show(row.values[0]),
                row.show(row.values[1]),
                row.library.ratio_with_spread(),
                row.library.verdict(),
                row.show(row.values[2]),
                row.ledger.ratio_with_spread(),
                row.ledger.verdict(),
            );
        }
    }
    misses
}

/// Each side's call timings, in [`BLOCKS`] blocks: [`TURN`] calls per side in turn, the
/// order rotating.
async fn latencies(sides: &[Call; 3]) -> Vec<[Vec<Duration>; 3]> {
    let turns = LATENCY_CALLS / BLOCKS / TURN;
    let mut blocks = Vec::with_capacity(BLOCKS);
    for _ in 0..BLOCKS {
        let mut block: [Vec<Duration>; 3] = Default::default();
        for round in 0..turns {
            for turn in 0..sides.len() {
                let side = (round + turn) % sides.len();
                for _ in 0..TURN {
                    let started = Instant::now();
                    sides[side]().await;
                    block[side].push(started.elapsed());
                }
            }
        }
        block.iter_mut().for_each(|timings| timings.sort());
        blocks.push(block);
    }
    blocks
}

/// Each side's time for its slices at `concurrency`, in [`BLOCKS`] blocks: one slice per side
/// in turn, the order rotating.
async fn throughputs(sides: &[Call; 3], concurrency: usize) -> Vec<[Duration; 3]> {
    let per_block = SLICES / BLOCKS;
    let mut blocks = Vec::with_capacity(BLOCKS);
    for _ in 0..BLOCKS {
        let mut block = [Duration::ZERO; 3];
        for slice in 0..per_block {
            for turn in 0..sides.len() {
                let side = (slice + turn) % sides.len();
                block[side] += burst(&sides[side], concurrency).await;
            }
        }
        blocks.push(block);
    }
    blocks
}

/// A measure's median values (baseline, library, ledger) and its two ratios.
struct Row {
    values: [f64; 3],
    latency: bool,
    library: Ratio,
    ledger: Ratio,
}

/// A ratio over the whole run, its range over the blocks, and whether it meets its bound.
struct Ratio {
    whole: f64,
    low: f64,
    high: f64,
    bound: f64,
    met: bool,
}

impl Row {
    /// The row from `blocks`, each giving each side's `value`: the values and ratios over the
    /// whole run (latency percentiles over every call; throughput over every slice), their
    /// spread over the blocks.
    fn new<B>(blocks: &[B], value: impl Fn(&B, usize) -> f64, latency: bool) -> Row {
        let values = [0, 1, 2].map(|side| {
            let all: Vec<f64> = blocks.iter().map(|block| value(block, side)).collect();
            match latency {
                true => median(all),
                false => all.len() as f64 / all.iter().map(|rate| 1.0 / rate).sum::<f64>(),
            }
        });
        let ratio = |over: usize, under: usize| {
            let per_block: Vec<f64> =
                blocks.iter().map(|block| value(block, over) / value(block, under)).collect();
            let low = per_block.iter().copied().fold(f64::MAX, f64::min);
            let high = per_block.iter().copied().fold(f64::MIN, f64::max);
            let whole = values[over] / values[under];
            let (bound, met) = match latency {
                true => (LATENCY_BOUND, whole <= LATENCY_BOUND),
                false => (THROUGHPUT_BOUND, whole >= THROUGHPUT_BOUND),
            };
            Ratio { whole, low, high, bound, met }
        };
        Row { values, latency, library: ratio(1, 0), ledger: ratio(2, 1) }
    }

    fn show(&self, value: f64) -> String {
        match self.latency {
            true => format!("{:.1} µs", value * 1e6),
            false => format!("{value:.0}/s"),
        }
    }
}

impl Ratio {
    fn ratio_with_spread(&self) -> String {
        format!("{:.3} [{:.3}, {:.3}]", self.whole, self.low, self.high)
    }

    fn verdict(&self) -> String {
        let sign = if self.bound > 1.0 { "≤" } else { "≥" };
        let word = if self.met { "pass" } else { "miss" };
        format!("{sign} {:.2}: {word}", self.bound)
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn percentile(sorted: &[Duration], pick: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * pick).round() as usize]
}

/// The time `concurrency` callers take for [`SLICE_CALLS`] calls between them.
async fn burst(call: &Call, concurrency: usize) -> Duration {
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let call = std::sync::Arc::clone(call);
        workers.spawn(async move {
            for _ in 0..SLICE_CALLS / concurrency {
                call().await;
            }
        });
    }
    while workers.join_next().await.is_some() {}
    started.elapsed()
}
