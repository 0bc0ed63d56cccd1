//! The rollback monitor's workload: a policy of 10 triggers over 20 metrics (windows up to 1h,
//! held-for times, graduated tiers) and a deterministic stream of 15-second observations with
//! incidents in it, which `benches/monitor_pandas.py` rebuilds value for value.
//!
//! Values are whole numbers divided by 100 (or counters of whole numbers), so that Python and
//! Rust compute the same doubles from the same xorshift sequence.

use kiro::CompiledPolicy;
use kiro::monitor::{Effect, MonitorEvent, MonitorState, Reading, advance};
use std::collections::BTreeMap;

/// Seconds between two observations.
pub const STEP_S: u64 = 15;

/// Observations in 30 days at [`STEP_S`].
pub const THIRTY_DAYS: usize = 30 * 24 * 3600 / 15;

/// The policy: 20 metrics, 6 windows (up to 1h), 10 triggers whose actions are `warn` and
/// `pause`, so that the monitor runs to the end of the stream (a rollback would end it).
pub const MONITOR_POLICY: &str = r#"version: 1
name: monitor-bench
metrics:
  error_rate: {unit: "%"}
  availability: {unit: "%"}
  latency: {unit: ms}
  db_latency: {unit: ms}
  cpu: {unit: "%"}
  memory: {unit: "%"}
  queue_depth: {unit: count}
  requests_total: {unit: count}
  errors_total: {unit: count}
  disk: {unit: "%"}
  m10: {unit: count}
  m11: {unit: count}
  m12: {unit: count}
  m13: {unit: count}
  m14: {unit: count}
  m15: {unit: count}
  m16: {unit: count}
  m17: {unit: count}
  m18: {unit: count}
  m19: {unit: count}
windows:
  err_5m: {avg: error_rate, over: 5m}
  p95_10m: {percentile: 95, of: latency, over: 10m}
  cpu_max_5m: {max: cpu, over: 5m}
  memory_1h: {avg: memory, over: 1h}
  api_ratio_5m: {ratio: errors_total, to: requests_total, over: 5m}
  req_rate_1m: {rate: requests_total, over: 1m}
triggers:
  - {name: errors, when: err_5m > 1%, for: 5m, action: warn}
  - {name: availability, when: availability < 99%, for: 2m, action: pause}
  - {name: latency, when: p95_10m > 500ms, for: 5m, action: warn}
  - {name: api-errors, when: api_ratio_5m > 2%, for: 2m, action: pause}
  - {name: cpu, when: cpu_max_5m > 90%, for: 10m, action: warn}
  - {name: memory, when: memory_1h > 80%, action: warn}
  - {name: queue, when: queue_depth > 1000, for: 1m, action: warn}
  - {name: database, when: db_latency > 200ms, for: 3m, action: warn}
  - name: graduated
    tiers:
      - {when: error_rate > 0.5%, for: 2m, action: warn}
      - {when: error_rate > 1.5%, for: 5m, action: pause}
  - {name: traffic-drop, when: req_rate_1m < 10, for: 5m, action: pause}
"#;

/// The metric names, in the order the generator draws them.
pub const METRIC_NAMES: [&str; 20] = [
    "error_rate",
    "availability",
    "latency",
    "db_latency",
    "cpu",
    "memory",
    "queue_depth",
    "requests_total",
    "errors_total",
    "disk",
    "m10",
    "m11",
    "m12",
    "m13",
    "m14",
    "m15",
    "m16",
    "m17",
    "m18",
    "m19",
];

/// The generator's xorshift64 (the same as the pipeline benches').
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// One metric's values over the stream: a baseline with noise, and incidents (about one in
/// 2,000 observations starts one, lasting 5 to 84 observations) during which it is elevated.
/// Returns the values, per observation, in the metric's declared unit.
fn series(rng: &mut Xorshift, count: usize, base: u64, noise: u64, incident: u64) -> Vec<f64> {
    let mut left = 0u64;
    (0..count)
        .map(|_| {
            if left == 0 && rng.next().is_multiple_of(2000) {
                left = 5 + rng.next() % 80;
            }
            let bump = if left > 0 {
                left -= 1;
                incident
            } else {
                0
            };
            // Hundredths of the unit, so both languages make the same doubles.
            (base + rng.next() % noise + bump) as f64 / 100.0
        })
        .collect()
}

