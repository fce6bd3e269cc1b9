//! Access and portability (GDPR art. 15 and 20): everything held about a participant as one
//! JSON document, described by a published JSON Schema ([`schema`], `docs/export.schema.json`),
//! and as a readable HTML page, which the caller renders ([`PageRenderer`]; the web tier's
//! `ixorg_web::export_page::render`): this crate holds the data, not its HTML.
//!
//! The document is complete by construction: its sections are the tables of the field registry
//! that hold personal data, each with every row that belongs to the participant (see
//! `ixorg_store::export`). On top come the budget, the list of who looked at the data and why
//! (from the access log), and how long each kind of data is kept.

use std::path::{Path, PathBuf};

use ixorg_domain::ids::{ParticipantId, PrivacyRequestId};
use ixorg_domain::privacy::registry::{ColumnClass, Table};
use ixorg_domain::privacy::request::RequestType;
use ixorg_domain::privacy::retention;
use ixorg_domain::privacy::{Action, DataCategory};
use ixorg_domain::timestamp::Timestamp;
use ixorg_store::export::{self as repo, TableRows};
use ixorg_store::gate::Grant;
use ixorg_store::{Tx, participants};
use serde_json::{Map, Value, json};
use time::format_description::well_known::Rfc3339;

use super::{PrivacyError, Staff, actor_of, portal_begin};
use crate::context::AppContext;
use crate::output::{OutputError, StagedFile};

/// The format name and version in every document.
pub const FORMAT: &str = "ixorg-export/1";

/// The address the schema is published under (its `$id`).
pub const SCHEMA_ID: &str = "https://ixorg.nl/schemas/export-v1.json";

/// What the participant sees as the heading of each table's section.
fn title(table: &str) -> &'static str {
    match table {
        "participant" => "Your personal details",
        "contract" => "Your contract",
        "mandate" => "Direct-debit mandate",
        "contribution" | "contribution_line" => "Contributions collected",
        "bank_entry" => "Bank statement lines about your contributions",
        "reminder" => "Payment reminders",
        "ledger_account" => "Your budget account",
        "ledger_transfer" => "Budget statement: every booking",
        "yearend_deduction" | "settlement" => "Year-end and settlement",
        "budget_change" => "Changes of your annual budget",
        "declaration_line" => "Declarations from your dentist, with outcomes and reasons",
        "consent_event" => "Consents given and withdrawn",
        "privacy_request" | "privacy_request_event" => "Your privacy requests",
        "personal_data_change" => "Corrections of your data (old values)",
        "processing_restriction" => "Restriction of processing",
        "access_log" => "Who looked at your data, and why",
        "participant_account" => "Your portal log-in",
        "one_time_link" => "Portal log-in links",
        "site_visit" => "Your visits to our site (kept 90 days)",
        "disclosure" => "Data given to third parties under a legal duty",
        _ => "Other records",
    }
}

/// One section: a table's rows about the participant.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    /// The table.
    pub table: &'static str,
    /// The heading.
    pub title: &'static str,
    /// The categories of personal data the table holds.
    pub categories: Vec<DataCategory>,
    /// The rows, column name to value.
    pub rows: Vec<Map<String, Value>>,
}

/// One access to the participant's data by someone else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Look {
    /// When (RFC 3339).
    pub when: String,
    /// Who, in words: a practice or intermediary by name, a staff member by role and a short
    /// reference, the platform's jobs by name.
    pub who: String,
    /// In which role.
    pub role: String,
    /// Why: the purpose.
    pub purpose: String,
    /// What: read, change, export, disclose.
    pub action: String,
    /// Which kinds of data.
    pub categories: String,
    /// Allowed or refused.
    pub outcome: String,
}

/// Renders an export as the readable page written beside its JSON.
pub type PageRenderer = fn(&ExportDocument) -> String;

/// Everything held about one participant.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportDocument {
    /// When it was made (RFC 3339).
    pub generated_at: String,
    /// The participant's number.
    pub participant_number: String,
    /// The participant's id.
    pub participant_id: ParticipantId,
    /// Every table's rows.
    pub sections: Vec<Section>,
    /// Who looked at the data, and why.
    pub who_looked: Vec<Look>,
    /// How long each kind of data held is kept, and why.
    pub retention: Vec<(DataCategory, String, &'static str)>,
}

