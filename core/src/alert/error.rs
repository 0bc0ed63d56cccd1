//! The error of an alert engine operation: the event, the saved state or the policy cannot be
//! used.

use crate::error::{ErrorKind, diagnostics_error};

diagnostics_error! {
    /// The alert engine could not take an event, start, save or restore. The state is
    /// unchanged.
    AlertError, ErrorKind::Input
}
