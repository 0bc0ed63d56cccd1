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

/// Every unit a number can be written in: the suffixes and the declaration words.
fn every_unit() -> Vec<Unit> {
    SUFFIX_UNITS
        .iter()
        .copied()
        .chain(DECLARATION_WORDS.iter().map(|(_, u)| *u))
        .filter(|u| u.dimension != Dimension::Bool)
        .collect()
}

/// The reference: `digits × 10^exponent` in `unit`, in base units, computed with `u128`
/// arithmetic (independent of the digit-string multiplication) and one correctly rounded parse.
fn reference(digits: &str, exponent: i64, negative: bool, unit: Unit) -> f64 {
    let mantissa: u128 = digits.parse().expect("at most 20 digits");
    let product = mantissa * u128::from(unit.scale.multiplier);
    let sign = if negative { "-" } else { "" };
    format!(
        "{sign}{product}e{}",
        exponent + i64::from(unit.scale.exponent)
    )
    .parse()
    .expect("a decimal")
}

/// `digits` (no leading sign) with a decimal point `point` places from its end and the exponent
/// `written_exp`: the text and the value's own exponent (`digits × 10^exponent`).
fn decimal_text(digits: &str, point: usize, written_exp: Option<i32>) -> (String, i64) {
    let point = point.min(digits.len());
    let (int, frac) = digits.split_at(digits.len() - point);
    let mut text = if int.is_empty() {
        "0".to_owned()
    } else {
        int.to_owned()
    };
    if !frac.is_empty() {
        text.push('.');
        text.push_str(frac);
    }
    let mut exponent = -(point as i64);
    if let Some(e) = written_exp {
        text.push_str(&format!("e{e}"));
        exponent += i64::from(e);
    }
    (text, exponent)
}

#[test]
fn percentages_are_the_fractions_they_name() {
    for p in 0..=1000u32 {
        let fraction: f64 = format!("{}e-3", p * 10).parse().expect("decimal");
        assert_eq!(
            parse_quantity(&format!("{p}%")).expect("valid").value,
            fraction,
            "{p}%"
        );
        assert_eq!(Unit::PERCENT.to_base(f64::from(p)), fraction, "{p}");
    }
    for (text, fraction) in [
        ("70%", 0.7),
        ("95%", 0.95),
        ("99.9%", 0.999),
        ("0.1%", 0.001),
        ("35%", 0.35),
    ] {
        assert_eq!(
            parse_quantity(text).expect("valid").value,
            fraction,
            "{text}"
        );
    }
    assert_eq!(Unit::PERCENT.to_base(99.9), 0.999);
    assert_eq!(Unit::PERCENT.from_base(0.7), 70.0);
    assert_eq!(Unit::PERCENT.from_base(0.999), 99.9);
    let seconds = suffix_unit("s").expect("unit");
    assert_eq!(parse_quantity("1.1s").expect("valid").value, 1100.0);
    assert_eq!(seconds.to_base(1.1), 1100.0);
    assert_eq!(seconds.from_base(1100.0), 1.1);
    assert_eq!(parse_quantity("0.3GB").expect("valid").value, 300_000_000.0);
    assert_eq!(parse_quantity("1.5m").expect("valid").value, 90_000.0);
    assert_eq!(parse_quantity("0.1h").expect("valid").value, 360_000.0);
}

