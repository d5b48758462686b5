"""The juries of a session: for now, the local jury's opinion on each candidate (D51, 2013 scheme)."""

from typing import Any

from django.conf import settings
from django.db import models

from certifier.exams.models import Registration


class LocalOpinion(models.Model):
    """D19, D51: the local jury's opinion of attribution or non-attribution of the CQP for one
    registration; a non-attribution is argued for the national jury. Changed only through
    `services.do_give_opinion`, every change audited."""

    registration = models.OneToOneField(
        Registration, verbose_name="inscription", on_delete=models.PROTECT, related_name="local_opinion"
    )
    favourable = models.BooleanField("avis favorable à l'attribution")
    argument = models.TextField("avis argumenté", blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="donné par", on_delete=models.PROTECT, related_name="+"
    )
    given_at = models.DateTimeField("donné le")

    class Meta:
        verbose_name = "avis du jury local"
        verbose_name_plural = "avis du jury local"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(favourable=True) | ~models.Q(argument=""),
                name="local_opinion_unfavourable_argued",
                violation_error_message="Un avis de non-attribution est argumenté pour le jury national.",
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return "Avis favorable" if self.favourable else "Avis défavorable"

    def snapshot(self) -> dict[str, Any]:
        return {"favourable": self.favourable, "argument": self.argument}
