//! The one AIP-160 filter parser of the API, shared by every RPC that takes a `filter`.
//!
//! Grammar (AIP-160, with its precedence: `OR` binds tighter than `AND`):
//!
//! ```text
//! filter      = [expression]
//! expression  = sequence { "AND" sequence }
//! sequence    = factor                       (adjacent factors without AND are refused)
//! factor      = term { "OR" term }
//! term        = ("NOT" | "-") term | simple
//! simple      = restriction | "(" expression ")"
//! restriction = member comparator value      (= != < <= > >= :)
//! value       = word | "quoted string"
//! ```
//!
//! `AND`, `OR` and `NOT` are keywords only in upper case, as AIP-160 says; a lower-case `and` is a bare
//! word, and a bare word (AIP-160's global text search) is refused, so `a = 1 and b = 2` fails loudly
//! instead of matching nothing. Each RPC then gives the tree its meaning (`feed` for the event feed,
//! [`equalities`] for the read-model lists) and refuses, with INVALID_FILTER, whatever it cannot
//! evaluate. Errors quote at most a bounded excerpt of the filter.
//!
//! Bounds keep a hostile filter cheap: at most [`MAX_FILTER_CHARS`] characters, [`MAX_COMPARISONS`]
//! comparisons and [`MAX_DEPTH`] levels of nesting (the parser recurses).

pub mod feed;
mod lexer;

pub use lexer::Op;
use lexer::{Spanned, Token};

/// The longest filter accepted, in characters.
pub const MAX_FILTER_CHARS: usize = 2048;
/// The most comparisons one filter may hold.
pub const MAX_COMPARISONS: usize = 64;
/// The deepest nesting of parentheses and `NOT`.
pub const MAX_DEPTH: usize = 16;

/// A parsed filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// Every part holds (the empty filter is `And(vec![])`).
    And(Vec<Expr>),
    /// At least one part holds.
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Compare(Comparison),
}

/// One `member comparator value` restriction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub field: String,
    pub op: Op,
    pub value: String,
    /// The value was a quoted string (so `"5"` can be told from `5` where that matters).
    pub quoted: bool,
    /// Character offset of the field in the filter, for messages.
    pub at: usize,
}

/// Why a filter was refused: a message that names the part at fault with a bounded excerpt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FilterError {
    pub message: String,
}

impl FilterError {
    /// An error about the part of `input` starting at character `at`.
    pub fn at(input: &str, at: usize, what: &str) -> FilterError {
        const AROUND: usize = 24;
        let part: String = input.chars().skip(at).take(AROUND).collect();
        let more = if input.chars().count() > at + AROUND {
            "…"
        } else {
            ""
        };
        FilterError {
            message: format!(
                "filter at character {}: {what} (near {part:?}{more})",
                at + 1
            ),
        }
    }

    pub fn new(message: impl Into<String>) -> FilterError {
        FilterError {
            message: message.into(),
        }
    }

    /// The use-case error: INVALID_ARGUMENT, reason INVALID_FILTER, field `filter`.
    pub fn into_app_error(self) -> app::Error {
        app::Error::InvalidArgument {
            field: "filter".to_owned(),
            reason: "INVALID_FILTER",
            message: self.message,
        }
    }
}

impl Expr {
    /// Every comparison of the tree, in the order written.
    pub fn comparisons(&self) -> Vec<&Comparison> {
        match self {
            Expr::And(parts) | Expr::Or(parts) => {
                parts.iter().flat_map(Expr::comparisons).collect()
            }
            Expr::Not(inner) => inner.comparisons(),
            Expr::Compare(comparison) => vec![comparison],
        }
    }
}

/// Parses `input`; an empty or blank filter is `And(vec![])`, which matches everything.
pub fn parse(input: &str) -> Result<Expr, FilterError> {
    let length = input.chars().count();
    if length > MAX_FILTER_CHARS {
        return Err(FilterError::new(format!(
            "the filter is {length} characters long; at most {MAX_FILTER_CHARS} are accepted"
        )));
    }
    let tokens = lexer::tokens(input)?;
    let mut parser = Parser {
        input,
        tokens,
        next: 0,
        depth: 0,
        comparisons: 0,
    };
    if parser.tokens.is_empty() {
        return Ok(Expr::And(Vec::new()));
    }
    let expr = parser.expression()?;
    if let Some(extra) = parser.peek() {
        let what = match extra.token {
            Token::Close => "`)` without a matching `(`",
            _ => "unexpected text after the end of the filter",
        };
        return Err(FilterError::at(input, extra.at, what));
    }
    Ok(expr)
}

