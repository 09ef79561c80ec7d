//! `jumun-sandbox …`: the sandbox's command line.

use super::clock::{ClockError, MarketClock};
use super::days::{DayPattern, DayPatternError};
use super::{spawn, ClockMode, SandboxConfig};
use chrono::{DateTime, FixedOffset};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Usage of `jumun-sandbox`.
pub const USAGE: &str = "\
jumun-sandbox — a marketplace sandbox on loopback: Korean orders arriving on Cafe24,
SmartStore, Coupang and generic-feed marketplaces, with scripted cancels, returns and exchanges

USAGE:
    jumun-sandbox [--seed N] [--addr 127.0.0.1:PORT] [--speed X] [--interval SECS]
                  [--backlog N] [--epoch RFC3339 | --data-dir DIR] [--malformed-every N]
                  [--hostile-every N] [--manual-clock] [--clock-rate R --clock-anchor MS]
                  [--day-pattern W1,W2,...]

OPTIONS:
    --seed N             seed of every generated order                 [default 1]
    --addr HOST:PORT     loopback listen address (port 0 picks one)    [default 127.0.0.1:8090]
    --speed X            script seconds per marketplace second (60: claims within seconds)
                                                                       [default 1]
    --interval SECS      script seconds between new orders             [default 8]
    --backlog N          orders placed before the start                [default 12]
    --epoch TIME         sandbox time zero (e.g. 2024-11-15T09:00:00+09:00); restarting with
                         the same seed and epoch resumes the same state
                                                  [default now, by the marketplace clock]
    --data-dir DIR       keep the time zero in DIR/sandbox-epoch: read it, or write now there
                         on first start, so every restart resumes the same timeline
    --malformed-every N  serve every Nth new order with a malformed quantity [default never]
    --hostile-every N    give every Nth new order markup (<img onerror>, <script>) in its
                         recipient's name, memo, product name and option [default never]
    --manual-clock       time stands still until POST /sandbox/clock {\"advance_secs\": N}
    --clock-rate R       marketplace time runs R times faster than the system clock from
                         the anchor: ANCHOR + (now - ANCHOR) * R (720: 12 hours a minute);
                         give jumun-server the same rate and anchor    [default 1]
    --clock-anchor MS    the anchor, Unix epoch milliseconds (required when R is not 1)
    --day-pattern W,...  each Korean day's order volume from the epoch's day on, repeating:
                         0 a quiet day (no orders, no scenarios), 1 normal, 4 four times as
                         many orders (e.g. 1,0,4)                      [default all 1]
    -h, --help           print this help

It prints `sandbox listening on http://ADDR` first; jumun-server --demo --demo-marketplaces
http://ADDR connects the demo store to every marketplace it serves (GET /connections).
";

/// The file in `--data-dir` that keeps the sandbox's time zero.
pub const EPOCH_FILE: &str = "sandbox-epoch";

/// What `jumun-sandbox …` asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum SandboxInvocation {
    /// Run the sandbox; with a data directory, its epoch comes from the file there
    /// ([`epoch_from_file`]).
    Run(Box<SandboxConfig>, Option<PathBuf>),
    /// Print usage.
    Help,
}

/// A sandbox flag that is not understood.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SandboxArgError {
    /// Unknown flag.
    #[error("unknown sandbox option {0:?}; run `jumun-sandbox --help`")]
    Unknown(String),
    /// A flag without its value.
    #[error("sandbox option {0} needs a value")]
    Missing(String),
    /// A value that does not parse.
    #[error("sandbox option {flag}: {value:?} is not {expected}")]
    Bad {
        /// The flag.
        flag: String,
        /// The value.
        value: String,
        /// What it should be.
        expected: &'static str,
    },
    /// Two options that each set the epoch.
    #[error("give --epoch or --data-dir, not both: each sets the sandbox's time zero")]
    TwoEpochs,
    /// A clock rate and anchor that do not make a clock.
    #[error("sandbox clock: {0}")]
    Clock(#[from] ClockError),
    /// A day pattern that cannot be used.
    #[error("sandbox option --day-pattern {value:?}: {reason}")]
    DayPattern {
        /// The value.
        value: String,
        /// Why.
        reason: DayPatternError,
    },
}

