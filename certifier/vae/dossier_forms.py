"""The dossier's forms: they parse the input; the services in `dossier.py` decide."""

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from .dossier import COMMENT_MAX, ENTRY_MAX


class EntryForm(forms.Form):
    text = forms.CharField(
        label="Votre expérience pour cette compétence",
        max_length=ENTRY_MAX,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Décrivez des situations réelles de votre travail : le contexte, ce que vous avez fait, "
        "avec qui, et le résultat.",
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="Pièce jointe",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = filesizeformat(settings.VAE_ATTACHMENT_MAX_BYTES)
        self.fields["file"].help_text = f"Un PDF ou une image PNG ou JPEG, de {limit} au plus."


class CommentForm(forms.Form):
    text = forms.CharField(
        label="Commentaire", max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )


class AccompanierForm(forms.Form):
    email = forms.EmailField(
        label="Adresse électronique de l'accompagnateur",
        required=False,
        help_text="L'accompagnateur a déjà un compte sur la plateforme. Laissez vide pour le retirer.",
    )


class SubmitForm(forms.Form):
    confirm = forms.BooleanField(
        label="Je dépose mon dossier : je sais qu'il ne pourra plus être modifié.",
    )
