//! The AIP-160 subset the read-model lists accept: `key = value` comparisons joined by `AND`, each
//! key at most once, values bare (`2`, `POST_DEPARTMENT_HEAD`) or double-quoted (`"04.05"`), parsed
//! by the API's one filter parser (`crate::filter`).
//!
//! The read models filter on single values, so OR, negation, other comparators and repeated keys are
//! refused with INVALID_FILTER naming the part at fault, rather than half-understood.

/// The terms of a filter, as `(key, value)` with the quotes removed, in the order written.
pub type Terms = Vec<(&'static str, String)>;

/// Parses `filter`, allowing only the keys in `allowed`.
pub fn parse(filter: &str, allowed: &[&'static str]) -> Result<Terms, app::Error> {
    crate::filter::equalities(filter, allowed).map_err(crate::filter::FilterError::into_app_error)
}

/// The value of `key` among `terms`, if the filter names it.
pub fn value<'a>(terms: &'a Terms, key: &str) -> Option<&'a str> {
    terms
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.as_str())
}

/// The error for a filter outside the subset.
pub fn invalid(message: String) -> app::Error {
    app::Error::InvalidArgument {
        field: "filter".to_owned(),
        reason: "INVALID_FILTER",
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: &[&str] = &["batch_number", "department", "post"];

    #[test]
    fn terms_are_key_value_pairs_joined_by_and() {
        assert_eq!(parse("", KEYS).ok(), Some(Vec::new()));
        assert_eq!(parse("   ", KEYS).ok(), Some(Vec::new()));
        let terms = parse(r#"batch_number = 2 AND department="04.05""#, KEYS).unwrap_or_default();
        assert_eq!(value(&terms, "batch_number"), Some("2"));
        assert_eq!(value(&terms, "department"), Some("04.05"));
        assert_eq!(value(&terms, "post"), None);
    }

    #[test]
    fn anything_else_is_an_invalid_filter() {
        for filter in [
            "title = 232",
            "batch_number > 2",
            "batch_number != 2",
            "batch_number = 2 OR batch_number = 3",
            "batch_number = 2 AND batch_number = 3",
            "batch_number = 2 AND ",
            r#"department = "04"#,
            "department = ",
            "NOT post = POST_PRESIDENT",
        ] {
            let error = parse(filter, KEYS).err();
            assert!(
                matches!(
                    error,
                    Some(app::Error::InvalidArgument {
                        reason: "INVALID_FILTER",
                        ..
                    })
                ),
                "{filter:?} gave {error:?}"
            );
        }
    }
}