/// Parses the arguments after `sandbox`.
pub fn parse<I: IntoIterator<Item = String>>(
    args: I,
) -> Result<SandboxInvocation, SandboxArgError> {
    let mut config = SandboxConfig::default();
    let mut data_dir = None;
    let (mut clock_rate, mut clock_anchor) = (1.0, None);
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        let mut value = |expected: &'static str| -> Result<String, SandboxArgError> {
            let _ = expected;
            args.next()
                .ok_or_else(|| SandboxArgError::Missing(flag.clone()))
        };
        fn bad(flag: &str, value: String, expected: &'static str) -> SandboxArgError {
            SandboxArgError::Bad {
                flag: flag.to_owned(),
                value,
                expected,
            }
        }
        match flag.as_str() {
            "-h" | "--help" => return Ok(SandboxInvocation::Help),
            "--seed" => {
                let v = value("a number")?;
                config.seed = v.parse().map_err(|_| bad(&flag, v, "a whole number"))?;
            }
            "--addr" => {
                let v = value("an address")?;
                config.addr = v
                    .parse()
                    .map_err(|_| bad(&flag, v, "an address like 127.0.0.1:8090"))?;
            }
            "--speed" | "--clock-rate" => {
                let v = value("a number")?;
                let number = v
                    .parse::<f64>()
                    .ok()
                    .filter(|s| s.is_finite() && *s > 0.0)
                    .ok_or_else(|| bad(&flag, v, "a positive number"))?;
                if flag == "--speed" {
                    config.speed = number;
                } else {
                    clock_rate = number;
                }
            }
            "--clock-anchor" => {
                let v = value("milliseconds")?;
                clock_anchor =
                    Some(v.parse::<i64>().map_err(|_| {
                        bad(&flag, v, "Unix epoch milliseconds like 1731628800000")
                    })?);
            }
            "--day-pattern" => {
                let v = value("weights")?;
                config.day_pattern = Some(
                    v.parse::<DayPattern>()
                        .map_err(|reason| SandboxArgError::DayPattern { value: v, reason })?,
                );
            }
            "--interval" => {
                let v = value("seconds")?;
                config.order_interval_secs = v
                    .parse::<u32>()
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or_else(|| bad(&flag, v, "a positive whole number of seconds"))?;
            }
            "--backlog" => {
                let v = value("a number")?;
                config.backlog = v.parse().map_err(|_| bad(&flag, v, "a whole number"))?;
            }
            "--epoch" => {
                let v = value("a time")?;
                config.epoch = Some(DateTime::parse_from_rfc3339(&v).map_err(|_| {
                    bad(&flag, v, "an RFC 3339 time like 2024-11-15T09:00:00+09:00")
                })?);
            }
            "--malformed-every" | "--hostile-every" => {
                let v = value("a number")?;
                let every = Some(
                    v.parse::<u64>()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| bad(&flag, v, "a positive whole number"))?,
                );
                if flag == "--malformed-every" {
                    config.malformed_every = every;
                } else {
                    config.hostile_every = every;
                }
            }
            "--data-dir" => data_dir = Some(PathBuf::from(value("a directory")?)),
            "--manual-clock" => config.clock = ClockMode::Manual,
            other => return Err(SandboxArgError::Unknown(other.to_owned())),
        }
    }
    if config.epoch.is_some() && data_dir.is_some() {
        return Err(SandboxArgError::TwoEpochs);
    }
    config.market_clock = MarketClock::new(clock_rate, clock_anchor)?;
    Ok(SandboxInvocation::Run(Box::new(config), data_dir))
}

