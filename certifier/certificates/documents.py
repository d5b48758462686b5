"""D60: the certificate as a PDF, drawn from its frozen content only (never from the candidate or the
referential), on one A4 landscape page worthy of a frame: the kind and the certification's title, the
holder, the block (CCP) or the blocks (CQP), the RNCP code, the jury's date and its president, the
number, a QR code to the public verification page and the verification code printed under it; then
signed PAdES by the certifier (`certifier.juries.signing`)."""

import io
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

import segno
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from certifier.core.pdf import CERTIFIER, PLATFORM
from certifier.juries.signing import sign_pdf

from .models import CertificateKind, jury_name

WIDTH, HEIGHT = landscape(A4)
NAVY = colors.HexColor("#1f2f57")
GOLD = colors.HexColor("#b08d3c")
INK = colors.HexColor("#222222")
GREY = colors.HexColor("#5b5b5b")
NBSP = "\u00a0"
FOOT_TOP = 150  # points from the bottom: where the signature block starts
MIN_SCALE = 0.5
# room for the certifier's signature container (certificate, chain, ECDSA or RSA signature): 2 to 6 KiB
SIGNATURE_BYTES = 12 * 1024
QR_SIZE = 78  # points: about 2.75 cm, read by any phone
ISSUER = "Ucanss et CPNEFP du régime général de sécurité sociale"


def _style(name: str, font: str, size: float, color: Any = INK, align: int = TA_CENTER) -> ParagraphStyle:
    return ParagraphStyle(
        name, fontName=font, fontSize=size, leading=size * 1.25, textColor=color, alignment=align
    )


def _french(text: str) -> str:
    """French typography: a non-breaking space before « : ; ? ! » and inside « »."""
    for mark in (":", ";", "?", "!", "»"):
        text = text.replace(f" {mark}", f"{NBSP}{mark}")
    return text.replace("« ", f"«{NBSP}")


def _centred(canvas: Canvas, text: str, style: ParagraphStyle, top: float, width: float) -> float:
    """`text` wrapped and centred on the page from `top` down; returns the bottom of what it drew."""
    paragraph = Paragraph(escape(_french(text)), style)
    height = float(paragraph.wrap(width, HEIGHT)[1])
    paragraph.drawOn(canvas, (WIDTH - width) / 2, top - height)
    return top - height


def _frame(canvas: Canvas) -> None:
    canvas.setFillColor(colors.HexColor("#fbf8f1"))
    canvas.rect(0, 0, WIDTH, HEIGHT, stroke=0, fill=1)
    canvas.setStrokeColor(NAVY)
    canvas.setLineWidth(4)
    canvas.rect(20, 20, WIDTH - 40, HEIGHT - 40)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(1)
    canvas.rect(29, 29, WIDTH - 58, HEIGHT - 58)
    canvas.setLineWidth(0.5)
    canvas.rect(33, 33, WIDTH - 66, HEIGHT - 66)
    canvas.setFillColor(GOLD)
    for x, y in ((29, 29), (WIDTH - 29, 29), (29, HEIGHT - 29), (WIDTH - 29, HEIGHT - 29)):
        canvas.saveState()
        canvas.translate(x, y)
        canvas.rotate(45)
        canvas.rect(-5, -5, 10, 10, stroke=0, fill=1)
        canvas.restoreState()


def _rule(canvas: Canvas, y: float, half: float) -> None:
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.8)
    canvas.line(WIDTH / 2 - half, y, WIDTH / 2 + half, y)
    canvas.setFillColor(GOLD)
    canvas.circle(WIDTH / 2, y, 2.2, stroke=0, fill=1)


Matrix = list[list[bool]]


def qr_matrix(url: str) -> Matrix:
    """The QR code of `url` as rows of dark (True) and light modules: it depends on the verification
    code only, so it is computed before the certificate's number is taken (outside the number's lock)."""
    return [[bool(module) for module in row] for row in segno.make_qr(url, error="m").matrix]


