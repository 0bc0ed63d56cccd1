//! Reads condition text into an [`Expr`].
//!
//! A recursive-descent parser whose recursion only happens at a nesting level (parentheses,
//! `not`, unary minus, calls), each counted against [`MAX_DEPTH`]: operator chains are read in
//! loops, so the stack depth is bounded whatever the input.

use super::ast::{ArithOp, CmpOp, Expr, ExprKind, Func, LogicOp, NumberLit};
use super::baseline::{Aggregate, baseline_name};
use super::lexer::{Tok, Token, lex};
use super::{MAX_DEPTH, MAX_SOURCE_LEN};
use crate::diagnostic::{Code, Diagnostic, Span, did_you_mean};
use crate::units;

/// Parses a condition. Spans in the tree and in the error are byte offsets into `source`.
///
/// # Errors
/// `KIRO-E010` for malformed text, `KIRO-E013` for an unknown unit suffix, `KIRO-E014` for an
/// unknown function or a wrong number of arguments, `KIRO-E015` for text longer than
/// [`MAX_SOURCE_LEN`] or nested deeper than [`MAX_DEPTH`].
pub fn parse(source: &str) -> Result<Expr, Diagnostic> {
    if source.len() > MAX_SOURCE_LEN {
        return Err(Diagnostic::error(
            Code::ConditionTooComplex,
            format!(
                "the condition is too long ({} bytes; at most {MAX_SOURCE_LEN} are allowed)",
                source.len()
            ),
        )
        .with_label(Span::new(MAX_SOURCE_LEN, source.len()), "beyond the limit")
        .with_help("split the condition into several criteria"));
    }
    let tokens = lex(source)?;
    let mut parser = Parser {
        src: source,
        tokens,
        pos: 0,
        depth: 0,
    };
    let expr = parser.parse_or()?;
    let next = parser.peek();
    if next.tok != Tok::End {
        if next.tok == Tok::RParen {
            return Err(Diagnostic::error(Code::ConditionSyntax, "unmatched `)`")
                .with_label(next.span, "no `(` opens this"));
        }
        return Err(parser.expected_operator("an operator"));
    }
    Ok(expr)
}

struct Parser<'s> {
    src: &'s str,
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

type PResult<T> = Result<T, Diagnostic>;

