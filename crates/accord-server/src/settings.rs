//! The server's one typed configuration (SPEC §9: one machine with SQLite
//! by default, PostgreSQL when told): built from defaults, then an optional
//! TOML file, then the environment, then command-line flags, each layer
//! overriding the one before.
//!
//! Environment overrides, the complete list: `ACCORD_LISTEN`,
//! `ACCORD_DATA_DIR`, `ACCORD_DATABASE_URL`, `ACCORD_LOG_FORMAT`,
//! `ACCORD_SECURE_COOKIES`.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Deserialize;

/// An example configuration file, with every setting at its default.
pub const EXAMPLE: &str = r#"# accord serve configuration (all settings optional).
# Address and port to listen on.
listen = "127.0.0.1:8080"
# Directory for the embedded SQLite database (accord.db) and other state.
data_dir = "./accord-data"
# Database URL; default sqlite://<data_dir>/accord.db. For several servers:
# database_url = "postgres://accord:secret@db.internal/accord"
# Log lines as "text" (for people) or "json" (for log collectors).
log_format = "text"
# Mark the web pages' cookies Secure. Browsers accept Secure cookies from
# http://localhost and 127.0.0.1; set false only to serve plain HTTP on
# another address (behind TLS, keep true).
secure_cookies = true

# Notifications of warnings and breaches (webhooks and e-mail).
[notifications]
# Tries per notification before it is given up.
max_attempts = 8
# The wait before retry n is retry_base_ms * 2^(n-1), at most retry_max_ms.
retry_base_ms = 30000
retry_max_ms = 3600000
# How long one webhook POST or SMTP session may take.
timeout_ms = 10000
# The longest the monitor and the delivery worker sleep without looking
# (they also wake at the next due instant and when events arrive).
idle_check_ms = 60000

# E-mail to the contacts a contract names for warnings. Without [smtp],
# e-mail notifications are recorded as failed. tls is "starttls" (the relay
# must offer it) or "none" (plain SMTP, for a relay on localhost).
# [smtp]
# host = "smtp.example.com"
# port = 587
# tls = "starttls"
# from = "Accord <accord@provider.example>"
# username = "accord"
# password = "secret"
"#;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

impl FromStr for LogFormat {
    type Err = SettingsError;
    fn from_str(s: &str) -> Result<Self, SettingsError> {
        match s {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            other => Err(SettingsError::Invalid {
                setting: "log_format",
                message: format!("`{other}` is not a log format: use text or json"),
            }),
        }
    }
}

/// A database URL; `Debug` and `Display` hide its password.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// Wraps a URL.
    pub fn new(url: impl Into<String>) -> Self {
        DatabaseUrl(url.into())
    }

    /// The URL with its password, to connect with.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL with any password replaced by `***`.
    pub fn redacted(&self) -> String {
        let url = &self.0;
        let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
            return url.clone();
        };
        let rest = &url[scheme_end..];
        let authority_end = rest.find('/').unwrap_or(rest.len());
        match rest[..authority_end].rfind('@') {
            Some(at) => match rest[..at].find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end],
                    &rest[..colon],
                    &rest[at..]
                ),
                None => url.clone(),
            },
            None => url.clone(),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({:?})", self.redacted())
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// What `accord serve` runs with.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Address to listen on (the CLI binds it; [`launch`](crate::launch)
    /// takes a bound listener).
    pub listen: SocketAddr,
    /// Directory holding the embedded database.
    pub data_dir: PathBuf,
    /// The database; `None` means `sqlite://<data_dir>/accord.db`.
    pub database_url: Option<DatabaseUrl>,
    /// Log line format (the binary installs the subscriber).
    pub log_format: LogFormat,
    /// Whether the web pages' cookies are `Secure`.
    pub secure_cookies: bool,
    /// Retries and timeouts of notifications.
    pub notifications: NotificationSettings,
    /// The SMTP relay e-mail goes through; `None`: no e-mail is sent.
    pub smtp: Option<SmtpSettings>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./accord-data"),
            database_url: None,
            log_format: LogFormat::Text,
            secure_cookies: true,
            notifications: NotificationSettings::default(),
            smtp: None,
        }
    }
}

/// `[notifications]`: how webhooks and e-mails are retried.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NotificationSettings {
    /// Tries per notification before it is given up (at least 1).
    pub max_attempts: u32,
    /// The wait before the first retry, in milliseconds; it doubles after
    /// every failed retry.
    pub retry_base_ms: u64,
    /// The longest wait between two tries, in milliseconds.
    pub retry_max_ms: u64,
    /// How long one webhook POST or SMTP session may take, in milliseconds.
    pub timeout_ms: u64,
    /// The longest the workers sleep without looking for due work, in
    /// milliseconds (a server is woken by its own events only).
    pub idle_check_ms: u64,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        NotificationSettings {
            max_attempts: 8,
            retry_base_ms: 30_000,
            retry_max_ms: 3_600_000,
            timeout_ms: 10_000,
            idle_check_ms: 60_000,
        }
    }
}

