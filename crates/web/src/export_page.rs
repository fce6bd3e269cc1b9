//! The personal-data export as a readable page: the HTML written beside the export's JSON
//! (`ixorg privacy answer-access`, the demo). `app::privacy::export` gathers the document; this
//! module only renders it, self-contained and escaped, from `templates/export.html`.

use askama::Template;
use ixorg_app::privacy::export::ExportDocument;
use serde_json::{Map, Value};

/// The document as a readable HTML page (self-contained, escaped). Sections without rows are
/// left out; each table's columns are those of its first row.
pub fn render(doc: &ExportDocument) -> String {
    let page = ExportPage {
        doc,
        sections: doc
            .sections
            .iter()
            .filter(|s| !s.rows.is_empty())
            .map(|s| {
                let columns = columns_of(&s.rows);
                let rows = s
                    .rows
                    .iter()
                    .map(|r| columns.iter().map(|c| display(r.get(c))).collect())
                    .collect();
                PageSection {
                    title: s.title,
                    table: s.table,
                    columns,
                    rows,
                }
            })
            .collect(),
    };
    page.render().unwrap_or_default()
}

fn columns_of(rows: &[Map<String, Value>]) -> Vec<String> {
    rows.first()
        .map(|r| r.keys().cloned().collect())
        .unwrap_or_default()
}

fn display(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

struct PageSection {
    title: &'static str,
    table: &'static str,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
}

#[derive(Template)]
#[template(path = "export.html")]
struct ExportPage<'a> {
    doc: &'a ExportDocument,
    sections: Vec<PageSection>,
}
