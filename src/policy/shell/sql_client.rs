//! Extraction of SQL text from database CLI invocations (`psql -c`,
//! `mysql -e`, `sqlite3 DB 'SQL'`, …).

use super::expand::Arg;

/// SQL handed to a database CLI.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct ClientSql {
    pub texts: Vec<String>,
    /// No inline SQL or script file: statements come from stdin.
    pub reads_stdin: bool,
}

pub(crate) fn client(name: &str, args: &[Arg<'_>]) -> Option<ClientSql> {
    Some(match name {
        "psql" => flag_sql(
            args,
            "-c",
            "--command",
            &[
                "-d",
                "-h",
                "-p",
                "-U",
                "-v",
                "-o",
                "-P",
                "-T",
                "-F",
                "-R",
                "-L",
                "--dbname",
                "--host",
                "--port",
                "--username",
                "--set",
                "--variable",
                "--output",
                "--pset",
                "--log-file",
            ],
        ),
        "mysql" | "mariadb" => flag_sql(
            args,
            "-e",
            "--execute",
            &[
                "-u",
                "-h",
                "-P",
                "-D",
                "-S",
                "--user",
                "--host",
                "--port",
                "--database",
                "--socket",
            ],
        ),
        "clickhouse-client" => flag_sql(
            args,
            "-q",
            "--query",
            &["-h", "--host", "--port", "-u", "--user", "-d", "--database"],
        ),
        "sqlite3" | "sqlite" | "duckdb" => positional_sql(args),
        _ => return None,
    })
}

fn flag_sql(args: &[Arg<'_>], short: &str, long: &str, valued: &[&str]) -> ClientSql {
    let mut texts = Vec::new();
    let mut file = false;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let v = a.text();
        i += 1;
        if v == short || v == long {
            if let Some(n) = args.get(i) {
                texts.push(n.value.to_string());
            }
            i += 1;
        } else if let Some(sql) = v.strip_prefix(long).and_then(|r| r.strip_prefix('=')) {
            texts.push(sql.to_string());
        } else if v.len() > 2 && v.starts_with(short) && !v.starts_with("--") {
            texts.push(v[2..].to_string());
        } else if v == "-f" || v == "--file" || v.starts_with("--file=") {
            file = true;
            i += usize::from(!v.contains('='));
        } else if valued.contains(&v) {
            i += 1;
        }
    }
    ClientSql {
        reads_stdin: texts.is_empty() && !file,
        texts,
    }
}

/// `sqlite3 [options] DB [SQL…]`; `-cmd SQL` also runs SQL.
fn positional_sql(args: &[Arg<'_>]) -> ClientSql {
    let mut texts = Vec::new();
    let mut db_seen = false;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let v = a.text();
        i += 1;
        match v {
            "-cmd" | "-c" => {
                if let Some(n) = args.get(i) {
                    texts.push(n.value.to_string());
                }
                i += 1;
            }
            "-separator" | "-nullvalue" | "-newline" | "-init" | "-vfs" | "-maxsize" | "-mmap" => {
                i += 1
            }
            _ if v.len() > 1 && v.starts_with('-') => {}
            _ if !db_seen => db_seen = true,
            _ => texts.push(v.to_string()),
        }
    }
    ClientSql {
        reads_stdin: texts.is_empty(),
        texts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_extraction() {
        fn lits(s: &str) -> Vec<Arg<'_>> {
            s.split('|').map(Arg::literal).collect()
        }
        let cases: &[(&str, &str, &[&str], bool)] = &[
            ("psql", "-h|db|-c|DROP TABLE t", &["DROP TABLE t"], false),
            ("psql", "--command=TRUNCATE t", &["TRUNCATE t"], false),
            ("psql", "-U|me|mydb", &[], true),
            ("psql", "-f|x.sql", &[], false),
            (
                "mysql",
                "-u|root|-e|DELETE FROM t",
                &["DELETE FROM t"],
                false,
            ),
            (
                "mysql",
                "--execute=DROP DATABASE x",
                &["DROP DATABASE x"],
                false,
            ),
            (
                "sqlite3",
                "app.db|DELETE FROM users",
                &["DELETE FROM users"],
                false,
            ),
            (
                "sqlite3",
                "-cmd|DROP TABLE a|app.db",
                &["DROP TABLE a"],
                false,
            ),
            ("sqlite3", "app.db", &[], true),
        ];
        for (name, args, texts, stdin) in cases {
            let got = client(name, &lits(args)).unwrap();
            assert_eq!(got.texts, *texts, "{name} {args}");
            assert_eq!(got.reads_stdin, *stdin, "{name} {args}");
        }
    }
}
