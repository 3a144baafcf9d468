import importlib
import sys


def test_platform_tests_do_not_shadow_the_standard_library_platform_module():
    # Test modules of platform/ must never turn `platform` into our directory (pytest's importlib mode did once).
    assert hasattr(sys.modules.get("platform") or importlib.import_module("platform"), "python_implementation")


def test_the_platform_package_imports_as_mesh_platform():
    import mesh_platform

    assert mesh_platform.__file__.endswith("platform/mesh_platform/__init__.py")
