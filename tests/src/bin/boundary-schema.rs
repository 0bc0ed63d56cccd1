//! Prints the JSON Schema of every type that crosses kiro's boundary (`kiro::api::schemas`):
//! the source `scripts/generate-types.sh` turns into the TypeScript and Python host types, and
//! the file committed as `schemas/boundary.schema.json`.

fn main() {
    print!("{}", kiro::api::schemas::boundary_schema_json());
}
