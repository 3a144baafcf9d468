"""The glossary and the generated documentation in real headless Chromium: field → term → products and back."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.integration]

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "catalog"




@pytest.fixture
def mesh(catalog_server, all_contracts, register) -> str:
    with httpx.Client(base_url=catalog_server.url) as client:
        for document in all_contracts:
            assert register(client, document).status_code == 201
    return catalog_server.url


def test_a_product_field_links_to_its_term_and_the_term_page_lists_the_product(page: Page, mesh: str):
    page.goto(mesh + "/products/schedule/bouts")
    row = page.locator('tr[id="v1-field-title_bout"]')
    expect(row.locator("a.term-link")).to_have_text("Title bout")

    row.locator("a.term-link").click()

    expect(page).to_have_url(re.compile(r"/glossary/title-bout$"))
    expect(page.locator("#term-title")).to_contain_text("Title bout")
    expect(page.locator("#term-owner")).to_have_text("schedule-team")
    expect(page.locator("#term-definition")).to_contain_text("five rounds")
    expect(page.locator("#term-synonyms")).to_contain_text("championship bout")
    usage = page.locator("#term-usages tbody tr", has_text="Bouts")
    expect(usage).to_contain_text("title_bout")

    usage.locator("a", has_text="title_bout").click()

    expect(page).to_have_url(re.compile(r"/products/schedule/bouts#v1-field-title_bout$"))
    expect(page.locator('tr[id="v1-field-title_bout"]')).to_be_in_viewport()
    assert page.csp_violations == []  # type: ignore[attr-defined]


def test_a_term_is_found_by_a_synonym_from_the_search_box_and_lists_every_product_using_it(page: Page, mesh: str):
    page.goto(mesh + "/")
    page.fill("#search-input", "division")
    page.press("#search-input", "Enter")

    hit = page.locator("#term-hits a.term-name", has_text="Weight class")
    expect(hit).to_be_visible()
    hit.click()

    expect(page).to_have_url(re.compile(r"/glossary/weight-class$"))
    products = page.locator("#term-usages tbody tr")
    expect(products).to_have_count(5)
    for name in ("Fighters", "Bouts", "Bout results", "Fighter records", "Rankings"):
        expect(page.locator("#term-usages", has_text=name)).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "glossary-term.png"))
    assert page.csp_violations == []  # type: ignore[attr-defined]


def test_the_documentation_page_reads_as_a_document_with_working_term_links(page: Page, mesh: str):
    page.goto(mesh + "/products/results/bout-results")
    page.locator("a.docs-link").first.click()

    expect(page).to_have_url(re.compile(r"/products/results/bout-results/v1/docs$"))
    docs = page.locator("#product-docs")
    expect(docs.locator("h1")).to_contain_text("Bout results")
    for heading in ("Record", "Example record", "Quality rules", "Service levels", "Business terms",
                    "How to consume", "HTTP", "Kafka", "Analytical port"):
        expect(docs.locator("h2, h3", has_text=heading).first).to_be_visible()
    expect(docs.locator("pre code.language-bash")).to_contain_text("Authorization: Bearer")
    expect(docs.locator("table", has_text="ce_specversion")).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "product-docs.png"))

    docs.locator("table a", has_text="Method of victory").first.click()

    expect(page).to_have_url(re.compile(r"/glossary/method-of-victory$"))
    expect(page.locator("#term-definition")).to_contain_text("KO/TKO")
    assert page.csp_violations == []  # type: ignore[attr-defined]
