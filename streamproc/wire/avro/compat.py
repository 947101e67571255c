"""Can a reader schema R read data written with writer schema W? (Avro schema resolution rules.)

Used by ``streamproc schemas generate`` to refuse breaking changes inside a major.minor version:
each problem names the field path and the rule broken. The check is structural, following the
resolution section of the Avro specification (promotions, defaults, enum symbols, unions, aliases).
"""

from __future__ import annotations

from typing import Any

from fastavro import parse_schema

_PROMOTIONS = {
    "int": {"long", "float", "double"},
    "long": {"float", "double"},
    "float": {"double"},
    "string": {"bytes"},
    "bytes": {"string"},
}
_NAMED = {"record", "enum", "fixed", "error"}


def incompatibilities(reader: Any, writer: Any) -> list[str]:
    """Every reason ``reader`` cannot read data written with ``writer`` (empty list: compatible)."""
    r_named: dict[str, Any] = {}
    w_named: dict[str, Any] = {}
    r = parse_schema(reader, named_schemas=r_named, _write_hint=False)
    w = parse_schema(writer, named_schemas=w_named, _write_hint=False)
    return _Checker(r_named, w_named).check(r, w, "")


def _type_name(schema: Any) -> str:
    if isinstance(schema, list):
        return "union"
    if isinstance(schema, dict):
        return str(schema["type"]) if isinstance(schema["type"], str) else _type_name(schema["type"])
    return str(schema)


def _short(name: str) -> str:
    return name.rsplit(".", 1)[-1]


class _Checker:
    def __init__(self, r_named: dict[str, Any], w_named: dict[str, Any]) -> None:
        self._r_named = r_named
        self._w_named = w_named
        self._seen: set[tuple[str, str]] = set()

    def check(self, r: Any, w: Any, path: str) -> list[str]:
        r = self._r_named.get(r, r) if isinstance(r, str) else r
        w = self._w_named.get(w, w) if isinstance(w, str) else w
        if isinstance(w, list):
            problems = []
            for branch in w:
                problems += self.check(r, branch, path)
            return problems
        if isinstance(r, list):
            if any(not self.check(branch, w, path) for branch in r):
                return []
            return [f"{path or '<root>'}: no branch of the reader union can read writer type {_type_name(w)}"]
        rt, wt = _type_name(r), _type_name(w)
        if rt != wt:
            if rt in _PROMOTIONS.get(wt, set()):
                return []
            return [f"{path or '<root>'}: type changed from {wt} to {rt}"]
        if rt in _NAMED and not self._same_name(r, w):
            return [f"{path or '<root>'}: {rt} name changed from {_short(w['name'])} to {_short(r['name'])}"]
        method = getattr(self, f"_check_{rt}", None)
        return method(r, w, path) if method else []

    @staticmethod
    def _same_name(r: dict[str, Any], w: dict[str, Any]) -> bool:
        names = {_short(r["name"])} | {_short(a) for a in r.get("aliases", [])}
        return _short(w["name"]) in names

    def _check_record(self, r: dict[str, Any], w: dict[str, Any], path: str) -> list[str]:
        key = (r["name"], w["name"])
        if key in self._seen:  # recursive type already being checked
            return []
        self._seen.add(key)
        writer_fields = {f["name"]: f for f in w["fields"]}
        problems = []
        for field in r["fields"]:
            where = f"{path}.{field['name']}" if path else field["name"]
            names = [field["name"], *field.get("aliases", [])]
            match = next((writer_fields[n] for n in names if n in writer_fields), None)
            if match is not None:
                problems += self.check(field["type"], match["type"], where)
            elif "default" not in field:
                problems.append(f"{where}: field missing from the written data and the reader has no default")
        return problems

    _check_error = _check_record

    def _check_enum(self, r: dict[str, Any], w: dict[str, Any], path: str) -> list[str]:
        missing = [s for s in w["symbols"] if s not in r["symbols"]]
        if missing and "default" not in r:
            return [f"{path or '<root>'}: reader enum lacks symbols {missing} and has no default"]
        return []

    def _check_array(self, r: dict[str, Any], w: dict[str, Any], path: str) -> list[str]:
        return self.check(r["items"], w["items"], f"{path}[]")

    def _check_map(self, r: dict[str, Any], w: dict[str, Any], path: str) -> list[str]:
        return self.check(r["values"], w["values"], f"{path}{{}}")

    def _check_fixed(self, r: dict[str, Any], w: dict[str, Any], path: str) -> list[str]:
        if r["size"] != w["size"]:
            return [f"{path or '<root>'}: fixed size changed from {w['size']} to {r['size']}"]
        return []