/// Why the epoch file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum EpochFileError {
    /// It holds something else than a time.
    #[error(
        "{path} holds {text:?}, not a time ({reason}); delete the file to start the sandbox afresh"
    )]
    NotATime {
        /// The file.
        path: String,
        /// What it holds.
        text: String,
        /// Why that is not an RFC 3339 time.
        reason: chrono::ParseError,
    },
    /// It could not be read or written.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// `read` or `write`.
        action: &'static str,
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// The sandbox's time zero kept in `data_dir`: read from [`EPOCH_FILE`], or now by `clock`
/// (whole seconds, Korean time), written there on first use — so a restart resumes the same
/// timeline instead of replaying it into orders the console already has.
pub fn epoch_from_file(
    data_dir: &Path,
    clock: MarketClock,
) -> Result<DateTime<FixedOffset>, EpochFileError> {
    let path = data_dir.join(EPOCH_FILE);
    let shown = || path.display().to_string();
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            DateTime::parse_from_rfc3339(text.trim()).map_err(|reason| EpochFileError::NotATime {
                path: shown(),
                text: text.trim().to_owned(),
                reason,
            })
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            let now = SandboxConfig {
                market_clock: clock,
                ..SandboxConfig::default()
            }
            .epoch_or_now();
            let io = |source| EpochFileError::Io {
                action: "write",
                path: shown(),
                source,
            };
            std::fs::create_dir_all(data_dir).map_err(io)?;
            std::fs::write(&path, now.to_rfc3339()).map_err(io)?;
            Ok(now)
        }
        Err(source) => Err(EpochFileError::Io {
            action: "read",
            path: shown(),
            source,
        }),
    }
}

