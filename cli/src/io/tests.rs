use super::*;
use std::path::PathBuf;

#[test]
fn formats_come_from_extensions() {
    assert_eq!(
        format_by_extension(Path::new("a/kiro.yml")),
        Some(Format::Yaml)
    );
    assert_eq!(
        format_by_extension(Path::new("kiro.YAML")),
        Some(Format::Yaml)
    );
    assert_eq!(format_by_extension(Path::new("m.json")), Some(Format::Json));
    assert_eq!(format_by_extension(Path::new("p.toml")), Some(Format::Toml));
    assert_eq!(format_by_extension(Path::new("policy")), None);
    assert_eq!(format_by_extension(Path::new("policy.txt")), None);
}

#[test]
fn stdin_is_a_dash() {
    assert!(is_stdin(Path::new("-")));
    assert!(!is_stdin(Path::new("./-")));
    assert_eq!(display_name(Path::new("-")), "<stdin>");
}

#[test]
fn a_missing_file_is_an_io_failure() {
    let path = PathBuf::from("/nonexistent/kiro/policy.yaml");
    let result = read_input(&path, InputKind::Policy);
    assert!(
        matches!(&result, Err(Failure::Io { message })
            if message == "cannot read policy file `/nonexistent/kiro/policy.yaml`: no such file"),
        "{result:?}"
    );
}

#[test]
fn reading_stops_after_the_limit() {
    let big = std::io::repeat(b'a').take(MAX_INPUT_BYTES + 10);
    let result = read_limited(big, MAX_INPUT_BYTES);
    assert!(
        matches!(&result, Err(ReadError::TooLarge(None))),
        "{result:?}"
    );
    let small = std::io::repeat(b'a').take(MAX_INPUT_BYTES);
    assert!(read_limited(small, MAX_INPUT_BYTES).is_ok());
}

#[test]
fn bounded_reads_check_the_size_first_and_refuse_special_files() {
    let dir = std::env::temp_dir().join(format!("kiro-io-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a folder");
    let file = dir.join("f.json");
    std::fs::write(&file, "0123456789").expect("written");
    assert_eq!(read_bounded(&file, 10).map(|b| b.len()).ok(), Some(10));
    assert!(matches!(
        read_bounded(&file, 9),
        Err(ReadError::TooLarge(Some(10)))
    ));
    assert!(matches!(
        read_bounded(&dir, 9),
        Err(ReadError::NotRegular("a directory"))
    ));
    #[cfg(unix)]
    {
        let result = read_bounded(Path::new("/dev/zero"), 9);
        assert!(
            matches!(result, Err(ReadError::NotRegular("a device"))),
            "{result:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sizes_are_shown_in_mib() {
    assert_eq!(mib(50 * 1024 * 1024), "50.0");
    assert_eq!(mib(16 * 1024 * 1024 + 1024 * 1024 / 2), "16.5");
}
