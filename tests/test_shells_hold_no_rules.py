"""The shells hold no library rule (issue 10): no age, amount or time limit is compared
in tiski/ui, tiski/cli or tiski/sip2. They never import the core's rule modules (the
import-linter contract "Shells hold no library rule", run by test_architecture), and —
checked here, on their source — they never read a threshold from the policy, never
work out an age, and never compare a figure with a limit of their own.
"""

from __future__ import annotations

import ast
from dataclasses import fields
from pathlib import Path

import pytest

from tiski.core.policy import Policy

ROOT = Path(__file__).resolve().parent.parent / "tiski"
SHELLS = sorted(p for shell in ("ui", "cli", "sip2") for p in (ROOT / shell).rglob("*.py"))
# `confirmable` is also a refusal's own property: whether staff may override it.
THRESHOLDS = {f.name for f in fields(Policy)} - {"source", "confirmable"}
RULE_FUNCTIONS = {"age_on", "under_consent_age", "consent_missing", "standing_refusals", "decide_checkout",
                  "decide_renewal", "late_fee_cents", "fees_due", "card_alerts", "override_reason", "cap_reached",
                  "timer_state", "uncollected_fee_cents"}
# What the scan finds that is not a library rule, and why.
NOT_RULES = {
    ("cli/admin.py", "reaches into the policy"): "`policy show` prints the policy file's text",
    ("cli/admin.py", "compares with 60"): "the audit listing shows the desk's time beside the real time when "
                                          "they differ by more than a minute",
    ("ui/screens/patron.py", "compares with 2"): "a name search starts at two typed characters",
    ("ui/screens/register.py", "compares with 11"): "a HETU is 11 characters: 'still typing' until then",
}


def findings(path: Path, name: str | None = None) -> list[str]:
    """What in a shell module looks like a rule: a policy threshold read, a rule
    function called, and — in the desk and the command line; the SIP2 shell's
    figures are the protocol's framing — a comparison with a number other than 0 or 1."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = name or str(path.relative_to(ROOT))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in THRESHOLDS:
            found.append((node.lineno, f"reads the policy's {node.attr}"))
        if isinstance(node, ast.Attribute) and node.attr == "policy":
            found.append((node.lineno, "reaches into the policy"))
        called = node.func if isinstance(node, ast.Call) else None
        called_name = getattr(called, "id", None) or getattr(called, "attr", None)
        if called_name in RULE_FUNCTIONS:
            found.append((node.lineno, f"calls the rule {called_name}"))
        if (not name.startswith("sip2/") and isinstance(node, ast.Compare)
                and any(isinstance(op, (ast.Lt, ast.LtE, ast.Gt, ast.GtE)) for op in node.ops)):
            for side in (node.left, *node.comparators):
                if (isinstance(side, ast.Constant) and isinstance(side.value, (int, float))
                        and not isinstance(side.value, bool) and side.value not in (0, 1)):
                    found.append((node.lineno, f"compares with {side.value}"))
    return [f"{name}:{line}: {what}" for line, what in found if (name, what) not in NOT_RULES]


@pytest.mark.parametrize("path", SHELLS, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_shell_module_holds_no_rule(path):
    assert findings(path) == []


def test_the_scan_sees_a_rule_in_a_shell(tmp_path):
    """The scan must be able to fail: the registration screen's old consent check and
    the patron screen's old fees-due alert are each found."""
    shell = tmp_path / "planted.py"
    shell.write_text("child = age_on(born, today) < desk.policy.consent_under_age\n"
                     "due = 0 < balance <= 1000\n", encoding="utf-8")
    assert sorted(findings(shell, "ui/screens/planted.py")) == [
        "ui/screens/planted.py:1: calls the rule age_on",
        "ui/screens/planted.py:1: reaches into the policy",
        "ui/screens/planted.py:1: reads the policy's consent_under_age",
        "ui/screens/planted.py:2: compares with 1000"]
