//! Reading YAML, JSON and TOML text into a tree that remembers where every value was written.

mod spanned;

pub use spanned::Spanned;
