"""The JSON Schema of rule sets, and its errors told in French, naming the faulty node."""

from collections.abc import Sequence
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

NODE_TITLE = "nœud"
NODE_TYPES = ("all", "any", "not", "at_least", "requires", "none", "compare", "compensate", "outcome")


class RuleSetError(ValueError):
    """A rule set refused; the message is in French and names each faulty node."""

    def __init__(self, path: str, problem: str, *more: tuple[str, str]) -> None:
        super().__init__("\n".join(_line(where, what) for where, what in ((path, problem), *more)))


def _line(path: str, problem: str) -> str:
    if not path:
        return f"Jeu de règles invalide : {problem}"
    return f"Jeu de règles invalide : nœud {path} : {problem}"


def _text(description: str) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "description": description}


FACT_NAME = {
    "type": "string",
    "pattern": "^[a-z][a-z0-9_]*$",
    "description": "un nom de fait (lettres minuscules, chiffres et « _ »)",
}
FACT_NAMES = {"type": "array", "minItems": 1, "items": FACT_NAME, "description": "une liste de noms de faits"}
DECIMAL = {
    "type": ["integer", "string"],
    "minimum": 0,
    "pattern": r"^[0-9]+(\.[0-9]+)?$",
    "description": "un nombre positif, entier ou décimal écrit entre guillemets (par exemple « 9.5 »)",
}
NODES = {
    "type": "array",
    "minItems": 1,
    "items": {"$ref": "#/$defs/node"},
    "description": "une liste de nœuds",
}
BRANCH = {
    "if": {"type": "string"},
    "then": {"enum": ["pass", "fail"], "description": "« pass », « fail » ou un nœud"},
    "else": {"$ref": "#/$defs/node"},
}


def _params(required: Sequence[str], **properties: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(required),
        "properties": properties,
        "description": "un objet de paramètres",
    }


DEFS: dict[str, Any] = {
    "node": {
        "title": NODE_TITLE,
        "type": "object",
        "minProperties": 1,
        "maxProperties": 1,
        "additionalProperties": False,
        "properties": {
            "all": NODES,
            "any": NODES,
            "not": {"$ref": "#/$defs/node"},
            "at_least": {
                **_params(
                    ["of", "where"],
                    of=FACT_NAME,
                    where=FACT_NAME,
                    ratio={
                        "type": "integer",
                        "minimum": 1,
                        "maximum": 100,
                        "description": "un entier entre 1 et 100",
                    },
                    count={"type": "integer", "minimum": 0, "description": "un entier positif ou nul"},
                ),
                "oneOf": [{"required": ["ratio"]}, {"required": ["count"]}],
            },
            "requires": FACT_NAMES,
            "none": _params(["of", "at_most"], of=FACT_NAMES, at_most=DECIMAL),
            "compare": _params(
                ["value", "op", "threshold"],
                value=FACT_NAME,
                op={"enum": [">=", ">", "<=", "<", "=="], "description": "l'un de >=, >, <=, <, =="},
                threshold=DECIMAL,
            ),
            "compensate": _params(
                ["items", "floor", "mean_at_least"],
                items={**FACT_NAMES, "minItems": 2, "description": "une liste d'au moins deux notes"},
                floor=DECIMAL,
                mean_at_least=DECIMAL,
            ),
            "outcome": _params(
                ["cases", "else"],
                cases={
                    "type": "array",
                    "minItems": 1,
                    "items": _params(["when", "then"], when={"$ref": "#/$defs/node"}, then=BRANCH),
                    "description": "une liste de cas « when » / « then »",
                },
                **{"else": BRANCH},
            ),
        },
    },
    "weighted_mean": _params(
        ["weighted_mean"],
        weighted_mean=_params(
            ["weights"],
            weights={
                "type": "object",
                "minProperties": 1,
                "propertyNames": FACT_NAME,
                "additionalProperties": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "un entier au moins égal à 1",
                },
                "description": "un objet « note : coefficient »",
            },
        ),
    ),
}

HEADER = {
    "id": {
        "type": "string",
        "pattern": "^[a-z0-9][a-z0-9-]*$",
        "description": "un identifiant (lettres minuscules, chiffres et tirets)",
    },
    "version": {"type": "integer", "minimum": 1, "description": "un entier au moins égal à 1"},
    "title": _text("un titre non vide"),
}

