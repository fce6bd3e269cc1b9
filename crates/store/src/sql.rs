//! Small helpers for building multi-row statements the same way on both databases.

use crate::Backend;

/// `rows` parenthesised groups of `columns` bind placeholders (`(?, ?), (?, ?)` on SQLite,
/// `($1, $2), ($3, $4)` on PostgreSQL), each group followed by `extra` (literal SQL, such as
/// `, 'sent'`). SQLite gets anonymous `?` parameters: it resolves a `$n` name by a linear
/// search, which makes statements with thousands of parameters quadratic.
pub(crate) fn value_rows(backend: Backend, rows: usize, columns: usize, extra: &str) -> String {
    let mut out = String::with_capacity(rows * (columns * 5 + extra.len() + 4));
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..columns {
            if c > 0 {
                out.push_str(", ");
            }
            match backend {
                Backend::Sqlite => out.push('?'),
                Backend::Postgres => {
                    out.push('$');
                    out.push_str(&(r * columns + c + 1).to_string());
                }
            }
        }
        out.push_str(extra);
        out.push(')');
    }
    out
}

/// `count` bind placeholders for an `IN (…)` list, numbered from `from` on PostgreSQL.
pub(crate) fn in_list(backend: Backend, from: usize, count: usize) -> String {
    let mut out = String::with_capacity(count * 5);
    for i in 0..count {
        if i > 0 {
            out.push_str(", ");
        }
        match backend {
            Backend::Sqlite => out.push('?'),
            Backend::Postgres => {
                out.push('$');
                out.push_str(&(from + i).to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_rows_number_postgres_parameters_across_rows() {
        assert_eq!(
            value_rows(Backend::Postgres, 2, 2, ", 'x'"),
            "($1, $2, 'x'), ($3, $4, 'x')"
        );
        assert_eq!(value_rows(Backend::Sqlite, 2, 1, ""), "(?), (?)");
    }

    #[test]
    fn in_list_starts_at_the_given_parameter() {
        assert_eq!(in_list(Backend::Postgres, 3, 2), "$3, $4");
        assert_eq!(in_list(Backend::Sqlite, 3, 2), "?, ?");
    }
}
