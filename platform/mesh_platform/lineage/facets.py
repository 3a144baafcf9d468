"""OpenLineage dataset events describing a data-product version, built from its contract.

The dataset carries the facets a catalog user needs: ``schema`` (fields, types, descriptions), ``ownership`` (the
owning team and its owners), ``documentation`` (the purpose), ``dataSource`` (the HTTP output port) and ``tags``
(contract tags, and ``pii`` on personal-data fields).
"""

from __future__ import annotations

from datetime import UTC, datetime

from openlineage.client.event_v2 import DatasetEvent, StaticDataset
from openlineage.client.generated.datasource_dataset import DatasourceDatasetFacet
from openlineage.client.generated.documentation_dataset import DocumentationDatasetFacet
from openlineage.client.generated.ownership_dataset import Owner, OwnershipDatasetFacet
from openlineage.client.generated.schema_dataset import SchemaDatasetFacet, SchemaDatasetFacetFields
from openlineage.client.generated.tags_dataset import TagsDatasetFacet, TagsDatasetFacetFields

from mesh_platform.contracts.fields import PII_TAG, FieldSpec
from mesh_platform.contracts.product import DataProductContract
from mesh_platform.lineage.naming import PRODUCER, product_dataset


def product_dataset_event(contract: DataProductContract, *, event_time: datetime | None = None) -> DatasetEvent:
    """The ``DatasetEvent`` announcing the product version ``contract`` defines."""
    dataset = product_dataset(contract.domain, contract.product, contract.major)
    facets = {
        "schema": SchemaDatasetFacet(fields=[_schema_field(spec) for spec in contract.fields], producer=PRODUCER),
        "ownership": OwnershipDatasetFacet(owners=_owners(contract), producer=PRODUCER),
        "dataSource": DatasourceDatasetFacet(name=dataset.namespace, uri=contract.http_url, producer=PRODUCER),
        "tags": TagsDatasetFacet(tags=_tags(contract), producer=PRODUCER),
    }
    purpose = getattr(contract.odcs.description, "purpose", None)
    if purpose:
        facets["documentation"] = DocumentationDatasetFacet(
            description=purpose.strip(), contentType="text/plain", producer=PRODUCER
        )
    moment = (event_time or datetime.now(UTC)).isoformat()
    return DatasetEvent(
        eventTime=moment,
        producer=PRODUCER,
        dataset=StaticDataset(namespace=dataset.namespace, name=dataset.name, facets=facets),
    )


def _schema_field(spec: FieldSpec) -> SchemaDatasetFacetFields:
    nested = list(spec.properties) or ([spec.items] if spec.items is not None else [])
    return SchemaDatasetFacetFields(
        name=spec.name,
        type=spec.logical_type,
        description=spec.description,
        fields=[_schema_field(child) for child in nested] or None,
    )


def _owners(contract: DataProductContract) -> list[Owner]:
    owners = [Owner(name=f"team:{contract.owner}", type="TEAM")] if contract.owner else []
    team = contract.odcs.team
    for member in getattr(team, "members", None) or []:
        if (member.role or "").lower() == "owner" and member.username:
            owners.append(Owner(name=f"user:{member.username}", type="OWNER"))
    return owners


def _tags(contract: DataProductContract) -> list[TagsDatasetFacetFields]:
    tags = [TagsDatasetFacetFields(key=tag, value="true", source="CONTRACT") for tag in contract.odcs.tags or []]
    tags += [
        TagsDatasetFacetFields(key=PII_TAG, value="true", source="CONTRACT", field=spec.path)
        for top in contract.fields
        for spec in top.walk()
        if spec.pii
    ]
    return tags
