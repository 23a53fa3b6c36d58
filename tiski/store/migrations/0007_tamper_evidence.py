"""Schema 6: tamper evidence (see tiski.store.chain), the real time of every record, and
a register that says it is one.

- `PRAGMA application_id`: a Tiski register says so; other SQLite files are refused.
- audit_log: `written_at` (the real time, UTC) and `hash` (the keyed chain); indexes for
  the read check and `audit --patron/--staff --since` by the real time, and for the
  login backoff. The rows already there are sealed now, with no real time.
- ledger_chain: a sealed entry per fee and settlement, with the real time.
- audit_checkpoints: how retention cuts the oldest audit rows, by a sealed row.
- staff.token_hash: a per-account token for scripts (`tiski staff token`).
- Migration 5 emptied the plain HETU column, but where SQLite was built without
  SECURE_DELETE the old bytes can stay in free space: secure_delete from here on, and
  the file is rewritten (VACUUM, see `db.migrate`) when it holds identity codes.
"""

from __future__ import annotations

import sqlite3

SCHEMA = """
DROP TRIGGER audit_no_update;
DROP TRIGGER audit_no_delete;
DROP INDEX audit_patron;
DROP INDEX audit_staff;
ALTER TABLE audit_log ADD COLUMN written_at TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
CREATE INDEX audit_patron_read ON audit_log(patron_id, staff, written_at);
CREATE INDEX audit_staff_written ON audit_log(staff, written_at);
CREATE INDEX audit_sessions ON audit_log(action, written_at) WHERE kind = 'session';

CREATE TABLE audit_checkpoints (
    audit_id  INTEGER PRIMARY KEY,
    upto_id   INTEGER NOT NULL,
    upto_hash TEXT NOT NULL
) STRICT;

CREATE TABLE ledger_chain (
    seq        INTEGER PRIMARY KEY,
    entry      TEXT NOT NULL UNIQUE,
    written_at TEXT,
    hash       TEXT NOT NULL
) STRICT;

ALTER TABLE staff ADD COLUMN token_hash TEXT;
"""

GUARDS = """
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log
WHEN OLD.id > (SELECT COALESCE(MAX(upto_id), 0) FROM audit_checkpoints)
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER ledger_chain_no_update BEFORE UPDATE ON ledger_chain
BEGIN SELECT RAISE(ABORT, 'the fee ledger is append-only'); END;
CREATE TRIGGER ledger_chain_no_delete BEFORE DELETE ON ledger_chain
BEGIN SELECT RAISE(ABORT, 'the fee ledger is append-only'); END;
"""


def upgrade(conn: sqlite3.Connection) -> None:
    from ..chain import seal_existing

    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("PRAGMA application_id = 1414091595")  # 'TISK'
    for statement in _statements(SCHEMA):
        conn.execute(statement)
    seal_existing(conn)
    for statement in _statements(GUARDS):
        conn.execute(statement)
    if conn.execute("SELECT 1 FROM patrons WHERE hetu_sealed IS NOT NULL LIMIT 1").fetchone():
        conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('vacuum_due', 'migration 5')")


def _statements(script: str) -> list[str]:
    statements, buffer = [], ""
    for line in script.strip().splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip().removesuffix(";"))
            buffer = ""
    return statements
