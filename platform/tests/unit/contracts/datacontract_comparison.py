"""Compare `mesh contracts check` verdicts with `datacontract breaking` on every pair of the compatibility table.

Not a test (datacontract takes about a second a pair): run it to refresh the table in contracts/README.md::

    .venv/bin/python platform/tests/unit/contracts/datacontract_comparison.py > /tmp/comparison.md

Each case of test_compatibility.CASES is compared in both directions, with datacontract's consumer and producer
perspectives. A verdict is "breaking" when our check finds a breaking change, or when datacontract reports an
error-level entry (`is_breaking`).
"""

from __future__ import annotations

import copy
import sys
import tempfile
from pathlib import Path

import yaml


def main() -> list[str]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # makes the test package `contracts` importable
    from datacontract.data_contract import DataContract

    from contracts.contract_documents import ContractDocuments  # type: ignore[import-not-found]
    from contracts.test_compatibility import CASES, PRODUCT  # type: ignore[import-not-found]
    from mesh_platform.contracts.compatibility import Impact, diff_contracts

    docs = ContractDocuments()
    rows = [
        "| case | direction | ours | datacontract consumer | datacontract producer | same as consumer? |",
        "|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as scratch:
        before_file, after_file = Path(scratch, "before.odcs.yaml"), Path(scratch, "after.odcs.yaml")
        for case, product, edit, _, _ in CASES:
            original = docs.load(*PRODUCT[product])
            changed = copy.deepcopy(original)
            edit(changed)
            for direction, (before, after) in (("A→B", (original, changed)), ("B→A", (changed, original))):
                before_file.write_text(yaml.safe_dump(before, sort_keys=False), encoding="utf-8")
                after_file.write_text(yaml.safe_dump(after, sort_keys=False), encoding="utf-8")
                changes = diff_contracts(docs.build(before), docs.build(after))
                ours = _our_verdict(changes, Impact)
                theirs = {}
                for perspective in ("consumer", "producer"):
                    result = DataContract(data_contract_file=str(before_file), inline_references=False).breaking(
                        DataContract(data_contract_file=str(after_file), inline_references=False),
                        perspective=perspective,
                    )
                    theirs[perspective] = _their_verdict(result)
                same = "yes" if ours.split(" ")[0] == theirs["consumer"].split(" ")[0] else "**no**"
                rows.append(f"| {case} | {direction} | {ours} | {theirs['consumer']} | {theirs['producer']} | {same} |")
    return rows


def _our_verdict(changes, impact) -> str:
    breaking = sorted({c.rule for c in changes if c.impact is impact.BREAKING})
    if breaking:
        return "breaking (" + ", ".join(breaking) + ")"
    compatible = sorted({c.rule for c in changes if c.impact is impact.COMPATIBLE})
    return "ok (" + ", ".join(compatible) + ")" if compatible else "ok"


def _their_verdict(result) -> str:
    levels = [e for e in result.entries if e.level.value != "info"]
    if result.is_breaking:
        rules = sorted({e.rule_id for e in levels if e.level.value == "error"})
        return "breaking (" + ", ".join(rules) + ")"
    warnings = sorted({e.rule_id for e in levels})
    return "ok (warning: " + ", ".join(warnings) + ")" if warnings else "ok"


if __name__ == "__main__":
    print("\n".join(main()))
