"""Where the catalog finds the business glossary: ``<contracts>/glossary/`` beside the contracts.

The contracts directory is the platform's setting ``MESH_CONTRACTS_DIR`` (default: the ``contracts/`` found upwards
from the working directory, as every mesh tool finds it). The catalog reads only the glossary there — contracts still
arrive by registration — and picks up changed term files within seconds, without a restart. No directory found
means an empty glossary (logged), never a failed start.
"""

from __future__ import annotations

import logging
from pathlib import Path

from catalog.adapters.glossary_files import GlossaryFiles
from catalog.service.glossary import GlossaryService
from catalog.service.registry import RegistryService
from catalog.settings import CatalogSettings
from mesh_platform.contracts.errors import ContractsDirNotFound
from mesh_platform.contracts.glossary import GLOSSARY_DIR_NAME
from mesh_platform.contracts.loading import default_contracts_dir

log = logging.getLogger(__name__)


def glossary_directory(settings: CatalogSettings) -> Path | None:
    """``<MESH_CONTRACTS_DIR>/glossary`` (or beside the contracts found upwards); None when there is none."""
    try:
        contracts = settings.contracts_dir or default_contracts_dir()
    except ContractsDirNotFound:
        contracts = None
    directory = contracts / GLOSSARY_DIR_NAME if contracts is not None else None
    if directory is None or not directory.is_dir():
        log.warning("no business glossary (looked for %s): set MESH_CONTRACTS_DIR to the contracts/ directory "
                    "holding glossary/", directory or f"contracts/{GLOSSARY_DIR_NAME}")
        return None
    return directory


def build_glossary(settings: CatalogSettings, registry: RegistryService) -> GlossaryService:
    return GlossaryService(GlossaryFiles(glossary_directory(settings)), registry)
