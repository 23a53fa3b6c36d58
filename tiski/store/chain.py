"""Tamper evidence: the audit trail and the fee ledger as keyed hash chains.

The append-only triggers stop a mistake, not someone with the file and the `sqlite3`
tool: a DROP TRIGGER and they are gone. So each audit row carries
`hash = HMAC(key, previous row's hash ‖ its own content)`, and each row of the fee
ledger (a fee, a settlement) an entry in `ledger_chain` made the same way, sealed
inside the transaction that wrote it. The key (64 random bytes) lives beside the HETU
key, outside the database (store/hetu_vault.py). Every row also records the real time
it was written (UTC), whatever the desk's clock (TISKI_NOW) says.

`verify` finds: a row changed, removed or added in the middle of either chain; a row
written around Tiski (no hash, no chain entry); a guard trigger dropped or changed; a
retention checkpoint not made with the key. It cannot find the newest rows removed
together with their hashes — nothing after them disagrees — so it prints each
chain's head to compare with an earlier run or a backup; nor anything done by
someone who has the key (the register's own OS account, or its group).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterator, Sequence

KEY_SETTING = "audit_key_id"

# The triggers the chains rest on, exactly as the migrations make them (a test holds
# this to a freshly migrated register). The desk refuses to start without them.
GUARDS = {
    "audit_no_update": "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log\n"
                       "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
    "audit_no_delete": "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log\n"
                       "WHEN OLD.id > (SELECT COALESCE(MAX(upto_id), 0) FROM audit_checkpoints)\n"
                       "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
    "audit_checkpoints_no_update": "CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints\n"
                                   "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
    "audit_checkpoints_no_delete": "CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints\n"
                                   "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
    "fees_no_update": "CREATE TRIGGER fees_no_update BEFORE UPDATE ON fees\n"
                      "BEGIN SELECT RAISE(ABORT, 'the fee ledger is append-only'); END",
    "fees_no_delete": "CREATE TRIGGER fees_no_delete BEFORE DELETE ON fees\n"
                      "BEGIN SELECT RAISE(ABORT, 'the fee ledger is append-only'); END",
    "fee_settlements_no_update": "CREATE TRIGGER fee_settlements_no_update BEFORE UPDATE ON fee_settlements\n"
                                 "BEGIN SELECT RAISE(ABORT, 'the fee ledger is append-only'); END",
    "fee_settlements_no_delete": "CREATE TRIGGER fee_settlements_no_delete BEFORE DELETE ON fee_settlements\n"
                                 "BEGIN SELECT RAISE(ABORT, 'the fee ledger is append-only'); END",
    "ledger_chain_no_update": "CREATE TRIGGER ledger_chain_no_update BEFORE UPDATE ON ledger_chain\n"
                              "BEGIN SELECT RAISE(ABORT, 'the fee ledger is append-only'); END",
    "ledger_chain_no_delete": "CREATE TRIGGER ledger_chain_no_delete BEFORE DELETE ON ledger_chain\n"
                              "BEGIN SELECT RAISE(ABORT, 'the fee ledger is append-only'); END",
}

# What of a row its hash covers, in this order (a later column joins only by a new
# version of these lists, so old hashes keep checking out).
AUDIT_COLUMNS = ("id", "at", "written_at", "staff", "branch", "action", "kind", "patron_id", "detail")
FEE_COLUMNS = ("id", "patron_id", "entry", "charge_type", "amount_cents", "reason", "item_id", "loan_id", "hold_id",
               "ill_id", "branch", "staff", "at")
SETTLEMENT_COLUMNS = ("credit_id", "charge_id", "amount_cents")

# The ledger's versions: each chain entry records the one it was sealed with. Version 2
# (schema 11) seals how a payment was made and which charge a refund gives back.
FEE_COLUMNS_BY_VERSION = {1: FEE_COLUMNS, 2: FEE_COLUMNS + ("method", "refund_of")}
LEDGER_VERSION = 2


def utc_stamp(moment: datetime) -> str:
    """How the real time is stored: UTC, to the second, one width (so it sorts as text)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def real_now() -> datetime:
    """The real time, whatever the desk's clock (TISKI_NOW) says."""
    return datetime.now(timezone.utc)


def written_now() -> str:
    """What each row records as the moment it was written."""
    return utc_stamp(real_now())


def key(conn: sqlite3.Connection) -> bytes:
    """The register's audit key, made with the first sealed row."""
    from .hetu_vault import register_key  # the key's file, read only when a row is sealed

    return register_key(conn, KEY_SETTING, create=True, what="audit_key")


def seal(secret: bytes, previous: str, values: Sequence[object]) -> str:
    import hashlib  # here, not at the top: opening a register seals nothing
    import hmac
    import json

    content = json.dumps(list(values), ensure_ascii=False, separators=(",", ":"))
    return hmac.new(secret, f"{previous}\n{content}".encode(), hashlib.sha256).hexdigest()


# --- the fee ledger: rows written by this connection are sealed before it commits ---------

