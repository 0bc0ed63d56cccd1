//! Import paths: joined to the importing file's folder and normalized, as plain `/`-separated
//! text (the core has no file system to ask).

/// The path of `relative`, written in the file at `importer` (a path relative to the main
/// policy's folder; empty for the main policy itself), relative to the main policy's folder:
/// `.` parts dropped, `..` parts resolved where they can be. An absolute path stays absolute.
pub(super) fn join(importer: &str, relative: &str) -> String {
    let absolute = relative.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    if !absolute {
        parts.extend(importer.split('/').filter(|p| !p.is_empty()));
        // The importer's own file name.
        parts.pop();
    }
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn paths_are_relative_to_the_importing_file() {
        assert_eq!(join("", "lib/web.yaml"), "lib/web.yaml");
        assert_eq!(join("", "./lib//web.yaml"), "lib/web.yaml");
        assert_eq!(join("lib/web.yaml", "base.yaml"), "lib/base.yaml");
        assert_eq!(join("lib/web.yaml", "../shared.yaml"), "shared.yaml");
        assert_eq!(join("", "../shared/web.yaml"), "../shared/web.yaml");
        assert_eq!(join("../a/b.yaml", "../../c.yaml"), "../../c.yaml");
        assert_eq!(join("lib/web.yaml", "/etc/kiro/x.yaml"), "/etc/kiro/x.yaml");
    }
}
