//! The error of a monitor operation: the event, the saved state or the policy cannot be used.

use crate::error::{ErrorKind, diagnostics_error};

diagnostics_error! {
    /// A monitor could not take an event, start, save or restore. Outcomes (a rollback) are
    /// data in the decision; this is for input that cannot be used at all. The state is
    /// unchanged.
    MonitorError, ErrorKind::Input
}
