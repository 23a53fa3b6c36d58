"""The data files ship in a normal (non-editable) install.

The wheel is built from the project as it is on disk (hatchling, no build isolation),
its contents are checked, and then it is installed into a brand-new virtual environment
that sees neither the project tree nor the development venv. There only modules that
need nothing beyond the standard library are imported (the dependencies are absent).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
import tomllib
import zipfile
from pathlib import Path

import pytest

from tiski.core.policy import parse_policy

PROJECT = Path(__file__).resolve().parent.parent
VENV_BUDGET_SECONDS = 30


def _run(args: list[str], *, cwd: Path, timeout: float, env: dict[str, str] | None = None):
    result = subprocess.run(args, check=False, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(map(str, args))} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", str(PROJECT), "--no-deps", "--no-build-isolation",
          "--no-index", "-q", "-w", str(out)], cwd=out, timeout=120)
    wheels = sorted(out.glob("tiski-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def names(wheel) -> set[str]:
    with zipfile.ZipFile(wheel) as zf:
        return set(zf.namelist())


def test_project_root_is_found_from_this_file():
    assert (PROJECT / "pyproject.toml").is_file()
    assert (PROJECT / "tiski" / "resources.py").is_file()


@pytest.mark.parametrize("name", [
    "tiski/_data/policy.toml",
    "tiski/_data/demo/words.toml",
    "tiski/tiski.tcss",
    "tiski/i18n/fi.toml",
    "tiski/i18n/sv.toml",
    "tiski/i18n/en.toml",
    "tiski/store/migrations/0001_register.sql",
])
def test_wheel_contains_data_file(names, name):
    assert name in names


def test_wheel_ships_every_data_file_byte_for_byte(wheel, names):
    """Every file of data/ under tiski/_data/, the stylesheet, every catalogue and
    every migration, identical to the source."""
    expected = {f"tiski/_data/{p.relative_to(PROJECT / 'data').as_posix()}": p
                for p in (PROJECT / "data").rglob("*") if p.is_file()}
    expected["tiski/tiski.tcss"] = PROJECT / "tiski.tcss"
    for pattern, folder in (("*.toml", "tiski/i18n"), ("*.sql", "tiski/store/migrations")):
        found = sorted((PROJECT / folder).glob(pattern))
        assert found, f"no {pattern} in {folder}"
        expected.update({f"{folder}/{p.name}": p for p in found})
    missing = sorted(set(expected) - names)
    assert not missing
    with zipfile.ZipFile(wheel) as zf:
        for name, source in expected.items():
            assert zf.read(name) == source.read_bytes(), name


def test_wheel_ships_every_module(names):
    modules = {p.relative_to(PROJECT).as_posix() for p in (PROJECT / "tiski").rglob("*.py")
               if "__pycache__" not in p.parts}
    assert modules
    assert not sorted(modules - names)
    assert not any(n.startswith(("tests/", "benchmarks/", "data/", ".venv/")) or "__pycache__" in n for n in names)


def test_wheel_shipped_policy_parses(wheel):
    with zipfile.ZipFile(wheel) as zf:
        policy = parse_policy(zf.read("tiski/_data/policy.toml").decode("utf-8"))
    assert policy.max_loans == 150
    tomllib.loads(zipfile.ZipFile(wheel).read("tiski/_data/demo/words.toml").decode("utf-8"))


_CHECK_SCRIPT = textwrap.dedent(
    """
    import json, sys, sysconfig, tempfile, tomllib
    from pathlib import Path

    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    out = {"site": str(site), "sys_path": sys.path}

    import tiski
    out["package"] = str(Path(tiski.__file__).resolve())

    import tiski.resources as resources
    from tiski.core.policy import parse_policy

    policy_path = resources.data_file("policy.toml").resolve()
    out["policy_path"] = str(policy_path)
    policy = parse_policy(policy_path.read_text(encoding="utf-8"))
    out["policy"] = {"max_loans": policy.max_loans, "format_limits": dict(policy.format_limits),
                     "rating_ages": list(policy.rating_ages)}

    words = resources.data_file("demo", "words.toml").resolve()
    out["words_path"] = str(words)
    out["words_keys"] = sorted(tomllib.loads(words.read_text(encoding="utf-8")))
    out["stylesheet"] = str(resources.stylesheet().resolve())
    out["stylesheet_exists"] = resources.stylesheet().is_file()

    # Also stdlib-only: the catalogues and the migrations, read through importlib.resources.
    import tiski.i18n as i18n
    out["catalogue_sizes"] = {lang: len(i18n.catalogue(lang)) for lang in i18n.LANGUAGES}
    from tiski.store import db
    conn = db.create(Path(tempfile.mkdtemp()) / "t.sqlite")
    out["schema_version"] = db.schema_version(conn)
    out["latest_version"] = db.latest_version()
    out["tables"] = sorted(r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
    print(json.dumps(out))
    """
)


def test_installed_wheel_finds_its_data_outside_the_project(wheel, tmp_path):
    """A fresh venv (no system site-packages), the wheel installed with
    `pip install --no-deps --no-index`, and `python -c` run with PYTHONPATH empty,
    from a directory outside the project. Kept under a time budget: the venv is made
    without its own pip and this interpreter's pip installs into it (`pip --python`)."""
    started = time.monotonic()
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path, timeout=VENV_BUDGET_SECONDS)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    assert python.exists()
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
          "--disable-pip-version-check", "-q", str(wheel)], cwd=tmp_path, timeout=VENV_BUDGET_SECONDS)

    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PYTHON") and k not in ("VIRTUAL_ENV", "TISKI_DB", "TISKI_NOW")}
    env.update(PYTHONPATH="", PYTHONNOUSERSITE="1", PYTHONDONTWRITEBYTECODE="1")
    run = tmp_path / "elsewhere"
    run.mkdir()
    result = _run([str(python), "-c", _CHECK_SCRIPT], cwd=run, env=env, timeout=VENV_BUDGET_SECONDS)
    elapsed = time.monotonic() - started
    out = json.loads(result.stdout)

    site = Path(out["site"])
    # Isolation: nothing of the project tree or the development venv is importable there.
    assert site.is_relative_to(venv.resolve())
    for entry in out["sys_path"]:
        if entry:
            assert not Path(entry).resolve().is_relative_to(PROJECT), entry
    assert Path(out["package"]).is_relative_to(site), out["package"]

    policy_path = Path(out["policy_path"])
    assert policy_path.is_relative_to(site / "tiski" / "_data"), policy_path
    source = parse_policy((PROJECT / "data" / "policy.toml").read_text(encoding="utf-8"))
    assert out["policy"] == {"max_loans": source.max_loans, "format_limits": dict(source.format_limits),
                             "rating_ages": list(source.rating_ages)}
    assert Path(out["words_path"]).is_relative_to(site / "tiski" / "_data" / "demo")
    assert out["words_keys"]
    assert Path(out["stylesheet"]) == site / "tiski" / "tiski.tcss"
    assert out["stylesheet_exists"] is True
    assert set(out["catalogue_sizes"]) == {"fi", "sv", "en"}
    assert all(size > 0 for size in out["catalogue_sizes"].values())
    assert out["schema_version"] == out["latest_version"] >= 1
    assert {"patrons", "cards", "items", "records", "loans", "holds", "fees"} <= set(out["tables"])
    assert elapsed < VENV_BUDGET_SECONDS, f"venv install check took {elapsed:.1f} s"