BLOCKS_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$defs": DEFS,
    **_params(
        ["id", "version", "title", "scheme", "competence_rule", "blocks", "rule"],
        **HEADER,
        scheme={"const": "blocks", "description": "« blocks »"},
        competence_rule={"$ref": "#/$defs/node"},
        blocks={
            "type": "array",
            "minItems": 1,
            "items": _params(
                ["code", "title", "competences", "rule"],
                code={"type": "string", "pattern": "^[A-Z0-9]+$", "description": "un code de bloc"},
                title=_text("un intitulé non vide"),
                competences={
                    "type": "array",
                    "minItems": 1,
                    "items": _text("un intitulé de compétence non vide"),
                    "description": "une liste d'intitulés de compétences",
                },
                rule={"$ref": "#/$defs/node"},
            ),
            "description": "une liste de blocs",
        },
        rule={"$ref": "#/$defs/node"},
    ),
}

MARKS_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$defs": DEFS,
    **_params(
        ["id", "version", "title", "scheme", "marks", "average", "rule"],
        **HEADER,
        scheme={"const": "marks", "description": "« marks »"},
        marks={
            "type": "array",
            "minItems": 1,
            "items": _params(["name", "label"], name=FACT_NAME, label=_text("un libellé non vide")),
            "description": "une liste de notes",
        },
        average={"$ref": "#/$defs/weighted_mean"},
        rule={"$ref": "#/$defs/node"},
    ),
}

SCHEMAS = {"blocks": BLOCKS_SCHEMA, "marks": MARKS_SCHEMA}
NODE_SCHEMA = {"$defs": DEFS, "$ref": "#/$defs/node"}


def check_document(doc: Any) -> None:
    """Raises RuleSetError unless `doc` is a valid rule set of a known scheme."""
    if not isinstance(doc, dict):
        raise RuleSetError("", "le document doit être un objet « clé : valeur »")
    schema = SCHEMAS.get(doc.get("scheme"))  # type: ignore[arg-type]
    if schema is None:
        raise RuleSetError("", "« scheme » doit être « blocks » (blocs de compétences) ou « marks » (notes)")
    _check(Draft202012Validator(schema), doc, "")


def check_node(doc: Any, path: str) -> None:
    """Raises RuleSetError unless `doc` is a valid node; `path` locates it in its document."""
    _check(Draft202012Validator(NODE_SCHEMA), doc, path)


def _check(validator: Draft202012Validator, doc: Any, base: str) -> None:
    errors = sorted(validator.iter_errors(doc), key=lambda error: _path(base, error.absolute_path))
    if errors:
        first, *others = [_problem(base, error) for error in errors]
        raise RuleSetError(*first, *others)


def _path(base: str, parts: Sequence[str | int]) -> str:
    path = base
    for part in parts:
        path = f"{path}[{part}]" if isinstance(part, int) else f"{path}.{part}" if path else part
    return path


def _problem(base: str, error: ValidationError) -> tuple[str, str]:
    parts = list(error.absolute_path)
    schema: dict[str, Any] = error.schema  # type: ignore[assignment]
    here = _path(base, parts)
    if error.validator == "required":
        required: list[str] = error.validator_value  # type: ignore[assignment]
        missing = [name for name in required if name not in error.instance]  # type: ignore[operator]
        return here, f"« {missing[0]} » est obligatoire"
    if error.validator == "additionalProperties":
        extra = set(error.instance) - set(schema["properties"])  # type: ignore[arg-type]
        unknown = ", ".join(f"« {name} »" for name in sorted(extra))
        if schema.get("title") == NODE_TITLE:
            return here, f"type de nœud inconnu {unknown} (types possibles : {', '.join(NODE_TYPES)})"
        return here, f"propriété inconnue {unknown}"
    if schema.get("title") == NODE_TITLE:
        return here, f"un nœud est un objet à une seule clé parmi : {', '.join(NODE_TYPES)}"
    if error.validator == "oneOf":
        branches: list[dict[str, list[str]]] = error.validator_value  # type: ignore[assignment]
        choices = " ou ".join(f"« {branch['required'][0]} »" for branch in branches)
        return here, f"il faut exactement l'une des propriétés {choices}"
    while parts and isinstance(parts[-1], int):
        parts.pop()
    name = here[len(_path(base, parts[:-1])) :].lstrip(".")
    return _path(base, parts[:-1]), f"« {name} » doit être {schema.get('description', 'une valeur valide')}"
