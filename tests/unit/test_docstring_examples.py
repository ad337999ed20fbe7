"""Every ``Examples`` section in pqdml's docstrings runs and shows what the code returns."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import pqdml

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(pqdml.__path__, "pqdml.")
    if not info.name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} fail (see stdout)"


def test_examples_are_found() -> None:
    """The walk reaches the featurizer modules, and doctest finds their examples."""
    for name in ("pqdml.chem.ligand", "pqdml.chem.composition", "pqdml.features.table"):
        assert name in MODULES
        tests = doctest.DocTestFinder().find(importlib.import_module(name))
        assert sum(len(t.examples) for t in tests) >= 3, name