impl NotificationSettings {
    /// The wait after failed attempt `n` (from 1): base × 2^(n−1), capped.
    pub fn backoff(&self, attempt: u32) -> std::time::Duration {
        let factor = 1u64
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u64::MAX);
        let ms = self
            .retry_base_ms
            .saturating_mul(factor)
            .min(self.retry_max_ms);
        std::time::Duration::from_millis(ms)
    }

    fn validate(&self) -> Result<(), SettingsError> {
        let invalid = |setting, message: &str| {
            Err(SettingsError::Invalid {
                setting,
                message: message.to_string(),
            })
        };
        if self.max_attempts == 0 {
            return invalid("notifications.max_attempts", "must be at least 1");
        }
        if self.retry_base_ms == 0 || self.retry_max_ms < self.retry_base_ms {
            return invalid(
                "notifications.retry_base_ms",
                "must be at least 1 and at most notifications.retry_max_ms",
            );
        }
        if self.timeout_ms == 0 || self.idle_check_ms == 0 {
            return invalid(
                "notifications.timeout_ms",
                "timeout_ms and idle_check_ms must be at least 1",
            );
        }
        Ok(())
    }
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain SMTP upgraded with STARTTLS, which the relay must offer.
    #[default]
    Starttls,
    /// Plain SMTP, for a relay on the same host or network.
    None,
}

/// `[smtp]`: the relay e-mail notifications go through.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    /// The relay's host name.
    pub host: String,
    /// Its port (default 587).
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    /// How the connection is secured (default STARTTLS).
    #[serde(default)]
    pub tls: SmtpTls,
    /// The sender, e.g. `Accord <accord@provider.example>`.
    pub from: String,
    /// The user to log in as, if the relay needs it.
    #[serde(default)]
    pub username: Option<String>,
    /// Its password; `Debug` does not print it.
    #[serde(default)]
    pub password: Option<Password>,
}

fn default_smtp_port() -> u16 {
    587
}

/// A password; `Debug` prints `***`.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Password(String);

impl Password {
    /// Wraps a password.
    pub fn new(p: impl Into<String>) -> Self {
        Password(p.into())
    }

    /// The password, to log in with.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// Values from the command line, each overriding everything else when set.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--listen`.
    pub listen: Option<SocketAddr>,
    /// `--data-dir`.
    pub data_dir: Option<PathBuf>,
    /// `--database`.
    pub database_url: Option<DatabaseUrl>,
    /// `--log-format`.
    pub log_format: Option<LogFormat>,
}

/// Why the configuration cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The file cannot be read.
    #[error("cannot read the configuration file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid (syntax, unknown setting, wrong type).
    #[error("{}:{line}:{column}: {message}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// An environment variable or value is not valid.
    #[error("{setting}: {message}")]
    Invalid {
        /// The setting or variable.
        setting: &'static str,
        /// What is wrong.
        message: String,
    },
}