struct Parser<'a> {
    input: &'a str,
    tokens: Vec<Spanned>,
    next: usize,
    depth: usize,
    comparisons: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Spanned> {
        self.tokens.get(self.next)
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Spanned { token: Token::Word(w), .. }) if w == word)
    }

    fn error_here(&self, what: &str) -> FilterError {
        let at = self
            .peek()
            .map_or(self.input.chars().count(), |spanned| spanned.at);
        FilterError::at(self.input, at, what)
    }

    fn expression(&mut self) -> Result<Expr, FilterError> {
        let mut parts = vec![self.sequence()?];
        while self.keyword("AND") {
            self.next += 1;
            parts.push(self.sequence()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::And(parts)
        })
    }

    fn sequence(&mut self) -> Result<Expr, FilterError> {
        let factor = self.factor()?;
        match self.peek() {
            None => Ok(factor),
            Some(Spanned {
                token: Token::Close,
                ..
            }) => Ok(factor),
            Some(_) if self.keyword("AND") => Ok(factor),
            Some(Spanned {
                token: Token::Word(word),
                ..
            }) if word.eq_ignore_ascii_case("and") || word.eq_ignore_ascii_case("or") => {
                let word = word.clone();
                Err(self.error_here(&format!(
                    "{word:?} is not an operator: AND and OR are upper-case keywords (AIP-160)"
                )))
            }
            Some(_) => Err(self.error_here("terms must be joined with AND or OR")),
        }
    }

    fn factor(&mut self) -> Result<Expr, FilterError> {
        let mut parts = vec![self.term()?];
        while self.keyword("OR") {
            self.next += 1;
            parts.push(self.term()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::Or(parts)
        })
    }

    fn term(&mut self) -> Result<Expr, FilterError> {
        let negated = match self.peek().map(|s| &s.token) {
            Some(Token::Minus) => true,
            Some(Token::Word(word)) if word == "NOT" => true,
            _ => false,
        };
        if negated {
            self.next += 1;
            self.descend()?;
            let inner = self.term()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.simple()
    }

    fn descend(&mut self) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error_here(&format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    fn simple(&mut self) -> Result<Expr, FilterError> {
        let Some(spanned) = self.peek().cloned() else {
            return Err(self.error_here("a comparison is missing at the end"));
        };
        match spanned.token {
            Token::Open => {
                self.next += 1;
                self.descend()?;
                let inner = self.expression()?;
                self.depth -= 1;
                match self.peek() {
                    Some(Spanned {
                        token: Token::Close,
                        ..
                    }) => {
                        self.next += 1;
                        Ok(inner)
                    }
                    _ => Err(FilterError::at(self.input, spanned.at, "`(` is not closed")),
                }
            }
            Token::Word(field) => {
                if matches!(field.as_str(), "AND" | "OR" | "NOT") {
                    return Err(self.error_here(&format!("{field} needs a comparison before it")));
                }
                self.next += 1;
                let op = match self.peek().map(|s| &s.token) {
                    Some(Token::Compare(op)) => *op,
                    Some(Token::Open) => {
                        return Err(FilterError::at(
                            self.input,
                            spanned.at,
                            "functions are not supported",
                        ));
                    }
                    _ => {
                        return Err(FilterError::at(
                            self.input,
                            spanned.at,
                            &format!(
                                "{:?} has no comparator: text search is not supported, write field = value",
                                lexer_excerpt(&field)
                            ),
                        ));
                    }
                };
                self.next += 1;
                let (value, quoted) = match self.peek().map(|s| &s.token) {
                    Some(Token::Word(word)) if !matches!(word.as_str(), "AND" | "OR" | "NOT") => {
                        (word.clone(), false)
                    }
                    Some(Token::Text(text)) => (text.clone(), true),
                    _ => {
                        return Err(
                            self.error_here(&format!("a value is missing after {}", op.symbol()))
                        );
                    }
                };
                self.next += 1;
                self.comparisons += 1;
                if self.comparisons > MAX_COMPARISONS {
                    return Err(FilterError::at(
                        self.input,
                        spanned.at,
                        &format!("more than {MAX_COMPARISONS} comparisons"),
                    ));
                }
                Ok(Expr::Compare(Comparison {
                    field,
                    op,
                    value,
                    quoted,
                    at: spanned.at,
                }))
            }
            Token::Close => Err(self.error_here("a comparison is missing before `)`")),
            Token::Text(_) => Err(self.error_here(
                "a quoted value has no field: text search is not supported, write field = value",
            )),
            Token::Compare(op) => {
                Err(self.error_here(&format!("a field is missing before {}", op.symbol())))
            }
            Token::Minus => Err(self.error_here("`-` must be followed by a comparison")),
            Token::Comma => Err(self.error_here("`,` is not supported")),
        }
    }
}

fn lexer_excerpt(word: &str) -> String {
    word.chars().take(32).collect()
}

/// The read-model lists' subset: `key = value` comparisons joined by `AND`, each key at most once,
/// keys from `allowed`. Returns `(key, value)` in the order written.
pub fn equalities(
    input: &str,
    allowed: &[&'static str],
) -> Result<Vec<(&'static str, String)>, FilterError> {
    let expr = parse(input)?;
    let parts = match expr {
        Expr::And(parts) => parts,
        other => vec![other],
    };
    let mut out: Vec<(&'static str, String)> = Vec::new();
    for part in parts {
        let Expr::Compare(comparison) = part else {
            let what = match part {
                Expr::Or(_) => "OR is not supported by this list's filter",
                _ => "NOT is not supported by this list's filter",
            };
            let at = part.comparisons().first().map_or(0, |c| c.at);
            return Err(FilterError::at(input, at, what));
        };
        let Some(key) = allowed.iter().copied().find(|k| *k == comparison.field) else {
            return Err(FilterError::at(
                input,
                comparison.at,
                &format!("the field is not one of {}", allowed.join(", ")),
            ));
        };
        if comparison.op != Op::Eq {
            return Err(FilterError::at(
                input,
                comparison.at,
                &format!("{key} only supports =, not {}", comparison.op.symbol()),
            ));
        }
        if comparison.value.is_empty() {
            return Err(FilterError::at(input, comparison.at, "the value is empty"));
        }
        if out.iter().any(|(seen, _)| *seen == key) {
            return Err(FilterError::at(
                input,
                comparison.at,
                &format!("{key} is named more than once"),
            ));
        }
        out.push((key, comparison.value));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