impl Parser<'_> {
    fn peek(&self) -> Token {
        self.tokens.get(self.pos).copied().unwrap_or(Token {
            tok: Tok::End,
            span: Span::new(self.src.len(), self.src.len()),
        })
    }

    fn bump(&mut self) -> Token {
        let token = self.peek();
        if token.tok != Tok::End {
            self.pos += 1;
        }
        token
    }

    fn previous(&self) -> Option<Token> {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .copied()
    }

    fn text(&self, token: Token) -> &str {
        &self.src[token.span.start..token.span.end]
    }

    fn describe(&self, token: Token) -> String {
        if token.tok == Tok::End {
            "end of condition".to_owned()
        } else {
            format!("`{}`", self.text(token))
        }
    }

    fn enter(&mut self, span: Span) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Diagnostic::error(
                Code::ConditionTooComplex,
                format!("the condition is nested more than {MAX_DEPTH} levels deep"),
            )
            .with_label(span, "too deep")
            .with_help("simplify the condition or split it into several criteria"));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn parse_or(&mut self) -> PResult<Expr> {
        self.parse_logic(LogicOp::Or)
    }

    fn parse_logic(&mut self, op: LogicOp) -> PResult<Expr> {
        let (tok, operand): (Tok, fn(&mut Self) -> PResult<Expr>) = match op {
            LogicOp::Or => (Tok::Or, |p| p.parse_logic(LogicOp::And)),
            LogicOp::And => (Tok::And, Self::parse_not),
        };
        let first = operand(self)?;
        if self.peek().tok != tok {
            return Ok(first);
        }
        let mut operands = vec![first];
        while self.peek().tok == tok {
            self.bump();
            operands.push(operand(self)?);
        }
        let span = join(&operands);
        Ok(Expr {
            kind: ExprKind::Logic { op, operands },
            span,
        })
    }

    fn parse_not(&mut self) -> PResult<Expr> {
        if self.peek().tok != Tok::Not {
            return self.parse_compare();
        }
        let not = self.bump();
        self.enter(not.span)?;
        let operand = self.parse_not()?;
        self.leave();
        let span = not.span.join(operand.span);
        Ok(Expr {
            kind: ExprKind::Not(Box::new(operand)),
            span,
        })
    }

    fn parse_compare(&mut self) -> PResult<Expr> {
        let lhs = self.parse_arith(false)?;
        let Some(op) = compare_op(self.peek().tok) else {
            return Ok(lhs);
        };
        self.bump();
        let rhs = self.parse_arith(false)?;
        let next = self.peek();
        if compare_op(next.tok).is_some() {
            return Err(Diagnostic::error(
                Code::ConditionSyntax,
                format!(
                    "comparisons cannot be chained: `{}` follows a comparison",
                    self.text(next)
                ),
            )
            .with_label(next.span, "a second comparison")
            .with_label(lhs.span.join(rhs.span), "the first comparison")
            .with_help("join comparisons with `and`, e.g. `a < b and b < c`"));
        }
        let span = lhs.span.join(rhs.span);
        Ok(Expr {
            kind: ExprKind::Compare {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            },
            span,
        })
    }

    /// An additive chain, or a multiplicative one when `multiplicative`.
    fn parse_arith(&mut self, multiplicative: bool) -> PResult<Expr> {
        let operand = |p: &mut Self| {
            if multiplicative {
                p.parse_unary()
            } else {
                p.parse_arith(true)
            }
        };
        let first = operand(self)?;
        let mut rest = Vec::new();
        while let Some(op) =
            arith_op(self.peek().tok).filter(|op| op.is_multiplicative() == multiplicative)
        {
            self.bump();
            rest.push((op, operand(self)?));
        }
        if rest.is_empty() {
            return Ok(first);
        }
        let span = rest
            .last()
            .map_or(first.span, |(_, e)| first.span.join(e.span));
        Ok(Expr {
            kind: ExprKind::Arith {
                first: Box::new(first),
                rest,
            },
            span,
        })
    }

    fn parse_unary(&mut self) -> PResult<Expr> {
        if self.peek().tok != Tok::Minus {
            return self.parse_primary();
        }
        let minus = self.bump();
        self.enter(minus.span)?;
        let operand = self.parse_unary()?;
        self.leave();
        let span = minus.span.join(operand.span);
        Ok(Expr {
            kind: ExprKind::Neg(Box::new(operand)),
            span,
        })
    }

    fn parse_primary(&mut self) -> PResult<Expr> {
        let token = self.peek();
        let kind = match token.tok {
            Tok::Number { value, unit, base } => ExprKind::Number(NumberLit { value, unit, base }),
            Tok::True => ExprKind::Bool(true),
            Tok::False => ExprKind::Bool(false),
            Tok::Ident => {
                self.bump();
                if self.peek().tok == Tok::LParen {
                    return self.parse_call(token);
                }
                return Ok(Expr {
                    kind: ExprKind::Metric(self.text(token).to_owned()),
                    span: token.span,
                });
            }
            Tok::LParen => {
                self.bump();
                self.enter(token.span)?;
                let mut inner = self.parse_or()?;
                let close = self.peek();
                if close.tok != Tok::RParen {
                    return Err(self
                        .expected_operator("an operator or `)`")
                        .with_label(token.span, "this `(` is not closed"));
                }
                self.bump();
                self.leave();
                inner.span = token.span.join(close.span);
                return Ok(inner);
            }
            _ => return Err(self.expected_operand()),
        };
        self.bump();
        Ok(Expr {
            kind,
            span: token.span,
        })
    }

    fn parse_call(&mut self, name: Token) -> PResult<Expr> {
        let text = self.text(name);
        if text == "baseline" {
            return self.parse_baseline(name);
        }
        let Some(func) = Func::from_name(text) else {
            let names = Func::ALL.iter().map(|f| f.name()).chain(["baseline"]);
            let help = match did_you_mean(text, names) {
                Some(close) => format!("did you mean `{close}`?"),
                None => {
                    "the functions are `abs`, `min`, `max`, `present`, `missing` and `baseline`"
                        .to_owned()
                }
            };
            return Err(Diagnostic::error(
                Code::UnknownFunction,
                format!("unknown function `{text}`"),
            )
            .with_label(name.span, "not a function")
            .with_help(help));
        };
        let open = self.bump();
        self.enter(open.span)?;
        let mut args = Vec::new();
        if self.peek().tok != Tok::RParen {
            loop {
                args.push(self.parse_or()?);
                match self.peek().tok {
                    Tok::Comma => {
                        self.bump();
                    }
                    Tok::RParen => break,
                    _ => {
                        return Err(self
                            .expected_operator("`,` or `)`")
                            .with_label(open.span, "the arguments started here"));
                    }
                }
            }
        }
        let close = self.bump();
        self.leave();
        let span = name.span.join(close.span);
        let arity_ok = if func.is_variadic() {
            args.len() >= 2
        } else {
            args.len() == 1
        };
        if !arity_ok {
            let wanted = if func.is_variadic() {
                "at least 2 arguments"
            } else {
                "1 argument"
            };
            let found = match args.len() {
                0 => "none".to_owned(),
                n => n.to_string(),
            };
            return Err(Diagnostic::error(
                Code::UnknownFunction,
                format!("`{}` takes {wanted}, found {found}", func.name()),
            )
            .with_label(span, "wrong number of arguments"));
        }
        Ok(Expr {
            kind: ExprKind::Call { func, args },
            span,
        })
    }

    /// `baseline(metric)` or `baseline(metric, aggregate)`, read into a metric reference with
    /// the canonical name of [`baseline_name`] and the span of the whole call.
    fn parse_baseline(&mut self, name: Token) -> PResult<Expr> {
        let open = self.bump();
        let bad_shape = |span: Span| {
            Diagnostic::error(
                Code::BaselineCall,
                "`baseline` takes a metric name and optionally an aggregate",
            )
            .with_label(span, "not `baseline(metric)` or `baseline(metric, p90)`")
            .with_help(format!("the aggregates are {}", aggregate_list()))
        };
        let metric = self.peek();
        if metric.tok != Tok::Ident {
            return Err(bad_shape(name.span.join(metric.span)));
        }
        self.bump();
        let mut aggregate = Aggregate::Avg;
        if self.peek().tok == Tok::Comma {
            self.bump();
            let agg = self.peek();
            if agg.tok != Tok::Ident {
                return Err(bad_shape(name.span.join(agg.span)));
            }
            self.bump();
            let text = self.text(agg);
            aggregate = match Aggregate::from_name(text) {
                Some(a) => a,
                None => {
                    let help = did_you_mean(text, Aggregate::ALL.iter().map(|a| a.name()))
                        .map_or_else(
                            || format!("the aggregates are {}", aggregate_list()),
                            |close| format!("did you mean `{close}`?"),
                        );
                    return Err(Diagnostic::error(
                        Code::BaselineCall,
                        format!("unknown aggregate `{text}`"),
                    )
                    .with_label(agg.span, "not an aggregate")
                    .with_help(help));
                }
            };
        }
        let close = self.peek();
        if close.tok != Tok::RParen {
            return Err(bad_shape(name.span.join(close.span))
                .with_label(open.span, "the arguments started here"));
        }
        self.bump();
        Ok(Expr {
            kind: ExprKind::Metric(baseline_name(self.text(metric), aggregate)),
            span: name.span.join(close.span),
        })
    }

    /// The error for a token that cannot start an operand.
    fn expected_operand(&self) -> Diagnostic {
        let token = self.peek();
        let found = self.describe(token);
        let message = match self.previous() {
            Some(prev) => format!(
                "expected an operand after `{}`, found {found}",
                self.text(prev)
            ),
            None => format!("expected a condition, found {found}"),
        };
        let diagnostic = Diagnostic::error(Code::ConditionSyntax, message)
            .with_label(token.span, "expected a metric, a number or `(` here");
        match token.tok {
            Tok::Plus => diagnostic.with_help("numbers need no `+` sign"),
            _ => diagnostic,
        }
    }

    /// The error for a token where an operator (or `what`) should follow a complete operand.
    fn expected_operator(&self, what: &str) -> Diagnostic {
        let token = self.peek();
        let found = self.describe(token);
        let message = match self.previous() {
            Some(prev) => format!("expected {what} after `{}`, found {found}", self.text(prev)),
            None => format!("expected {what}, found {found}"),
        };
        let mut diagnostic = Diagnostic::error(Code::ConditionSyntax, message)
            .with_label(token.span, format!("expected {what} here"));
        let text = self.text(token);
        let previous_is_number = self
            .previous()
            .is_some_and(|p| matches!(p.tok, Tok::Number { .. }));
        if token.tok == Tok::Ident && previous_is_number && units::suffix_unit(text).is_some() {
            diagnostic = diagnostic.with_help(format!(
                "write the unit right after the number, without a space: `{}{text}`",
                self.previous().map_or("", |p| self.text(p))
            ));
        } else if token.tok == Tok::Ident
            && ["and", "or", "not", "true", "false"].contains(&text.to_ascii_lowercase().as_str())
        {
            diagnostic = diagnostic.with_help(format!(
                "keywords are lowercase: `{}`",
                text.to_ascii_lowercase()
            ));
        }
        diagnostic
    }
}

fn join(operands: &[Expr]) -> Span {
    match (operands.first(), operands.last()) {
        (Some(first), Some(last)) => first.span.join(last.span),
        _ => Span::default(),
    }
}

fn compare_op(tok: Tok) -> Option<CmpOp> {
    Some(match tok {
        Tok::Lt => CmpOp::Lt,
        Tok::Le => CmpOp::Le,
        Tok::Gt => CmpOp::Gt,
        Tok::Ge => CmpOp::Ge,
        Tok::EqEq => CmpOp::Eq,
        Tok::Ne => CmpOp::Ne,
        _ => return None,
    })
}

fn arith_op(tok: Tok) -> Option<ArithOp> {
    Some(match tok {
        Tok::Plus => ArithOp::Add,
        Tok::Minus => ArithOp::Sub,
        Tok::Star => ArithOp::Mul,
        Tok::Slash => ArithOp::Div,
        _ => return None,
    })
}

/// The aggregates as a list for messages.
fn aggregate_list() -> String {
    let names: Vec<String> = Aggregate::ALL
        .iter()
        .map(|a| format!("`{}`", a.name()))
        .collect();
    names.join(", ")
}
