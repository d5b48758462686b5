"""D52: the sitting of the national jury: its deliberation opened, attendance recorded, the quorum shown,
and who votes on each candidate."""

import pytest

from certifier.juries.sitting import quorum

pytestmark = pytest.mark.django_db


def test_with_every_member_present_the_quorum_is_reached(deliberation):
    reached = quorum(deliberation.jury, deliberation.present.all())
    assert reached.reached and (reached.voting_present, reached.voting_appointed) == (8, 8)
    assert reached.label == "Quorum atteint : 8 membres votants présents sur 8."
