"""D62: the CDC's processing receipt (accusé de traitement) loaded back: checked whole first, then all
or nothing; unknown identifiers named by their line, malicious XML refused, the command's exit codes."""

from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from certifier.certificates import cpf
from certifier.certificates.models import CpfPassage, CpfReceipt, PassageState
from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent, DomainError, NotAllowed
from tests.certificates import test_cpf as flux_tests

pytestmark = pytest.mark.django_db

# the flux tests' fixtures: a released session with three CQP holders, the real schema
admin, holders, schema, sitting = flux_tests.admin, flux_tests.holders, flux_tests.schema, flux_tests.sitting
certify = flux_tests.certify

MESSAGE = "Aucun titulaire ne correspond aux critères obligatoires"


def receipt(ok=(), ko=(), flat=True, id_flux="") -> bytes:
    """A receipt shaped as the CDC's: accepted ids directly under PassagesOK (or in `passage`)."""
    accepted = "".join(
        f"\n    <idTechnique>{n}</idTechnique>"
        if flat
        else f"\n    <passage><idTechnique>{n}</idTechnique></passage>"
        for n in ok
    )
    rejected = "".join(
        f"\n    <passage><idTechnique>{n}</idTechnique><messageErreur>{m}</messageErreur></passage>"
        for n, m in ko
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<ns2:rapport xmlns:ns2="urn:cdc:cpf:pc5:rapport:schema">\n'
        f"  <nomFichier>flux.xml</nomFichier>\n  <idFlux>{id_flux}</idFlux>\n"
        f"  <PassagesKO>{rejected}\n  </PassagesKO>\n  <PassagesOK>{accepted}\n  </PassagesOK>\n</ns2:rapport>\n"
    ).encode()


def upload(content: bytes, name="accuse.xml") -> ContentFile:
    return ContentFile(content, name=name)


@pytest.fixture
def sent(admin, holders):
    cpf.write_flux(admin)
    return holders


def states() -> dict[str, tuple[str, str]]:
    return {p.id_technique: (p.state, p.message) for p in CpfPassage.objects.all()}


@pytest.mark.parametrize("flat", [True, False])
def test_a_receipt_accepts_and_rejects_with_the_cdc_message(admin, sent, flat):
    first, second, third = (c.number for c in sent)
    loaded = cpf.load_receipt(admin, upload(receipt(ok=[first, third], ko=[(second, MESSAGE)], flat=flat)))
    assert (loaded.accepted, loaded.rejected, loaded.file_name) == (2, 1, "accuse.xml")
    assert states() == {
        first: (PassageState.ACCEPTED, ""),
        second: (PassageState.REJECTED, MESSAGE),
        third: (PassageState.ACCEPTED, ""),
    }
    (event,) = AuditEvent.objects.filter(action=AuditAction.CPF_RECEIPT_LOADED)
    assert event.after == {"file": "accuse.xml", "accepted": 2, "rejected": 1}


def test_a_rejected_passage_goes_into_the_next_flux_once_corrected_an_accepted_one_never(admin, sent):
    first, second, third = (c.number for c in sent)
    cpf.load_receipt(admin, upload(receipt(ok=[first, third], ko=[(second, MESSAGE)])))
    with pytest.raises(DomainError):  # nothing to declare until the correction is said
        cpf.write_flux(admin)
    cpf.do_correct(admin, second)
    (flux,) = cpf.write_flux(admin)
    assert flux.passages == 1
    assert CpfPassage.objects.get(id_technique=second).state == PassageState.SENT


def test_an_older_receipt_does_not_undo_a_later_sending(admin, holders):
    (first,) = cpf.write_flux(admin)
    id_flux = cpf.flux_name(first).removesuffix(".xml")
    answer = receipt(ok=[holders[0].number], ko=[(holders[1].number, MESSAGE)], id_flux=id_flux)
    cpf.load_receipt(admin, upload(answer))
    cpf.do_correct(admin, holders[1].number)
    cpf.write_flux(admin)  # the rejected passage, corrected, sent again
    with pytest.raises(cpf.ReceiptRefused) as refused:
        cpf.load_receipt(admin, upload(answer))
    assert refused.value.errors == [
        f"Ligne 6 : le passage « {holders[1].number} » a été envoyé depuis dans un flux plus récent : cet "
        f"accusé de traitement (flux {id_flux}) ne vaut plus pour lui."
    ]
    assert CpfPassage.objects.get(certificate=holders[1]).state == PassageState.SENT


def test_unknown_identifiers_are_refused_by_line_and_nothing_is_written(admin, sent, sitting):
    never_sent = certify(sitting, admin)
    cpf.open_passages()
    before = states()
    content = receipt(ok=[sent[0].number, "CQP-2099-999999"], ko=[(never_sent.number, MESSAGE)])
    with pytest.raises(cpf.ReceiptRefused, match="2 erreurs") as refused:
        cpf.load_receipt(admin, upload(content))
    assert refused.value.errors == [
        f"Ligne 6 : identifiant technique « {never_sent.number} » inconnu : aucun passage déclaré au CPF ne "
        "porte cet identifiant.",
        "Ligne 10 : identifiant technique « CQP-2099-999999 » inconnu : aucun passage déclaré au CPF ne porte "
        "cet identifiant.",
    ]
    assert states() == before
    assert not CpfReceipt.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CPF_RECEIPT_LOADED).exists()


