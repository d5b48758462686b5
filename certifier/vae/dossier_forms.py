"""The dossier's forms: they parse the input; the services in `dossier.py` decide."""

from django import forms

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
        help_text="Un PDF ou une image PNG ou JPEG, de 10 Mo au plus.",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )


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
