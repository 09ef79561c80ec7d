//! Running external commands: print them, run them, and fail with a message that names them.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A task failed; the message says what to do.
#[derive(Debug)]
pub struct TaskError(pub String);

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<E: std::error::Error> From<E> for TaskError {
    fn from(err: E) -> Self {
        TaskError(err.to_string())
    }
}

/// Result of a task step.
pub type TaskResult<T = ()> = Result<T, TaskError>;

/// Builds a `TaskError` from a format string.
#[macro_export]
macro_rules! fail {
    ($($arg:tt)*) => { $crate::run::TaskError(format!($($arg)*)) };
}

/// A command to run, with the environment it needs.
#[derive(Debug, Clone)]
pub struct Cmd {
    program: OsString,
    args: Vec<OsString>,
    envs: BTreeMap<String, OsString>,
    removed_envs: Vec<String>,
    dir: Option<PathBuf>,
}

impl Cmd {
    /// A command running `program`.
    pub fn new(program: impl Into<OsString>) -> Self {
        Self {
            program: program.into(),
            args: Vec::new(),
            envs: BTreeMap::new(),
            removed_envs: Vec::new(),
            dir: None,
        }
    }

    /// Adds arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Adds one argument.
    pub fn arg(self, arg: impl Into<OsString>) -> Self {
        self.args([arg])
    }

    /// Sets an environment variable.
    pub fn env(mut self, key: &str, value: impl Into<OsString>) -> Self {
        self.envs.insert(key.to_owned(), value.into());
        self
    }

    /// Sets several environment variables.
    pub fn envs(mut self, vars: &[(String, OsString)]) -> Self {
        for (k, v) in vars {
            self.envs.insert(k.clone(), v.clone());
        }
        self
    }

    /// Removes an inherited environment variable.
    pub fn env_remove(mut self, key: &str) -> Self {
        self.removed_envs.push(key.to_owned());
        self
    }

    /// Runs in `dir`.
    pub fn dir(mut self, dir: &Path) -> Self {
        self.dir = Some(dir.to_owned());
        self
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args);
        for key in &self.removed_envs {
            cmd.env_remove(key);
        }
        cmd.envs(&self.envs);
        // A CI run builds once from a clean clone: incremental state would only double the
        // target dir on a disk the run shares with the machine.
        if std::env::var_os("CI").is_some() && std::env::var_os("CARGO_INCREMENTAL").is_none() {
            cmd.env("CARGO_INCREMENTAL", "0");
        }
        if let Some(dir) = &self.dir {
            cmd.current_dir(dir);
        }
        cmd
    }

    /// The command line as a person would type it (environment first).
    pub fn display(&self) -> String {
        let mut parts: Vec<String> = self
            .envs
            .iter()
            .map(|(k, v)| format!("{k}={}", v.to_string_lossy()))
            .collect();
        parts.push(self.program.to_string_lossy().into_owned());
        parts.extend(self.args.iter().map(|a| {
            let a = a.to_string_lossy();
            if a.contains(' ') {
                format!("'{a}'")
            } else {
                a.into_owned()
            }
        }));
        parts.join(" ")
    }

    /// Runs the command with inherited output; fails if it does not exit 0.
    pub fn run(&self) -> TaskResult {
        println!("$ {}", self.display());
        let status = self
            .command()
            .status()
            .map_err(|e| fail!("cannot run `{}`: {e}", self.program.to_string_lossy()))?;
        if status.success() {
            Ok(())
        } else {
            Err(fail!("`{}` failed ({status})", self.display()))
        }
    }

    /// Runs the command, echoing its standard output line by line to ours and handing each line
    /// to `on_line` (used to count test results). Fails if it does not exit 0.
    pub fn run_observed(&self, mut on_line: impl FnMut(&str)) -> TaskResult {
        println!("$ {}", self.display());
        let mut child = self
            .command()
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| fail!("cannot run `{}`: {e}", self.program.to_string_lossy()))?;
        if let Some(stdout) = child.stdout.take() {
            for line in BufReader::new(stdout).lines() {
                let line = line?;
                println!("{line}");
                on_line(&line);
            }
        }
        let status = child.wait()?;
        if status.success() {
            Ok(())
        } else {
            Err(fail!("`{}` failed ({status})", self.display()))
        }
    }

    /// Runs quietly and returns trimmed standard output, or `None` if it cannot run or fails.
    pub fn output(&self) -> Option<String> {
        let out = self.command().stderr(Stdio::null()).output().ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    /// Runs quietly; true if it exits 0.
    pub fn succeeds(&self) -> bool {
        self.command()
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }
}

/// True if `program` is found on PATH (or is a path to an executable file).
pub fn on_path(program: &str) -> Option<PathBuf> {
    let candidate = Path::new(program);
    if candidate.components().count() > 1 {
        return candidate.is_file().then(|| candidate.to_owned());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}
