//! The figures benches print: durations, rates, sizes, percentiles, and what the machine was
//! doing while they ran. All read-only; `/proc` figures are `n/a` where there is no `/proc`.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

/// The head of a bench's output: its title, the cores and the load average at start.
pub fn begin(title: &str) {
    println!("== {title} ==");
    println!(
        "cores available: {} | load average at start: {}",
        cores(),
        load_average()
    );
}

/// The tail of a bench's output and its exit code: the load average at the end, the peak
/// memory (`VmHWM`), and `CHECK FAILED: …` with a non-zero exit when a correctness check failed.
pub fn finish(result: Result<(), String>) -> ExitCode {
    println!();
    println!("load average at the end: {}", load_average());
    println!("peak memory (VmHWM): {}", proc_status("VmHWM:"));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("CHECK FAILED: {message}");
            ExitCode::FAILURE
        }
    }
}

/// A duration in milliseconds, two decimals: `12.34 ms`.
pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// `n` per second over `d`: `850`, `12.3 k`, `1.25 M`.
pub fn per_sec(n: usize, d: Duration) -> String {
    let rate = n as f64 / d.as_secs_f64().max(1e-9);
    if rate >= 1e6 {
        format!("{:.2} M", rate / 1e6)
    } else if rate >= 1e4 {
        format!("{:.1} k", rate / 1e3)
    } else {
        format!("{rate:.0}")
    }
}

/// `a / b`, two decimals (`b` of 0 counts as 1).
pub fn ratio(a: usize, b: usize) -> String {
    format!("{:.2}", a as f64 / b.max(1) as f64)
}

/// Whether `took` met the aim: `met (12.34 ms)` or `MISSED (…)`. Printed, never asserted.
pub fn verdict(aim: Duration, took: Duration) -> String {
    if took < aim {
        format!("met ({})", ms(took))
    } else {
        format!("MISSED ({})", ms(took))
    }
}

/// Bytes as MB (10^6), one decimal.
pub fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// The size of a file, 0 if it does not exist.
pub fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// Sorted durations and their percentiles.
pub struct Latencies(Vec<Duration>);

impl Latencies {
    /// The samples, sorted.
    pub fn new(mut samples: Vec<Duration>) -> Self {
        samples.sort();
        Self(samples)
    }

    /// How many samples.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The `p`-th percentile (nearest rank); zero when empty.
    pub fn pct(&self, p: f64) -> Duration {
        if self.0.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * self.0.len() as f64).ceil() as usize;
        self.0[rank.clamp(1, self.0.len()) - 1]
    }

    /// The largest sample; zero when empty.
    pub fn max(&self) -> Duration {
        self.0.last().copied().unwrap_or_default()
    }

    /// The mean; zero when empty.
    pub fn mean(&self) -> Duration {
        if self.0.is_empty() {
            return Duration::ZERO;
        }
        self.0.iter().sum::<Duration>() / self.0.len() as u32
    }

    /// The median; zero when empty.
    pub fn median(&self) -> Duration {
        self.pct(50.0)
    }

    /// `mean … | p50 … | p90 … | p99 … | p99.9 … | max …`.
    pub fn summary(&self) -> String {
        format!(
            "mean {} | p50 {} | p90 {} | p99 {} | p99.9 {} | max {}",
            ms(self.mean()),
            ms(self.pct(50.0)),
            ms(self.pct(90.0)),
            ms(self.pct(99.0)),
            ms(self.pct(99.9)),
            ms(self.max())
        )
    }
}

/// The CPU time (user + system, all threads) this process has used so far.
pub fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the `(comm)`: state is field 3, utime 14, stime 15 (in USER_HZ = 100 ticks).
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// A line of `/proc/self/status` (e.g. `VmHWM:`, the peak memory), trimmed.
pub fn proc_status(key: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .map(|l| l[key.len()..].trim().to_owned())
        })
        .unwrap_or_else(|| "n/a".to_owned())
}

/// The machine's load averages (1, 5, 15 min) — above the core count, other work competed.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "n/a".to_owned())
}

/// The machine's cores as this process sees them.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(0, |n| n.get())
}

/// A number from the environment (e.g. `JUMUN_BENCH_ORDERS=5_000`) or the default.
pub fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace(['_', ','], "").parse().ok())
        .unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_percentiles_read_as_printed() {
        let second = Duration::from_secs(1);
        assert_eq!(per_sec(850, second), "850");
        assert_eq!(per_sec(12_340, second), "12.3 k");
        assert_eq!(per_sec(1_250_000, second), "1.25 M");
        let samples = Latencies::new((1..=100).rev().map(Duration::from_millis).collect());
        assert_eq!(samples.pct(50.0), Duration::from_millis(50));
        assert_eq!(samples.pct(99.9), Duration::from_millis(100));
        assert_eq!(samples.max(), Duration::from_millis(100));
        assert_eq!(ms(samples.mean()), "50.50 ms");
        assert_eq!(verdict(second, Duration::from_millis(5)), "met (5.00 ms)");
    }
}