impl Settings {
    /// Parses a configuration file's text; `path` is used in errors only.
    pub fn from_toml(path: &Path, text: &str) -> Result<Settings, SettingsError> {
        toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map_or((1, 1), |span| line_column(text, span.start));
            SettingsError::File {
                path: path.to_path_buf(),
                line,
                column,
                message: e.message().trim().to_string(),
            }
        })
    }

    /// Builds the settings: defaults, then the file if given, then the
    /// environment (read through `env`), then `overrides`.
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
        overrides: Overrides,
    ) -> Result<Settings, SettingsError> {
        let mut s = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Read {
                    path: path.to_path_buf(),
                    source,
                })?;
                Settings::from_toml(path, &text)?
            }
            None => Settings::default(),
        };
        if let Some(v) = env("ACCORD_LISTEN") {
            s.listen = v.parse().map_err(|e| SettingsError::Invalid {
                setting: "ACCORD_LISTEN",
                message: format!("`{v}` is not an address like 127.0.0.1:8080 ({e})"),
            })?;
        }
        if let Some(v) = env("ACCORD_DATA_DIR") {
            s.data_dir = PathBuf::from(v);
        }
        if let Some(v) = env("ACCORD_DATABASE_URL") {
            s.database_url = Some(DatabaseUrl::new(v));
        }
        if let Some(v) = env("ACCORD_LOG_FORMAT") {
            s.log_format = v.parse()?;
        }
        if let Some(v) = env("ACCORD_SECURE_COOKIES") {
            s.secure_cookies = match v.as_str() {
                "true" | "1" => true,
                "false" | "0" => false,
                other => {
                    return Err(SettingsError::Invalid {
                        setting: "ACCORD_SECURE_COOKIES",
                        message: format!("`{other}` is not true or false"),
                    });
                }
            };
        }
        if let Some(v) = overrides.listen {
            s.listen = v;
        }
        if let Some(v) = overrides.data_dir {
            s.data_dir = v;
        }
        if let Some(v) = overrides.database_url {
            s.database_url = Some(v);
        }
        if let Some(v) = overrides.log_format {
            s.log_format = v;
        }
        s.notifications.validate()?;
        Ok(s)
    }

    /// The database to use: the configured URL, or the SQLite file in the
    /// data directory.
    pub fn database_url(&self) -> DatabaseUrl {
        self.database_url.clone().unwrap_or_else(|| {
            DatabaseUrl::new(format!(
                "sqlite://{}",
                self.data_dir.join("accord.db").display()
            ))
        })
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_example_is_the_defaults() {
        let s = Settings::from_toml(Path::new("x.toml"), EXAMPLE).unwrap();
        assert_eq!(s, Settings::default());
        assert_eq!(
            s.database_url().expose(),
            "sqlite://./accord-data/accord.db"
        );
    }

    #[test]
    fn unknown_settings_are_errors_with_line_and_column() {
        let text = "listen = \"127.0.0.1:9000\"\n  databse_url = \"x\"\n";
        let e = Settings::from_toml(Path::new("accord.toml"), text).unwrap_err();
        let SettingsError::File { line, column, .. } = &e else {
            panic!("{e:?}")
        };
        assert_eq!((*line, *column), (2, 3));
        assert!(e.to_string().starts_with("accord.toml:2:3: "), "{e}");
        assert!(e.to_string().contains("databse_url"), "{e}");
    }

    #[test]
    fn flags_override_environment_override_file() {
        let env = |k: &str| match k {
            "ACCORD_LISTEN" => Some("0.0.0.0:9000".to_string()),
            "ACCORD_DATABASE_URL" => Some("postgres://a:hunter2@db/accord".to_string()),
            _ => None,
        };
        let flags = Overrides {
            listen: Some("127.0.0.1:7000".parse().unwrap()),
            ..Overrides::default()
        };
        let s = Settings::load(None, env, flags).unwrap();
        assert_eq!(s.listen.to_string(), "127.0.0.1:7000");
        let url = s.database_url();
        assert_eq!(url.expose(), "postgres://a:hunter2@db/accord");
        assert!(!format!("{s:?}").contains("hunter2"));
        assert_eq!(url.to_string(), "postgres://a:***@db/accord");
    }

    #[test]
    fn the_example_smtp_table_parses_and_hides_its_password() {
        // Everything from `# [smtp]` on is the commented-out table.
        let (before, after) = EXAMPLE.split_at(EXAMPLE.find("# [smtp]").unwrap());
        let uncommented = before.to_string() + &after.replace("# ", "");
        let s = Settings::from_toml(Path::new("x.toml"), &uncommented).unwrap();
        let smtp = s.smtp.clone().unwrap();
        assert_eq!(
            (smtp.host.as_str(), smtp.port, smtp.tls),
            ("smtp.example.com", 587, SmtpTls::Starttls)
        );
        assert_eq!(smtp.password.as_ref().map(Password::expose), Some("secret"));
        assert!(!format!("{s:?}").contains("secret"));
    }

    #[test]
    fn backoff_doubles_from_the_base_up_to_the_cap() {
        let n = NotificationSettings {
            retry_base_ms: 1000,
            retry_max_ms: 5000,
            ..NotificationSettings::default()
        };
        let waits: Vec<u64> = (1..=5).map(|a| n.backoff(a).as_millis() as u64).collect();
        assert_eq!(waits, [1000, 2000, 4000, 5000, 5000]);
        assert_eq!(n.backoff(200).as_millis(), 5000);
    }

    #[test]
    fn nonsensical_retry_settings_are_refused_naming_the_setting() {
        let path =
            std::env::temp_dir().join(format!("accord-settings-{}.toml", std::process::id()));
        std::fs::write(&path, "[notifications]\nmax_attempts = 0\n").unwrap();
        let e = Settings::load(Some(&path), |_| None, Overrides::default()).unwrap_err();
        let _ = std::fs::remove_file(&path);
        assert!(
            e.to_string().starts_with("notifications.max_attempts: "),
            "{e}"
        );
    }
}