def _qr(canvas: Canvas, matrix: Matrix, x: float, y: float) -> None:
    """The QR code drawn as vector squares (runs of dark modules merged), bottom-left at x, y."""
    module = QR_SIZE / len(matrix)
    canvas.setFillColor(colors.white)
    canvas.rect(x - 2 * module, y - 2 * module, QR_SIZE + 4 * module, QR_SIZE + 4 * module, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    path = canvas.beginPath()
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            path.rect(x + start * module, y + QR_SIZE - (r + 1) * module, (c - start) * module, module)
    canvas.drawPath(path, stroke=0, fill=1)


@dataclass(frozen=True)
class Line:
    """A centred paragraph of the certificate's body, `gap` points below the one above."""

    text: str
    font: str
    size: float
    gap: float
    color: Any = INK
    width: float = WIDTH - 160


def _lines(content: dict[str, Any]) -> list[Line]:
    """From « délivré à » to the jury's date."""
    lines = [
        Line("délivré à", "Times-Italic", 15, 0, GREY),
        Line(content["holder"]["name"], "Times-Bold", 28, 8),
    ]
    if content["kind"] == CertificateKind.CCP:
        block = content["block"]
        lines += [
            Line("pour la validation du bloc de compétences", "Times-Roman", 12.5, 24),
            Line(f"{block['code']} — {block['title']}", "Times-Bold", 13.5, 4, NAVY, WIDTH - 240),
        ]
    elif content["blocks"]:
        lines.append(
            Line(
                "ayant validé l'ensemble des blocs de compétences de la certification :",
                "Times-Roman",
                12.5,
                22,
            )
        )
        lines += [
            Line(f"{block['code']} — {block['title']}", "Times-Roman", 10.5, 2, NAVY, WIDTH - 280)
            for block in content["blocks"]
        ]
    lines.append(
        Line(f"par décision du {jury_name(content)} du {content['jury_date_text']}", "Times-Roman", 12.5, 22)
    )
    return lines


def _paragraph(line: Line, scale: float) -> tuple[Paragraph, float]:
    style = _style("body", line.font, line.size * scale, line.color)
    paragraph = Paragraph(escape(_french(line.text)), style)
    return paragraph, float(paragraph.wrap(line.width, HEIGHT)[1])


def _body(canvas: Canvas, lines: list[Line], top: float) -> None:
    """The body's lines from `top` down, made smaller until they end above the foot (a long name or a
    long block title never runs over the signature)."""
    scale = 1.0
    while scale > MIN_SCALE:
        height = sum(line.gap * scale + _paragraph(line, scale)[1] for line in lines)
        if top - height >= FOOT_TOP:
            break
        scale -= 0.05
    for line in lines:
        paragraph, height = _paragraph(line, scale)
        top -= line.gap * scale + height
        paragraph.drawOn(canvas, (WIDTH - line.width) / 2, top)


def draw_certificate(content: dict[str, Any], qr: Matrix | None = None) -> bytes:
    """The certificate of `content` (a Certificate's frozen content) as an unsigned PDF; `qr`, the QR
    code of its verification link when computed already."""
    output = io.BytesIO()
    kind = content["kind"]
    title = CertificateKind(kind).label.split(" (")[0]
    canvas = Canvas(output, pagesize=(WIDTH, HEIGHT), lang="fr", pageCompression=1)
    canvas.setTitle(f"{title} n° {content['number']} — {content['holder']['name']}")
    canvas.setAuthor(CERTIFIER.removeprefix("Certificateur : "))
    canvas.setCreator(PLATFORM)
    canvas.setSubject(content["certification"]["title"])
    _frame(canvas)
    inner = WIDTH - 160

    top = _centred(canvas, ISSUER.upper(), _style("issuer", "Helvetica", 9, GREY), HEIGHT - 58, inner)
    top = _centred(canvas, title, _style("kind", "Times-Bold", 30, NAVY), top - 14, inner)
    certification = content["certification"]
    top = _centred(
        canvas, f"« {certification['title']} »", _style("title", "Times-BoldItalic", 21, NAVY), top - 8, inner
    )
    top = _centred(
        canvas,
        "Certification enregistrée au Répertoire national des certifications professionnelles sous le "
        f"n° {certification['rncp_code']} — {certification['version_label']}",
        _style("rncp", "Helvetica", 9, GREY),
        top - 4,
        inner,
    )
    _rule(canvas, top - 18, 120)
    _body(canvas, _lines(content), top - 34)

    # the foot: number and date (left), the president (centre), the QR code and its code (right)
    left = _style("left", "Helvetica", 9, INK, TA_LEFT)
    foot = 52
    for line, font in (
        (f"Certificat n° {content['number']}", "Helvetica-Bold"),
        (f"Délivré le {content['issued_on_text']}", "Helvetica"),
        (f"Code de vérification : {content['verification_code']}", "Helvetica"),
    ):
        left.fontName = font
        paragraph = Paragraph(escape(_french(line)), left)
        paragraph.wrap(220, 40)
        paragraph.drawOn(canvas, 60, foot + 28)
        foot -= 13
    president = content["president"]
    centre = _style("centre", "Times-Roman", 11)
    lines = [f"Pour le {jury_name(content)},", president["name"], president["capacity"]]
    y = 128.0
    for line in lines:
        if line:
            y = _centred(canvas, line, centre, y, 300) - 1
    _centred(
        canvas,
        "Signé électroniquement par le certificateur (signature PAdES)",
        _style("signed", "Helvetica-Oblique", 7.5, GREY),
        y - 4,
        300,
    )
    qr_x, qr_y = WIDTH - 60 - QR_SIZE, 62
    _qr(canvas, qr or qr_matrix(content["verification_url"]), qr_x, qr_y)
    under = _style("under", "Helvetica", 7, GREY)
    caption = Paragraph(escape(_french("Vérifier ce certificat :")), under)
    caption.wrap(QR_SIZE + 60, 20)
    caption.drawOn(canvas, qr_x - 30, qr_y - 12)
    code = Paragraph(escape(content["verification_code"]), _style("code", "Courier-Bold", 8, INK))
    code.wrap(QR_SIZE + 60, 20)
    code.drawOn(canvas, qr_x - 30, qr_y - 23)
    canvas.showPage()
    canvas.save()
    return output.getvalue()


def render_certificate(content: dict[str, Any], qr: Matrix | None = None) -> bytes:
    """The certificate of `content`, signed PAdES by the certifier (SigningUnavailable without its key)."""
    return sign_pdf(
        draw_certificate(content, qr),
        reason=f"{CertificateKind(content['kind']).label.split(' (')[0]} n° {content['number']}",
        location=content["jury_place"],
        bytes_reserved=SIGNATURE_BYTES,
    )