impl ExportDocument {
    /// The section of a table.
    pub fn section(&self, table: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.table == table)
    }

    /// The document as JSON, valid against [`schema`].
    pub fn to_json(&self) -> Value {
        let sections: Map<String, Value> = self
            .sections
            .iter()
            .map(|s| {
                let rows = s.rows.iter().cloned().map(Value::Object).collect();
                (s.table.to_owned(), Value::Array(rows))
            })
            .collect();
        let looks: Vec<Value> = self
            .who_looked
            .iter()
            .map(|l| {
                json!({"when": l.when, "who": l.who, "role": l.role, "purpose": l.purpose,
                       "action": l.action, "categories": l.categories, "outcome": l.outcome})
            })
            .collect();
        let retention: Vec<Value> = self
            .retention
            .iter()
            .map(|(c, period, ground)| {
                json!({"category": c.as_str(), "kept": period, "why": ground})
            })
            .collect();
        json!({
            "$schema": SCHEMA_ID,
            "format": FORMAT,
            "generated_at": self.generated_at,
            "participant_number": self.participant_number,
            "participant_id": self.participant_id.to_string(),
            "sections": sections,
            "who_looked": looks,
            "retention": retention,
        })
    }

    /// The document as pretty-printed JSON text.
    pub fn to_json_text(&self) -> String {
        serde_json::to_string_pretty(&self.to_json()).unwrap_or_default()
    }

    /// Writes the document as `export-NUMBER.json` and `export-NUMBER.html` (the page
    /// `render` makes of it) into `dir` (made when missing); returns both paths.
    ///
    /// # Errors
    /// [`OutputError`] when either file cannot be written (neither then appears).
    pub fn write_to(
        &self,
        dir: &Path,
        render: PageRenderer,
    ) -> Result<(PathBuf, PathBuf), OutputError> {
        let staged = self.stage(dir, render)?;
        staged.publish()
    }

    /// Writes both files of the document into temporary files in `dir` (made when missing)
    /// and syncs them; [`StagedExport::publish`] puts them in place (after the commit). An
    /// error names the directory, not the file: its name holds the participant number.
    fn stage(&self, dir: &Path, render: PageRenderer) -> Result<StagedExport, OutputError> {
        let in_dir = |e: OutputError| OutputError {
            path: dir.to_owned(),
            problem: e.problem,
        };
        std::fs::create_dir_all(dir).map_err(|e| OutputError {
            path: dir.to_owned(),
            problem: e.to_string(),
        })?;
        let file = |ext: &str| dir.join(format!("export-{}.{ext}", self.participant_number));
        let json = StagedFile::create(&file("json")).map_err(in_dir)?;
        let html = StagedFile::create(&file("html")).map_err(in_dir)?;
        json.write_all(self.to_json_text().as_bytes())
            .map_err(in_dir)?;
        html.write_all(render(self).as_bytes()).map_err(in_dir)?;
        json.sync().map_err(in_dir)?;
        html.sync().map_err(in_dir)?;
        Ok(StagedExport { json, html })
    }
}

