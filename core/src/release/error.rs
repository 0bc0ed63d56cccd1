//! The error of a release operation: the event, the saved state or the policy cannot be used.

use crate::error::{ErrorKind, diagnostics_error};

diagnostics_error! {
    /// A release could not take an event, start, save or restore. Outcomes (a roll-back, a
    /// rejection) are instructions; this is for input that cannot be used at all. The state is
    /// unchanged.
    ReleaseError, ErrorKind::Input
}
