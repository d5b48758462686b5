"""`decide`: JSON lines of candidate records on stdin, one JSON decision per line on stdout."""

import os
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from certifier.decisions.registry import SCHEME_NAMES, RuleSet, UnknownRuleSet, load, shipped_ids
from certifier.decisions.schema import RuleSetError
from certifier.decisions.stream import LineDecider, run


class Command(BaseCommand):
    help = (
        "Décide la certification de chaque candidat lu sur l'entrée standard (un objet JSON par ligne) "
        "et écrit une décision expliquée par ligne sur la sortie standard, dans le même ordre."
    )
    requires_system_checks: list[str] = []
    stealth_options = ("stdin",)

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--rules", metavar="ID", help="identifiant d'un jeu de règles livré, ou chemin d'un fichier"
        )
        parser.add_argument(
            "--compare",
            metavar="OTHER_ID",
            help="autre jeu de règles : n'écrit que les candidats dont le statut diffère entre les deux",
        )
        parser.add_argument("--list-rules", action="store_true", help="liste les jeux de règles livrés")
        parser.add_argument("--trace", action="store_true", help="ajoute la trace de chaque règle évaluée")
        parser.add_argument(
            "--jobs",
            type=int,
            default=len(os.sched_getaffinity(0)),
            help="nombre de processus de décision (par défaut : nombre de cœurs)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list_rules"]:
            for reference in shipped_ids():
                rules = self._load(reference)
                scheme = SCHEME_NAMES[rules.scheme]
                self.stdout.write(
                    f"{rules.id}\tversion {rules.version}\t{scheme}\t{rules.title}\t{rules.hash}"
                )
            return
        if not options["rules"]:
            raise CommandError("Précisez --rules ID (voir --list-rules).")
        rules = self._load(options["rules"])
        compare = self._load(options["compare"]) if options["compare"] else None
        if compare is not None and compare.scheme != rules.scheme:
            raise CommandError(
                "Les deux jeux de règles comparés doivent porter sur le même type de dossiers."
            )
        stdin = options.get("stdin") or sys.stdin
        decider = LineDecider(rules, compare, options["trace"])
        refused = run(getattr(stdin, "buffer", stdin), decider, options["jobs"], self._write)
        self.stdout.flush()
        if refused:
            raise CommandError(
                f"{refused} {'ligne refusée' if refused <= 1 else 'lignes refusées'} : voir le champ « error » des lignes concernées.",
                returncode=1,
            )

    def _write(self, text: bytes | str) -> None:
        buffer = getattr(self.stdout, "buffer", None)
        if isinstance(text, bytes) and buffer is not None:
            buffer.write(text)
        else:
            self.stdout.write(text.decode() if isinstance(text, bytes) else text, ending="")

    @staticmethod
    def _load(reference: str) -> RuleSet:
        try:
            return load(reference)
        except (RuleSetError, UnknownRuleSet) as error:
            raise CommandError(str(error)) from error