/// A counter that rises by `per_step` hundredths on average, by more during incidents.
fn counter(rng: &mut Xorshift, count: usize, per_step: u64, incident: u64) -> Vec<f64> {
    let steps = series(rng, count, per_step / 2, per_step, incident);
    let mut total = 0.0;
    steps
        .into_iter()
        // Whole counts: round the step down so the sum stays exact in a double.
        .map(|s| {
            total += s.floor();
            total
        })
        .collect()
}

/// The values of every metric (outer: [`METRIC_NAMES`] order; inner: per observation).
#[must_use]
pub fn values(count: usize) -> Vec<Vec<f64>> {
    let mut rng = Xorshift(0x9E37_79B9_7F4A_7C15);
    let mut out = vec![
        series(&mut rng, count, 10, 60, 150), // error_rate 0.1–0.7%, +1.5% in incidents
        series(&mut rng, count, 9950, 50, 0), // availability 99.5–100%
        series(&mut rng, count, 20000, 20000, 30000), // latency 200–400 ms, +300 ms
        series(&mut rng, count, 5000, 10000, 12000), // db_latency 50–150 ms, +120 ms
        series(&mut rng, count, 3000, 4000, 3000), // cpu 30–70%, +30%
        series(&mut rng, count, 6000, 1500, 2000), // memory 60–75%, +20%
        series(&mut rng, count, 0, 50000, 60000), // queue_depth 0–500, +600
        counter(&mut rng, count, 100_000, 0), // requests_total, ~1000 per step
        counter(&mut rng, count, 800, 4000),  // errors_total, ~8 per step, +40
        series(&mut rng, count, 4000, 1000, 0), // disk
    ];
    for _ in 10..20 {
        out.push(series(&mut rng, count, 0, 100_000, 0));
    }
    // An availability dip is an incident too: dips of 1–2 points.
    let dips = series(&mut rng, count, 0, 1, 150);
    for (a, d) in out[1].iter_mut().zip(dips) {
        *a -= d;
    }
    out
}

/// The stream as monitor events: one observation of every metric every [`STEP_S`] seconds.
#[must_use]
pub fn events(count: usize) -> Vec<MonitorEvent> {
    let values = values(count);
    (0..count)
        .map(|i| MonitorEvent::Observe {
            at_ms: i as u64 * STEP_S * 1000,
            values: METRIC_NAMES
                .iter()
                .zip(&values)
                .map(|(name, v)| ((*name).to_owned(), Reading::Number(v[i])))
                .collect::<BTreeMap<_, _>>(),
        })
        .collect()
}

/// Replays `events` from a new state: the final state, and every `act` effect as `(time,
/// trigger, tier)`, what the pandas backtest finds too. The decisions are not written
/// ([`advance`]).
///
/// # Panics
/// If the policy has no triggers or an event is refused (the bench's own data never is).
#[must_use]
pub fn backtest(
    policy: &CompiledPolicy,
    events: &[MonitorEvent],
) -> (MonitorState, Vec<(u64, String, usize)>) {
    let mut state = MonitorState::new(policy).expect("the bench policy has triggers");
    let mut acts = Vec::new();
    for event in events {
        let stepped = advance(&mut state, policy, event).expect("the bench's events are valid");
        for effect in stepped.effects() {
            if let Effect::Act { trigger, tier, .. } = effect {
                acts.push((event.at_ms(), trigger.clone(), *tier));
            }
        }
    }
    (state, acts)
}

/// How many actions, and a digest of them in time order (FNV-1a over `trigger/tier@ms;`), the
/// same as `benches/monitor_pandas.py` prints.
#[must_use]
pub fn digest(acts: &[(u64, String, usize)]) -> (usize, u64) {
    let mut sorted: Vec<_> = acts.iter().collect();
    sorted.sort();
    let mut d = 0u64;
    for (ms, trigger, tier) in sorted {
        for byte in format!("{trigger}/{tier}@{ms};").bytes() {
            d = (d ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01B3);
        }
    }
    (acts.len(), d)
}
