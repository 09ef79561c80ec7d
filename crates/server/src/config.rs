//! Server configuration from command-line flags, with environment variables as defaults.

use crate::marketplaces::clock::{ClockError, MarketClock};
use crate::secret_key::{KeyFormatError, SecretKey, ENV_VAR as SECRET_KEY_VAR};
use std::net::SocketAddr;
use std::path::PathBuf;

/// How the server is started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// Where to listen. Default `127.0.0.1:8080` (`JUMUN_ADDR`).
    pub addr: SocketAddr,
    /// Where the database and other runtime data live. Default `data` (`JUMUN_DATA_DIR`).
    pub data_dir: PathBuf,
    /// A PostgreSQL database to use instead of the SQLite file in the data directory
    /// (`--database-url`, `DATABASE_URL`; `postgres://user:password@host:port/database`).
    /// Default none: SQLite.
    pub database_url: Option<String>,
    /// The built browser app (Trunk's `dist/`), served from the same origin. Default `dist`
    /// (`JUMUN_DIST_DIR`).
    pub dist_dir: PathBuf,
    /// Create the demo store `demo` and its users if missing, and print the sign-in at start.
    /// Default off (`--demo`, `JUMUN_DEMO=1`).
    pub demo: bool,
    /// Connect the demo store to the marketplaces that the directory at this loopback URL lists,
    /// collecting them every few seconds (`--demo-marketplaces URL`, `JUMUN_DEMO_MARKETPLACES`;
    /// needs `--demo`; see [`crate::collector::directory`]). Default none.
    pub demo_marketplaces: Option<String>,
    /// The marketplaces' clock (`--marketplace-clock-rate R --marketplace-clock-anchor MS`, only
    /// with `--demo-marketplaces`: the sandbox run on a dilated clock for a soak over simulated
    /// days; see [`crate::marketplaces::clock`]). Default the system clock.
    pub marketplace_clock: MarketClock,
    /// The key that encrypts marketplace credentials in the database (`JUMUN_SECRET_KEY`: 64
    /// hex digits or 44 base64 characters; environment only, so it never shows in a process
    /// list). Default none: the key file `secret.key` in the data directory, created on first
    /// start ([`SecretKey::load_or_create`]).
    pub secret_key: Option<SecretKey>,
}

