"""Imports that stream: peak memory and time of `tiski import marc` (issue 11, item 9).

    python benchmarks/imports.py [--records 100000] [--reference main]

Writes a MARC file of --records records with one copy each (about 140 bytes of record
per copy less than a real catalogue's, so the file is smaller than a real one of that
many items), then runs the real `tiski import marc FILE --json` on a fresh register,
twice in the same run: with the Tiski of --reference (git; the import that read the
whole file and wrote it in one transaction) and with this tree. Prints each one's peak
memory (the child's maximum resident set, from wait4) and wall time.
Target: peak ≤ 200 MB for any file size.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def write_file(path: Path, records: int) -> None:
    from pymarc import Field, Indicators, Leader, Record, Subfield

    with path.open("wb") as out:
        for n in range(records):
            record = Record(force_utf8=True)
            record.leader = Leader("00000nam a2200000 i 4500")
            record.add_field(Field(tag="001", data=f"IM{n}"))
            record.add_field(Field(tag="008", data="240101s2024    fi ||||  ||||| 000 1 fin d"))
            record.add_field(Field(tag="020", indicators=Indicators(" ", " "),
                                   subfields=[Subfield("a", "9789510396353")]))
            record.add_field(Field(tag="100", indicators=Indicators("1", " "),
                                   subfields=[Subfield("a", f"Kirjoittaja, {n % 997}")]))
            record.add_field(Field(tag="245", indicators=Indicators("1", "0"),
                                   subfields=[Subfield("a", f"Nimeke numero {n} :"), Subfield("b", "alaotsikko /"),
                                              Subfield("c", "Kirjoittaja.")]))
            record.add_field(Field(tag="650", indicators=Indicators(" ", "7"), subfields=[Subfield("a", "historia")]))
            record.add_field(Field(tag="952", indicators=Indicators(" ", " "),
                                   subfields=[Subfield("p", f"IM{n:09d}"), Subfield("a", "PORI"), Subfield("y", "BK"),
                                              Subfield("g", "24,90")]))
            out.write(record.as_marc())


def fresh_register(folder: Path) -> Path:
    from tiski.desk import Desk
    from tiski.store.db import create

    path = folder / "register.sqlite"
    conn = create(path)
    Desk(conn, branch=None).admin.add_branch("PORI", "Porin pääkirjasto", "sun", "20:00")
    conn.close()
    return path


def reference_tree(ref: str, folder: Path) -> Path:
    """The `tiski` package as it is at `ref`, unpacked beside the run."""
    archive = folder / "reference.tar"
    subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", "-o", str(archive), ref, "tiski", "data"],
                   check=True)
    target = folder / "reference"
    target.mkdir()
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    return target


def run_import(tree: Path, db: Path, marc: Path) -> tuple[float, float, dict]:
    env = {**os.environ, "PYTHONPATH": str(tree), "TISKI_DB": str(db), "TISKI_NOW": "2026-12-02T14:05",
           "TISKI_KEYS_DIR": str(db.parent / "keys")}
    started = time.monotonic()
    child = subprocess.Popen([sys.executable, "-m", "tiski", "import", "marc", str(marc), "--json"],
                             stdout=subprocess.PIPE, env=env, cwd=tree)
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    assert child.returncode == 0, output[-500:]
    return seconds, usage.ru_maxrss / 1024, json.loads(output)["import"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--reference", default="main", help="git revision of the Tiski to compare with")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="imports-bench-"))
    marc = folder / "catalogue.mrc"
    write_file(marc, args.records)
    print(f"import marc: {args.records} records with a copy each, {marc.stat().st_size / 1e6:.0f} MB")
    for name, tree in ((args.reference, reference_tree(args.reference, folder)), ("this tree", ROOT)):
        run_folder = Path(tempfile.mkdtemp(dir=folder))
        seconds, peak_mb, report = run_import(tree, fresh_register(run_folder), marc)
        assert report["items"] == args.records, report
        print(f"  {name:<10} peak {peak_mb:6.0f} MB   {seconds:6.1f} s   ({report['records']} records, "
              f"{report['items']} items)")


if __name__ == "__main__":
    main()
