"""Trust on the command line: who acts (the real uid, proof for TISKI_STAFF), init,
backup and restore as an admin's acts, the audit trail and its verification, files that
are not registers, hostile input to the file commands, and a second Unix user sharing
a register through a group (issue 9: 4, 5, 6, 7, 11, 12)."""

from __future__ import annotations

import grp
import json
import os
import pwd
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import uuid
from contextlib import closing
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tiski.desk import Desk
from tiski.shell import save_token
from tiski.store.db import connect

from ..conftest import START, invoke, patron
from ..hostile import CONTROL, hostile

ME = pwd.getpwuid(os.getuid()).pw_name
PASSWORD = "oikein-hyva-salasana"
ROOT = Path(__file__).resolve().parent.parent.parent


def run(db: Path, *args, input: str | None = None, **env: str | None):
    environment = {"TISKI_DB": str(db), "TISKI_NOW": "2026-12-02T14:05", "TISKI_LANG": "en", "TISKI_STAFF": None,
                   "TISKI_BRANCH": None, "TISKI_DEBUG": None, **env}
    result = invoke(args, env=environment, input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def error_of(result) -> dict:
    return json.loads(result.stdout)["error"]


def trail(db: Path, where: str = "1") -> list[tuple]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(f"SELECT staff, action, kind, detail FROM audit_log WHERE {where} ORDER BY id").fetchall()


@pytest.fixture
def config(tmp_path, monkeypatch):
    """This Unix user's config folder (token files), apart from the real one."""
    folder = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    return folder


@pytest.fixture
def staffed(desk, db_path, config):
    """The admin `boss` mapped to nobody here; desk staff `pekka` mapped to the Unix user
    running the tests (by uid); `boss-unix` is only a name someone could put in $USER."""
    desk.admin.add_staff("boss", "admin", None, PASSWORD, unix_user="boss-unix")
    desk.act_as("boss")
    desk.admin.add_staff("pekka", "desk", None, PASSWORD, unix_user=ME)
    patron(desk, "P0001")
    desk.conn.close()
    return db_path


@pytest.fixture
def admin_here(desk, db_path, config):
    """The admin `boss` mapped to the Unix user running the tests; `pekka` desk staff."""
    desk.admin.add_staff("boss", "admin", None, PASSWORD, unix_user=ME)
    desk.act_as("boss")
    desk.admin.add_staff("pekka", "desk", None, PASSWORD)
    patron(desk, "P0001")
    desk.fees.charge("P0001", 300, "Kadonnut", "lost")
    desk.conn.close()
    return db_path


# --- who acts --------------------------------------------------------------------------------

def test_the_unix_user_is_the_real_uid_never_the_environment(staffed):
    """Mutation caught: the Unix mapping by getpass.getuser() ($LOGNAME, $USER)."""
    fake = {"LOGNAME": "boss-unix", "USER": "boss-unix", "LNAME": "boss-unix", "USERNAME": "boss-unix"}
    refused = run(staffed, "staff", "list", "--json", **fake)
    assert refused.exit_code == 2 and error_of(refused)["code"] == "NOT_ALLOWED"
    assert run(staffed, "patron", "show", "P0001", "--json", **fake).exit_code == 0
    assert trail(staffed, "action = 'patron_view'")[-1][0] == "pekka"


def test_tiski_staff_needs_the_accounts_proof(staffed, config):
    """TISKI_STAFF names an account; without its token file (or its password typed on a
    terminal) nobody acts as it. Mutation caught: TISKI_STAFF believed as it stands."""
    refused = run(staffed, "staff", "list", "--json", TISKI_STAFF="boss")
    assert refused.exit_code == 2 and "tiski staff token boss" in error_of(refused)["message"]
    with closing(connect(staffed)) as conn:
        token = Desk(conn, staff="boss").admin.issue_token("boss")
    path = save_token("boss", token)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.parent == config / "tiski" / "tokens"
    listed = run(staffed, "staff", "list", "--json", TISKI_STAFF="boss")
    assert listed.exit_code == 0 and {s["username"] for s in json.loads(listed.stdout)["staff"]} == {"boss", "pekka"}
    assert trail(staffed, "action = 'login'")[-1][:2] == ("boss", "login")
    path.write_text("not-the-token\n")
    wrong = run(staffed, "staff", "list", "--json", TISKI_STAFF="boss")
    assert wrong.exit_code == 2 and trail(staffed, "action = 'login_failed'")[-1][0] == "boss"


@pytest.mark.parametrize("unsafe", ["group-readable", "symlink"])
def test_a_token_file_others_could_read_or_swap_is_never_used(staffed, config, unsafe):
    """Mutation caught: read_token without its owner, mode and symlink checks."""
    with closing(connect(staffed)) as conn:
        token = Desk(conn, staff="boss").admin.issue_token("boss")
    path = save_token("boss", token)
    if unsafe == "group-readable":
        path.chmod(0o640)
    else:
        real = path.with_name("elsewhere")
        path.rename(real)
        path.symlink_to(real)
    refused = run(staffed, "staff", "list", "--json", TISKI_STAFF="boss")
    assert refused.exit_code == 2 and error_of(refused)["message"].startswith("The token file")


def test_a_register_with_no_accounts_is_run_by_its_first_admin(db_path):
    """The CLI contract: a database with no staff accounts yet acts as a first-run admin."""
    assert run(db_path, "branch", "add", "KOKE", "--name", "Kokemäki", "--json", TISKI_STAFF="anyone").exit_code == 0
    assert trail(db_path, "action = 'add_branch'")[-1][0] == "anyone"


def test_staff_token_keeps_the_token_where_only_its_user_reads_it(admin_here, config):
    saved = run(admin_here, "staff", "token", "pekka", "--json")
    assert saved.exit_code == 0, saved.output
    path = Path(json.loads(saved.stdout)["token"]["file"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.read_text().strip() not in saved.output
    assert run(admin_here, "patron", "show", "P0001", "--json", TISKI_STAFF="pekka").exit_code == 0
    assert trail(admin_here, "action = 'patron_view'")[-1][0] == "pekka"


# --- the audit trail -------------------------------------------------------------------------

def test_audit_since_goes_by_the_real_time_and_shows_the_desks(admin_here):
    """`TISKI_NOW=2019-01-01 … patron export` cannot hide from `audit --since 2026-01-01`.
    Mutation caught: --since filtering by the desk's time."""
    assert run(admin_here, "patron", "export", "P0001", TISKI_NOW="2019-01-01T10:00").exit_code == 0
    found = run(admin_here, "audit", "--staff", "boss", "--since", "2026-01-01", "--json")
    entries = json.loads(found.stdout)["audit"]
    export = [e for e in entries if e["action"] == "export_patron"]
    assert export and export[0]["at"].startswith("2019-01-01") and export[0]["written_at"] >= "2026"
    lines = run(admin_here, "audit", "--staff", "boss", "--since", "2026-01-01").stdout
    assert "[2019-01-01 10:00]" in [line for line in lines.splitlines() if "export_patron" in line][0]
    refused = run(admin_here, "audit", "--patron", "P0001", "--json", TISKI_STAFF="pekka")
    assert refused.exit_code == 2  # pekka has no token here: nobody acts


def test_audit_verify_reports_and_fails_on_tampering(admin_here):
    """Mutation caught: `audit verify` exiting 0 with findings, or the desk opening anyway."""
    intact = run(admin_here, "audit", "verify", "--json")
    assert intact.exit_code == 0 and json.loads(intact.stdout)["verify"]["findings"] == []
    with closing(sqlite3.connect(admin_here, isolation_level=None)) as conn:
        conn.execute("DROP TRIGGER fees_no_update")
        conn.execute("UPDATE fees SET amount_cents = 1")
    broken = run(admin_here, "audit", "verify", "--json")
    data = json.loads(broken.stdout)
    assert broken.exit_code == 1 and data["error"]["code"] == "TAMPERED"
    assert {f["what"] for f in data["verify"]["findings"]} == {"trigger_missing", "ledger_changed"}
    closed = run(admin_here, "patron", "show", "P0001")
    assert closed.exit_code == 2 and "audit verify" in closed.stderr


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_audit_verify_words_an_empty_trail_and_ledger(tmp_path, lang):
    """A new register has no fee yet (nor, here, any audit row): the summary says so.
    Mutation caught: the newest row's head printed empty ("uusin " with nothing after)."""
    db = tmp_path / "new.sqlite"
    assert run(db, "init").exit_code == 0
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    out = run(db, "audit", "verify", TISKI_LANG=lang).stdout
    summary = out.splitlines()[0]
    assert not re.search(r"(uusin|newest|nyaste)\s*(;|$)", summary), summary
    no_rows, no_entries = {"fi": ("Loki: ei vielä rivejä", "maksukirjanpito: ei vielä merkintöjä"),
                           "sv": ("Logg: inga rader ännu", "avgiftsbokföring: inga poster ännu"),
                           "en": ("Audit trail: no rows yet", "fee ledger: no entries yet")}[lang]
    assert summary.endswith(no_entries) and (summary.startswith(no_rows) or rows > 0), summary


# --- init --force ------------------------------------------------------------------------------

def counts(db: Path) -> tuple[int, int]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT (SELECT COUNT(*) FROM patrons), (SELECT COUNT(*) FROM audit_log)").fetchone()


def test_init_force_is_not_desk_staffs(staffed):
    """Mutation caught: init --force with no role check (anyone wiped the register)."""
    before = counts(staffed)
    refused = run(staffed, "init", "--force", "--json")  # pekka, desk staff, by uid
    assert refused.exit_code == 2 and error_of(refused)["code"] == "NOT_ALLOWED" and counts(staffed) == before


def test_init_force_is_an_admins_and_keeps_a_backup(admin_here):
    """Mutation caught: init --force with no backup first, or one without its record."""
    done = run(admin_here, "init", "--force", "--json")
    assert done.exit_code == 0, done.output
    kept = Path(json.loads(done.stdout)["kept"])
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert counts(kept)[0] == 1 and trail(kept, "action = 'init'") == [("boss", "init", "change", None)]
    assert counts(admin_here) == (0, 0)


def test_init_force_waits_for_every_desk_to_close(admin_here):
    """A desk still open would write on into a deleted file. Mutation caught: replacing the
    register without the exclusive lock (the open desk's writes would be lost)."""
    other = subprocess.Popen([sys.executable, "-c", "import sys, sqlite3; c = sqlite3.connect(sys.argv[1]);"
                              " c.execute('SELECT COUNT(*) FROM patrons').fetchone(); print('open', flush=True);"
                              " sys.stdin.read()", str(admin_here)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "open"
        before = counts(admin_here)
        refused = run(admin_here, "init", "--force", "--json")
        assert refused.exit_code == 2 and "has the register open" in error_of(refused)["message"]
        assert counts(admin_here) == before and not list(admin_here.parent.glob("*.before-init-*"))
    finally:
        other.communicate("", timeout=30)
    assert run(admin_here, "init", "--force").exit_code == 0


def test_a_file_that_is_not_a_register_is_refused_and_init_keeps_a_copy(tmp_path):
    """Mutation caught: any SQLite file turned into a register by the first command."""
    bookmarks = tmp_path / "bookmarks.db"
    with closing(sqlite3.connect(bookmarks)) as conn:
        conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
        conn.commit()
    before = bookmarks.read_bytes()
    refused = run(bookmarks, "patron", "show", "1")
    assert refused.exit_code == 2 and "not a Tiski register" in refused.stderr and bookmarks.read_bytes() == before
    desk = subprocess.run([sys.executable, "-c", "from tiski.entry import main; main()", "--db", str(bookmarks)],
                          capture_output=True, text=True, env={**os.environ, "TISKI_LANG": "en"}, cwd=ROOT)
    assert desk.returncode == 2 and "not a Tiski register" in desk.stderr and "Traceback" not in desk.stderr
    done = run(bookmarks, "init", "--force", "--json")
    assert done.exit_code == 0 and Path(json.loads(done.stdout)["kept"]).read_bytes() == before


# --- restore ---------------------------------------------------------------------------------

def test_a_backup_onto_a_folder_is_refused_and_records_nothing(admin_here, tmp_path):
    """Found by the hostile-input fuzz below (a NUL-only name made the sandbox folder
    itself the target). Mutation caught: `backup_to` writing the call's audit record
    before finding that the target is a folder it cannot replace — a refused backup
    that left a "backup" row in the trail."""
    folder = tmp_path / "backups"
    folder.mkdir()
    before = counts(admin_here)
    refused = run(admin_here, "backup", str(folder), "--json")
    assert refused.exit_code == 2 and error_of(refused)
    assert counts(admin_here) == before and list(folder.iterdir()) == []
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def test_restore_checks_and_records_itself(admin_here, tmp_path):
    """A doctored backup is refused and the live register stays; a good one is restored
    and the restore is in the restored register's trail.
    Mutation caught: restore_from without `check`, or without its audit record."""
    backup = tmp_path / "good.sqlite"
    assert run(admin_here, "backup", backup).exit_code == 0
    doctored = tmp_path / "doctored.sqlite"
    shutil.copy(backup, doctored)
    with closing(sqlite3.connect(doctored, isolation_level=None)) as conn:
        conn.execute("DROP TRIGGER audit_no_delete")
        conn.execute("DELETE FROM audit_log")
        conn.execute("UPDATE staff SET role = 'admin'")
    run(admin_here, "patron", "add", "--card", "P0002", "--first", "Uusi", "--last", "Asiakas",
        "--birth-date", "1990-01-01")
    before = counts(admin_here)
    refused = run(admin_here, "restore", doctored, "--json")
    assert refused.exit_code == 2 and error_of(refused)["code"] == "INVALID_INPUT" and counts(admin_here) == before
    restored = run(admin_here, "restore", backup, "--json")
    assert restored.exit_code == 0, restored.output
    assert counts(admin_here)[0] == 1 and trail(admin_here)[-1][:3] == ("boss", "restore", "change")
    assert run(admin_here, "audit", "verify").exit_code == 0
    assert not list(tmp_path.rglob("*.partial"))


OLD_BACKUP = ROOT / "tests" / "fixtures" / "schema1.sqlite"  # a register from before the chains (schema 1)


def test_an_old_backup_is_restored_only_with_unsealed_ok_and_a_warning(admin_here, tmp_path):
    """A backup from before the tamper evidence (schema < 7) cannot be checked for
    doctoring, and migration 7 seals what it holds as genuine: `restore` refuses it, naming
    the flag; with `--unsealed-ok` it is restored with a warning and the trail says so.
    Mutation caught: an old backup restored silently (the tamper check skipped)."""
    old = tmp_path / "old-backup.sqlite"
    shutil.copy(OLD_BACKUP, old)
    before = counts(admin_here)
    refused = run(admin_here, "restore", old)
    assert refused.exit_code == 2 and "--unsealed-ok" in refused.stderr and str(old) in refused.stderr
    assert ".partial" not in refused.stderr and counts(admin_here) == before
    done = run(admin_here, "restore", old, "--unsealed-ok")
    assert done.exit_code == 0, done.output
    assert "tamper" in done.stderr and "--unsealed-ok" not in done.stdout
    assert trail(admin_here, "action = 'restore'")[-1][3] == f"file={old}, unsealed_ok=True"
    assert run(admin_here, "audit", "verify").exit_code == 0
    as_json = json.loads(run(admin_here, "restore", old, "--unsealed-ok", "--json").stdout)
    assert as_json["restore"]["unsealed"] is True and "tamper" in as_json["restore"]["warning"]
    good = tmp_path / "good.sqlite"
    assert run(admin_here, "backup", good).exit_code == 0
    sealed = json.loads(run(admin_here, "restore", good, "--unsealed-ok", "--json").stdout)["restore"]
    assert sealed["unsealed"] is False and "warning" not in sealed  # the flag asks nothing of a sealed backup


def test_a_refused_restore_names_the_admins_file_not_the_private_copy(admin_here, tmp_path):
    """Mutation caught: the message naming `.old-backup….partial`, a file the admin never saw."""
    junk = tmp_path / "mine.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    refused = run(admin_here, "restore", junk)
    assert refused.exit_code == 2 and str(junk) in refused.stderr and ".partial" not in refused.stderr


# --- hostile input to the commands that write files -------------------------------------------

def sandboxed(value: str, sandbox: Path) -> str:
    """A hostile name, kept inside the sandbox (deep enough for its ../../..)."""
    return str(sandbox / value.replace("\x00", "").lstrip("/")) if value else value


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(command=st.sampled_from(["backup", "restore", "init"]), value=hostile, flag=st.booleans(),
       as_json=st.booleans())
def test_file_commands_survive_hostile_input(admin_here, tmp_path, command, value, flag, as_json):
    """Hostile paths, file contents and group names to backup, restore and init: one
    clear message, never a traceback or an escape sequence, and a refusal changes
    nothing. Mutation caught: an OSError or sqlite3 error from a hostile path reaching
    the user as a traceback, or a refused restore that changed the register."""
    sandbox = tmp_path / "s" / "a" / "b" / "c"
    shutil.rmtree(tmp_path / "s", ignore_errors=True)
    sandbox.mkdir(parents=True)
    db = admin_here
    junk = sandbox / "junk.sqlite"
    junk.write_bytes(value.encode("utf-8", "surrogateescape")[:4096])
    if command == "init":  # a new register (a hostile group), or --force over a hostile file
        db = junk if flag else sandbox / "new.sqlite"
        args = ["init", "--group", value] + (["--force"] if flag else [])
    elif command == "restore" and flag:
        args = ["restore", junk]
    else:
        args = [command, sandboxed(value, sandbox)]
    before = counts(admin_here)
    result = run(db, *args, *(["--json"] if as_json else []))
    output = result.stdout + (result.stderr or "")
    assert result.exit_code in (0, 1, 2), (args, output[:300])
    assert not any(ch in output for ch in CONTROL), output[:300]
    if as_json:
        assert output.count('"ok": false') == (1 if result.exit_code else 0)
    if result.exit_code != 0 or command == "init":
        assert counts(admin_here) == before


# --- a second Unix user, through a group --------------------------------------------------------

def python_for(user: str) -> tuple[list[str], list[str]] | None:
    """A Python the other user can run with Tiski's packages, and what goes on its path:
    this one when its folder is open to them, else the system's of the same version with
    our site-packages (a root-only pyenv, say)."""
    import sysconfig

    def runs(executable: str) -> bool:
        return subprocess.run(["runuser", "-u", user, "--", executable, "-c", "import sqlite3"],
                              capture_output=True).returncode == 0

    if runs(sys.executable):
        return [sys.executable], []
    system = f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}"
    if Path(system).exists() and runs(system):
        return [system, "-s"], [sysconfig.get_paths()["purelib"]]
    return None


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to add Unix users")
@pytest.mark.skipif(shutil.which("useradd") is None or shutil.which("runuser") is None,
                    reason="needs useradd and runuser")
def test_a_second_unix_user_shares_the_register_through_its_group(tmp_path):
    """The SSH model (README): the register, its keys and its backups are shared with a
    `tiski` group; each staff member logs in as their own Unix user, mapped to their
    account by uid. Two users who are not root: one makes the register, the other works
    in it, sees identity codes through the shared key, cannot act as the admin by
    setting $USER, and the files stay the group's.
    Mutation caught: the register or its key files made 0600 whatever the group (the
    second user is refused), or who-acts by $USER (they would act as the admin)."""
    tag = uuid.uuid4().hex[:6]
    group, owner, other = f"tiski{tag}", f"tkowner{tag}", f"tkother{tag}"
    subprocess.run(["groupadd", group], check=True)
    try:
        for user in (owner, other):
            subprocess.run(["useradd", "-M", "-N", "-g", group, "-d", "/nonexistent", "-s", "/bin/sh", user],
                           check=True)
        python = python_for(other)
        if python is None:
            pytest.skip("no Python the test users can run")
        command, extra_path = python
        shared = Path(f"/tmp/tiski-shared-{tag}")
        shared.mkdir(mode=0o700)
        shutil.chown(shared, group=group)
        shared.chmod(0o2770)
        env = {"PATH": "/usr/bin:/bin", "TISKI_DB": str(shared / "register.sqlite"), "TISKI_LANG": "en",
               "TISKI_KEYS_DIR": str(shared / "keys"), "TISKI_NOW": START.isoformat()[:16],
               "PYTHONPATH": os.pathsep.join([str(ROOT), *extra_path]), "HOME": str(shared)}

        def tiski(user: str, *args: str, stdin: str = "", **more: str) -> subprocess.CompletedProcess[str]:
            settings = [f"{k}={v}" for k, v in {**env, **more}.items()]
            return subprocess.run(["runuser", "-u", user, "--", "env", *settings,
                                   *command, "-c", "from tiski.entry import main; main()", *args],
                                  input=stdin, capture_output=True, text=True, cwd=shared, timeout=120)

        made = tiski(owner, "init", "--group", group)
        assert made.returncode == 0, made.stderr
        for args, stdin in ((["staff", "add", "boss", "--role", "admin", "--unix-user", owner, "--password-stdin"],
                             PASSWORD), (["staff", "add", "kaisa", "--role", "desk", "--unix-user", other], ""),
                            (["branch", "add", "PORI", "--name", "Pori"], ""),
                            (["patron", "add", "--card", "P0001", "--first", "Aino", "--last", "Virtanen",
                              "--hetu", "131052-308T"], "")):
            done = tiski(owner, *args, stdin=stdin)
            assert done.returncode == 0, (args, done.stderr)
        shown = tiski(other, "patron", "export", "P0001")
        assert shown.returncode == 0, shown.stderr
        assert json.loads(shown.stdout)["patron"]["hetu"] == "131052-308T"  # the key, shared with the group
        as_admin = tiski(other, "staff", "list", "--json", USER=owner, LOGNAME=owner)
        assert as_admin.returncode == 2 and json.loads(as_admin.stdout)["error"]["code"] == "NOT_ALLOWED"
        assert tiski(other, "backup", str(shared / "b.sqlite")).returncode == 2  # desk staff: an admin's act
        assert tiski(owner, "backup", str(shared / "b.sqlite")).returncode == 0
        for path in [shared / "register.sqlite", shared / "b.sqlite", *(shared / "keys").iterdir()]:
            info = path.stat()
            assert info.st_gid == grp.getgrnam(group).gr_gid and info.st_mode & 0o047 == 0o040, path
        with closing(sqlite3.connect(shared / "register.sqlite")) as conn:
            viewers = {row[0] for row in conn.execute("SELECT staff FROM audit_log WHERE action = 'export_patron'")}
        assert viewers == {"kaisa"}
    finally:
        for user in (owner, other):
            subprocess.run(["userdel", user], capture_output=True)
        subprocess.run(["groupdel", group], capture_output=True)
        shutil.rmtree(f"/tmp/tiski-shared-{tag}", ignore_errors=True)