#[test]
fn decimal_scaling_handles_edges() {
    let gb = suffix_unit("GB").expect("unit");
    let tib = suffix_unit("TiB").expect("unit");
    assert_eq!(gb.scale.decimal_to_base("0"), Some(0.0));
    assert_eq!(
        gb.scale.decimal_to_base("-0.0").map(f64::to_bits),
        Some((-0.0f64).to_bits())
    );
    assert_eq!(tib.scale.decimal_to_base("1e400"), Some(f64::INFINITY));
    assert_eq!(
        tib.scale.decimal_to_base("1e-99999999999999999999"),
        Some(0.0)
    );
    assert_eq!(Unit::PERCENT.scale.decimal_to_base(".5"), Some(0.005));
    assert_eq!(Unit::PERCENT.scale.decimal_to_base("5."), Some(0.05));
    for bad in ["", ".", "-", "1e", "1e+", "1.2.3", "1x", "e5", "--1"] {
        assert_eq!(Unit::PERCENT.scale.decimal_to_base(bad), None, "{bad}");
    }
    // A literal longer than a double's precision is still rounded once, from all its digits.
    let long = format!("0.{}1", "0".repeat(400));
    assert_eq!(Scale::ONE.decimal_to_base(&long), long.parse().ok());
    assert!(Unit::PERCENT.to_base(f64::NAN).is_nan());
    assert_eq!(Unit::PERCENT.to_base(f64::INFINITY), f64::INFINITY);
    // Outside the fast paths: exponents beyond 10^22, products beyond 2^53.
    assert_eq!(
        Unit::PERCENT.to_base(1e-300),
        "1e-302".parse().ok().unwrap_or(0.0)
    );
    assert_eq!(Unit::PERCENT.to_base(-1.5e300), -1.5e298);
    assert_eq!(tib.to_base(f64::MAX), f64::INFINITY);
    assert_eq!(
        tib.to_base(0.123_456_789_012_345),
        "135742175046.961642308894720".parse().ok().unwrap_or(0.0)
    );
    assert_eq!(Unit::PERCENT.factor(), 0.01);
    assert_eq!(tib.factor(), 1_099_511_627_776.0);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]

    /// `"<d><unit>"` is the double nearest `d` times the unit's factor, bitwise, for every unit,
    /// as text (condition literals, metrics strings) and, for numbers a double holds to the
    /// digit, as a number (metrics input, batches).
    #[test]
    fn every_unit_converts_exactly(
        digits in "[0-9]{1,20}",
        point in 0usize..24,
        written_exp in proptest::option::of(-30i32..30),
        negative in proptest::bool::ANY,
    ) {
        let (text, exponent) = decimal_text(&digits, point, written_exp);
        let signed = if negative { format!("-{text}") } else { text.clone() };
        let as_number: f64 = signed.parse().expect("decimal");
        let significant = digits.trim_start_matches('0').trim_end_matches('0').len();
        for unit in every_unit() {
            let expected = reference(&digits, exponent, negative, unit);
            // A declaration word (`ratio`, `count`) is no suffix: its numbers are written bare.
            let written = if suffix_unit(unit.symbol).is_some() {
                format!("{signed}{}", unit.symbol)
            } else {
                signed.clone()
            };
            let quantity = parse_quantity_in(&written, unit);
            if expected.is_finite() {
                let q = quantity.expect("a finite quantity");
                proptest::prop_assert_eq!(q.value.to_bits(), expected.to_bits(), "{}", written);
            } else {
                proptest::prop_assert_eq!(quantity, Err(QuantityError::NotFinite));
            }
            proptest::prop_assert_eq!(
                unit.scale.decimal_to_base(&signed).map(f64::to_bits),
                Some(expected.to_bits()),
                "{} in {}", signed, unit.symbol
            );
            if significant <= 15 && as_number.is_finite() {
                proptest::prop_assert_eq!(
                    unit.to_base(as_number).to_bits(),
                    expected.to_bits(),
                    "{} as a number in {}", signed, unit.symbol
                );
            }
            // Condition literals: the same text after a metric and an operator.
            if !negative && expected.is_finite() && suffix_unit(unit.symbol).is_some() {
                let source = format!("x >= {written}");
                if let Ok(expr) = crate::condition::parse(&source)
                    && let crate::condition::ExprKind::Compare { rhs, .. } = expr.kind
                    && let crate::condition::ExprKind::Number(n) = rhs.kind
                {
                    proptest::prop_assert_eq!(n.base_value().to_bits(), expected.to_bits(), "{}", source);
                } else {
                    proptest::prop_assert!(false, "`{}` should parse to a comparison", source);
                }
            }
        }
    }

    /// Shown in its unit, a converted value reads back as the number converted.
    #[test]
    fn from_base_inverts_the_powers_of_ten(
        digits in "[0-9]{1,15}",
        point in 0usize..16,
    ) {
        let (text, _) = decimal_text(&digits, point, None);
        let x: f64 = text.parse().expect("decimal");
        for unit in every_unit().into_iter().filter(|u| u.scale.multiplier == 1) {
            proptest::prop_assert_eq!(unit.from_base(unit.to_base(x)), x, "{} {}", x, unit.symbol);
        }
    }
}

/// A column value: mostly decimals with at most `decimals` decimals; unless `clean`, also some
/// with more, and doubles the fast path must leave to the scalar conversion.
fn column_value(decimals: u32, clean: bool) -> proptest::strategy::BoxedStrategy<f64> {
    use proptest::prelude::*;
    let short = (0u64..1_000_000_000_000_000, 0..=decimals, any::<bool>()).prop_map(
        |(mantissa, d, negative)| {
            let sign = if negative { "-" } else { "" };
            format!("{sign}{mantissa}e-{d}").parse().unwrap_or(0.0)
        },
    );
    // Mostly small numbers, as measurements are.
    let small = (0u64..100_000, 0..=decimals)
        .prop_map(|(mantissa, d)| format!("{mantissa}e-{d}").parse().unwrap_or(0.0));
    if clean {
        return prop_oneof![small, short].boxed();
    }
    let longer = (0u64..100_000_000, decimals..decimals + 8)
        .prop_map(|(mantissa, d)| format!("{mantissa}e-{d}").parse().unwrap_or(0.0));
    let special = prop::sample::select(vec![
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        0.0,
        -0.0,
        0.1 + 0.2,
        1e300,
        -1e-300,
        f64::MAX,
        f64::MIN_POSITIVE,
        5e-324,
        9_007_199_254_740_993.0,
        999_999_999_999_999.9,
        1e15,
        0.5,
    ]);
    prop_oneof![
        16 => small,
        16 => short,
        2 => longer,
        1 => any::<u64>().prop_map(f64::from_bits),
        1 => special,
    ]
    .boxed()
}

