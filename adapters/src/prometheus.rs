//! Prometheus: its HTTP API's answers and series notation read into the monitor's readings.
//!
//! - [`api`]: an answer of `/api/v1/query` or `/api/v1/query_range` read into series, with the
//!   place in the text of every series and point (pure);
//! - [`notation`]: the series notation of `promtool test rules` (`0+10x100 _ stale`) and its
//!   series selectors (`up{job="api"}`) (pure);
//! - [`reading`]: what an instant query's answer means for the monitor: a value, no data
//!   (an empty vector), NaN (NaN or an infinity), or a source error naming the reason (several
//!   series where one was expected, a range vector, an error answer) (pure);
//! - [`client`] (feature `http`): a blocking client that queries a live server with a timeout
//!   and retries, and maps every failure to a source error reading.

pub mod api;
#[cfg(feature = "http")]
pub mod client;
pub mod notation;
pub mod reading;

#[cfg(test)]
mod tests;
