"""The desk's settings: defaults, then tiski.toml, then TISKI_* (which win); a bad value
is one message naming the setting, never a silent default."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import fields
from datetime import datetime
from pathlib import Path

import pytest

from tiski.clock import HELSINKI, system_clock
from tiski.core.errors import Refused
from tiski.i18n import Translator
from tiski.settings import Settings, keys_dir, load_settings, overridden

NO_FILE = Path("/nonexistent/tiski.toml")


def refusal(call) -> str:
    """The English message of the INVALID_INPUT that `call` raises."""
    with pytest.raises(Refused) as raised:
        call()
    assert raised.value.code == "INVALID_INPUT"
    return Translator("en").refusal(raised.value.first)


def test_defaults_without_file_or_environment():
    settings = load_settings({}, NO_FILE)
    assert settings.db.name == "tiski.sqlite" and settings.lang == "fi"
    assert (settings.idle_clear_seconds, settings.lock_seconds) == (120.0, 300.0)
    assert settings.printer == () and settings.receipts is None and settings.theme is None
    assert settings.now is None and settings.clock() is system_clock
    assert (settings.smtp_port, settings.smtp_starttls, settings.sms_command) == (587, True, ())


def test_the_file_then_the_environment_which_wins(tmp_path):
    """Mutation caught: the file read after the environment (a stale file overriding what
    an admin exported), or the environment ignored for a setting."""
    file = tmp_path / "tiski.toml"
    file.write_text('db = "/srv/tiski/tiski.sqlite"\nprinter = "lp -d \'desk 1\'"\nlock_seconds = 60\n'
                    'smtp_starttls = false\nsms_command = ["sms-send", "--from", "Kirjasto"]\n', encoding="utf-8")
    settings = load_settings({"TISKI_LOCK": "90", "TISKI_IDLE_CLEAR": "", "TISKI_LANG": "sv_FI.UTF-8"}, file)
    assert settings.db == Path("/srv/tiski/tiski.sqlite")
    assert settings.printer == ("lp", "-d", "desk 1")
    assert settings.lock_seconds == 90.0  # the environment wins
    assert settings.idle_clear_seconds == 120.0  # an empty variable is unset
    assert settings.lang == "sv" and settings.smtp_starttls is False
    assert settings.sms_command == ("sms-send", "--from", "Kirjasto")


def test_a_fixed_clock():
    settings = load_settings({"TISKI_NOW": "2026-12-02T14:05", "TISKI_CLOCK": "frozen"}, NO_FILE)
    assert settings.clock()() == datetime(2026, 12, 2, 14, 5, tzinfo=HELSINKI)


@pytest.mark.parametrize("name, value, words", [
    ("TISKI_LOCK", "viisi", "seconds greater than 0"),
    ("TISKI_IDLE_CLEAR", "-5", "seconds greater than 0"),
    ("TISKI_IDLE_CLEAR", "nan", "seconds greater than 0"),
    ("TISKI_SMTP_PORT", "70000", "port number"),
    ("TISKI_SMTP_PORT", "２５", "port number"),
    ("TISKI_SMTP_STARTTLS", "maybe", "on or off"),
    ("TISKI_DEBUG", "kyllä", "on or off"),
    ("TISKI_LANG", "de", "fi | sv | en"),
    ("TISKI_THEME", "dark", "ansi | tiski"),
    ("TISKI_PRINTER", "lp -d 'desk", "command line"),
    ("TISKI_NOW", "2201-01-01", "ISO 8601"),
    ("TISKI_CLOCK", "frozn", "running | frozen"),
])
def test_a_bad_value_is_one_message_naming_the_setting(name, value, words):
    """Mutation caught: a bad value silently replaced by the default (a desk that never
    locks because TISKI_LOCK had a typo)."""
    message = refusal(lambda: load_settings({name: value}, NO_FILE))
    assert name in message and words in message


@pytest.mark.parametrize("text, words", [
    ("lock_seconds = true\n", "lock_seconds"),
    ("printer = 5\n", "printer"),
    ("staff = 'boss'\n", "staff is not a setting"),  # who acts is never a file's to say
    ("idle_clear = 60\n", "idle_clear is not a setting"),
    ("lock_seconds = \n", "cannot be read"),
])
def test_a_bad_file_is_one_message_naming_the_file(tmp_path, text, words):
    file = tmp_path / "tiski.toml"
    file.write_text(text, encoding="utf-8")
    message = refusal(lambda: load_settings({}, file))
    assert words in message and "tiski.toml" in message


def test_every_setting_has_its_variable_and_a_row_in_the_readme():
    """The one table (README, Settings) lists every variable the settings read."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for setting in fields(Settings):
        assert setting.metadata["env"].startswith("TISKI_")
        assert f"`{setting.metadata['env']}`" in readme, setting.name
    assert "`TISKI_KEYS_DIR`" in readme


