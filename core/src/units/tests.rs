use super::*;

#[test]
fn reads_quantities_in_base_units() {
    let q = parse_quantity("420ms").expect("valid");
    assert_eq!((q.value, q.unit.dimension), (420.0, Dimension::Duration));
    assert_eq!(parse_quantity("87%").expect("valid").value, 0.87);
    assert_eq!(
        parse_quantity("1.5 GiB").expect("valid").value,
        1.5 * 1_073_741_824.0
    );
    assert_eq!(parse_quantity("5m").expect("valid").value, 300_000.0);
    assert_eq!(parse_quantity("-2").expect("valid").value, -2.0);
    assert_eq!(parse_quantity("1e3ms").expect("valid").value, 1000.0);
    assert_eq!(parse_quantity("1_000").expect("valid").value, 1000.0);
}

#[test]
fn rejects_what_is_not_a_quantity() {
    assert_eq!(parse_quantity("abc"), Err(QuantityError::NotANumber));
    assert_eq!(parse_quantity(""), Err(QuantityError::NotANumber));
    assert_eq!(
        parse_quantity("12 parsecs"),
        Err(QuantityError::UnknownUnit("parsecs".into()))
    );
    assert_eq!(parse_quantity("1e400"), Err(QuantityError::NotFinite));
}

#[test]
fn formats_values_for_people() {
    assert_eq!(format_in(0.87, Unit::PERCENT), "87.0%");
    assert_eq!(format_in(0.9995, Unit::PERCENT), "99.95%");
    assert_eq!(format_in(420.0, Unit::MS), "420ms");
    assert_eq!(
        format_in(480_000.0, suffix_unit("KB").expect("unit")),
        "480KB"
    );
    assert_eq!(format_delta(0.03, Unit::PERCENT), "+3.0 points");
    assert_eq!(format_delta(-120.0, Unit::MS), "-120ms");
    assert_eq!(format_number(-0.0, 0), "0");
}
