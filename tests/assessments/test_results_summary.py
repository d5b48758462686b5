"""The results page opens on a summary: the certification's progress, then one line per block."""

import pytest
from django.urls import reverse

from certifier.assessments.services import do_decide_block

pytestmark = pytest.mark.django_db

BC01 = "RNCP35729BC01"
ALL_VALIDATED = {1: [True] * 5, 2: [True] * 2, 3: [True] * 2, 4: [True] * 2, 5: [True] * 2, 6: [True] * 2}


@pytest.mark.parametrize("persona", ["candidate", "employer_hr", "assessor"])
def test_the_summary_comes_first_with_one_line_per_block(
    own, blocks, users, observe, score, client_for, persona
):
    observe(own, blocks[BC01])
    score(own, blocks[BC01], ALL_VALIDATED)
    do_decide_block(users["assessor"], own, blocks[BC01], "validated", "")
    page = client_for(persona).get(reverse("assessments:results", args=[own.pk])).content.decode()
    summary = page[page.index('<section class="summary"') : page.index("</section>")]
    assert page.index('<section class="summary"') < page.index('<section class="block"')
    assert "1 bloc validé sur 3" in summary
    assert f"{BC01} — " in summary and '<span class="badge badge-ok">Validé</span>' in summary
    assert summary.count('<span class="badge badge-info">En cours</span>') == 2
    assert "compétences acquises" not in summary  # outcomes only, for everyone


def test_blocks_without_a_decision_are_in_progress_never_failed(own, blocks, client_for):
    page = client_for("candidate").get(reverse("assessments:results", args=[own.pk])).content.decode()
    assert "0 bloc validé sur 3" in page
    assert page.count('<span class="badge badge-info">En cours</span>') == 3
    assert "badge-err" not in page
