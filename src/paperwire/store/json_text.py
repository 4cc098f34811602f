"""How the store writes JSON columns (authors, categories) as text, on every engine."""

from __future__ import annotations

import json

import orjson


def dump_json(value: object) -> str:
    """Compact, UTF-8 as is (so a keyword index sees real names), by orjson (a sixth of
    the standard library's time)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # what orjson refuses (a lone surrogate) the standard library writes
        return _JSON.encode(value)


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