def test_command_line_options_win_and_are_checked_too():
    settings = load_settings({"TISKI_LANG": "en", "TISKI_DB": "/a.sqlite"}, NO_FILE)
    assert overridden(settings, db="/b.sqlite", lang=None) == load_settings(
        {"TISKI_LANG": "en", "TISKI_DB": "/b.sqlite"}, NO_FILE)
    assert "--lang" in refusal(lambda: overridden(settings, lang="xx"))


def test_the_keys_folder(tmp_path):
    assert keys_dir({"TISKI_KEYS_DIR": str(tmp_path)}) == tmp_path
    assert keys_dir({}).parts[-2:] == ("tiski", "keys")


def test_a_bad_setting_stops_a_command_with_one_line(tmp_path):
    """Through `tiski` itself: exit 2, one JSON object with --json, no traceback.
    Mutation caught: settings read lazily after the command had already written."""
    env = {**os.environ, "TISKI_DB": str(tmp_path / "x.sqlite"), "TISKI_LOCK": "0", "TISKI_LANG": "en"}
    env.pop("TISKI_DEBUG", None)
    done = subprocess.run([sys.executable, "-m", "tiski", "init", "--json"], capture_output=True, text=True,
                          env=env, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "TISKI_LOCK" in json.loads(done.stdout)["error"]["message"]
    assert not (tmp_path / "x.sqlite").exists()


@pytest.mark.parametrize("xdg, home", [
    ({"XDG_CONFIG_HOME": "/srv/conf", "XDG_DATA_HOME": "/srv/data/"}, "/home/kaisa"),
    ({}, "/home/kaisa"),
    ({}, "/"),
    ({"XDG_CONFIG_HOME": "relative/conf", "XDG_DATA_HOME": "  "}, "/home/kaisa"),
    ({}, "relative-home"),
])
def test_the_folders_are_platformdirs_own(monkeypatch, xdg, home):
    """The config and data folders are found without importing platformdirs where that is
    safe (it costs every command's start), and are the folders platformdirs gives."""
    import platformdirs

    from tiski.settings import config_dir, default_db

    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in xdg.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HOME", home)
    try:
        expected_config = Path(platformdirs.user_config_dir("tiski", appauthor=False))
        expected_db = Path(platformdirs.user_data_dir("tiski", appauthor=False)) / "tiski.sqlite"
    except RuntimeError:  # newer platformdirs: no folder without an absolute HOME
        with pytest.raises(RuntimeError):
            config_dir()
        return
    assert config_dir() == expected_config
    assert default_db() == expected_db


def test_a_command_reads_its_settings_without_platformdirs(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TISKI_", "XDG_"))}
    env["HOME"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-c", "import sys; from tiski.settings import load_settings; "
                           "print(load_settings().db, 'platformdirs' in sys.modules)"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.stdout.split() == [str(tmp_path / ".local/share/tiski/tiski.sqlite"), "False"], done.stderr
