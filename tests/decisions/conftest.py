"""Fixtures of the decision engine tests: the two shipped rule sets, compiled once."""

import pytest

from certifier.decisions.registry import RuleSet, load


@pytest.fixture(scope="session")
def rncp() -> RuleSet:
    return load("rncp35729")


@pytest.fixture(scope="session")
def cqp() -> RuleSet:
    return load("cqp-2013")
