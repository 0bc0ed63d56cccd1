//! The committed JSON Schema of the boundary types is current: the host types are generated
//! from it (`scripts/generate-types.sh`), so a change to a boundary type must regenerate both.

use std::path::Path;

#[test]
fn the_committed_boundary_schema_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas/boundary.schema.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == kiro::api::schemas::boundary_schema_json(),
        "schemas/boundary.schema.json is out of date; regenerate it and the host types with\n  \
         bash scripts/generate-types.sh"
    );
}