/// A value of a row as text: a string as it is, null as nothing, anything else as JSON.
fn display(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The participant downloads everything held about them (or, as the main participant, about a
/// child of the contract). Self-service is not logged; a representative's export is.
pub async fn export(
    ctx: &AppContext,
    user: ParticipantId,
    subject: ParticipantId,
) -> Result<ExportDocument, PrivacyError> {
    let categories = DataCategory::ALL.to_vec();
    let (mut tx, grant) = portal_begin(ctx, user, subject, categories, Action::Export).await?;
    let doc = gather(ctx, &mut tx, &grant, subject).await?;
    tx.commit().await?;
    tracing::info!("Personal data exported");
    Ok(doc)
}

/// An export's two files, written and synced but not yet in place.
struct StagedExport {
    json: StagedFile,
    html: StagedFile,
}

impl StagedExport {
    /// Renames both files into place; returns the JSON and the HTML path.
    fn publish(self) -> Result<(PathBuf, PathBuf), OutputError> {
        // The error names the directory only (the file names hold the participant number).
        let in_dir = |e: OutputError| OutputError {
            path: e.path.parent().map(Path::to_owned).unwrap_or_default(),
            problem: "the export could not be renamed into place; its complete files are kept \
                      with the suffix .partial"
                .to_owned(),
        };
        let json = self.json.publish().map_err(in_dir)?;
        let html = self.html.publish().map_err(in_dir)?;
        Ok((json, html))
    }
}

/// An answered access request: the export and where its files were written.
#[derive(Clone, Debug, PartialEq)]
pub struct AnsweredAccess {
    /// The export.
    pub document: ExportDocument,
    /// The JSON file.
    pub json: PathBuf,
    /// The readable HTML page.
    pub html: PathBuf,
}

/// Staff answer an access request filed by letter or e-mail: the export is written into `dir`
/// as JSON and as the HTML page `render` makes of it, and the request is completed. The files
/// are written before the request is completed and committed, and put in place after
/// ([`crate::output`]): a request is completed with its export written, or stays open.
pub async fn answer_access_request(
    ctx: &AppContext,
    staff: Staff,
    request: PrivacyRequestId,
    dir: &Path,
    render: PageRenderer,
) -> Result<AnsweredAccess, PrivacyError> {
    let mut tx = ctx.db.begin().await?;
    let subject = ixorg_store::requests::subject_of(&mut tx, request)
        .await?
        .ok_or(PrivacyError::NotFound("request"))?;
    let categories = DataCategory::ALL.to_vec();
    let request_for = |action| {
        staff.request(
            ixorg_domain::privacy::Purpose::LegalObligation,
            Some(subject),
            categories.clone(),
            action,
        )
    };
    let grant = match ixorg_store::gate::authorize(
        &mut tx,
        &ctx.policy,
        request_for(Action::Export),
        ctx.now(),
    )
    .await?
    {
        Ok(grant) => grant,
        Err(refusal) => {
            tx.commit().await?;
            return Err(PrivacyError::Refused(refusal));
        }
    };
    let record = ixorg_store::requests::get(&mut tx, &grant, request).await?;
    if record.request_type != RequestType::Access || !record.status.is_pending() {
        return Err(PrivacyError::State("this is not an open access request"));
    }
    let doc = gather(ctx, &mut tx, &grant, subject).await?;
    let staged = doc.stage(dir, render)?;
    let summary = "A copy of all data held was sent (JSON and a readable page).";
    super::requests::complete(&mut tx, &record, &actor_of(&grant), summary, ctx.now()).await?;
    tx.commit().await?;
    let (json, html) = staged.publish()?;
    Ok(AnsweredAccess {
        document: doc,
        json,
        html,
    })
}

async fn gather(
    ctx: &AppContext,
    tx: &mut Tx,
    grant: &Grant,
    subject: ParticipantId,
) -> Result<ExportDocument, PrivacyError> {
    let (contract, number) = participants::contract_and_number(tx, subject)
        .await?
        .ok_or(PrivacyError::NotFound("participant"))?;
    let tables = repo::rows_of(tx, grant, subject, contract).await?;
    let mut sections = Vec::with_capacity(tables.len());
    for t in tables {
        sections.push(section(ctx, t)?);
    }
    let mut who_looked: Vec<Look> = Vec::new();
    if let Some(log) = sections.iter().find(|s| s.table == "access_log") {
        for row in &log.rows {
            who_looked.push(look(tx, row).await?);
        }
    }
    let retention = held_categories(&sections)
        .into_iter()
        .filter_map(|c| retention::rule(c).map(|r| (c, r.period(), r.ground)))
        .collect();
    let generated_at = ctx
        .now()
        .to_offset_date_time()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default();
    Ok(ExportDocument {
        generated_at,
        participant_number: number.as_str().to_owned(),
        participant_id: subject,
        sections,
        who_looked,
        retention,
    })
}

fn held_categories(sections: &[Section]) -> Vec<DataCategory> {
    let mut out: Vec<DataCategory> = sections
        .iter()
        .filter(|s| !s.rows.is_empty())
        .flat_map(|s| s.categories.iter().copied())
        .collect();
    out.sort();
    out.dedup();
    out
}

fn section(ctx: &AppContext, t: TableRows) -> Result<Section, PrivacyError> {
    let mut rows = Vec::with_capacity(t.rows.len());
    for text in &t.rows {
        let Ok(Value::Object(raw)) = serde_json::from_str::<Value>(text) else {
            return Err(PrivacyError::State(
                "the database returned a row that is not JSON",
            ));
        };
        rows.push(normalise(ctx, t.table, raw)?);
    }
    Ok(Section {
        table: t.table.name,
        title: title(t.table.name),
        categories: t.table.categories(),
        rows,
    })
}

/// The hex of a byte value: SQLite's export marks bytes with `U+0001`, PostgreSQL writes
/// `\x`-hex. `None` for text.
fn hex_of(value: &str) -> Option<&str> {
    value
        .strip_prefix('\u{1}')
        .or_else(|| value.strip_prefix("\\x"))
}

/// Makes a row readable and the same on both databases: ids as UUIDs, the BSN decrypted, hashes
/// left out.
fn normalise(
    ctx: &AppContext,
    table: &Table,
    raw: Map<String, Value>,
) -> Result<Map<String, Value>, PrivacyError> {
    let aad = match table.name {
        "privacy_request" => raw.get("privacy_request_id"),
        _ => raw.get("participant_id"),
    }
    .and_then(Value::as_str)
    .and_then(uuid_of);
    let mut out = Map::new();
    for column in table.columns {
        let name = column.name;
        let value = raw.get(name).cloned().unwrap_or(Value::Null);
        if matches!(name, "prev_hash" | "entry_hash") {
            continue;
        }
        let value = match (column.class, &value) {
            (_, Value::Null) => Value::Null,
            (ColumnClass::Key, Value::String(s)) => {
                uuid_of(s).map_or(value.clone(), |u| Value::String(u.to_string()))
            }
            (ColumnClass::Personal(DataCategory::NationalId), Value::String(s))
                if repo::is_hidden(table.name, name) =>
            {
                let _ = s;
                Value::String("(a keyed hash for look-ups; it cannot be turned back)".into())
            }
            (ColumnClass::Personal(DataCategory::NationalId), Value::String(s)) => {
                let hex = hex_of(s).ok_or(PrivacyError::State("a BSN that is not bytes"))?;
                let bytes = hex::decode(hex).map_err(|_| PrivacyError::State("bad BSN"))?;
                let row = aad.ok_or(PrivacyError::State("a BSN without its row"))?;
                Value::String(ctx.crypto()?.decrypt_bsn(row, &bytes)?.expose().to_owned())
            }
            (_, Value::String(_)) if repo::is_hidden(table.name, name) => {
                Value::String("(a one-way hash; it cannot be turned back)".into())
            }
            (_, Value::String(s)) => match hex_of(s) {
                Some(hex) => uuid_of(hex).map_or_else(
                    || Value::String(hex.to_owned()),
                    |u| Value::String(u.to_string()),
                ),
                None => value,
            },
            _ => value,
        };
        let key = if name == "bsn_ciphertext" {
            "bsn"
        } else {
            name
        };
        out.insert(key.to_owned(), value);
    }
    Ok(out)
}

/// An id: a UUID as PostgreSQL writes it, or 16 bytes of hex.
fn uuid_of(text: &str) -> Option<uuid::Uuid> {
    uuid::Uuid::parse_str(hex_of(text).unwrap_or(text)).ok()
}

/// Who looked, in words a participant understands: a practice or billing intermediary by its
/// name, a staff member by role (and a short reference, not their name), the platform's jobs by
/// their name.
async fn who(tx: &mut Tx, kind: &str, id: &str, role: &str) -> Result<String, PrivacyError> {
    let named = match uuid::Uuid::parse_str(id) {
        Ok(uuid) => ixorg_store::parties::party_name(tx, kind, uuid).await?,
        Err(_) => None,
    };
    Ok(match (kind, named) {
        (_, Some(name)) => name,
        ("staff", None) => {
            let reference = id.get(id.len().saturating_sub(6)..).unwrap_or(id);
            format!(
                "an ixorg employee ({}, ref. {reference})",
                role.replace('_', " ")
            )
        }
        ("system", None) => format!("ixorg itself (job {id})"),
        ("representative", None) => "the main participant of your contract".to_owned(),
        (kind, None) => format!("{kind} {id}"),
    })
}

async fn look(tx: &mut Tx, row: &Map<String, Value>) -> Result<Look, PrivacyError> {
    let text = |k: &str| display(row.get(k));
    let when = row
        .get("occurred_at_ms")
        .and_then(Value::as_i64)
        .map(Timestamp::from_unix_ms)
        .and_then(Timestamp::to_offset_date_time)
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default();
    let who = who(
        tx,
        &text("actor_kind"),
        &text("actor_id"),
        &text("role_name"),
    )
    .await?;
    Ok(Look {
        when,
        who,
        role: text("role_name"),
        purpose: text("purpose"),
        action: text("action"),
        categories: text("categories"),
        outcome: match text("refusal").as_str() {
            "" => text("outcome"),
            refusal => format!("{} ({refusal})", text("outcome")),
        },
    })
}

/// The JSON Schema (draft 2020-12) of the export, generated from the field registry: one
/// section per personal table, each row an object of exactly its columns.
pub fn schema() -> Value {
    let mut sections = Map::new();
    for table in repo::personal_tables() {
        let mut properties = Map::new();
        for column in table.columns {
            if matches!(column.name, "prev_hash" | "entry_hash") {
                continue;
            }
            let what = match column.class {
                ColumnClass::Key => "an id (UUID)".to_owned(),
                ColumnClass::Meta => "bookkeeping, not about you".to_owned(),
                ColumnClass::Professional => "about a professional in their work".to_owned(),
                ColumnClass::Personal(c) => format!("personal data: {c}"),
            };
            let key = if column.name == "bsn_ciphertext" {
                "bsn"
            } else {
                column.name
            };
            properties.insert(
                key.to_owned(),
                json!({"description": what,
                       "type": ["string", "integer", "boolean", "null"]}),
            );
        }
        let categories: Vec<&str> = table.categories().iter().map(|c| c.as_str()).collect();
        sections.insert(
            table.name.to_owned(),
            json!({
                "description": format!("{}; categories: {}", title(table.name), categories.join(", ")),
                "type": "array",
                "items": {"type": "object", "additionalProperties": false,
                          "properties": Value::Object(properties)},
            }),
        );
    }
    let text = json!({"type": "string"});
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Everything ixorg holds about a participant (GDPR art. 15 and 20)",
        "type": "object",
        "required": ["format", "generated_at", "participant_number", "participant_id",
                     "sections", "who_looked", "retention"],
        "additionalProperties": false,
        "properties": {
            "$schema": {"const": SCHEMA_ID},
            "format": {"const": FORMAT},
            "generated_at": {"type": "string", "format": "date-time"},
            "participant_number": text,
            "participant_id": {"type": "string", "format": "uuid"},
            "sections": {"type": "object", "additionalProperties": false,
                         "required": sections.keys().cloned().collect::<Vec<_>>(),
                         "properties": Value::Object(sections)},
            "who_looked": {"type": "array", "items": {"type": "object",
                "additionalProperties": false,
                "required": ["when", "who", "role", "purpose", "action", "categories", "outcome"],
                "properties": {"when": text, "who": text, "role": text, "purpose": text,
                               "action": text, "categories": text, "outcome": text}}},
            "retention": {"type": "array", "items": {"type": "object",
                "additionalProperties": false, "required": ["category", "kept", "why"],
                "properties": {"category": text, "kept": text, "why": text}}},
        },
    })
}

/// The schema as pretty-printed JSON text (`docs/export.schema.json`).
pub fn schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&schema()).unwrap_or_default();
    text.push('\n');
    text
}
