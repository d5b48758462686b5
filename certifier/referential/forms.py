from typing import Any

from django import forms

MAX_REGISTRY_BYTES = 2 * 1024**3


class CriterionForm(forms.Form):
    text = forms.CharField(
        label="Énoncé du critère",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Saisissez l'énoncé du critère."},
    )


class RegistryUploadForm(forms.Form):
    file = forms.FileField(
        label="Export du registre (.xml ou .zip)",
        help_text="Le fichier publié par France compétences (XML v4.1 ou antérieur, ou l'archive ZIP qui le contient), 2 Go au plus.",
        error_messages={"required": "Choisissez le fichier à importer."},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xml", ".zip")):
            raise forms.ValidationError(
                "Le fichier doit être un export XML (.xml) ou une archive ZIP (.zip)."
            )
        if upload.size > MAX_REGISTRY_BYTES:
            raise forms.ValidationError("Le fichier dépasse 2 Go : ce n'est pas un export du registre.")
        return upload
