//! SQL analysis: destructive statements via `sqlparser` over several
//! dialects, and a token-level fallback when nothing parses.

use sqlparser::ast::{BinaryOperator, Expr, ObjectType, Query, SetExpr, Statement, Value};
use sqlparser::dialect::{Dialect, GenericDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

use super::ShellFinding;

/// Keeps sqlparser's recursive descent well inside a 2 MiB thread stack,
/// even in debug builds.
const SQL_RECURSION_LIMIT: usize = 24;
const MAX_AST_DEPTH: usize = 16;

pub(crate) fn analyze(sql: &str) -> Vec<ShellFinding> {
    let dialects: [&dyn Dialect; 4] = [
        &GenericDialect {},
        &PostgreSqlDialect {},
        &MySqlDialect {},
        &SQLiteDialect {},
    ];
    for dialect in dialects {
        let parsed = Parser::new(dialect)
            .with_recursion_limit(SQL_RECURSION_LIMIT)
            .try_with_sql(sql)
            .and_then(|mut p| p.parse_statements());
        if let Ok(statements) = parsed {
            let mut out = Vec::new();
            for s in &statements {
                statement(s, &mut out, 0);
            }
            return out;
        }
    }
    fallback(sql)
}

fn flag(out: &mut Vec<ShellFinding>, rule: &'static str, what: &dyn std::fmt::Display) {
    out.push(ShellFinding::destructive(rule, false, what.to_string()));
}

fn statement(stmt: &Statement, out: &mut Vec<ShellFinding>, depth: usize) {
    if depth > MAX_AST_DEPTH {
        return;
    }
    match stmt {
        Statement::Drop {
            object_type: ObjectType::Table | ObjectType::Database | ObjectType::Schema,
            ..
        } => flag(out, "sql.drop", stmt),
        Statement::Truncate(_) => flag(out, "sql.truncate", stmt),
        Statement::Delete(d) if unfiltered(d.selection.as_ref()) => {
            flag(out, "sql.delete_without_where", stmt)
        }
        Statement::Update(u) if unfiltered(u.selection.as_ref()) => {
            flag(out, "sql.update_without_where", stmt)
        }
        Statement::Query(q) => query(q, out, depth + 1),
        _ => {}
    }
}

fn query(q: &Query, out: &mut Vec<ShellFinding>, depth: usize) {
    if let Some(with) = &q.with {
        for cte in &with.cte_tables {
            query(&cte.query, out, depth + 1);
        }
    }
    set_expr(&q.body, out, depth + 1);
}

fn set_expr(e: &SetExpr, out: &mut Vec<ShellFinding>, depth: usize) {
    if depth > MAX_AST_DEPTH {
        return;
    }
    match e {
        SetExpr::Update(s) | SetExpr::Delete(s) => statement(s, out, depth + 1),
        SetExpr::Query(q) => query(q, out, depth + 1),
        SetExpr::SetOperation { left, right, .. } => {
            set_expr(left, out, depth + 1);
            set_expr(right, out, depth + 1);
        }
        _ => {}
    }
}

/// No WHERE, or one that is always true (`WHERE 1=1`, `WHERE true`).
fn unfiltered(selection: Option<&Expr>) -> bool {
    selection.is_none_or(|e| tautology(e, 0))
}

fn tautology(e: &Expr, depth: usize) -> bool {
    if depth > MAX_AST_DEPTH {
        return false;
    }
    match e {
        Expr::Value(v) => match &v.value {
            Value::Boolean(b) => *b,
            Value::Number(n, _) => n != "0",
            _ => false,
        },
        Expr::Nested(inner) => tautology(inner, depth + 1),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Eq,
            right,
        } => matches!(**left, Expr::Value(_)) && left.to_string() == right.to_string(),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Or,
            right,
        } => tautology(left, depth + 1) || tautology(right, depth + 1),
        _ => false,
    }
}

