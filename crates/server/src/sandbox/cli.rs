//! `jumun-server sandbox …`: the sandbox's command line.

use super::{spawn, ClockMode, SandboxConfig};
use chrono::DateTime;
use std::process::ExitCode;

/// Usage of `jumun-server sandbox`.
pub const USAGE: &str = "\
jumun-server sandbox — a marketplace sandbox on loopback: Korean orders arriving on Cafe24,
SmartStore, Coupang and generic-feed marketplaces, with scripted cancels, returns and exchanges

USAGE:
    jumun-server sandbox [--seed N] [--addr 127.0.0.1:PORT] [--speed X] [--interval SECS]
                         [--backlog N] [--epoch RFC3339] [--malformed-every N] [--manual-clock]

OPTIONS:
    --seed N             seed of every generated order                 [default 1]
    --addr HOST:PORT     loopback listen address (port 0 picks one)    [default 127.0.0.1:8090]
    --speed X            script seconds per second (60: claims within seconds) [default 1]
    --interval SECS      script seconds between new orders             [default 8]
    --backlog N          orders placed before the start                [default 12]
    --epoch TIME         sandbox time zero (e.g. 2024-11-15T09:00:00+09:00); restarting with
                         the same seed and epoch resumes the same state [default now]
    --malformed-every N  serve every Nth new order with a malformed quantity [default never]
    --manual-clock       time stands still until POST /sandbox/clock {\"advance_secs\": N}
    -h, --help           print this help
";

/// What `jumun-server sandbox …` asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum SandboxInvocation {
    /// Run the sandbox.
    Run(SandboxConfig),
    /// Print usage.
    Help,
}

/// A sandbox flag that is not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SandboxArgError {
    /// Unknown flag.
    #[error("unknown sandbox option {0:?}; run `jumun-server sandbox --help`")]
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
}

/// Parses the arguments after `sandbox`.
pub fn parse<I: IntoIterator<Item = String>>(
    args: I,
) -> Result<SandboxInvocation, SandboxArgError> {
    let mut config = SandboxConfig::default();
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
            "--speed" => {
                let v = value("a number")?;
                config.speed = v
                    .parse::<f64>()
                    .ok()
                    .filter(|s| s.is_finite() && *s > 0.0)
                    .ok_or_else(|| bad(&flag, v, "a positive number"))?;
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
            "--malformed-every" => {
                let v = value("a number")?;
                config.malformed_every = Some(
                    v.parse::<u64>()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| bad(&flag, v, "a positive whole number"))?,
                );
            }
            "--manual-clock" => config.clock = ClockMode::Manual,
            other => return Err(SandboxArgError::Unknown(other.to_owned())),
        }
    }
    Ok(SandboxInvocation::Run(config))
}

/// Runs `jumun-server sandbox ARGS` until Ctrl-C or SIGTERM: prints `sandbox listening on
/// http://ADDR` (the line scripts wait for), then one line per marketplace with the base URL its
/// adapter connects to.
pub async fn run(args: Vec<String>) -> ExitCode {
    let config = match parse(args) {
        Ok(SandboxInvocation::Run(config)) => config,
        Ok(SandboxInvocation::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(err) => {
            eprintln!("jumun-server: {err}");
            return ExitCode::from(2);
        }
    };
    let seed = config.seed;
    let speed = config.speed;
    let handle = match spawn(config).await {
        Ok(handle) => handle,
        Err(err) => {
            eprintln!("jumun-server: {err}");
            return ExitCode::FAILURE;
        }
    };
    println!("sandbox listening on {}", handle.base_url());
    println!(
        "seed {seed}, speed {speed}x; state at {}/sandbox/state",
        handle.base_url()
    );
    for conn in handle.connections() {
        println!(
            "  {:<12} {:<8} {}",
            conn.marketplace.as_str(),
            crate::marketplaces::registry::adapter_name(conn.marketplace.as_str()),
            conn.base_url
        );
    }
    tokio::select! {
        result = handle.wait() => match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("jumun-server: {err}");
                ExitCode::FAILURE
            }
        },
        () = crate::shutdown_signal() => ExitCode::SUCCESS,
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
        let SandboxInvocation::Run(config) = parse(args(&[
            "--seed",
            "7",
            "--addr",
            "127.0.0.1:0",
            "--speed",
            "30",
            "--malformed-every",
            "5",
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
    }
}
