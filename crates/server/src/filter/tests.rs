//! The grammar, its precedence, and every refusal naming the part at fault.

use super::*;

fn cmp(field: &str, op: Op, value: &str) -> Expr {
    let parsed = parse(&format!("{field} {} {value}", op.symbol())).unwrap();
    match parsed {
        Expr::Compare(mut c) => {
            c.at = 0;
            Expr::Compare(c)
        }
        other => panic!("{other:?}"),
    }
}

/// The tree with every offset zeroed, so trees can be compared by shape.
fn shape(expr: Expr) -> Expr {
    match expr {
        Expr::And(parts) => Expr::And(parts.into_iter().map(shape).collect()),
        Expr::Or(parts) => Expr::Or(parts.into_iter().map(shape).collect()),
        Expr::Not(inner) => Expr::Not(Box::new(shape(*inner))),
        Expr::Compare(mut c) => {
            c.at = 0;
            Expr::Compare(c)
        }
    }
}

#[test]
fn the_empty_filter_matches_everything() {
    assert_eq!(parse("").unwrap(), Expr::And(Vec::new()));
    assert_eq!(parse("  \t ").unwrap(), Expr::And(Vec::new()));
}

#[test]
fn or_binds_tighter_than_and() {
    let parsed = shape(parse("a = 1 AND b = 2 OR b = 3").unwrap());
    assert_eq!(
        parsed,
        Expr::And(vec![
            cmp("a", Op::Eq, "1"),
            Expr::Or(vec![cmp("b", Op::Eq, "2"), cmp("b", Op::Eq, "3")]),
        ])
    );
    let parsed = shape(parse("(a = 1 AND b = 2) OR c = 3").unwrap());
    assert_eq!(
        parsed,
        Expr::Or(vec![
            Expr::And(vec![cmp("a", Op::Eq, "1"), cmp("b", Op::Eq, "2")]),
            cmp("c", Op::Eq, "3"),
        ])
    );
}

#[test]
fn negation_comparators_and_quotes() {
    let parsed = shape(parse(r#"NOT a = "x y" AND -b != 2 AND c >= 3 AND d < 4"#).unwrap());
    let Expr::And(parts) = parsed else {
        panic!("not a conjunction")
    };
    assert_eq!(parts.len(), 4);
    assert!(
        matches!(&parts[0], Expr::Not(inner) if matches!(&**inner, Expr::Compare(c) if c.value == "x y" && c.quoted))
    );
    assert!(
        matches!(&parts[1], Expr::Not(inner) if matches!(&**inner, Expr::Compare(c) if c.op == Op::Ne))
    );
    assert_eq!(parts[2], cmp("c", Op::Ge, "3"));
    assert_eq!(parts[3], cmp("d", Op::Lt, "4"));
}

#[test]
fn lower_case_keywords_bare_words_and_broken_syntax_are_refused() {
    for (bad, names) in [
        ("a = 1 and b = 2", "upper-case"),
        ("a = 1 or b = 2", "upper-case"),
        ("a = 1 b = 2", "joined with AND"),
        ("hello", "no comparator"),
        (r#""hello""#, "text search"),
        ("a = ", "value is missing"),
        ("= 1", "field is missing"),
        ("a = 1 AND", "missing at the end"),
        ("AND a = 1", "needs a comparison"),
        ("(a = 1", "not closed"),
        ("a = 1)", "without a matching"),
        ("f(x) = 1", "functions"),
        ("a = 1 AND -", "missing at the end"),
    ] {
        let error = parse(bad).unwrap_err();
        assert!(error.message.contains(names), "{bad:?}: {error}");
    }
}

#[test]
fn hostile_filters_are_bounded() {
    let long = format!("a = \"{}\"", "x".repeat(MAX_FILTER_CHARS));
    let error = parse(&long).unwrap_err();
    assert!(error.message.len() < 200, "{error}");
    let deep = format!("{}a = 1{}", "(".repeat(100), ")".repeat(100));
    assert!(parse(&deep).unwrap_err().message.contains("nesting"));
    let nots = format!("{}a = 1", "NOT ".repeat(100));
    assert!(parse(&nots).unwrap_err().message.contains("nesting"));
    let many = vec!["a = 1"; MAX_COMPARISONS + 1].join(" AND ");
    assert!(parse(&many).unwrap_err().message.contains("comparisons"));
    let fine = vec!["a = 1"; MAX_COMPARISONS].join(" AND ");
    assert!(parse(&fine).is_ok());
}

#[test]
fn error_messages_quote_a_bounded_excerpt() {
    let filter = format!("a = 1 and {}", "b".repeat(1500));
    let error = parse(&filter).unwrap_err();
    assert!(error.message.len() < 200, "{}", error.message);
    assert!(error.message.contains("character 7"), "{}", error.message);
}

const KEYS: &[&str] = &["batch_number", "department", "post"];

#[test]
fn read_model_equalities_are_key_value_pairs_joined_by_and() {
    assert_eq!(equalities("", KEYS).unwrap(), Vec::new());
    let terms = equalities(r#"batch_number = 2 AND department="04.05""#, KEYS).unwrap();
    assert_eq!(
        terms,
        vec![
            ("batch_number", "2".to_owned()),
            ("department", "04.05".to_owned())
        ]
    );
}

#[test]
fn read_model_equalities_refuse_what_they_cannot_evaluate() {
    for bad in [
        "title = 232",
        "batch_number > 2",
        "batch_number != 2",
        "batch_number = 2 OR batch_number = 3",
        "batch_number = 2 AND batch_number = 3",
        "batch_number = 2 and post = X",
        "batch_number = 2 AND ",
        r#"department = "04"#,
        r#"department = """#,
        "department = ",
        "NOT post = POST_PRESIDENT",
    ] {
        assert!(equalities(bad, KEYS).is_err(), "{bad:?}");
    }
}

/// The documented bounds hold exactly: at the limit accepted, one past it refused.
#[test]
fn the_bounds_hold_at_the_limit_and_one_past() {
    // `a = "…"` padded to exactly MAX_FILTER_CHARS characters (multi-byte ones count once).
    let at = |n: usize| format!("a = \"{}\"", "医".repeat(n - 6));
    assert_eq!(at(MAX_FILTER_CHARS).chars().count(), MAX_FILTER_CHARS);
    assert!(parse(&at(MAX_FILTER_CHARS)).is_ok());
    assert!(parse(&at(MAX_FILTER_CHARS + 1)).is_err());
    let nested = |n: usize| format!("{}a = 1{}", "(".repeat(n), ")".repeat(n));
    assert!(parse(&nested(MAX_DEPTH)).is_ok());
    assert!(
        parse(&nested(MAX_DEPTH + 1))
            .unwrap_err()
            .message
            .contains("nesting")
    );
}
