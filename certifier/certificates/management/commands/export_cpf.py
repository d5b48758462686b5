import shutil
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from certifier.certificates import cpf
from certifier.certificates.models import CpfFlux
from certifier.core import jobs
from certifier.core.enums import JobKind, JobStatus
from certifier.core.models import DomainError, Job
from certifier.core.text import thousands


class Command(BaseCommand):
    help = (
        "Produit le flux XML de déclaration des titulaires de CQP au CPF (Caisse des Dépôts), validé par "
        "le schéma de la Caisse des Dépôts, en fichiers d'au plus CPF_PASSAGES_PER_FILE passages ; les "
        "passages sont ensuite « envoyés ». Rien n'est conservé si un fichier n'est pas valide."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--user",
            help="adresse électronique de l'administrateur national au nom duquel le flux est produit "
            "(il figure au journal)",
        )
        parser.add_argument(
            "--output",
            type=Path,
            help="copier le flux dans ce fichier (plusieurs fichiers : suffixes -001, -002…)",
        )

    def handle(self, *args: Any, user: str | None, output: Path | None, **options: Any) -> None:
        try:
            actor = cpf.declaring_administrator(user)
        except DomainError as refused:
            raise CommandError(str(refused)) from None
        written: list[CpfFlux] = []

        def work(job: Job, progress: jobs.Progress) -> jobs.Outcome:
            def report(done: int, total: int | None) -> None:
                progress(done, total)
                if done:
                    self.stderr.write(f"{thousands(done)} passages écrits sur {thousands(total or 0)}…")

            try:
                written.extend(cpf.write_flux(actor, report))
            except DomainError as refused:
                return jobs.Outcome(str(refused), failed=True)
            return cpf.outcome_of(written)

        job = jobs.run_now(JobKind.CPF_FLUX, actor, "export_cpf", work)
        if job.status == JobStatus.FAILED:
            raise CommandError(job.outcome)
        self.stdout.write(job.outcome)
        for flux, target in zip(written, self._targets(output, len(written)), strict=True):
            if target is None:
                self.stdout.write(f"{cpf.flux_name(flux)} : {thousands(flux.passages)} passages")
                continue
            with flux.file.open("rb") as stored, target.open("wb") as copy:
                shutil.copyfileobj(stored, copy)
            self.stdout.write(f"{target} : {thousands(flux.passages)} passages")

    def _targets(self, output: Path | None, number: int) -> list[Path | None]:
        if output is None:
            return [None] * number
        if number == 1:
            return [output]
        return [
            output.with_name(f"{output.stem}-{index:03d}{output.suffix}") for index in range(1, number + 1)
        ]
