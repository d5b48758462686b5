from django import forms


class CriterionForm(forms.Form):
    text = forms.CharField(
        label="Énoncé du critère",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Saisissez l'énoncé du critère."},
    )