def pending(conn: sqlite3.Connection) -> None:
    """This connection's list of ledger rows to seal (empty until `watch`)."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS pending_ledger (n INTEGER PRIMARY KEY, entry TEXT NOT NULL)")


def watch(conn: sqlite3.Connection) -> None:
    """Note every ledger row this connection writes (temporary triggers: invisible to
    other connections), so that `seal_pending` seals exactly those — never a row
    someone slipped in around Tiski."""
    pending(conn)
    conn.execute("CREATE TEMP TRIGGER IF NOT EXISTS pending_fee AFTER INSERT ON main.fees"
                 " BEGIN INSERT INTO pending_ledger (entry) VALUES ('fee:' || NEW.id); END")
    conn.execute("CREATE TEMP TRIGGER IF NOT EXISTS pending_settlement AFTER INSERT ON main.fee_settlements"
                 " BEGIN INSERT INTO pending_ledger (entry) VALUES"
                 " ('settlement:' || NEW.credit_id || ':' || NEW.charge_id); END")


def seal_pending(conn: sqlite3.Connection) -> None:
    """Inside the transaction, just before it commits: chain the ledger rows it wrote."""
    entries = [row[0] for row in conn.execute("SELECT entry FROM temp.pending_ledger ORDER BY n")]
    if not entries:
        return
    append_ledger(conn, entries, written_now(), LEDGER_VERSION)
    conn.execute("DELETE FROM temp.pending_ledger")


def append_ledger(conn: sqlite3.Connection, entries: list[str], written_at: str | None, version: int) -> None:
    """Chain `entries`, each sealed with the columns of ledger `version` (version 1 is
    the tamper-evidence migration's, before the chain recorded a version at all)."""
    secret = key(conn)
    last = conn.execute("SELECT seq, hash FROM ledger_chain ORDER BY seq DESC LIMIT 1").fetchone()
    seq, previous = (last[0], last[1]) if last else (0, "")
    for entry in entries:
        seq += 1
        digest = seal(secret, previous, ledger_content(seq, entry, written_at, version,
                                                       ledger_row(conn, entry, version)))
        if version == 1:
            conn.execute("INSERT INTO ledger_chain (seq, entry, written_at, hash) VALUES (?, ?, ?, ?)",
                         (seq, entry, written_at, digest))
        else:
            conn.execute("INSERT INTO ledger_chain (seq, entry, written_at, hash, version) VALUES (?, ?, ?, ?, ?)",
                         (seq, entry, written_at, digest, version))
        previous = digest


def ledger_content(seq: int, entry: str, written_at: str | None, version: int,
                   values: tuple[object, ...] | None) -> list[object]:
    """What a chain entry's hash covers: from version 2 on, the version itself too."""
    head: list[object] = [seq, entry, written_at] if version == 1 else [seq, entry, written_at, version]
    return [*head, *(values or ())]


def ledger_row(conn: sqlite3.Connection, entry: str, version: int) -> tuple[object, ...] | None:
    kind, _, ids = entry.partition(":")
    if kind == "fee":
        columns = FEE_COLUMNS_BY_VERSION.get(version)
        if columns is None:
            return None
        row = conn.execute(f"SELECT {', '.join(columns)} FROM fees WHERE id = ?",  # noqa: S608
                           (int(ids),)).fetchone()
    else:
        credit, _, charge = ids.partition(":")
        row = conn.execute(f"SELECT {', '.join(SETTLEMENT_COLUMNS)} FROM fee_settlements"  # noqa: S608
                           " WHERE credit_id = ? AND charge_id = ?", (int(credit), int(charge))).fetchone()
    return tuple(row) if row is not None else None


def seal_existing(conn: sqlite3.Connection) -> None:
    """When the chains begin (the tamper-evidence migration, its guards lifted): the rows already there,
    in the order they were written, with no real time (it was never recorded)."""
    if conn.execute("SELECT EXISTS (SELECT 1 FROM audit_log) OR EXISTS (SELECT 1 FROM fees)").fetchone()[0] == 0:
        return
    secret = key(conn)
    previous = ""
    for row in conn.execute(f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit_log ORDER BY id").fetchall():  # noqa: S608
        previous = seal(secret, previous, tuple(row))
        conn.execute("UPDATE audit_log SET hash = ? WHERE id = ?", (previous, row[0]))
    entries = []
    for fee_id, entry in conn.execute("SELECT id, entry FROM fees ORDER BY id").fetchall():
        entries.append(f"fee:{fee_id}")
        if entry != "charge":
            entries += [f"settlement:{fee_id}:{charge}" for (charge,) in conn.execute(
                "SELECT charge_id FROM fee_settlements WHERE credit_id = ? ORDER BY charge_id", (fee_id,))]
    append_ledger(conn, entries, None, 1)


# --- checking -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    """One thing the evidence says: `what` (a code), and where (a table and row)."""

    what: str
    where: str = ""


@dataclass(frozen=True)
class Evidence:
    audit_rows: int
    audit_head: str  # the newest row's id and hash: compare with an earlier run
    ledger_entries: int
    ledger_head: str
    findings: tuple[Finding, ...]

    @property
    def intact(self) -> bool:
        return not self.findings


def guard_findings(conn: sqlite3.Connection) -> list[Finding]:
    present = dict(conn.execute("SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger'").fetchall())
    findings = []
    for name, sql in GUARDS.items():
        if name not in present:
            findings.append(Finding("trigger_missing", name))
        elif present[name] != sql:
            findings.append(Finding("trigger_changed", name))
    return findings


def verify(conn: sqlite3.Connection) -> Evidence:
    """Check both chains and the guards (reads only; refuses without the key)."""
    from .hetu_vault import register_key

    findings = guard_findings(conn)
    secret = register_key(conn, KEY_SETTING, create=False, what="audit_key") if _sealed_anything(conn) else b""
    audit_rows, audit_head = _verify_audit(conn, secret, findings)
    ledger_entries, ledger_head = _verify_ledger(conn, secret, findings)
    return Evidence(audit_rows, audit_head, ledger_entries, ledger_head, tuple(findings))


def _sealed_anything(conn: sqlite3.Connection) -> bool:
    return bool(conn.execute("SELECT EXISTS (SELECT 1 FROM audit_log) OR EXISTS (SELECT 1 FROM ledger_chain)"
                             " OR EXISTS (SELECT 1 FROM fees)").fetchone()[0])


def _rows(conn: sqlite3.Connection, sql: str) -> Iterator[tuple[Any, ...]]:
    cursor = conn.execute(sql)
    while batch := cursor.fetchmany(2000):
        yield from (tuple(row) for row in batch)


def _verify_audit(conn: sqlite3.Connection, secret: bytes, findings: list[Finding]) -> tuple[int, str]:
    import hmac

    checkpoint = conn.execute("SELECT c.audit_id, c.upto_id, c.upto_hash, a.action, a.detail FROM audit_checkpoints c"
                              " LEFT JOIN audit_log a ON a.id = c.audit_id ORDER BY c.upto_id DESC LIMIT 1").fetchone()
    expected: int = 1
    previous: str = ""
    if checkpoint is not None:
        audit_id, upto, upto_hash, action, detail = checkpoint
        if action != "audit_checkpoint" or f"upto={upto}" not in (detail or "").split(", "):
            findings.append(Finding("checkpoint_forged", f"audit_checkpoints {audit_id}"))
        expected, previous = upto + 1, upto_hash
    count, head = 0, ""
    for row in _rows(conn, f"SELECT {', '.join(AUDIT_COLUMNS)}, hash FROM audit_log ORDER BY id"):  # noqa: S608
        *values, stored = row
        row_id: int = values[0]
        if row_id != expected:
            findings.append(Finding("audit_gap", f"audit_log {expected}–{row_id - 1}"))
        if stored is None:
            findings.append(Finding("audit_unsealed", f"audit_log {row_id}"))
        elif not hmac.compare_digest(seal(secret, previous, values), stored):
            findings.append(Finding("audit_changed", f"audit_log {row_id}"))
        previous, expected = stored or "", row_id + 1
        count += 1
        head = f"#{row_id} {previous[:16]}"
    return count, head


def _verify_ledger(conn: sqlite3.Connection, secret: bytes, findings: list[Finding]) -> tuple[int, str]:
    import hmac

    previous, expected, head = "", 1, ""
    # A register (or a backup being checked) from before schema 11 has no version column: all version 1.
    versioned = any(row[1] == "version" for row in conn.execute("PRAGMA table_info(ledger_chain)"))
    version_column = "version" if versioned else "1"
    for seq, entry, written_at, stored, version in _rows(
            conn, f"SELECT seq, entry, written_at, hash, {version_column} FROM ledger_chain ORDER BY seq"):  # noqa: S608
        if seq != expected:
            findings.append(Finding("ledger_gap", f"ledger_chain {expected}–{seq - 1}"))
        values = ledger_row(conn, entry, version)
        if version not in FEE_COLUMNS_BY_VERSION:
            findings.append(Finding("ledger_changed", entry))
        elif values is None:
            findings.append(Finding("ledger_removed", entry))
        elif not hmac.compare_digest(seal(secret, previous, ledger_content(seq, entry, written_at, version, values)),
                                     stored):
            findings.append(Finding("ledger_changed", entry))
        previous, expected = stored, seq + 1
        head = f"#{seq} {stored[:16]}"
    for (entry,) in _rows(conn, "SELECT entry FROM (SELECT 'fee:' || id AS entry FROM fees UNION ALL"
                                " SELECT 'settlement:' || credit_id || ':' || charge_id FROM fee_settlements)"
                                " WHERE entry NOT IN (SELECT entry FROM ledger_chain)"):
        findings.append(Finding("ledger_unsealed", entry))
    return expected - 1, head
