"""``mesh new-domain``: scaffold a new domain with the same shape as the others.

``scaffold_domain(root, name)`` writes ``domains/<name>/`` (a service with one aggregate, one data product, its
migration, Dockerfile and tests) and ``contracts/<name>/<name>.odcs.yaml``; ``NameRefused`` says why a name cannot
be used. The templates are the plain files under ``templates/``.
"""

from mesh_tools.scaffold.generator import ScaffoldedDomain, render_domain, scaffold_domain
from mesh_tools.scaffold.names import DomainNames, singular
from mesh_tools.scaffold.validation import NameRefused, check_domain_name

__all__ = [
    "DomainNames",
    "NameRefused",
    "ScaffoldedDomain",
    "check_domain_name",
    "render_domain",
    "scaffold_domain",
    "singular",
]
