"""The platform as a domain service sees it: the one module a domain package imports from ``mesh_platform``.

Everything a domain's code needs from the paved road is exported here, and nothing else; the modules behind it are
the platform's own and may move. ``tests/architecture/test_platform_surface.py`` holds domain code (and the scaffold
that writes new domains) to this module, and every name below to a domain that uses it.

It is a module of its own rather than ``mesh_platform/__init__.py`` because the package ``__init__`` runs on every
import of any platform module: the CLI, the broker launcher, the scaffold, the linters and the pytest plugin would
all load the service runtime (FastAPI, SQLAlchemy, the Kafka client) through it, and the runtime could not be split
from the tooling.
"""

from mesh_platform.auth.tokens import AccessToken
from mesh_platform.errors import Conflict, NotFound, RuleViolated
from mesh_platform.events.envelope import EventMessage
from mesh_platform.http.admin import replay_router
from mesh_platform.http.bearer import AUTH_RESPONSES
from mesh_platform.http.command_batch import add_batch_route
from mesh_platform.http.commands import Command, CommandExecutor, IdempotencyKey
from mesh_platform.runtime.domain_service import DomainService
from mesh_platform.settings import ServiceSettings
from mesh_platform.store.migrations import create_platform_tables, drop_platform_tables, run_migrations
from mesh_platform.store.platform_tables import define_platform_tables
from mesh_platform.store.product_source import SqlTableSource
from mesh_platform.store.replica_rows import store_newer
from mesh_platform.store.stored_product import Announcements, StoredProduct, columns_of, entity_of, record_of
from mesh_platform.store.unit_of_work import SqlUnitOfWork
from mesh_platform.subscriptions.messages import ConsumedData, ConsumedEvent
from mesh_platform.subscriptions.replay import SubscriptionReplay
from mesh_platform.subscriptions.spec import SubscriptionSpec
from mesh_platform.wire import as_utc, utc_timestamp

__all__ = [
    # the service: settings in, a FastAPI app out (create_app(settings) in each domain's app.py)
    "DomainService",
    "ServiceSettings",
    # the store: the platform's tables beside the domain's, their migrations, units of work, product sources
    "SqlTableSource",
    "SqlUnitOfWork",
    # a product stored as a table derived from the domain's model: one row/record/event mapping for all of them
    "Announcements",
    "StoredProduct",
    "columns_of",
    "entity_of",
    "record_of",
    # a replica of another domain's records, kept at the newest version seen (concurrent writers absorbed)
    "store_newer",
    "create_platform_tables",
    "define_platform_tables",
    "drop_platform_tables",
    "run_migrations",
    # the command edge: idempotent commands (single or NDJSON batches), bearer tokens, the responses they document
    "AUTH_RESPONSES",
    "AccessToken",
    "Command",
    "CommandExecutor",
    "add_batch_route",
    "IdempotencyKey",
    # domain errors, which become problem responses only at the edge
    "Conflict",
    "NotFound",
    "RuleViolated",
    # events, typed subscriptions (classes generated from the producers' contracts) and their replay
    "ConsumedData",
    "ConsumedEvent",
    "EventMessage",
    "SubscriptionSpec",
    "SubscriptionReplay",
    "replay_router",
    # the wire format of moments
    "as_utc",
    "utc_timestamp",
]
