"""What the decision engine proposes from the evidence stored for an enrolment (D14–D18).

The engine decides from a record; this module builds that record from the criterion results and
the blocks capitalised in the candidate's other enrolments, and reads the engine's answer back
into competence and block statuses.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from certifier.decisions.registry import compiled as rule_set
from certifier.pathways.models import Enrolment
from certifier.referential.enums import Scheme
from certifier.referential.models import Block, Competence

from .enums import BlockStatus, CompetenceStatus
from .models import BlockDecision, CriterionResult
from .rules import AssessedCompetence, decision_record

ACQUIRED = {True: CompetenceStatus.ACQUIRED, False: CompetenceStatus.NOT_ACQUIRED}


@dataclass(frozen=True)
class CompetenceProposal:
    competence: Competence
    status: CompetenceStatus
    validated: int
    scored: int
    criteria: int

    @property
    def not_assessed(self) -> int:
        return self.criteria - self.scored


@dataclass(frozen=True)
class BlockProposal:
    """The engine's answer for one block, as data: its status, how many of its competences are
    acquired and still pending out of how many, each competence, and the explanation's sentence
    about this block (never cut out of the whole explanation)."""

    block: Block
    status: BlockStatus
    acquired: int
    pending: int
    total: int
    competences: list[CompetenceProposal]
    explanation: str


@dataclass(frozen=True)
class Proposal:
    blocks: dict[str, BlockProposal]
    record: dict[str, Any]
    rules: dict[str, Any]


def uses_blocks(enrolment: Enrolment) -> bool:
    return enrolment.version.scheme == Scheme.BLOCKS and bool(enrolment.version.rule_set)


def capitalised_codes(enrolment: Enrolment, shown_at: datetime | None = None) -> set[str]:
    """D18: blocks validated and confirmed for the same candidate in another enrolment; with `shown_at`,
    as the candidate and the employer may read them then (the engine reads every decision)."""
    decisions = BlockDecision.objects.latest_per_block(shown_at).filter(
        enrolment__candidate_id=enrolment.candidate_id, confirmed_status=BlockStatus.VALIDATED
    )
    return set(decisions.exclude(enrolment=enrolment).values_list("block__code", flat=True))


def propose(enrolment: Enrolment, blocks: Sequence[Block]) -> Proposal:
    """The engine's proposal for `blocks`, whose competences and criteria are prefetched."""
    results = dict(
        CriterionResult.objects.filter(
            enrolment=enrolment, criterion__competence__block__in=blocks
        ).values_list("criterion_id", "validated")
    )
    competences = [
        AssessedCompetence(
            block.code, competence.number, tuple(criterion.pk for criterion in competence.criteria.all())
        )
        for block in blocks
        for competence in block.competences.all()
    ]
    rules = rule_set(enrolment.version.rule_set)
    known = capitalised_codes(enrolment) & {block["code"] for block in rules.document["blocks"]}
    record = decision_record(str(enrolment.pk), competences, results, known)
    decision = rules.decide(record)
    return Proposal(
        {
            block.code: _block_proposal(block, decision.output, results, decision.block_sentences[block.code])
            for block in blocks
        },
        record,
        decision.output["rules"],
    )


def _block_proposal(
    block: Block, output: dict[str, Any], results: dict[int, bool], explanation: str
) -> BlockProposal:
    decided = output["competences"].get(block.code, {})
    competences = []
    for competence in block.competences.all():
        ids = [criterion.pk for criterion in competence.criteria.all()]
        entry = decided.get(str(competence.number))
        competences.append(
            CompetenceProposal(
                competence,
                ACQUIRED[entry["acquired"]] if entry else CompetenceStatus.PENDING,
                sum(1 for criterion in ids if results.get(criterion)),
                sum(1 for criterion in ids if criterion in results),
                len(ids),
            )
        )
    summary = output["blocks"][block.code]
    pending = sum(1 for competence in competences if competence.status == CompetenceStatus.PENDING)
    return BlockProposal(
        block,
        BlockStatus(summary["status"]),
        summary["acquired"],
        pending,
        summary["competences"],
        competences,
        explanation,
    )