/// A flag the server does not understand, or a value it cannot use.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// A marketplace clock flag that does not parse.
    #[error(transparent)]
    MarketplaceClock(#[from] ClockError),
    /// One of the two marketplace clock flags without the other.
    #[error(
        "--marketplace-clock-rate and --marketplace-clock-anchor go together: give both or neither"
    )]
    MarketplaceClockHalf,
    /// A dilated marketplace clock for real marketplaces.
    #[error(
        "--marketplace-clock-rate is for the sandbox marketplace only (with --demo-marketplaces): \
         real marketplaces keep real time"
    )]
    MarketplaceClockWithoutSandbox,
    /// An unknown flag.
    #[error("unknown option {0:?}; run with --help to see the options")]
    UnknownOption(String),
    /// A flag without its value.
    #[error("option {0} needs a value")]
    MissingValue(String),
    /// A database URL that is not a PostgreSQL one.
    #[error(
        "{source_name}={value:?} is not a PostgreSQL URL (postgres://user:password@host:port/database); \
         leave it unset to use SQLite in the data directory"
    )]
    BadDatabaseUrl { value: String, source_name: String },
    /// An address that does not parse.
    #[error("{value:?} is not a listen address like 127.0.0.1:8080 (from {source_name})")]
    BadAddress { value: String, source_name: String },
    /// A secret key that is not 32 bytes in hex or base64 (the value is not repeated).
    #[error(
        "{source_name} is not a usable secret key: {reason}; fix or unset it (unset, the \
         server keeps its key in secret.key in the data directory). If credentials were stored \
         with a key, it must be that same key"
    )]
    BadSecretKey {
        /// Where it came from.
        source_name: String,
        /// What is wrong with it.
        reason: KeyFormatError,
    },
    /// A demo-marketplaces URL that is not `http://` on this machine.
    #[error(
        "{source_name}={value:?} is not an http:// URL on this machine; give the address of \
         marketplaces served here, such as http://127.0.0.1:8090"
    )]
    BadDemoMarketplaces { value: String, source_name: String },
    /// Demo marketplaces without the demo store they feed.
    #[error("{0} feeds the demo store: add --demo (or JUMUN_DEMO=1)")]
    DemoMarketplacesWithoutDemo(String),
    /// The sandbox subcommand, option or variable of earlier versions: the sandbox is its own
    /// program now.
    #[error(
        "{0}: the sandbox marketplace is its own program now: run jumun-sandbox --seed N \
         (cargo run -p jumun-sandbox -- --help) and pass the URL it prints with \
         --demo-marketplaces URL; cargo xtask start does both"
    )]
    SandboxMoved(String),
    /// A yes/no environment variable with another value.
    #[error("{name}={value:?} is neither on (1, true, yes) nor off (0, false, no, empty)")]
    BadSwitch { name: String, value: String },
}

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Invocation {
    /// Run the server.
    Serve(ServerConfig),
    /// Print usage and exit.
    Help,
    /// Copy the SQLite database of a data directory, live, into a backup file
    /// (`jumun-server backup …`) with these arguments; see [`crate::maintenance::cli`].
    Backup(Vec<String>),
    /// Copy a stopped SQLite data store into an empty PostgreSQL database
    /// (`jumun-server copy-to-postgres …`); see [`crate::maintenance::cli`].
    CopyToPostgres(Vec<String>),
}

/// Usage text for `--help`.
pub const USAGE: &str = "\
jumun-server — Jumun's JSON API and the browser app's host

USAGE:
    jumun-server [--addr HOST:PORT] [--data-dir DIR] [--database-url URL] [--dist-dir DIR]
                 [--demo [--demo-marketplaces URL]]
    jumun-server backup [--data-dir DIR] --to FILE
                       copy the SQLite database into FILE while the server runs
                       (see jumun-server backup --help)
    jumun-server copy-to-postgres [--data-dir DIR] --database-url URL
                       move a stopped SQLite data store into an empty PostgreSQL database
                       (see jumun-server copy-to-postgres --help)

OPTIONS:
    --addr HOST:PORT   listen address          [env JUMUN_ADDR, default 127.0.0.1:8080]
    --data-dir DIR     database and run data   [env JUMUN_DATA_DIR, default data]
    --database-url URL PostgreSQL instead of the SQLite file in the data directory:
                       postgres://user:password@host:port/database
                                               [env DATABASE_URL, default none: SQLite]
    --dist-dir DIR     built app to serve      [env JUMUN_DIST_DIR, default dist]
    --demo             create the demo store (login: store demo, user demo, password
                       demo1234) if missing    [env JUMUN_DEMO=1, default off]
    --demo-marketplaces URL
                       with --demo: connect the demo store to the marketplaces served on
                       this machine at URL (http://127.0.0.1:PORT, which lists them at
                       GET /connections, as jumun-sandbox does) and collect them every 5 s
                                               [env JUMUN_DEMO_MARKETPLACES, default none]
    --marketplace-clock-rate R --marketplace-clock-anchor MS
                       with --demo-marketplaces, for soaks over simulated days: the
                       marketplaces' time is MS + (now - MS) x R (MS in Unix milliseconds),
                       as jumun-sandbox's --clock-rate/--clock-anchor [default real time]
    -h, --help         print this help

ENVIRONMENT:
    JUMUN_SECRET_KEY   the key that encrypts marketplace credentials in the database:
                       32 bytes as 64 hex digits or 44 base64 characters (openssl rand
                       -base64 32). Default: the file secret.key in the data directory,
                       created on first start (mode 0600). Keep it, and back it up apart
                       from the database: without it stored credentials must be re-entered.
