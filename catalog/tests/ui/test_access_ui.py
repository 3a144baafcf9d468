"""Access in the catalog's web UI (real headless Chromium): a consumer asks, the owner approves from the pending
list, and the audit log shows who did what, when and why; a stranger's approval is refused."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from mesh_tools.testing.authority import test_authority

pytestmark = [pytest.mark.browser, pytest.mark.integration]





@pytest.fixture
def catalog(catalog_server, contract) -> str:
    response = httpx.post(f"{catalog_server.url}/api/v1/data-products", json={"contract": contract("roster", "fighters")},
                          headers=test_authority().bearer("roster", ["write:roster"]))
    assert response.status_code == 201, response.text
    return catalog_server.url


def test_a_request_filed_in_the_ui_is_approved_by_the_owner_and_audited(page: Page, catalog: str):
    analyst = test_authority().token("analyst", [])
    owner = test_authority().token("roster", ["write:roster", "admin:roster"])
    page.goto(catalog + "/access")
    form = page.locator("#request-form")
    form.locator("select[name=product]").select_option("roster/fighters/v1")
    form.locator("input[name=pii]").check()
    form.locator("input[name=purpose]").fill("age curves of champions")
    form.locator("input[name=token]").fill(analyst)
    form.locator("button[type=submit]").click()
    expect(page.locator("#notice")).to_contain_text("pending")
    row = page.locator("#pending tbody tr", has_text="analyst")
    expect(row).to_contain_text("pii:roster.fighters")

    stranger = test_authority().token("schedule", ["write:schedule", "admin:schedule"])
    row.locator("input[name=token]").fill(stranger)
    row.locator("button", has_text="Approve").click()
    expect(page.locator("#error")).to_contain_text("admin:roster")

    row = page.locator("#pending tbody tr", has_text="analyst")
    row.locator("input[name=token]").fill(owner)
    row.locator("input[name=reason]").fill("research agreement 12")
    row.locator("button", has_text="Approve").click()
    expect(page.locator("#notice")).to_contain_text("approved")
    expect(page.locator("#decided tbody tr", has_text="analyst")).to_contain_text("research agreement 12")
    audit = page.locator("#audit tbody")
    expect(audit.locator("tr", has_text="access.approved")).to_contain_text("roster")
    expect(audit.locator("tr", has_text="access.requested")).to_contain_text("age curves of champions")
    grants = httpx.get(f"{catalog}/api/v1/grants", headers=test_authority().bearer("analyst", [])).json()
    assert {g["scope"] for g in grants} == {"read:roster.fighters.v1", "pii:roster.fighters"}


def test_a_bad_token_in_the_form_is_refused_and_files_nothing(page: Page, catalog: str):
    page.goto(catalog + "/access")
    form = page.locator("#request-form")
    form.locator("input[name=purpose]").fill("x")
    form.locator("input[name=token]").fill("not-a-token")
    form.locator("button[type=submit]").click()
    expect(page.locator("#error")).to_contain_text("not accepted")
    expect(page.locator("#pending tbody")).to_contain_text("Nothing is waiting")
