//! A blocking client of a live Prometheus: instant queries with a timeout and retries, every
//! failure mapped to an explicit reading.
//!
//! Built on `ureq`: a small, well-kept blocking HTTP/1.1 client (no async runtime to start
//! inside a command-line tool), with per-request timeouts and no TLS stack unless the `tls`
//! feature asks for rustls.
//!
//! | what happens | reading |
//! |---|---|
//! | connection refused, host not found, timeout, broken connection (after the retries) | source error with the reason |
//! | an HTTP error status (5xx and 429 retried) | source error with the status and Prometheus' message, if it gave one |
//! | a body that is not Prometheus JSON (an HTML page from a proxy, garbage) | source error quoting its start |
//! | an answer | as [`super::reading`] says: the value, no data, NaN, or a source error |

use super::reading::{excerpt, failed, of_answer};
use kiro::monitor::Reading;
use std::time::Duration;

/// The largest body read from Prometheus: 64 MiB.
pub const MAX_BODY_BYTES: u64 = 64 * 1024 * 1024;

/// How patient the client is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// How long one request may take, from connecting to the last byte.
    pub timeout: Duration,
    /// How many times a failed request is tried again (connection errors, timeouts, 5xx, 429).
    pub retries: u32,
    /// The wait before the first retry; doubled before each further one.
    pub backoff: Duration,
}

impl Default for Config {
    /// A 5 s timeout, 2 retries, 250 ms backoff.
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(5),
            retries: 2,
            backoff: Duration::from_millis(250),
        }
    }
}

/// A Prometheus server.
#[derive(Debug)]
pub struct Client {
    agent: ureq::Agent,
    base: String,
    config: Config,
}

/// What one attempt gave.
enum Attempt {
    /// A body to read, from a 2xx answer or an error answer Prometheus explained.
    Body(String),
    /// A failure worth trying again.
    Transient(String),
    /// A failure that will not change by trying again.
    Final(String),
}

impl Client {
    /// A client of the server at `base_url` (`http://prometheus:9090`, with or without a path
    /// prefix and a trailing `/`).
    ///
    /// # Errors
    /// A message when the URL is not `http://…` or `https://…` (https needs the `tls`
    /// feature).
    pub fn new(base_url: &str, config: Config) -> Result<Client, String> {
        let base = base_url.trim().trim_end_matches('/').to_owned();
        let https = base.starts_with("https://");
        if !(https || base.starts_with("http://")) || base.len() < "https://".len() {
            return Err(format!(
                "`{base_url}` is not a Prometheus URL: write `http://host:9090`"
            ));
        }
        if https && !cfg!(feature = "tls") {
            return Err(format!(
                "`{base_url}` needs HTTPS, which this build of kiro leaves out: build it with the `tls` feature"
            ));
        }
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(config.timeout))
            .http_status_as_error(false)
            .max_redirects(3)
            .user_agent(concat!("kiro/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Client {
            agent,
            base,
            config,
        })
    }

    /// The server's URL, as given.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.base
    }

    /// The reading of `promql` evaluated at `at_ms` (milliseconds since 1970): the value of
    /// its one series, no data, NaN, or a source error with the reason. Never fails otherwise.
    #[must_use]
    pub fn query(&self, promql: &str, at_ms: u64) -> Reading {
        let time = seconds(at_ms);
        match self.get("/api/v1/query", &[("query", promql), ("time", &time)]) {
            Ok(body) => of_answer(&body),
            Err(reason) => failed(reason),
        }
    }

    /// The text of the answer to a `query_range` of `promql` from `start_ms` to `end_ms` every
    /// `step_ms`, as `kiro replay` reads it.
    ///
    /// # Errors
    /// The reason the request failed, as for [`Client::query`].
    pub fn query_range(
        &self,
        promql: &str,
        start_ms: u64,
        end_ms: u64,
        step_ms: u64,
    ) -> Result<String, String> {
        self.get(
            "/api/v1/query_range",
            &[
                ("query", promql),
                ("start", &seconds(start_ms)),
                ("end", &seconds(end_ms)),
                ("step", &seconds(step_ms)),
            ],
        )
    }

    /// The body of a GET of `path`, tried again on transient failures.
    fn get(&self, path: &str, params: &[(&str, &str)]) -> Result<String, String> {
        let url = format!("{}{path}", self.base);
        let mut wait = self.config.backoff;
        let mut tries = 0;
        loop {
            tries += 1;
            match self.attempt(&url, params) {
                Attempt::Body(body) => return Ok(body),
                Attempt::Final(reason) => return Err(reason),
                Attempt::Transient(reason) if tries > self.config.retries => {
                    return Err(if tries > 1 {
                        format!("{reason} (tried {tries} times)")
                    } else {
                        reason
                    });
                }
                Attempt::Transient(_) => {
                    std::thread::sleep(wait);
                    wait = wait.saturating_mul(2);
                }
            }
        }
    }

    fn attempt(&self, url: &str, params: &[(&str, &str)]) -> Attempt {
        let mut request = self.agent.get(url);
        for (k, v) in params {
            request = request.query(*k, *v);
        }
        let mut response = match request.call() {
            Ok(r) => r,
            Err(e) => return transport(&e, &self.base, self.config.timeout),
        };
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY_BYTES)
            .read_to_string();
        let body = match body {
            Ok(b) => b,
            Err(e) => return transport(&e, &self.base, self.config.timeout),
        };
        if (200..300).contains(&status) {
            return Attempt::Body(body);
        }
        // Prometheus explains its 4xx and 5xx errors in an error answer (`bad_data`,
        // `timeout`, `execution`); say what it said.
        let said = match of_answer(&body) {
            Reading::Failed { error } if error.starts_with("Prometheus answered") => error,
            _ => format!("body {}", excerpt(&body)),
        };
        let reason = format!("HTTP {status} from {}: {said}", self.base);
        if status >= 500 || status == 429 {
            Attempt::Transient(reason)
        } else {
            Attempt::Final(reason)
        }
    }
}

/// A transport failure as a reason; every one is worth trying again but a bad URL.
fn transport(e: &ureq::Error, base: &str, timeout: Duration) -> Attempt {
    match e {
        ureq::Error::Timeout(_) => Attempt::Transient(format!(
            "no answer from {base} within {} ms",
            timeout.as_millis()
        )),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            Attempt::Transient(format!("cannot connect to {base}: connection refused"))
        }
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => Attempt::Transient(
            format!("no answer from {base} within {} ms", timeout.as_millis()),
        ),
        ureq::Error::BadUri(_) | ureq::Error::Http(_) => {
            Attempt::Final(format!("cannot query {base}: {e}"))
        }
        other => Attempt::Transient(format!("cannot query {base}: {other}")),
    }
}

/// Milliseconds since 1970 as Prometheus' decimal seconds (`1733150400.5`).
fn seconds(ms: u64) -> String {
    let (s, frac) = (ms / 1000, ms % 1000);
    if frac == 0 {
        s.to_string()
    } else {
        format!("{s}.{frac:03}")
    }
}