/// Replaces string literals, quoted identifiers and comments with blanks so
/// keywords inside them are not seen.
fn strip_literals(sql: &str) -> String {
    let b = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let mut i = 0;
    let mut plain_start = 0;
    let skip_to = |from: usize, end: &[u8]| -> usize {
        b.get(from..)
            .and_then(|rest| rest.windows(end.len()).position(|w| w == end))
            .map_or(b.len(), |k| from + k + end.len())
    };
    while i < b.len() {
        let next = match b[i] {
            b'-' if b.get(i + 1) == Some(&b'-') => Some((skip_to(i, b"\n"), " ")),
            b'#' => Some((skip_to(i, b"\n"), " ")),
            b'/' if b.get(i + 1) == Some(&b'*') => Some((skip_to(i + 2, b"*/"), " ")),
            q @ (b'\'' | b'"' | b'`') => {
                let mut j = i + 1;
                while j < b.len() {
                    if b[j] == b'\\' && q == b'\'' {
                        j += 2;
                    } else if b[j] == q {
                        if b.get(j + 1) == Some(&q) {
                            j += 2;
                        } else {
                            break;
                        }
                    } else {
                        j += 1;
                    }
                }
                Some((
                    (j + 1).min(b.len()),
                    if q == b'\'' { " '' " } else { " x " },
                ))
            }
            b'[' => Some((skip_to(i, b"]"), " x ")),
            b'$' => {
                // Dollar quoting: $$…$$ or $tag$…$tag$.
                let tag_len = b[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                    .count();
                if b.get(i + 1 + tag_len) == Some(&b'$') {
                    let tag = &b[i..i + tag_len + 2];
                    Some((skip_to(i + tag.len(), tag), " '' "))
                } else {
                    None
                }
            }
            _ => None,
        };
        match next {
            Some((end, replacement)) => {
                out.push_str(&sql[plain_start..i]);
                out.push_str(replacement);
                i = end.max(i + 1);
                plain_start = i;
            }
            None => i += 1,
        }
    }
    out.push_str(sql.get(plain_start..).unwrap_or_default());
    out
}

/// Used only when no dialect parses: never allow because parsing failed.
fn fallback(sql: &str) -> Vec<ShellFinding> {
    // psql meta-commands (`\dt`, `\c db`) run to the end of their line.
    let without_meta: String = sql
        .lines()
        .filter(|l| !l.trim_start().starts_with('\\'))
        .collect::<Vec<_>>()
        .join("\n");
    let cleaned = strip_literals(&without_meta);
    let mut out = Vec::new();
    for stmt in cleaned.split(';') {
        let toks: Vec<String> = stmt
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|t| !t.is_empty())
            .map(str::to_ascii_uppercase)
            .collect();
        let has = |w: &str| toks.iter().any(|t| t == w);
        let lead = if toks.first().is_some_and(|t| t == "WITH") {
            toks.iter()
                .position(|t| matches!(t.as_str(), "DELETE" | "UPDATE" | "SELECT" | "INSERT"))
                .unwrap_or(0)
        } else {
            0
        };
        let rule = match toks.get(lead).map(String::as_str) {
            Some("DROP")
                if toks
                    .iter()
                    .skip(lead + 1)
                    .take(3)
                    .any(|t| matches!(t.as_str(), "TABLE" | "DATABASE" | "SCHEMA")) =>
            {
                "sql.drop"
            }
            Some("TRUNCATE") => "sql.truncate",
            Some("DELETE") if !has("WHERE") => "sql.delete_without_where",
            Some("UPDATE") if has("SET") && !has("WHERE") => "sql.update_without_where",
            _ => continue,
        };
        let text = stmt.split_whitespace().collect::<Vec<_>>().join(" ");
        flag(&mut out, rule, &text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_table() {
        let cases: &[(&str, &[&str])] = &[
            ("DROP TABLE users", &["sql.drop"]),
            ("drop table if exists users cascade", &["sql.drop"]),
            ("DROP DATABASE prod", &["sql.drop"]),
            ("DROP SCHEMA public CASCADE", &["sql.drop"]),
            ("TRUNCATE orders", &["sql.truncate"]),
            ("TRUNCATE TABLE orders", &["sql.truncate"]),
            ("DELETE FROM users", &["sql.delete_without_where"]),
            ("delete from users;", &["sql.delete_without_where"]),
            ("DELETE FROM users WHERE 1=1", &["sql.delete_without_where"]),
            (
                "DELETE FROM users WHERE true",
                &["sql.delete_without_where"],
            ),
            (
                "UPDATE users SET admin = true",
                &["sql.update_without_where"],
            ),
            (
                "UPDATE users SET a = 1 WHERE 'x' = 'x'",
                &["sql.update_without_where"],
            ),
            ("SELECT 1; DROP TABLE t; SELECT 2", &["sql.drop"]),
            (
                "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d",
                &["sql.delete_without_where"],
            ),
            ("\\dt\nDROP TABLE users;", &["sql.drop"]),
            ("DROP TABLE `users`; this is not sql", &["sql.drop"]),
            (
                "DELETE FROM t /* WHERE id=1 */ ;; garbage (((",
                &["sql.delete_without_where"],
            ),
            (
                "UPDATE t SET a='WHERE' ;; garbage (((",
                &["sql.update_without_where"],
            ),
            ("SELECT * FROM users", &[]),
            ("DELETE FROM t WHERE id = 3", &[]),
            ("UPDATE t SET a = 1 WHERE id = 2", &[]),
            ("DROP VIEW v", &[]),
            ("DROP INDEX idx", &[]),
            ("SELECT 'DROP TABLE users'", &[]),
            ("INSERT INTO log VALUES ('truncate')", &[]),
            ("-- DROP TABLE users\nSELECT 1", &[]),
            ("SELECT 'DROP TABLE x' garbage (((", &[]),
            ("CREATE TABLE t (id int)", &[]),
            ("", &[]),
        ];
        for (sql, want) in cases {
            let got: Vec<&str> = analyze(sql).iter().map(|f| f.rule).collect();
            assert_eq!(&got, want, "{sql}");
        }
    }

    #[test]
    fn description_names_statement() {
        let f = analyze("DROP TABLE users");
        assert_eq!(f[0].description, "DROP TABLE users");
    }
}
