from django import forms

from .models import Organisation


class OrganisationForm(forms.ModelForm[Organisation]):
    class Meta:
        model = Organisation
        fields = ["name", "siret", "branch", "region", "city", "staff_size"]
