//! webpack stats (`webpack --json > stats.json`, webpack 4 and 5, and tools writing the same
//! shape, such as Rspack).
//!
//! The sizes are those of the emitted assets (`assets[]`: `name`, `size` in bytes,
//! `chunkNames`), as webpack's own performance budget counts them: source maps (`.map`) are
//! left out, as webpack's default `performance.assetFilter` does. An asset belongs to the chunks
//! it names (`chunkNames`; an unnamed chunk by its id, `chunks`). A multi-compiler build's stats
//! (`children`, no top-level `assets`) add up their children's assets.

use super::json;
use super::name::metric_key;
use super::value::{Unit, Value};
use super::{MetricOut, place};
use crate::diagnostic::{Code, Diagnostic, Span};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Bundle sizes of a build (or several, merged).
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Bundle {
    /// Bytes of every asset.
    pub total: u64,
    /// How many assets.
    pub assets: u64,
    /// Bytes of the largest asset.
    pub largest: u64,
    /// Bytes of each chunk's assets, by chunk name (as a metric name part).
    pub chunks: BTreeMap<String, u64>,
}

impl Bundle {
    /// Adds another build's sizes (a chunk of the same name in both adds up).
    pub(super) fn merge(&mut self, other: Bundle) {
        self.total = self.total.saturating_add(other.total);
        self.assets = self.assets.saturating_add(other.assets);
        self.largest = self.largest.max(other.largest);
        for (name, size) in other.chunks {
            let slot = self.chunks.entry(name).or_insert(0);
            *slot = slot.saturating_add(size);
        }
    }

    /// The metrics: `bundle.total`, `bundle.assets`, `bundle.largest_asset`,
    /// `bundle.chunk.NAME`.
    pub(super) fn metrics(&self, out: &mut Vec<MetricOut>) {
        out.push(MetricOut::pointer(
            "bundle.total".into(),
            bytes(self.total),
            "/assets",
        ));
        out.push(MetricOut::pointer(
            "bundle.assets".into(),
            Value::count(self.assets),
            "/assets",
        ));
        out.push(MetricOut::pointer(
            "bundle.largest_asset".into(),
            bytes(self.largest),
            "/assets",
        ));
        for (name, size) in &self.chunks {
            out.push(MetricOut::pointer(
                format!("bundle.chunk.{name}"),
                bytes(*size),
                "/assets",
            ));
        }
    }
}

fn bytes(n: u64) -> Value {
    let count = Value::count(n);
    Value::new(count.amount, Unit::Bytes)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stats {
    version: Option<String>,
    assets: Option<Vec<Asset>>,
    children: Option<Vec<Stats>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Asset {
    #[serde(default)]
    name: String,
    size: u64,
    #[serde(default)]
    chunk_names: Vec<serde_json::Value>,
    #[serde(default)]
    chunks: Vec<serde_json::Value>,
}

/// Reads webpack stats.
///
/// # Errors
/// As [`json::read`]; [`Code::ReportWrongFormat`] for JSON with none of `version`, `assets`
/// and `children`; [`Code::ReportVersion`] for a webpack version other than 4 or 5;
/// [`Code::ReportInvalidValue`] for stats without assets (written with `--json` but
/// `stats.assets: false`).
pub(super) fn read(text: &str, file: &str) -> Result<Bundle, Diagnostic> {
    let stats: Stats = json::read(text, file, "webpack stats")?;
    if stats.version.is_none() && stats.assets.is_none() && stats.children.is_none() {
        return Err(Diagnostic::error(
            Code::ReportWrongFormat,
            "the JSON has no `version`, `assets` or `children`: it is not webpack stats",
        )
        .with_help("write the stats with `webpack --json > stats.json`")
        .with_source(file));
    }
    let mut bundle = Bundle::default();
    add(&stats, text, file, "", &mut bundle)?;
    Ok(bundle)
}

fn add(
    stats: &Stats,
    text: &str,
    file: &str,
    prefix: &str,
    bundle: &mut Bundle,
) -> Result<(), Diagnostic> {
    if let Some(version) = &stats.version {
        let major = version
            .split('.')
            .next()
            .and_then(|m| m.parse::<u64>().ok());
        if !matches!(major, Some(4 | 5)) {
            let span = text
                .find("\"version\"")
                .map_or(Span::default(), |i| Span::new(i, i + 9));
            return Err(Diagnostic::error(
                Code::ReportVersion,
                format!(
                    "webpack version `{version}` is not read by kiro ({}; pointer {prefix}/version)",
                    place::at(text, span.start)
                ),
            )
            .with_label(span, "version")
            .with_help("kiro reads the stats of webpack 4 and 5")
            .with_source(file));
        }
    }
    match (&stats.assets, &stats.children) {
        (Some(assets), _) => {
            for asset in assets {
                if asset.name.ends_with(".map") {
                    continue;
                }
                bundle.total = bundle.total.saturating_add(asset.size);
                bundle.assets += 1;
                bundle.largest = bundle.largest.max(asset.size);
                let names = if asset.chunk_names.is_empty() {
                    &asset.chunks
                } else {
                    &asset.chunk_names
                };
                let mut keys: Vec<String> = names
                    .iter()
                    .map(|n| match n {
                        serde_json::Value::String(s) => metric_key(s, "_"),
                        other => metric_key(&other.to_string(), "_"),
                    })
                    .collect();
                keys.sort();
                keys.dedup();
                for key in keys {
                    let slot = bundle.chunks.entry(key).or_insert(0);
                    *slot = slot.saturating_add(asset.size);
                }
            }
            Ok(())
        }
        (None, Some(children)) => {
            for (i, child) in children.iter().enumerate() {
                add(child, text, file, &format!("{prefix}/children/{i}"), bundle)?;
            }
            Ok(())
        }
        (None, None) => Err(Diagnostic::error(
            Code::ReportInvalidValue,
            format!("the webpack stats have no `assets` (pointer {prefix}/assets)"),
        )
        .with_help("write the stats with `webpack --json` and the default `stats.assets: true`")
        .with_source(file)),
    }
}
