//! Tokens of an AIP-160 filter: words, quoted strings, parentheses and comparators.

use super::FilterError;

/// A comparator of AIP-160.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `:` (has).
    Has,
}

impl Op {
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Has => ":",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Token {
    /// A bare word: a field name, a keyword (`AND`, `OR`, `NOT`) or an unquoted value.
    Word(String),
    /// A double-quoted string, unescaped.
    Text(String),
    Open,
    Close,
    Minus,
    Compare(Op),
    /// `,` (function arguments), which no filter of this API uses.
    Comma,
}

/// A token and the character offset it starts at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Spanned {
    pub(super) token: Token,
    pub(super) at: usize,
}

fn is_word_char(c: char) -> bool {
    !c.is_whitespace() && !matches!(c, '(' | ')' | '"' | '=' | '<' | '>' | '!' | ':' | ',')
}

/// Splits `input` into tokens.
pub(super) fn tokens(input: &str) -> Result<Vec<Spanned>, FilterError> {
    let chars: Vec<char> = input.chars().collect();
    let mut out: Vec<Spanned> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let after_comparator = matches!(
            out.last(),
            Some(Spanned {
                token: Token::Compare(_),
                ..
            })
        );
        let token = match c {
            '(' => {
                i += 1;
                Token::Open
            }
            ')' => {
                i += 1;
                Token::Close
            }
            ',' => {
                i += 1;
                Token::Comma
            }
            '=' | ':' => {
                i += 1;
                Token::Compare(if c == '=' { Op::Eq } else { Op::Has })
            }
            '<' | '>' | '!' => {
                let equals = chars.get(i + 1) == Some(&'=');
                i += if equals { 2 } else { 1 };
                Token::Compare(match (c, equals) {
                    ('<', false) => Op::Lt,
                    ('<', true) => Op::Le,
                    ('>', false) => Op::Gt,
                    ('>', true) => Op::Ge,
                    ('!', true) => Op::Ne,
                    _ => return Err(FilterError::at(input, at, "`!` must be followed by `=`")),
                })
            }
            '"' => {
                let mut text = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(FilterError::at(
                                input,
                                at,
                                "the quoted string is not closed",
                            ));
                        }
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some('\\') => match chars.get(i + 1) {
                            Some(escaped @ ('"' | '\\')) => {
                                text.push(*escaped);
                                i += 2;
                            }
                            _ => {
                                return Err(FilterError::at(
                                    input,
                                    i,
                                    "only \\\" and \\\\ are escapes in a quoted string",
                                ));
                            }
                        },
                        Some(other) => {
                            text.push(*other);
                            i += 1;
                        }
                    }
                }
                Token::Text(text)
            }
            '-' if !after_comparator => {
                i += 1;
                Token::Minus
            }
            _ => {
                let start = i;
                while i < chars.len() && is_word_char(chars[i]) {
                    i += 1;
                }
                Token::Word(chars[start..i].iter().collect())
            }
        };
        out.push(Spanned { token, at });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(input: &str) -> Vec<Token> {
        tokens(input)
            .unwrap()
            .into_iter()
            .map(|s| s.token)
            .collect()
    }

    #[test]
    fn comparators_quotes_and_words() {
        assert_eq!(
            words(r#"position>=5 AND stream_id = "batch-x.1" OR -(a!=b)"#),
            vec![
                Token::Word("position".into()),
                Token::Compare(Op::Ge),
                Token::Word("5".into()),
                Token::Word("AND".into()),
                Token::Word("stream_id".into()),
                Token::Compare(Op::Eq),
                Token::Text("batch-x.1".into()),
                Token::Word("OR".into()),
                Token::Minus,
                Token::Open,
                Token::Word("a".into()),
                Token::Compare(Op::Ne),
                Token::Word("b".into()),
                Token::Close,
            ]
        );
        // A value after a comparator may start with a minus; inside a word a minus is a character.
        assert_eq!(
            words("x = -1 y=pairing-1"),
            vec![
                Token::Word("x".into()),
                Token::Compare(Op::Eq),
                Token::Word("-1".into()),
                Token::Word("y".into()),
                Token::Compare(Op::Eq),
                Token::Word("pairing-1".into()),
            ]
        );
        assert_eq!(words(r#""a\"b\\c""#), vec![Token::Text(r#"a"b\c"#.into())]);
    }

    #[test]
    fn broken_tokens_are_errors() {
        for bad in [r#"a = "open"#, "a ! b", r#"a = "\n""#] {
            assert!(tokens(bad).is_err(), "{bad}");
        }
    }
}
