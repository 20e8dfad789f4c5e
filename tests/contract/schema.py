"""Magento's 2.4.9 REST schema (Adobe's Swagger 2.0 admin schema), for contract tests.

Loaded lazily from the outside evidence (`tests.evidence`): only tests marked `evidence`
may call these. `check_request` asserts that a request names a path + method of the schema
with parameters it declares; `disagreements` lists how an answer departs from its
operation's 200 schema, naming the two known differences of real Magento answers:

- NULL_FOR_UNSET: Magento serialises unset optional fields as `null`; Swagger 2.0 has no
  nullable, so the schema types them as plain string/number/integer.
- MULTISELECT_VALUE: `custom_attributes[].value` is typed `string`, but multi-select
  attributes (category_ids, material, ...) come back as arrays of strings.

Two request-side differences are normalised, both accepted by Magento's REST input
processor: snake_case searchCriteria keys (`filter_groups`, `condition_type`) for the
schema's camelCase ones, and the `fields` query parameter, which Magento's webapi layer
reads on every GET but the schema does not list.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import jsonschema
import requests

from tests import evidence

REST_PREFIX = re.compile(r"^/rest/[^/]+(?=/V1/)")


def definitions() -> dict[str, Any]:
    return evidence.schema()["definitions"]


NULL_FOR_UNSET = "null for an unset optional field"
MULTISELECT_VALUE = "array value of a multi-select custom attribute"
KNOWN = {NULL_FOR_UNSET, MULTISELECT_VALUE}


def _template_regex(template: str) -> re.Pattern[str]:
    parts = [
        "[^/]+" if re.fullmatch(r"\{\w+\}", part) else re.escape(part)
        for part in template.split("/")
    ]
    return re.compile("^" + "/".join(parts) + "$")


@cache
def _templates() -> list[tuple[str, re.Pattern[str]]]:
    return [(path, _template_regex(path)) for path in evidence.schema()["paths"]]


def operation_for(method: str, path: str) -> tuple[str, dict[str, Any]]:
    """The schema operation a concrete request path hits; literal segments win over `{x}`."""
    paths = evidence.schema()["paths"]
    candidates = [
        template
        for template, regex in _templates()
        if regex.match(path) and method.lower() in paths[template]
    ]
    assert candidates, f"{method} {path} is not in the Magento 2.4.9 schema"
    best = max(candidates, key=lambda t: sum("{" not in part for part in t.split("/")))
    return best, paths[best][method.lower()]


def _schema_key(name: str) -> str:
    """`searchCriteria[filter_groups][3][filters][1][condition_type]` as the schema spells it."""
    name = re.sub(r"\[\d+\]", "[0]", name)
    for snake, camel in (
        ("filter_groups", "filterGroups"),
        ("condition_type", "conditionType"),
        ("sort_orders", "sortOrders"),
        ("page_size", "pageSize"),
        ("current_page", "currentPage"),
    ):
        name = name.replace(f"[{snake}]", f"[{camel}]")
    return name


def check_request(request: requests.PreparedRequest) -> str:
    url = urlsplit(request.url or "")
    path = REST_PREFIX.sub("", url.path)
    template, operation = operation_for(request.method or "GET", path)
    declared = {p["name"]: p for p in operation.get("parameters", [])}
    for name, _ in parse_qsl(url.query, keep_blank_values=True):
        if name in ("fields", "searchCriteria"):
            continue  # read by Magento's webapi layer on every GET (see module docstring)
        key = _schema_key(unquote(name))
        assert declared.get(key, {}).get("in") == "query", f"{template}: undeclared query {name}"
    body_params = [p for p in declared.values() if p["in"] == "body"]
    if request.body:
        assert body_params, f"{template} takes no body"

        jsonschema.Draft4Validator(
            {**body_params[0]["schema"], "definitions": definitions()}
        ).validate(json.loads(request.body))
    else:
        assert not any(p.get("required") for p in body_params), f"{template} needs a body"
    return f"{request.method} {template}"


def classify(error: jsonschema.ValidationError) -> str:
    path = list(error.absolute_path)
    if error.validator == "type" and error.instance is None:
        return NULL_FOR_UNSET
    if (
        error.validator == "type"
        and isinstance(error.instance, list)
        and len(path) >= 3
        and path[-3] == "custom_attributes"
        and path[-1] == "value"
    ):
        return MULTISELECT_VALUE
    return f"{'/'.join(map(str, path))}: {error.message}"


def disagreements(method: str, path: str, body: Any) -> set[str]:
    """How an answer departs from the operation's 200 schema."""
    _, operation = operation_for(method, path)
    schema = operation["responses"]["200"]["schema"]
    validator = jsonschema.Draft4Validator({**schema, "definitions": definitions()})
    return {classify(e) for e in validator.iter_errors(body)}
