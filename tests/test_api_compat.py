"""The API stays compatible: nothing documented in the baseline disappears.

``docs/api/openapi-baseline.json`` is the OpenAPI schema as last released. The
schema generated now may add operations and fields, but every operation, response
field and request field of the baseline must still be there with the same type:
renaming or removing a field, or changing its type, breaks the apps and scripts
that use the API. When a change is deliberate, regenerate the baseline with
``make api-baseline`` and say so in the change.
"""

from __future__ import annotations

import json
from pathlib import Path

BASELINE = Path(__file__).resolve().parent.parent / "docs/api/openapi-baseline.json"
METHODS = {"get", "post", "put", "patch", "delete"}


def current_schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return json.loads(
        json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str)
    )


def _resolve(schema: dict, node: dict, seen: frozenset = frozenset()) -> dict:
    ref = node.get("$ref")
    if ref and ref not in seen:
        name = ref.rsplit("/", 1)[-1]
        return _resolve(schema, schema["components"]["schemas"][name], seen | {ref})
    return node


def _leaves(schema: dict, node: dict, prefix: str, seen=frozenset()):
    """Yield "prefix.field: type" for every field reachable from ``node``."""
    node = _resolve(schema, node, seen)
    for key in ("allOf", "oneOf", "anyOf"):
        for part in node.get(key, []):
            yield from _leaves(schema, part, prefix, seen)
    kind = node.get("type", "")
    yield f"{prefix}: {kind}"
    for name, child in (node.get("properties") or {}).items():
        ref = child.get("$ref")
        if ref in seen:
            continue
        yield from _leaves(schema, child, f"{prefix}.{name}", seen | {ref} - {None})
    if kind == "array" and "items" in node:
        yield from _leaves(schema, node["items"], f"{prefix}[]", seen)


def contract(schema: dict) -> set[str]:
    lines = set()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            where = f"{method.upper()} {path}"
            lines.add(where)
            for parameter in operation.get("parameters", []):
                lines.add(f"{where} {parameter['in']} {parameter['name']}")
            body = operation.get("requestBody", {}).get("content", {})
            for media, content in body.items():
                if "schema" in content:
                    lines |= set(_leaves(schema, content["schema"], f"{where} {media}"))
            for status, response in operation.get("responses", {}).items():
                for media, content in response.get("content", {}).items():
                    if "schema" in content:
                        lines |= set(
                            _leaves(schema, content["schema"], f"{where} {status}")
                        )
    return lines


def test_nothing_documented_in_the_baseline_disappears():
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    missing = sorted(contract(baseline) - contract(current_schema()))
    assert not missing, (
        "The API changed incompatibly (removed, renamed or retyped):\n  "
        + "\n  ".join(missing[:40])
        + "\nIf this is deliberate, run `make api-baseline` and say so in the change."
    )


if __name__ == "__main__":  # make api-baseline
    import django

    django.setup()
    BASELINE.parent.mkdir(parents=True, exist_ok=True)
    BASELINE.write_text(
        json.dumps(current_schema(), indent=1, sort_keys=True, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {BASELINE}")
