"""How JSON columns are written: compact UTF-8 text, whatever the encoder."""

from __future__ import annotations

import json

from paperwire.store.json_text import dump_json


def test_names_are_written_as_utf8_not_escapes() -> None:
    assert dump_json(["Jürgen Müller", "李 雷"]) == '["Jürgen Müller","李 雷"]'


def test_text_orjson_refuses_is_written_as_the_standard_library_writes_it() -> None:
    lone_surrogate = "broken \ud800 name"
    written = dump_json([lone_surrogate, "x"])
    assert written == f'["{lone_surrogate}","x"]'
    assert json.loads(written) == [lone_surrogate, "x"]


def test_both_encoders_write_the_same_text() -> None:
    value = ['quote " and \\ backslash', "tab\tnewline\n", "", "a/b"]
    assert dump_json(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))
