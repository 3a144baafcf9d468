"""How the mesh names its datasets and jobs in OpenLineage (DESIGN §6), shared by emitters and the catalog.

* a product version is the dataset ``octagon.<domain>`` / ``<product>.v<major>``;
* a Kafka consumer group is the job ``octagon.consumers`` / ``kafka.<group id>`` (its subscription's processing runs
  are runs of that job; its inputs are the topics' datasets);
* an HTTP reader (a token subject) is the job ``octagon.consumers`` / ``http.<subject>``;
* a derivation inside a domain is the job ``octagon.<domain>`` / ``derive.<name>``.
"""

from __future__ import annotations

from typing import NamedTuple

CONSUMERS_NAMESPACE = "octagon.consumers"
PRODUCER = "https://github.com/octagon-mesh/octagon-mesh/tree/main/platform"


class DatasetName(NamedTuple):
    """An OpenLineage dataset identity."""

    namespace: str
    name: str


class JobName(NamedTuple):
    """An OpenLineage job identity."""

    namespace: str
    name: str


def product_namespace(domain: str) -> str:
    """The OpenLineage namespace of a domain's products and derivations."""
    return f"octagon.{domain}"


def product_dataset(domain: str, product: str, major: int) -> DatasetName:
    """The dataset of one major version of a data product."""
    return DatasetName(product_namespace(domain), f"{product}.v{major}")


def parse_product_dataset(dataset: DatasetName) -> tuple[str, str, int] | None:
    """``(domain, product, major)`` of a product-version dataset, None for any other dataset."""
    if not dataset.namespace.startswith("octagon.") or dataset.namespace == CONSUMERS_NAMESPACE:
        return None
    product, _, major = dataset.name.rpartition(".v")
    if not product or not major.isdigit():
        return None
    return dataset.namespace.removeprefix("octagon."), product, int(major)


def subscription_job(group_id: str) -> JobName:
    """The job of a Kafka consumer group (a subscription)."""
    return JobName(CONSUMERS_NAMESPACE, f"kafka.{group_id}")


def http_reader_job(subject: str) -> JobName:
    """The job of an HTTP reader of data products (the subject of its token)."""
    return JobName(CONSUMERS_NAMESPACE, f"http.{subject}")


def derivation_job(domain: str, name: str) -> JobName:
    """The job of a derivation a domain runs (e.g. stats deriving fighter records from results)."""
    return JobName(product_namespace(domain), f"derive.{name}")
