import pytest

from mesh_tools.scaffold import DomainNames, NameRefused, check_domain_name, render_domain, scaffold_domain, singular
from mesh_tools.scaffold.generator import default_port


@pytest.mark.parametrize(
    ("name", "entity"),
    [
        ("venues", "venue"),
        ("ticket-sales", "ticket-sale"),
        ("categories", "category"),
        ("matches", "match"),
        ("boxes", "box"),
        ("addresses", "address"),
        ("roster", "roster"),
        ("business", "business"),
    ],
)
def test_entity_defaults_to_the_singular_of_the_domain_name(name, entity):
    assert singular(name) == entity


def test_a_hyphenated_domain_gets_python_names_and_wire_names_of_its_own():
    names = DomainNames("ticket-sales", "ticket-sale")
    values = names.substitutions(8005)
    assert (names.package, names.record, names.key, names.env) == (
        "ticket_sales", "ticket_sales", "ticket_sale_id", "TICKET_SALES"
    )
    assert (values["Entity"], values["Domain"], values["Title"]) == ("TicketSale", "TicketSales", "Ticket sales")


def test_repository_attribute_never_hides_an_attribute_of_the_unit_of_work():
    assert DomainNames("venues", "venue").repository == "venues"
    assert DomainNames("events", "event").repository == "events_repository"


def test_rendered_domain_follows_the_mesh_naming_conventions():
    files = {str(file.path): file.text for file in render_domain(DomainNames("ticket-sales", "ticket-sale"), 8007)}
    contract = files["contracts/ticket-sales/ticket-sales.odcs.yaml"]
    assert "value: ticket-sales.ticket-sales.v1" in contract
    assert "type: octagon.ticket-sales.ticket-sale.registered.v1" in contract
    assert "location: http://127.0.0.1:8007/data-products/ticket-sales/v1" in contract
    assert 'ticket-sales = "ticket_sales.app:create_app"' in files["domains/ticket-sales/pyproject.toml"]
    assert "create_platform_tables(op)" in files["domains/ticket-sales/ticket_sales/migrations/versions/0001_ticket_sales.py"]
    assert "--port $PORT" in files["domains/ticket-sales/Dockerfile"]
    assert "${" not in "".join(text for path, text in files.items() if not path.endswith(".mako"))


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("json", "standard library"),
        ("sys", "standard library"),
        ("platform", "reserved"),
        ("catalog", "reserved"),
        ("kafka", "KAFKA_PORT"),
        ("httpx", "installed distribution httpx"),
        ("fastapi", "installed distribution"),
        ("class", "keyword"),
        ("Venues", "lower-case"),
        ("ticket_sales", "lower-case"),
        ("venues-", "lower-case"),
        ("2fast", "lower-case"),
        ("database", "DATABASE_URL"),
        ("public", "PUBLIC_URL"),
        ("kafka-controller", "KAFKA_CONTROLLER_PORT"),
        ("mesh-tools", "MESH_"),
        ("outbox-messages", "platform's tables"),
        ("a" * 41, "longer than 40"),
    ],
)
def test_unusable_domain_names_are_refused_with_the_reason(tmp_path, name, reason):
    with pytest.raises(NameRefused, match=reason):
        check_domain_name(name, tmp_path)


def test_a_domain_that_exists_under_the_root_is_refused(tmp_path):
    (tmp_path / "contracts" / "venues").mkdir(parents=True)
    with pytest.raises(NameRefused, match="already exists"):
        check_domain_name("venues", tmp_path)


def test_an_entity_that_clashes_with_an_imported_name_is_refused_and_nothing_is_written(tmp_path):
    with pytest.raises(NameRefused, match="Field"):
        scaffold_domain(tmp_path, "stock", entity="field")
    with pytest.raises(NameRefused, match="valid Python"):
        scaffold_domain(tmp_path, "stock", entity="self")
    assert list(tmp_path.iterdir()) == []


def test_new_domains_get_the_port_mesh_up_gives_them_in_name_order(tmp_path):
    for existing in ("roster", "stats", "venues"):
        (tmp_path / "domains" / existing).mkdir(parents=True)
    assert default_port(tmp_path, "awards") == 8005
    assert default_port(tmp_path, "zoos") == 8006