";

impl ServerConfig {
    /// Reads the configuration from `args` (without the program name), falling back to `env`.
    pub fn from_args<I, E>(args: I, env: E) -> Result<Invocation, ConfigError>
    where
        I: IntoIterator<Item = String>,
        E: Fn(&str) -> Option<String>,
    {
        let mut args = args.into_iter().peekable();
        match args.peek().map(String::as_str) {
            Some("backup") => return Ok(Invocation::Backup(args.skip(1).collect())),
            Some("copy-to-postgres") => {
                return Ok(Invocation::CopyToPostgres(args.skip(1).collect()))
            }
            _ => {}
        }
        if env("JUMUN_SANDBOX").is_some() {
            return Err(ConfigError::SandboxMoved("JUMUN_SANDBOX".to_owned()));
        }
        let mut addr = env("JUMUN_ADDR").map(|v| (v, "JUMUN_ADDR".to_owned()));
        let mut data_dir = env("JUMUN_DATA_DIR").map(PathBuf::from);
        let mut database_url = env("DATABASE_URL")
            .filter(|v| !v.trim().is_empty())
            .map(|v| (v, "DATABASE_URL".to_owned()));
        let mut dist_dir = env("JUMUN_DIST_DIR").map(PathBuf::from);
        let mut demo = match env("JUMUN_DEMO") {
            Some(value) => switch("JUMUN_DEMO", value)?,
            None => false,
        };
        let mut demo_marketplaces = env("JUMUN_DEMO_MARKETPLACES")
            .filter(|v| !v.trim().is_empty())
            .map(|v| (v, "JUMUN_DEMO_MARKETPLACES".to_owned()));
        // Only from the environment: a key on the command line would show in `ps`.
        let secret_key = env(SECRET_KEY_VAR)
            .filter(|v| !v.trim().is_empty())
            .map(|v| {
                SecretKey::parse(&v).map_err(|reason| ConfigError::BadSecretKey {
                    source_name: SECRET_KEY_VAR.to_owned(),
                    reason,
                })
            })
            .transpose()?;
        let (mut clock_rate, mut clock_anchor) = (None::<String>, None::<String>);
        while let Some(flag) = args.next() {
            let mut value = |name: &str| {
                args.next()
                    .ok_or_else(|| ConfigError::MissingValue(name.to_owned()))
            };
            match flag.as_str() {
                "-h" | "--help" => return Ok(Invocation::Help),
                "--addr" => addr = Some((value("--addr")?, "--addr".to_owned())),
                "--data-dir" => data_dir = Some(PathBuf::from(value("--data-dir")?)),
                "--database-url" => {
                    database_url = Some((value("--database-url")?, "--database-url".to_owned()))
                }
                "--dist-dir" => dist_dir = Some(PathBuf::from(value("--dist-dir")?)),
                "--demo" => demo = true,
                "--demo-marketplaces" => {
                    demo_marketplaces = Some((
                        value("--demo-marketplaces")?,
                        "--demo-marketplaces".to_owned(),
                    ))
                }
                "--marketplace-clock-rate" => clock_rate = Some(value("--marketplace-clock-rate")?),
                "--marketplace-clock-anchor" => {
                    clock_anchor = Some(value("--marketplace-clock-anchor")?)
                }
                "sandbox" | "--sandbox" => return Err(ConfigError::SandboxMoved(flag)),
                other => return Err(ConfigError::UnknownOption(other.to_owned())),
            }
        }
        let addr = match addr {
            Some((value, source_name)) => value
                .parse()
                .map_err(|_| ConfigError::BadAddress { value, source_name })?,
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
        };
        let database_url = database_url
            .map(|(value, source_name)| {
                let trimmed = value.trim();
                if trimmed.starts_with("postgres://") || trimmed.starts_with("postgresql://") {
                    Ok(trimmed.to_owned())
                } else {
                    Err(ConfigError::BadDatabaseUrl { value, source_name })
                }
            })
            .transpose()?;
        let demo_marketplaces = demo_marketplaces
            .map(|(value, source_name)| {
                let url = value.trim().trim_end_matches('/');
                if !demo {
                    Err(ConfigError::DemoMarketplacesWithoutDemo(source_name))
                } else if url.starts_with("http://") && crate::collector::is_loopback_url(url) {
                    Ok(url.to_owned())
                } else {
                    Err(ConfigError::BadDemoMarketplaces { value, source_name })
                }
            })
            .transpose()?;
        let marketplace_clock = match (clock_rate, clock_anchor) {
            (None, None) => MarketClock::SYSTEM,
            (Some(rate), Some(anchor)) if demo_marketplaces.is_some() => {
                MarketClock::parse(&rate, &anchor)?
            }
            (Some(_), Some(_)) => return Err(ConfigError::MarketplaceClockWithoutSandbox),
            _ => return Err(ConfigError::MarketplaceClockHalf),
        };
        Ok(Invocation::Serve(ServerConfig {
            addr,
            data_dir: data_dir.unwrap_or_else(|| PathBuf::from("data")),
            database_url,
            dist_dir: dist_dir.unwrap_or_else(|| PathBuf::from("dist")),
            demo,
            demo_marketplaces,
            marketplace_clock,
            secret_key,
        }))
    }
}

