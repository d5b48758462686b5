"""Fixtures of the pathways tests: the training paths."""

import pytest

from certifier.pathways.services import do_load_training_paths


@pytest.fixture
def paths(referential):
    do_load_training_paths()
