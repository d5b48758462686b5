"""`propose()` answers per block as data: status, counts, each competence and the explanation's
sentence of that block, taken from the engine as such, never cut out of the whole explanation."""

import pytest

from certifier.assessments.enums import BlockStatus, CompetenceStatus
from certifier.assessments.proposals import propose, rule_set
from certifier.referential.models import Block

pytestmark = pytest.mark.django_db

BC01, BC02 = "RNCP35729BC01", "RNCP35729BC02"


def test_a_proposal_gives_each_block_its_status_counts_and_own_sentence(own, blocks, observe, score):
    observe(own, blocks[BC01])
    score(own, blocks[BC01], {1: [True] * 5, 2: [True] * 2, 3: [True] * 2, 4: [True] * 2, 5: [False] * 2})
    chosen = list(Block.objects.filter(code__in=[BC01, BC02]).prefetch_related("competences__criteria"))
    proposal = propose(own, chosen)
    bc01, bc02 = proposal.blocks[BC01], proposal.blocks[BC02]
    assert (bc01.status, bc01.acquired, bc01.pending, bc01.total) == (BlockStatus.INCOMPLETE, 4, 1, 6)
    assert [competence.status for competence in bc01.competences] == [CompetenceStatus.ACQUIRED] * 4 + [
        CompetenceStatus.NOT_ACQUIRED,
        CompetenceStatus.PENDING,
    ]
    assert (bc01.competences[0].validated, bc01.competences[0].scored, bc01.competences[0].criteria) == (
        5,
        5,
        5,
    )
    assert bc01.explanation == (
        "Bloc RNCP35729BC01 incomplet : 4 compétences acquises sur 6 et 1 non encore évaluée,"
        " il en faut au moins 5 (80 %)."
    )
    assert (bc02.status, bc02.acquired, bc02.pending, bc02.total) == (BlockStatus.INCOMPLETE, 0, 5, 5)
    assert bc02.explanation.startswith("Bloc RNCP35729BC02 incomplet : ")


def test_the_engine_keeps_each_block_s_sentence_apart_from_the_whole_explanation():
    rules = rule_set("rncp35729")
    decision = rules.decide({"candidate": "1", "criteria": {BC01: {"1": [True]}}, "capitalised": [BC02]})
    sentences = decision.block_sentences
    assert list(sentences) == [BC01, BC02, "RNCP35729BC03"]
    assert sentences[BC02] == "Bloc RNCP35729BC02 validé : capitalisé lors d'une session précédente."
    assert decision.output["explanation"].endswith(" ".join(sentences.values()))
