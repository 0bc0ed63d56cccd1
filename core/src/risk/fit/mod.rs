//! The defect-risk model fitted on a project's own history.