/// Runs `jumun-sandbox ARGS` until Ctrl-C or SIGTERM: prints `sandbox listening on
/// http://ADDR` (the line scripts wait for), then one line per marketplace with the base URL its
/// adapter connects to.
pub async fn run(args: Vec<String>) -> ExitCode {
    let config = match parse(args) {
        Ok(SandboxInvocation::Run(config, data_dir)) => match data_dir {
            Some(dir) => match epoch_from_file(&dir, config.market_clock) {
                Ok(epoch) => SandboxConfig {
                    epoch: Some(epoch),
                    ..*config
                },
                Err(err) => {
                    eprintln!("jumun-sandbox: {err}");
                    return ExitCode::FAILURE;
                }
            },
            None => *config,
        },
        Ok(SandboxInvocation::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(err) => {
            eprintln!("jumun-sandbox: {err}");
            return ExitCode::from(2);
        }
    };
    let seed = config.seed;
    let speed = config.speed;
    let clock_rate = config.market_clock.rate();
    let handle = match spawn(config).await {
        Ok(handle) => handle,
        Err(err) => {
            eprintln!("jumun-sandbox: {err}");
            return ExitCode::FAILURE;
        }
    };
    println!("sandbox listening on {}", handle.base_url());
    println!(
        "seed {seed}, speed {speed}x, clock rate {clock_rate}x; state at {}/sandbox/state",
        handle.base_url()
    );
    for conn in handle.connections() {
        println!(
            "  {:<12} {:<8} {}",
            conn.marketplace.as_str(),
            jumun_server::marketplaces::registry::adapter_name(conn.marketplace.as_str()),
            conn.base_url
        );
    }
    tokio::select! {
        result = handle.wait() => match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("jumun-sandbox: {err}");
                ExitCode::FAILURE
            }
        },
        () = jumun_server::shutdown_signal() => ExitCode::SUCCESS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn flags_set_the_config() {
        let SandboxInvocation::Run(config, None) = parse(args(&[
            "--seed",
            "7",
            "--addr",
            "127.0.0.1:0",
            "--speed",
            "30",
            "--malformed-every",
            "5",
            "--hostile-every",
            "3",
            "--epoch",
            "2024-11-15T09:00:00+09:00",
            "--manual-clock",
        ]))
        .expect("parses") else {
            panic!("expected run")
        };
        assert_eq!(config.seed, 7);
        assert_eq!(config.addr.port(), 0);
        assert_eq!(config.speed, 30.0);
        assert_eq!(config.malformed_every, Some(5));
        assert_eq!(config.hostile_every, Some(3));
        assert_eq!(config.clock, ClockMode::Manual);
        assert!(config.epoch.is_some());
        assert_eq!(parse(args(&["--help"])), Ok(SandboxInvocation::Help));
    }

    #[test]
    fn bad_flags_are_explained() {
        assert_eq!(
            parse(args(&["--port", "1"])),
            Err(SandboxArgError::Unknown("--port".into()))
        );
        assert_eq!(
            parse(args(&["--seed"])),
            Err(SandboxArgError::Missing("--seed".into()))
        );
        let err = parse(args(&["--speed", "-1"])).expect_err("negative speed");
        assert!(err.to_string().contains("positive"), "{err}");
        assert_eq!(
            parse(args(&[
                "--epoch",
                "2024-11-15T09:00:00+09:00",
                "--data-dir",
                "data"
            ])),
            Err(SandboxArgError::TwoEpochs)
        );
    }

    #[test]
    fn the_clock_and_day_pattern_flags_set_the_config() {
        let SandboxInvocation::Run(config, None) = parse(args(&[
            "--clock-rate",
            "720",
            "--clock-anchor",
            "1731628800000",
            "--day-pattern",
            "1,0,4",
        ]))
        .expect("parses") else {
            panic!("expected run")
        };
        assert_eq!(
            config.market_clock,
            MarketClock::new(720.0, Some(1_731_628_800_000)).unwrap()
        );
        assert_eq!(config.day_pattern, Some("1,0,4".parse().unwrap()));
        let SandboxInvocation::Run(config, None) = parse(args(&[])).expect("parses") else {
            panic!("expected run")
        };
        assert_eq!(config.market_clock, MarketClock::SYSTEM);
        assert_eq!(config.day_pattern, None);
    }

    #[test]
    fn bad_clock_and_day_pattern_flags_are_explained() {
        let err = parse(args(&["--clock-rate", "720"])).expect_err("no anchor");
        assert_eq!(err, SandboxArgError::Clock(ClockError::NoAnchor(720.0)));
        assert!(err.to_string().contains("--clock-anchor"), "{err}");
        for rate in ["0", "-2", "fast", "NaN"] {
            let err =
                parse(args(&["--clock-rate", rate, "--clock-anchor", "0"])).expect_err("bad rate");
            assert!(err.to_string().contains("positive number"), "{rate}: {err}");
        }
        let err = parse(args(&["--clock-anchor", "yesterday"])).expect_err("bad anchor");
        assert!(err.to_string().contains("milliseconds"), "{err}");
        for (pattern, reason) in [
            ("0,0", DayPatternError::AllQuiet),
            ("", DayPatternError::Empty),
            ("1,x", DayPatternError::NotAWeight("x".into())),
        ] {
            assert_eq!(
                parse(args(&["--day-pattern", pattern])),
                Err(SandboxArgError::DayPattern {
                    value: pattern.into(),
                    reason
                })
            );
        }
        let err = parse(args(&["--day-pattern", "0"])).expect_err("all quiet");
        assert!(
            err.to_string().contains("would never place an order"),
            "{err}"
        );
    }

    #[test]
    fn the_epoch_is_written_once_in_the_data_dir_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let Ok(SandboxInvocation::Run(config, Some(from_flag))) =
            parse(args(&["--data-dir", data.to_str().unwrap()]))
        else {
            panic!("expected run with a data directory")
        };
        assert_eq!(config.epoch, None);
        assert_eq!(from_flag, data);
        let first = epoch_from_file(&data, MarketClock::SYSTEM).unwrap();
        assert_eq!(first.offset(), &jumun_core::time::KOREA);
        assert_eq!(epoch_from_file(&data, MarketClock::SYSTEM).unwrap(), first);
        std::fs::write(data.join(EPOCH_FILE), "yesterday").unwrap();
        let err = epoch_from_file(&data, MarketClock::SYSTEM).unwrap_err();
        assert!(matches!(err, EpochFileError::NotATime { .. }), "{err:?}");
        assert!(err.to_string().contains("delete the file"), "{err}");
    }
}
