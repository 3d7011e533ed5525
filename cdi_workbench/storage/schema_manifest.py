"""What each schema revision of a SQLite audit database holds: (type, name) -> fingerprint of its normalised SQL
(cdi_workbench.storage.schema_check). The data is generated into resources/schema_manifest.json by
`python -m cdi_workbench.storage.schema_check --write` from a fresh run of the migrations; this module reads it
once, through importlib.resources (so it is found in an installed wheel too)."""

from __future__ import annotations

import json
from importlib import resources


def _load() -> dict[str, dict[tuple[str, str], str]]:
    text = resources.files("cdi_workbench.resources").joinpath("schema_manifest.json").read_text(encoding="utf-8")
    out: dict[str, dict[tuple[str, str], str]] = {}
    for rev, objects in json.loads(text)["revisions"].items():
        out[rev] = {}
        for key, digest in objects.items():
            kind, name = key.split(" ", 1)
            out[rev][(kind, name)] = digest
    return out


SQLITE_SCHEMA: dict[str, dict[tuple[str, str], str]] = _load()