/// Reads an on/off environment variable.
fn switch(name: &str, value: String) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "" | "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(ConfigError::BadSwitch {
            name: name.to_owned(),
            value,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn defaults_apply_when_nothing_is_given() {
        let got = ServerConfig::from_args(args(&[]), |_| None).unwrap();
        assert_eq!(
            got,
            Invocation::Serve(ServerConfig {
                addr: "127.0.0.1:8080".parse().unwrap(),
                data_dir: "data".into(),
                database_url: None,
                dist_dir: "dist".into(),
                demo: false,
                demo_marketplaces: None,
                marketplace_clock: MarketClock::SYSTEM,
                secret_key: None,
            })
        );
    }

    #[test]
    fn a_dilated_marketplace_clock_is_for_the_sandbox_only_and_takes_both_flags() {
        let clock = [
            "--marketplace-clock-rate",
            "720",
            "--marketplace-clock-anchor",
            "1764633600000",
        ];
        let sandbox = ["--demo", "--demo-marketplaces", "http://127.0.0.1:9000"];
        let with_sandbox: Vec<&str> = sandbox.iter().chain(clock.iter()).copied().collect();
        match ServerConfig::from_args(args(&with_sandbox), |_| None).unwrap() {
            Invocation::Serve(config) => assert_eq!(
                config.marketplace_clock,
                MarketClock::parse("720", "1764633600000").unwrap()
            ),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            ServerConfig::from_args(args(&clock), |_| None),
            Err(ConfigError::MarketplaceClockWithoutSandbox)
        );
        let half: Vec<&str> = sandbox.iter().chain(clock[..2].iter()).copied().collect();
        assert_eq!(
            ServerConfig::from_args(args(&half), |_| None),
            Err(ConfigError::MarketplaceClockHalf)
        );
        let bad: Vec<&str> = sandbox
            .iter()
            .chain(
                [
                    "--marketplace-clock-rate",
                    "0",
                    "--marketplace-clock-anchor",
                    "1",
                ]
                .iter(),
            )
            .copied()
            .collect();
        assert!(matches!(
            ServerConfig::from_args(args(&bad), |_| None),
            Err(ConfigError::MarketplaceClock(ClockError::BadRate(_)))
        ));
    }

    #[test]
    fn the_secret_key_comes_from_the_environment_and_a_bad_one_is_refused_unrepeated() {
        let key = |value: &str| {
            let value = value.to_owned();
            ServerConfig::from_args(args(&[]), move |k| {
                (k == "JUMUN_SECRET_KEY").then(|| value.clone())
            })
            .map(|invocation| match invocation {
                Invocation::Serve(config) => config.secret_key,
                _ => panic!("expected serve"),
            })
        };
        assert_eq!(key(""), Ok(None));
        assert_eq!(
            key(&"0f".repeat(32)),
            Ok(Some(SecretKey::from_bytes([0x0f; 32])))
        );
        let base64 = SecretKey::from_bytes([7; 32]).to_base64();
        assert_eq!(key(&base64), Ok(Some(SecretKey::from_bytes([7; 32]))));
        let err = key("my-password-123").unwrap_err();
        assert!(
            matches!(&err, ConfigError::BadSecretKey { source_name, .. } if source_name == "JUMUN_SECRET_KEY"),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(message.contains("64 hex digits or 44 base64"), "{message}");
        assert!(!message.contains("my-password-123"), "{message}");
        assert!(!format!("{:?}", key(&base64)).contains(&base64));
    }

    #[test]
    fn flags_override_environment() {
        let env = |k: &str| match k {
            "JUMUN_ADDR" => Some("127.0.0.1:9000".to_owned()),
            "JUMUN_DATA_DIR" => Some("/var/lib/jumun".to_owned()),
            _ => None,
        };
        let got =
            ServerConfig::from_args(args(&["--addr", "127.0.0.1:0", "--dist-dir", "web"]), env)
                .unwrap();
        let Invocation::Serve(config) = got else {
            panic!("expected serve")
        };
        assert_eq!(config.addr.port(), 0);
        assert_eq!(config.data_dir, PathBuf::from("/var/lib/jumun"));
        assert_eq!(config.dist_dir, PathBuf::from("web"));
    }

    #[test]
    fn bad_input_is_explained() {
        assert_eq!(
            ServerConfig::from_args(args(&["--port", "1"]), |_| None),
            Err(ConfigError::UnknownOption("--port".into()))
        );
        assert_eq!(
            ServerConfig::from_args(args(&["--addr"]), |_| None),
            Err(ConfigError::MissingValue("--addr".into()))
        );
        let err = ServerConfig::from_args(args(&[]), |k| {
            (k == "JUMUN_ADDR").then(|| "localhost".into())
        })
        .unwrap_err();
        assert!(err.to_string().contains("JUMUN_ADDR"), "{err}");
        assert_eq!(
            ServerConfig::from_args(args(&["-h"]), |_| None),
            Ok(Invocation::Help)
        );
    }

    #[test]
    fn a_postgres_url_comes_from_the_flag_or_database_url_and_nothing_else_is_taken() {
        let url = |list: &[&str], env: Option<&str>| {
            let value = env.map(str::to_owned);
            ServerConfig::from_args(args(list), |k| {
                (k == "DATABASE_URL").then(|| value.clone()).flatten()
            })
            .map(|invocation| match invocation {
                Invocation::Serve(config) => config.database_url,
                _ => panic!("expected serve"),
            })
        };
        assert_eq!(url(&[], None), Ok(None));
        assert_eq!(url(&[], Some("")), Ok(None));
        assert_eq!(
            url(&[], Some("postgres://jumun@127.0.0.1/jumun")),
            Ok(Some("postgres://jumun@127.0.0.1/jumun".into()))
        );
        assert_eq!(
            url(
                &["--database-url", "postgresql://a@db/b"],
                Some("postgres://x@y/z")
            ),
            Ok(Some("postgresql://a@db/b".into()))
        );
        let err = url(&[], Some("mysql://root@db/shop")).unwrap_err();
        assert!(
            matches!(&err, ConfigError::BadDatabaseUrl { source_name, .. } if source_name == "DATABASE_URL"),
            "{err:?}"
        );
        assert!(err.to_string().contains("leave it unset"), "{err}");
    }

    fn demo(list: &[&str], env: Option<&str>) -> Result<bool, ConfigError> {
        let value = env.map(str::to_owned);
        match ServerConfig::from_args(args(list), |k| {
            (k == "JUMUN_DEMO").then(|| value.clone()).flatten()
        })? {
            Invocation::Serve(config) => Ok(config.demo),
            _ => panic!("expected serve"),
        }
    }

    fn demo_marketplaces(
        list: &[&str],
        env: &[(&str, &str)],
    ) -> Result<Option<String>, ConfigError> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        match ServerConfig::from_args(args(list), |k| {
            env.iter()
                .find(|(name, _)| name == k)
                .map(|(_, v)| v.clone())
        })? {
            Invocation::Serve(config) => Ok(config.demo_marketplaces),
            _ => panic!("expected serve"),
        }
    }

    #[test]
    fn subcommands_take_the_rest_of_the_line() {
        assert_eq!(
            ServerConfig::from_args(args(&["backup", "--to", "b.sqlite3"]), |k| {
                // The server's environment does not apply to the subcommands.
                (k == "JUMUN_ADDR").then(|| "not an address".to_owned())
            }),
            Ok(Invocation::Backup(args(&["--to", "b.sqlite3"])))
        );
        assert_eq!(
            ServerConfig::from_args(args(&["copy-to-postgres", "--data-dir", "d"]), |_| None),
            Ok(Invocation::CopyToPostgres(args(&["--data-dir", "d"])))
        );
    }

    #[test]
    fn demo_marketplaces_are_a_loopback_url_for_the_demo_store() {
        assert_eq!(demo_marketplaces(&["--demo"], &[]), Ok(None));
        assert_eq!(
            demo_marketplaces(
                &["--demo", "--demo-marketplaces", "http://127.0.0.1:8090/"],
                &[]
            ),
            Ok(Some("http://127.0.0.1:8090".into()))
        );
        assert_eq!(
            demo_marketplaces(
                &[],
                &[
                    ("JUMUN_DEMO", "1"),
                    ("JUMUN_DEMO_MARKETPLACES", "http://localhost:9000")
                ]
            ),
            Ok(Some("http://localhost:9000".into()))
        );
        assert_eq!(
            demo_marketplaces(&["--demo-marketplaces", "http://127.0.0.1:8090"], &[]),
            Err(ConfigError::DemoMarketplacesWithoutDemo(
                "--demo-marketplaces".into()
            ))
        );
        for remote in [
            "https://api.cafe24.com",
            "http://10.0.0.7:8090",
            "127.0.0.1:8090",
        ] {
            let err =
                demo_marketplaces(&["--demo", "--demo-marketplaces", remote], &[]).unwrap_err();
            assert!(
                matches!(&err, ConfigError::BadDemoMarketplaces { value, .. } if value == remote),
                "{remote}: {err:?}"
            );
        }
    }

    #[test]
    fn the_old_sandbox_options_say_where_the_sandbox_went() {
        for given in [
            demo_marketplaces(&["sandbox", "--seed", "7"], &[]),
            demo_marketplaces(&["--demo", "--sandbox", "1"], &[]),
            demo_marketplaces(&["--demo"], &[("JUMUN_SANDBOX", "1")]),
        ] {
            let err = given.unwrap_err();
            assert!(matches!(err, ConfigError::SandboxMoved(_)), "{err:?}");
            assert!(err.to_string().contains("jumun-sandbox"), "{err}");
        }
    }

    #[test]
    fn the_demo_store_is_off_unless_asked_for() {
        assert_eq!(demo(&[], None), Ok(false));
        assert_eq!(demo(&["--demo"], None), Ok(true));
        assert_eq!(demo(&[], Some("1")), Ok(true));
        assert_eq!(demo(&[], Some("true")), Ok(true));
        assert_eq!(demo(&[], Some("0")), Ok(false));
        assert_eq!(demo(&[], Some("")), Ok(false));
        assert_eq!(demo(&["--demo"], Some("0")), Ok(true));
        let err = demo(&[], Some("sure")).unwrap_err();
        assert!(err.to_string().contains("JUMUN_DEMO"), "{err}");
    }
}
