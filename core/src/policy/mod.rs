//! Policies: the document model, and its validation and compilation.

pub mod model;
