"""The shape of the code base: one permission layer for every view, dependencies pointing one way."""

import ast
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

CERTIFIER = Path(__file__).resolve().parents[2] / "certifier"

# Each app may import only the apps listed (and itself). See docs/architecture.md.
ALLOWED = {
    "core": set(),
    "decisions": set(),
    "people": {"core"},
    "referential": {"core", "people", "decisions"},
    "pathways": {"core", "people", "referential", "decisions"},
    "assessments": {"core", "people", "referential", "decisions", "pathways"},
    "exams": {"core", "people", "referential", "decisions", "pathways", "assessments"},
    "juries": {"core", "people", "referential", "decisions", "pathways", "assessments", "exams"},
    "certificates": {
        "core",
        "people",
        "referential",
        "decisions",
        "pathways",
        "assessments",
        "exams",
        "juries",
    },
    "vae": {
        "core",
        "people",
        "referential",
        "decisions",
        "pathways",
        "assessments",
        "exams",
        "juries",
        "certificates",
    },
    "demo": {
        "core",
        "people",
        "referential",
        "pathways",
        "assessments",
        "exams",
        "juries",
        "certificates",
        "vae",
    },
}


def _patterns(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            yield from _patterns(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_view_goes_through_the_permission_layer():
    unguarded = [route for route, view in _patterns(get_resolver()) if not hasattr(view, "access")]
    assert unguarded == []


def _imported_apps(path: Path) -> set[str]:
    return {name.split(".")[1] for name in _all_imports(path) if name.startswith("certifier.")}


def test_dependencies_point_one_way():
    violations = []
    for app, allowed in ALLOWED.items():
        for path in (CERTIFIER / app).rglob("*.py"):
            for imported in _imported_apps(path) - allowed - {app}:
                violations.append(f"{path.relative_to(CERTIFIER)} imports certifier.{imported}")
    assert violations == []


def test_every_app_is_placed_in_the_dependency_graph():
    apps = {path.parent.name for path in CERTIFIER.glob("*/apps.py")}
    assert apps == set(ALLOWED)


def test_the_decision_engine_does_not_import_django():
    offenders = [
        str(path.relative_to(CERTIFIER))
        for path in (CERTIFIER / "decisions").rglob("*.py")
        if "management" not in path.parts
        and path.name != "apps.py"
        and any(name == "django" or name.startswith("django.") for name in _all_imports(path))
    ]
    assert offenders == []


def _all_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names
