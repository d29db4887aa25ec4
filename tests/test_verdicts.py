"""docs/REPRODUCTION.md's verdicts follow their rule: the rule on hand-made cases, every claim of the
committed docs/figures JSON recomputed from its stored per-seed values by an independent copy of the
rule, the values traced back to the figures' own data, and the document's verdict table equal to
the JSON's (so the document cannot drift from the data)."""

import json
import re
from pathlib import Path

import pytest

from eosdnn.experiments.verdicts import Claim, Comparison

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "docs" / "figures"
DOCUMENT = ROOT / "docs" / "REPRODUCTION.md"


def recomputed_status(lower: list[float], higher: list[float]) -> str:
    """The rule, written again: lower on every pair holds, higher on every pair is reversed, else no difference."""
    if all(a < b for a, b in zip(lower, higher)):
        return "holds"
    if all(a > b for a, b in zip(lower, higher)):
        return "reversed"
    return "no difference"


def recomputed_verdict(claim: dict) -> str:
    if claim["untestable"]:
        return "untestable"
    statuses = [recomputed_status(c["lower"], c["higher"]) for c in claim["comparisons"]]
    held = statuses.count("holds")
    return "agrees" if held == len(statuses) else ("disagrees" if held == 0 else "partly")


def committed_claims() -> dict[str, dict]:
    claims = {}
    for path in sorted(FIGURES.glob("fig*.json")):
        doc = json.loads(path.read_text())
        for claim in doc.get("claims", []) + doc.get("sensitivity", []):
            claims[claim["key"]] = claim | {"figure": doc["figure"]}
    return claims


def test_the_rule_on_hand_made_cases():
    assert Comparison("a below b", [1, 2, 3], [2, 3, 4]).status == "holds"
    assert Comparison("a below b", [3, 4], [1, 2]).status == "reversed"
    assert Comparison("a below b", [1, 4], [2, 3]).status == "no difference"  # inside the seed range
    assert Comparison("a below b", [1, 2], [1, 3]).status == "no difference"  # a tie is not lower
    holds, none = Comparison("x", [1], [2]), Comparison("y", [1, 3], [2, 2])
    assert Claim("k", "t", [holds, holds]).verdict == "agrees"
    assert Claim("k", "t", [holds, none]).verdict == "partly"
    assert Claim("k", "t", [none, none]).verdict == "disagrees"
    assert Claim("k", "t", [holds], untestable="links are contention-free").verdict == "untestable"
    with pytest.raises(ValueError):
        Comparison("unpaired", [1, 2], [1])


def test_every_committed_verdict_is_recomputed_from_its_values():
    claims = committed_claims()
    assert {"fig12-lmu-smallest", "fig13a", "fig13b", "fig13c", "fig14a", "fig14b", "fig14c", "fig15-lec-total",
            "fig16-lowest", "fig17-linear", "fig18-falls"} <= set(claims)
    for key, claim in claims.items():
        for c in claim["comparisons"]:
            assert c["status"] == recomputed_status(c["lower"], c["higher"]), (key, c["what"])
            assert c["k"] == sum(a < b for a, b in zip(c["lower"], c["higher"])) and c["n"] == len(c["lower"])
        assert claim["verdict"] == recomputed_verdict(claim), key
    assert claims["fig18-falls"]["verdict"] == "untestable"


def test_the_compared_values_are_the_figures_own_per_seed_values():
    fig16 = json.loads((FIGURES / "fig16.json").read_text())
    delay = fig16["delay"]
    labels = {"GA": "ga", "prePSO": "prepso", "Greedy": "greedy"}
    for c in next(claim for claim in fig16["claims"] if claim["key"] == "fig16-lowest")["comparisons"]:
        rival, model = re.match(r"EosDNN \(paper\) below (.+), (\w+)$", c["what"]).groups()
        assert c["lower"] == delay["eosdnn-paper"][model]["values"]
        assert c["higher"] == delay[labels[rival]][model]["values"]
    for model, cells in delay["eosdnn-paper"].items():  # per-seed values, and the aggregates follow from them
        assert len(cells["values"]) == len(fig16["seeds"])
        assert cells["mean"] == pytest.approx(sum(cells["values"]) / len(cells["values"]))
        assert cells["min"] == min(cells["values"]) and cells["max"] == max(cells["values"])
    fig13 = json.loads((FIGURES / "fig13.json").read_text())
    runs = fig13["runs"][fig13["judged_placement"]]
    a = next(claim for claim in fig13["claims"] if claim["key"] == "fig13a")["comparisons"][0]
    assert a["lower"] == [run["ssd"]["lmu@" + fig13["judged_reading"]] for run in runs]
    assert a["higher"] == [run["ssd"]["non-uploading"] for run in runs]


def document_verdicts() -> dict[str, tuple[str, str]]:
    """The verdict table of docs/REPRODUCTION.md: claim key -> (verdict, "k of n")."""
    rows = {}
    for line in DOCUMENT.read_text().splitlines():
        match = re.match(r"\|\s*`([\w@-]+)`\s*\|.*\|\s*\*\*(\w+)\*\*\s*\|\s*([\d]+ of [\d]+)\s*\|", line)
        if match:
            rows[match.group(1)] = (match.group(2), match.group(3))
    return rows


def test_the_documents_verdict_table_is_the_jsons():
    claims = committed_claims()
    table = document_verdicts()
    judged = {key for key, claim in claims.items() if "@" not in key}
    assert set(table) == judged, set(table) ^ judged
    for key, (verdict, held) in table.items():
        claim = claims[key]
        assert verdict == claim["verdict"], key
        assert held == f"{claim['held']} of {claim['comparisons_total']}", key
