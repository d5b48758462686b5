"""Rule sets by id (shipped with the code) or by path (a draft YAML or JSON file), checked and compiled."""

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from certifier.decisions.schema import RuleSetError, check_document
from certifier.decisions.schemes import BlockScheme, Decision, MarkScheme

SHIPPED = Path(__file__).parent / "rulesets"
SCHEMES: dict[str, type[BlockScheme] | type[MarkScheme]] = {"blocks": BlockScheme, "marks": MarkScheme}
SCHEME_NAMES = {"blocks": "blocs de compétences", "marks": "notes et coefficients"}


class UnknownRuleSet(LookupError):
    """Neither a shipped rule set id nor a readable file; the message is in French."""


@dataclass(frozen=True)
class RuleSet:
    id: str
    version: int
    title: str
    scheme: str
    hash: str
    document: dict[str, Any]
    decider: BlockScheme | MarkScheme

    @property
    def stamp(self) -> dict[str, Any]:
        return {"id": self.id, "version": self.version, "hash": self.hash}

    def decide(self, record: Any) -> Decision:
        """Decides one input record (a parsed JSON object); raises RecordError when it is invalid."""
        return self.decider.decide(record)

    def encode(self, output: dict[str, Any]) -> str:
        """The JSON text of the output of `decide`."""
        return self.decider.encode(output)


def shipped_ids() -> list[str]:
    return sorted(path.stem for path in SHIPPED.glob("*.yaml"))


def load(reference: str) -> RuleSet:
    """A shipped rule set by id, or else the rule set in the file at path `reference`."""
    path = SHIPPED / f"{reference}.yaml" if reference in shipped_ids() else Path(reference)
    if not path.is_file():
        shipped = ", ".join(shipped_ids())
        raise UnknownRuleSet(
            f"Jeu de règles introuvable « {reference} » : ni un identifiant livré ({shipped}),"
            " ni un fichier YAML ou JSON existant"
        )
    return from_document(read_document(path))


@functools.lru_cache(maxsize=8)
def compiled(reference: str) -> RuleSet:
    """`load` once per process: shipped rule sets do not change while it runs."""
    return load(reference)


def read_document(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix == ".json":
            return json.loads(text)
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    except (ValueError, yaml.YAMLError) as error:
        raise RuleSetError("", f"le fichier {path.name} est illisible ({error})") from error


def from_document(doc: Any) -> RuleSet:
    """Checks a rule set document against the schema and compiles it."""
    check_document(doc)
    canonical = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
    stamp = {"id": doc["id"], "version": doc["version"], "hash": digest}
    decider = SCHEMES[doc["scheme"]](doc, stamp)
    return RuleSet(doc["id"], doc["version"], doc["title"], doc["scheme"], digest, doc, decider)