def test_an_identifier_twice_is_refused(admin, sent):
    number = sent[0].number
    with pytest.raises(cpf.ReceiptRefused) as refused:
        cpf.load_receipt(admin, upload(receipt(ok=[number], ko=[(number, MESSAGE)])))
    assert refused.value.errors == [f"Ligne 9 : l'identifiant technique « {number} » figure déjà ligne 6."]
    assert not CpfReceipt.objects.exists()


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rapport [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rapport><PassagesKO><passage><idTechnique>&secret;</idTechnique><messageErreur>x</messageErreur></passage></PassagesKO></rapport>
"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rapport [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rapport><PassagesOK><idTechnique>&lol9;</idTechnique></PassagesOK></rapport>
"""


@pytest.mark.parametrize("content", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_malicious_receipts_are_refused(admin, sent, content):
    before = states()
    with pytest.raises(cpf.ReceiptRefused, match="DOCTYPE"):
        cpf.load_receipt(admin, upload(content))
    assert states() == before
    assert not CpfReceipt.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"<rapport><PassagesOK><idTechnique>x</idTechnique>",
            r"Fichier XML invalide ou tronqué \(ligne 1\)",
        ),
        (b"<flux><idFlux>x</idFlux></flux>", "n'est pas un accusé de traitement"),
        (b"<rapport><PassagesOK><passage><idTechnique/></passage></PassagesOK></rapport>", "1 erreur"),
    ],
    ids=["truncated", "not-a-receipt", "empty-identifier"],
)
def test_malformed_receipts_are_refused_in_french(admin, sent, content, message):
    with pytest.raises(cpf.ReceiptRefused, match=message):
        cpf.load_receipt(admin, upload(content))
    assert not CpfReceipt.objects.exists()


def test_an_oversized_receipt_is_refused_before_it_is_read(admin, sent, monkeypatch):
    monkeypatch.setattr(cpf, "RECEIPT_MAX_BYTES", 100)
    with pytest.raises(cpf.ReceiptRefused, match="dépasse"):
        cpf.load_receipt(admin, upload(receipt(ok=[sent[0].number])))


@pytest.mark.parametrize("persona", ["cpnefp", "crfp_staff", "national_jury", "candidate", "outsider"])
def test_only_the_national_administrator_loads_a_receipt(users, sent, persona):
    with pytest.raises(NotAllowed):
        cpf.load_receipt(users[persona], upload(receipt(ok=[sent[0].number])))


def test_a_receipt_of_many_passages_is_applied_in_a_bounded_number_of_queries(
    admin,
    sent,
    sitting,
    django_assert_max_num_queries,
):
    more = [certify(sitting, admin) for _ in range(20)]
    cpf.write_flux(admin)
    numbers = [c.number for c in sent + more]
    content = receipt(ok=numbers[:15], ko=[(n, MESSAGE) for n in numbers[15:]])
    with django_assert_max_num_queries(12):
        cpf.load_receipt(admin, upload(content))
    assert CpfPassage.objects.filter(state=PassageState.REJECTED).count() == 8


# --- the command ---------------------------------------------------------------------------------


def test_import_cpf_receipt_loads_the_file(admin, sent, tmp_path):
    path = tmp_path / "accuse.xml"
    path.write_bytes(receipt(ok=[sent[0].number], ko=[(sent[1].number, MESSAGE)]))
    out = StringIO()
    call_command("import_cpf_receipt", str(path), "--user", admin.email, stdout=out)
    assert "1 passage accepté, 1 passage rejeté" in out.getvalue()
    assert CpfPassage.objects.get(id_technique=sent[1].number).message == MESSAGE


def test_import_cpf_receipt_fails_with_its_errors_and_writes_nothing(admin, sent, tmp_path):
    path = tmp_path / "accuse.xml"
    path.write_bytes(receipt(ok=[sent[0].number, "inconnu"]))
    before = states()
    with pytest.raises(CommandError) as failed:
        call_command("import_cpf_receipt", str(path), "--user", admin.email)
    assert failed.value.returncode == 1
    assert str(failed.value).splitlines() == [
        "Accusé de traitement refusé : 1 erreur. Aucun passage n'a été mis à jour.",
        "Ligne 9 : identifiant technique « inconnu » inconnu : aucun passage déclaré au CPF ne porte cet "
        "identifiant.",
    ]
    assert states() == before
    assert not CpfReceipt.objects.exists()


def test_import_cpf_receipt_says_when_the_file_cannot_be_read(admin, tmp_path):
    with pytest.raises(CommandError, match="Impossible de lire le fichier"):
        call_command("import_cpf_receipt", str(tmp_path / "absent.xml"), "--user", admin.email)


def test_import_cpf_receipt_needs_a_national_administrator(users, tmp_path):
    path = tmp_path / "accuse.xml"
    path.write_bytes(receipt(ok=["x"]))
    with pytest.raises(CommandError, match="administrateur national"):
        call_command("import_cpf_receipt", str(path), "--user", users["employer_hr"].email)