/// A column of up to 300 [`column_value`]s with at most 0 to 9 decimals, clean or not, with
/// signs or all non-negative.
fn column() -> impl proptest::strategy::Strategy<Value = Vec<f64>> {
    use proptest::prelude::*;
    (0u32..10, any::<bool>(), any::<bool>()).prop_flat_map(|(d, clean, signed)| {
        proptest::collection::vec(column_value(d, clean), 0..300).prop_map(move |values| {
            if signed {
                values
            } else {
                values.into_iter().map(f64::abs).collect()
            }
        })
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]

    /// The column conversion is the scalar one, bit for bit, for every unit, on columns of short
    /// decimals mixed with values it must leave to the scalar conversion.
    #[test]
    fn a_column_converts_as_its_values_do(
        values in column(),
    ) {
        let mut out = Vec::new();
        for unit in every_unit() {
            unit.scale.to_base_column(&values, &mut out);
            proptest::prop_assert_eq!(out.len(), values.len());
            for (&x, &y) in values.iter().zip(&out) {
                proptest::prop_assert_eq!(
                    y.to_bits(),
                    unit.to_base(x).to_bits(),
                    "{:e} in {}", x, unit.symbol
                );
            }
        }
    }
}

/// The column conversion's fast path takes every value of a decimal grid (no scalar fallback),
/// giving the scalar conversion's double.
#[test]
fn the_fast_path_takes_decimal_grids() {
    for unit in every_unit().into_iter().filter(|u| u.scale != Scale::ONE) {
        for decimals in 0..=6u32 {
            let shift = column::Shift::new(unit.scale, decimals).expect("powers up to 10^22");
            for m in 0..5_000u32 {
                for negative in [false, true] {
                    let x: f64 = format!("{}{m}e-{decimals}", if negative { "-" } else { "" })
                        .parse()
                        .expect("decimal");
                    let (y, exact) = shift.convert(x);
                    assert!(exact, "{x} in {} at {decimals} decimals", unit.symbol);
                    assert_eq!(
                        y.to_bits(),
                        unit.to_base(x).to_bits(),
                        "{x} {}",
                        unit.symbol
                    );
                }
            }
        }
    }
}

/// The split reciprocal divides every numerator it takes as the division does: the first and
/// last hundred thousand below its limit and a million random ones, for every power it is built
/// for (and none beyond).
#[test]
fn the_reciprocal_divides_exactly() {
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut built = 0;
    for k in 0..=22u32 {
        let Some(r) = reciprocal::Reciprocal::new(k) else {
            continue;
        };
        built += 1;
        let p = 10f64.powi(i32::try_from(k).expect("small"));
        let randoms = std::iter::repeat_with(|| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng % r.limit
        });
        let numerators = (0..100_000)
            .chain(r.limit - 100_000..r.limit)
            .chain(randoms.take(1_000_000));
        for n in numerators {
            #[expect(clippy::cast_precision_loss, reason = "below 2^47: exact")]
            let n = n as f64;
            assert_eq!(r.of(n).to_bits(), (n / p).to_bits(), "{n} / 10^{k}");
        }
    }
    assert_eq!(built, 9, "10^0 to 10^8");
}

/// Signs and zeros on the column conversion: `-0.0` stays `-0.0` and negative values keep their
/// sign, in an otherwise non-negative column and in a negative one.
#[test]
fn a_column_keeps_signs_and_zeros() {
    let columns: [&[f64]; 4] = [
        &[0.5, -0.0, 1.25, 87.5],
        &[0.0, 12.0, 99.9, 100.0],
        &[-0.5, -12.75, -0.0, 0.0],
        &[70.0, -70.0, 0.7, -0.7],
    ];
    let mut out = Vec::new();
    for unit in every_unit() {
        for values in columns {
            unit.scale.to_base_column(values, &mut out);
            let expected: Vec<u64> = values.iter().map(|&x| unit.to_base(x).to_bits()).collect();
            let got: Vec<u64> = out.iter().map(|y| y.to_bits()).collect();
            assert_eq!(got, expected, "{values:?} in {}", unit.symbol);
        }
    }
}
