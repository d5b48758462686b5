"""The pure rules of evidence: D11–D13 observation requirements, D10 signatures, the decision record."""

from certifier.assessments.rules import (
    AssessedCompetence,
    MethodRequirements,
    Observed,
    Requirement,
    attestation_counts,
    attestation_status,
    decision_record,
    duration,
    observation_refusals,
    override_refusal,
)

BC01 = MethodRequirements(
    alternatives=(
        (
            Requirement("double_listening", minutes=20),
            Requirement("interview", min_count=2),
            Requirement("letters_emails", min_count=5),
        ),
        (
            Requirement("physical_reception", minutes=20),
            Requirement("interview", min_count=2),
            Requirement("letters_emails", min_count=5),
        ),
    ),
    questioning_minutes=15,
)
BC02 = MethodRequirements(min_competences_covered=2)
BC03 = MethodRequirements(observation_minutes=90, questioning_throughout=True)


def bc01(**situations):
    observed = {"double_listening": 20, "interview": 2, "letters_emails": 5} | situations
    return Observed(situations=observed, questioning_minutes=15)


def test_bc01_with_twenty_minutes_of_double_listening_two_interviews_and_five_letters_is_accepted():
    assert observation_refusals(BC01, bc01()) == []


def test_bc01_with_physical_reception_instead_of_double_listening_is_accepted():
    observed = Observed(
        {"physical_reception": 25, "interview": 3, "letters_emails": 5}, questioning_minutes=15
    )
    assert observation_refusals(BC01, observed) == []


def test_bc01_with_fifteen_minutes_of_double_listening_is_refused_saying_why():
    assert observation_refusals(BC01, bc01(double_listening=15)) == [
        "Double écoute : 15 minutes observées, il en faut au moins 20."
    ]


def test_bc01_with_four_letters_is_refused_saying_why():
    assert observation_refusals(BC01, bc01(letters_emails=4)) == [
        "Courriers/courriels : 4 traités, il en faut au moins 5."
    ]


def test_bc01_with_one_interview_is_refused_saying_why():
    assert observation_refusals(BC01, bc01(interview=1)) == ["Entretiens : 1 mené, il en faut au moins 2."]


def test_bc01_reports_the_shortfalls_of_the_alternative_closest_to_what_was_observed():
    observed = Observed(
        {"physical_reception": 10, "interview": 2, "letters_emails": 5}, questioning_minutes=15
    )
    assert observation_refusals(BC01, observed) == [
        "Accueil physique : 10 minutes observées, il en faut au moins 20."
    ]


def test_bc01_with_nothing_observed_lists_every_shortfall_of_the_first_alternative():
    assert observation_refusals(BC01, Observed({})) == [
        "Double écoute : 0 minute observée, il en faut au moins 20.",
        "Entretiens : 0 mené, il en faut au moins 2.",
        "Courriers/courriels : 0 traité, il en faut au moins 5.",
        "Questionnement : 0 minute d'entretien, il en faut au moins 15.",
    ]


def test_bc01_questioning_shorter_than_fifteen_minutes_is_refused():
    observed = Observed(bc01().situations, questioning_minutes=10)
    assert observation_refusals(BC01, observed) == [
        "Questionnement : 10 minutes d'entretien, il en faut au moins 15."
    ]


def test_bc02_presentation_covering_one_competence_is_refused_saying_why():
    observed = Observed({}, covered=frozenset({11}), block_competences=frozenset({11, 12, 13, 14, 15}))
    assert observation_refusals(BC02, observed) == [
        "Présentation : 1 compétence du bloc abordée, il en faut au moins 2."
    ]


def test_bc02_presentation_counts_only_competences_of_the_block():
    observed = Observed({}, covered=frozenset({11, 99}), block_competences=frozenset({11, 12, 13, 14, 15}))
    assert observation_refusals(BC02, observed) == [
        "Présentation : 1 compétence du bloc abordée, il en faut au moins 2."
    ]
    observed = Observed({}, covered=frozenset({11, 12}), block_competences=frozenset({11, 12, 13, 14, 15}))
    assert observation_refusals(BC02, observed) == []


def test_bc03_observation_shorter_than_an_hour_and_a_half_is_refused_saying_why():
    observed = Observed({}, observation_minutes=80, questioning_throughout=True)
    assert observation_refusals(BC03, observed) == ["Observation : 1 h 20 observée, il faut au moins 1 h 30."]


def test_bc03_needs_questioning_throughout_the_observation():
    assert observation_refusals(BC03, Observed({}, observation_minutes=90, questioning_throughout=True)) == []
    assert observation_refusals(BC03, Observed({}, observation_minutes=90)) == [
        "Questionnement : il doit se dérouler tout au long de l'observation."
    ]


def test_durations_read_as_a_french_civil_servant_writes_them():
    assert [duration(m) for m in (0, 1, 15, 60, 80, 90, 125)] == [
        "0 minute",
        "1 minute",
        "15 minutes",
        "1 h",
        "1 h 20",
        "1 h 30",
        "2 h 05",
    ]


def test_an_attestation_counts_only_once_the_tutor_and_the_manager_have_both_signed():
    assert not attestation_counts(tutor_signed=True, manager_signed=False, withdrawn=False)
    assert not attestation_counts(tutor_signed=False, manager_signed=True, withdrawn=False)
    assert attestation_counts(tutor_signed=True, manager_signed=True, withdrawn=False)
    assert not attestation_counts(tutor_signed=True, manager_signed=True, withdrawn=True)


def test_an_attestation_says_in_words_whose_signature_it_awaits():
    assert attestation_status(True, False, False) == "En attente de la signature du manager"
    assert attestation_status(False, True, False) == "En attente de la signature du tuteur"
    assert attestation_status(True, True, False) == "Signée par le tuteur et le manager"
    assert attestation_status(True, True, True) == "Retirée : elle ne compte plus"


def test_a_partly_scored_competence_is_left_out_of_the_record_so_that_it_stays_pending():
    competences = [
        AssessedCompetence("RNCP35729BC01", 1, (1, 2, 3)),
        AssessedCompetence("RNCP35729BC01", 2, (4, 5)),
        AssessedCompetence("RNCP35729BC01", 3, ()),
    ]
    record = decision_record("42", competences, {1: True, 2: False, 3: True, 4: True}, ["RNCP35729BC02"])
    assert record == {
        "candidate": "42",
        "criteria": {"RNCP35729BC01": {"1": [True, False, True]}},
        "capitalised": ["RNCP35729BC02"],
    }


def test_a_decision_different_from_the_proposal_needs_a_reason():
    assert override_refusal("validated", "validated", "") is None
    assert override_refusal("incomplete", "not_validated", "Candidat absent à l'épreuve.") is None
    assert override_refusal("validated", "not_validated", "  ") == (
        "Votre décision diffère de la proposition du moteur de décision (« Validé ») : indiquez le motif."
    )
