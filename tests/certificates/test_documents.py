"""D60: the certificate's PDF prints its frozen content (holder, certification and RNCP code, block or
blocks, jury date, president, number, verification code) on one A4 page, signed PAdES by the certifier:
the signature validates with pyHanko's own validator, and one altered byte breaks it."""

from io import BytesIO

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from certifier.certificates.documents import draw_certificate
from certifier.juries.signing import trust_root
from tests.exams.test_documents import pdf_text

pytestmark = pytest.mark.django_db


def validate(content: bytes):
    signature = PdfFileReader(BytesIO(content)).embedded_signatures[0]
    return validate_pdf_signature(signature, ValidationContext(trust_roots=[trust_root()]))


def pdf_of(certificate) -> bytes:
    with certificate.pdf.open("rb") as stored:
        return stored.read()


def test_the_signature_is_intact_valid_and_trusted(issued):
    for certificate in issued:
        status = validate(pdf_of(certificate))
        assert status.intact and status.valid and status.trusted


def test_one_altered_byte_breaks_the_signature(issued):
    content = bytearray(pdf_of(issued[0]))
    middle = content.index(b"stream") + 200  # inside the page's drawing, covered by the signature
    content[middle] ^= 0x01
    try:
        status = validate(bytes(content))
    except Exception:  # pyHanko may refuse to read the damaged file at all: as broken
        return
    assert not (status.intact and status.valid)


def test_the_cqp_prints_holder_certification_blocks_jury_number_and_verification_code(issued):
    cqp = next(certificate for certificate in issued if certificate.kind == "cqp")
    text = pdf_text(pdf_of(cqp))
    content = cqp.content
    for printed in (
        "Certificat de qualification professionnelle",
        content["certification"]["title"],
        "RNCP35729",
        content["holder"]["name"],
        "RNCP35729BC01",
        "RNCP35729BC03",
        f"jury national paritaire du {content['jury_date_text']}",
        content["president"]["name"],
        content["number"],
        content["verification_code"],
    ):
        assert printed in text, printed


def test_a_ccp_prints_its_block_and_no_other(issued):
    ccp = next(c for c in issued if c.kind == "ccp" and c.block_code == "RNCP35729BC02")
    text = pdf_text(pdf_of(ccp))
    assert "Certificat de compétences professionnelles" in text
    assert f"RNCP35729BC02 — {ccp.content['block']['title']}" in text
    assert "RNCP35729BC01" not in text and "RNCP35729BC03" not in text
    assert ccp.content["holder"]["name"] in text and ccp.number in text


def test_long_names_and_titles_wrap_on_one_page(issued):
    content = next(c for c in issued if c.kind == "ccp").content
    long = {
        **content,
        "holder": {
            **content["holder"],
            "name": "Marie-Françoise Anne-Sophie Éléonore DE LA ROCHEFOUCAULD-MONTMORENCY",
        },
        "block": {"code": "RNCP35729BC01", "title": "Gestion " * 60},
    }
    pdf = draw_certificate(long)
    assert PdfFileReader(BytesIO(pdf)).root["/Pages"]["/Count"] == 1
    assert "ROCHEFOUCAULD-MONTMORENCY" in pdf_text(pdf)
