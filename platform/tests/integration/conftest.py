import uuid

import pytest
from sqlalchemy import MetaData

from mesh_platform.events import EventFactory
from mesh_platform.outbox import OutboxWriter
from mesh_platform.store.engine import create_store_engine
from mesh_platform.store.platform_tables import define_platform_tables
from mesh_platform.store.unit_of_work import SqlUnitOfWork
from mesh_tools.testing.kafka import provision_test_topics


class Store:
    """A service store holding only the platform's tables."""

    def __init__(self, url: str) -> None:
        self.metadata = MetaData()
        self.tables = define_platform_tables(self.metadata)
        self.engine = create_store_engine(url)
        self.metadata.create_all(self.engine)
        self.outbox = OutboxWriter(self.tables.outbox)

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, self.outbox, EventFactory("store", "http://127.0.0.1:8000"))


@pytest.fixture
def store(store_url):
    store = Store(store_url)
    yield store
    store.engine.dispose()


@pytest.fixture
def domain() -> str:
    """A domain name of its own per test, so topics never collide between tests."""
    return f"d{uuid.uuid4().hex[:10]}"


@pytest.fixture
def things_topic(domain, kafka_bootstrap) -> str:
    """The topic the tests' events go to, provisioned (brokers never auto-create topics)."""
    topic = f"{domain}.things.v1"
    provision_test_topics(kafka_bootstrap, topic)
    return topic


@pytest.fixture
def events(domain) -> EventFactory:
    return EventFactory(domain, "http://127.0.0.1:8000")
