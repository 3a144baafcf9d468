"""Under `mesh up` the cross-product checks run as a job with a client of its own, and the services chart their
contracts' SPC rules: both reach the catalog and the services' /quality."""

import re
import time

import httpx
import pytest

pytestmark = pytest.mark.e2e


def eventually(check, timeout=120.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(1.0)


def reported_results(catalog: str, page_path: str, rule: str) -> list[str]:
    """The rows of a product page's quality results (reported runs only, not declarations) naming ``rule``."""
    page = httpx.get(f"{catalog}{page_path}", timeout=10).text
    if 'class="grid compact quality-results"' not in page:
        return []
    table = page.split('class="grid compact quality-results"', 1)[1].split("</table>", 1)[0]
    rows = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in table.split("<tr>")[2:]]
    return [row for row in rows if rule in row]


def test_the_cross_product_checks_run_as_their_own_client_and_report_to_the_catalog(mesh):
    catalog = mesh.urls["catalog"]

    [row] = eventually(lambda: reported_results(catalog, "/products/results/bout-results",
                                                "completed_bouts_have_one_result")) or [None]
    job_log = mesh.run_dir / "logs" / "crosscheck.log"
    assert row is not None, "no cross-product check result reached the catalog:\n" + (
        "\n".join(job_log.read_text().splitlines()[-30:]) if job_log.exists() else "no job log")
    assert "passed" in row  # no bouts and no results yet: nothing is missing

    # It read schedule's bouts as its own client, through a grant its owner approved (no personal data).
    def http_readers():
        listed = httpx.get(f"{catalog}/api/v1/consumers", params={"domain": "schedule", "product": "bouts"}).json()
        items = listed["items"] if isinstance(listed, dict) else listed
        return {c["consumer"] for c in items if c["kind"] == "http"}

    assert "quality-checks" in eventually(lambda: "quality-checks" in http_readers() and http_readers(), 60) or set()


def test_the_services_chart_their_spc_rules_and_keep_the_measured_history(mesh):
    roster = mesh.urls["roster"]
    headers = {"Authorization": f"Bearer {mesh.tokens['demo-reader']}"}

    def charted():
        results = httpx.get(f"{roster}/quality", headers=headers, timeout=10).json()["results"]
        return {r["rule_key"]: r for r in results if r.get("metric", "").startswith("spc:")}

    spc = eventually(charted, timeout=90)
    assert {"fighters:fighters_volume_control", "fighters.nickname:nickname_null_rate_control"} <= set(spc)
    assert spc["fighters:fighters_volume_control"]["status"] == "passed"  # warming up: nothing judged yet
    history = httpx.get(f"{roster}/quality/history/roster.fighters/v1/fighters:fighters_volume_control",
                        headers=headers, timeout=10).json()["items"]
    assert history and history[-1]["verdict"] == "warmup"
    # Like every quality result, the charts' results reach the catalog's product page.
    assert eventually(lambda: reported_results(mesh.urls["catalog"], "/products/roster/fighters",
                                               "fighters_volume_control"), timeout=60)

    listed = mesh.cli("quality", "flagged", "roster")
    assert listed.returncode == 0 and "roster: 0 flagged point(s)" in listed.stdout, listed.stdout + listed.stderr
    refused = mesh.cli("quality", "normal", "roster", str(history[-1]["id"]), "--reason", "nothing to mark")
    assert refused.returncode == 1 and "no flagged point" in refused.stdout, refused.stdout
