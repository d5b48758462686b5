"""The rule set decides on the blocks and competences of the referential it serves: the same block
codes, in the same order, with the same competences under the same numbers (issue 7 §2)."""

import pytest

from certifier.decisions.registry import load
from certifier.referential.enums import Scheme
from certifier.referential.models import CertificationVersion

pytestmark = pytest.mark.django_db


def test_every_block_rule_set_named_by_a_version_matches_its_blocks_and_competences(referential):
    versions = CertificationVersion.objects.filter(scheme=Scheme.BLOCKS).exclude(rule_set="")
    assert versions, "no version of the referential names a rule set by blocks"
    for version in versions:
        rules = load(version.rule_set).document
        decided = [
            (block["code"], block["title"], list(enumerate(block["competences"], start=1)))
            for block in rules["blocks"]
        ]
        loaded = [
            (
                block.code,
                block.title,
                [
                    (competence.number, competence.title)
                    for competence in block.competences.order_by("number")
                ],
            )
            for block in version.blocks.order_by("position")
        ]
        assert decided == loaded, version.code
