-- Web sessions (sqlite; paired with migrations/postgres/0013_web_sessions.sql). Every column is
-- classified in crates/domain/src/privacy/registry.rs.
--
-- A session exists only once the site stores something in it (a form's CSRF token, a log-in).
-- The cookie carries the session id; the table keeps only its SHA-256 hash, so a copy of the
-- table lets no one take over a session. The participant of a signed-in session is kept beside
-- the opaque data, so every session of a participant can be ended at once (log-out everywhere,
-- password change). Rows past their expiry are deleted by the server's sweep.
CREATE TABLE web_session (
    session_key BLOB NOT NULL PRIMARY KEY,
    participant_id BLOB,
    data TEXT NOT NULL,
    expires_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX web_session_expires ON web_session (expires_at_ms);
CREATE INDEX web_session_participant ON web_session (participant_id);
