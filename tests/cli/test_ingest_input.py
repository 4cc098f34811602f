"""``paperwire ingest`` on hostile or damaged input, run as a user runs it."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from paperwire.ingest.background import MIN_BYTES
from paperwire.ingest.formats.jsonl import record_to_json
from paperwire.records import PaperRecord

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from ingest import synthetic_snapshot

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run(tmp_path: Path) -> Run:
    env = {
        **os.environ,
        "PAPERWIRE_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
        "PAPERWIRE_EMBED_ON_INGEST": "0",
    }

    def paperwire(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "paperwire.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    paperwire.env = env  # type: ignore[attr-defined]
    return paperwire


def stored(run: Run) -> list[dict[str, object]]:
    done = run("papers", "list", "--json", "--limit", "1000")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def export_line(**fields: object) -> str:
    record = PaperRecord(source="paperwire", title="A title", abstract="An abstract.")
    return json.dumps({**record_to_json(record), **fields})


def test_ids_that_are_not_ids_are_refused_with_file_and_line(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    lines = [
        export_line(title="Good", paper_id="abcdefghij", arxiv_id="2401.01234"),
        export_line(title="Bad paper id", paper_id="../account/digest/unsubscribe?x="),
        export_line(title="Bad arXiv id", arxiv_id="../logout?x="),
        export_line(title="Newline", paper_id="abcdefghik\n"),
        export_line(title="Old style", arxiv_id="astro-ph/0601001v2"),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run("ingest", str(path))
    assert done.returncode == 0, done.stderr
    assert f"{path}:2: 'paper_id' is not a paperwire id" in done.stderr
    assert f"{path}:3: 'arxiv_id' is not an arXiv identifier" in done.stderr
    assert f"{path}:4: 'paper_id'" in done.stderr
    assert "2 imported" in done.stderr and "3 skipped" in done.stderr
    papers = {paper["title"]: paper for paper in stored(run)}
    assert set(papers) == {"Good", "Old style"}
    assert papers["Good"]["id"] == "abcdefghij"
    assert run("ingest", "--strict", str(path)).returncode == 1


CONTROLS = "\x00\x01\x08\x0b\x1b\x7f\x85\x9b"


def test_control_characters_are_removed_on_the_way_in(
    run: Run, tmp_path: Path, fixtures: Path
) -> None:
    snapshot = json.loads(
        (fixtures / "arxiv_snapshot_sample.jsonl").read_text(encoding="utf-8").splitlines()[0]
    )
    snapshot.update(title="Snap\x01shot\x08 title\x1b[0m\x7f", license="CC\x00BY\x9b")
    own = json.loads(export_line(title="Own\x01 title\x7f", source_id="id\x1b1"))
    own.update(authors=["A\x08 Author"], categories=["cs\x00.LG"])
    beir = {"_id": "doc\x011", "title": "Beir\x9b title", "text": "Text\x00 here"}
    files = {"snapshot.jsonl": snapshot, "own.jsonl": own, "beir.jsonl": beir}
    for name, obj in files.items():
        (tmp_path / name).write_text(json.dumps(obj) + "\n", encoding="utf-8")
    atom = (fixtures / "atom" / "2026_q_testing_s0_m10.xml").read_text(encoding="utf-8")
    atom = atom.replace("<title>", "<title>\x7fAtom\x85\x9b ", 2)
    (tmp_path / "feed.xml").write_text(atom, encoding="utf-8")
    done = run("ingest", *(str(tmp_path / name) for name in [*files, "feed.xml"]))
    assert done.returncode == 0, done.stderr
    exported = tmp_path / "export.jsonl"
    assert run("export", str(exported)).returncode == 0
    text = exported.read_text(encoding="utf-8")
    records = [json.loads(line) for line in text.splitlines()]
    assert len(records) == 13
    flat = json.dumps(records, ensure_ascii=False)
    assert not set(flat) & set(CONTROLS), "a control character was stored"
    titles = {record["title"] for record in records}
    assert {"Snapshot title[0m", "Own title", "Beir title"} <= titles
    assert {record["license"] for record in records} >= {"CCBY"}
    sources = {tuple(pair) for record in records for pair in record["extra_sources"]}
    assert sources >= {("paperwire", "id1"), ("beir", "doc1")}


def test_records_over_a_field_limit_are_skipped_with_file_and_line(
    run: Run, tmp_path: Path, fixtures: Path
) -> None:
    sample = (fixtures / "arxiv_snapshot_sample.jsonl").read_text(encoding="utf-8").splitlines()
    objects = [json.loads(line) for line in sample[:6]]
    objects[1]["title"] = "t" * 1_001
    objects[2]["abstract"] = "word " * 6_401  # 32,004 characters once normalised
    objects[3]["authors_parsed"] = [["Name", "A."]] * 10_001
    objects[4]["authors_parsed"] = [["Name", "A."], ["N" * 1_001, ""]]
    objects[5]["authors_parsed"] = [["Name", "A."]] * 3_303  # as many as real papers have
    snapshot = tmp_path / "snapshot.jsonl"
    snapshot.write_text("".join(json.dumps(o) + "\n" for o in objects), encoding="utf-8")
    listing = tmp_path / "listing.txt"
    listing.write_text("A title\nAn abstract\n\n" + "x" * 1_001 + "\nIts abstract\n")
    done = run("ingest", str(snapshot), str(listing))
    assert done.returncode == 0, done.stderr
    assert f"{snapshot}:2: title has 1,001 characters, over the limit of 1,000" in done.stderr
    assert f"{snapshot}:3: abstract has 32,004 characters" in done.stderr
    assert f"{snapshot}:4: author list has 10,001 names, over the limit of 10,000" in done.stderr
    assert f"{snapshot}:5: author 2 has 1,001 characters, over the limit of 1,000" in done.stderr
    assert f"{listing}:4: title has 1,001 characters" in done.stderr
    assert "3 imported" in done.stderr and "5 skipped" in done.stderr
    assert run("ingest", "--strict", str(snapshot)).returncode == 1


def peak_memory_mb(run_args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run ``paperwire`` in a fresh process and return (the largest resident set of it and
    its reader process, in MB; its standard error)."""
    script = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "sys.stdout.write(done.stderr)\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024\n"
        "sys.stdout.write(f'\\nexit={done.returncode} peak={peak}')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, sys.executable, "-m", "paperwire.cli", *run_args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    stderr, _, tail = done.stdout.rpartition("\n")
    values = dict(part.split("=") for part in tail.split())
    return int(values["peak"]), f"{stderr}\nexit={values['exit']}"


def test_a_huge_line_in_a_small_gzip_is_skipped_without_holding_it(
    run: Run, tmp_path: Path, fixtures: Path
) -> None:
    lines = (fixtures / "arxiv_snapshot_sample.jsonl").read_bytes().splitlines(keepends=True)
    huge = json.loads(lines[0])
    huge.update(id="2401.00001", abstract="zebra " * ((64 << 20) // 6))  # 64 MB of text
    source = tmp_path / "huge.jsonl.gz"
    with gzip.open(source, "wb", compresslevel=1) as out:
        out.writelines(lines[:3])
        out.write(json.dumps(huge).encode() + b"\n")
        out.writelines(lines[3:10])
    assert source.stat().st_size < 2 << 20
    run("init")
    peak, stderr = peak_memory_mb(["ingest", str(source)], run.env)  # type: ignore[attr-defined]
    assert "exit=0" in stderr, stderr
    assert f"{source}:4: line of 67,1" in stderr and "over the record size limit" in stderr
    assert "10 imported" in stderr and "1 skipped" in stderr
    assert peak < 150, f"{peak} MB to skip a 64 MB line"  # about 70 MB; 389 MB before


def test_a_line_that_is_not_utf8_loses_only_itself(run: Run, tmp_path: Path) -> None:
    listing = tmp_path / "listing.txt"
    pairs = [f"Title {n}\nAbstract {n}\n".encode() for n in range(200)]
    pairs[150] = b"Caf\xe9 title\nAbstract\n"  # lines 301 and 302
    listing.write_bytes(b"".join(pairs))
    done = run("ingest", str(listing))
    assert done.returncode == 2, done.stderr
    assert f"{listing}:301: not UTF-8 text: byte 0xe9" in done.stderr
    assert f"{listing}:302: abstract of line 301, which was not read" in done.stderr
    assert "199 imported" in done.stderr
    assert "199 record(s) from it were stored" in done.stderr


def test_malformed_xml_mid_file_exits_2_saying_where_and_how_much_was_stored(
    run: Run, tmp_path: Path, fixtures: Path
) -> None:
    data = (fixtures / "atom" / "2026_q_testing_s0_m10.xml").read_text(encoding="utf-8")
    cut = data.index("<entry>", data.index("<entry>", data.index("<entry>") + 1) + 1)
    line = data[:cut].count("\n") + 1
    feed = tmp_path / "feed.xml"
    feed.write_text(data[:cut] + "<entry><id>x</entry>\n" + data[cut:], encoding="utf-8")
    done = run("ingest", str(feed))
    assert done.returncode == 2, done.stderr
    assert f"{feed}:{line}: malformed XML at line {line}, column 17" in done.stderr
    assert "nothing from there on was read" in done.stderr
    assert "2 record(s) from it were stored" in done.stderr and "2 imported" in done.stderr


def test_xml_records_over_a_limit_are_skipped_by_number_and_line(
    run: Run, tmp_path: Path, fixtures: Path
) -> None:
    data = (fixtures / "oai" / "ListRecordsResponse.xml").read_text(encoding="utf-8")
    starts = [n for n in range(len(data)) if data.startswith("<record>", n)]
    big = data.index("<abstract>", starts[1]) + len("<abstract>")
    long_title = data.index("<title>", starts[3]) + len("<title>")
    changed = data[:big] + "x" * 2_000_000 + data[big:long_title] + "t" * 1_001 + data[long_title:]
    path = tmp_path / "oai.xml"
    path.write_text(changed, encoding="utf-8")
    done = run("ingest", str(path))
    assert done.returncode == 0, done.stderr
    line_2, line_4 = (data[:start].count("\n") + 1 for start in (starts[1], starts[3]))
    assert f"{path}:{line_2}: record 2 is over the record size limit" in done.stderr
    assert f"{path}:{line_4}: record oai:arXiv.org:" in done.stderr
    assert "characters, over the limit of 1,000 (record number 4)" in done.stderr
    assert "4 imported" in done.stderr and "2 skipped" in done.stderr


def test_the_reader_process_resumes_after_bad_lines(run: Run, tmp_path: Path) -> None:
    source = tmp_path / "big.jsonl"
    synthetic_snapshot(3_000, source)
    lines = source.read_bytes().splitlines(keepends=True)
    lines[999] = lines[999].replace(b'"title": "', b'"title": "\xff', 1)
    lines[1999] = lines[1999].replace(b'"abstract": "', b'"abstract": "' + b"y" * 70_000, 1)
    source.write_bytes(b"".join(lines))
    assert source.stat().st_size >= MIN_BYTES  # read by a reader process
    run.env["PAPERWIRE_INGEST_MAX_RECORD_BYTES"] = "65536"  # type: ignore[attr-defined]
    done = run("ingest", "--quiet", str(source))
    assert done.returncode == 2, done.stderr
    assert f"{source}:1000: not UTF-8 text: byte 0xff" in done.stderr
    assert f"{source}:2000: line of 7" in done.stderr and "limit of 65,536 bytes" in done.stderr
    assert "2998 imported" in done.stderr and "1 skipped, 1 not readable" in done.stderr


def test_a_json_array_is_capped_as_a_whole(run: Run, tmp_path: Path, fixtures: Path) -> None:
    daily = fixtures / "hf_daily_2026-11-28.json"
    run.env["PAPERWIRE_INGEST_MAX_RECORD_BYTES"] = "2048"  # type: ignore[attr-defined]
    done = run("ingest", str(daily))
    assert done.returncode == 2, done.stderr
    assert f"{daily}:1: a JSON array over 32,768 bytes" in done.stderr
    assert "nothing from it was stored" in done.stderr
    run.env["PAPERWIRE_INGEST_MAX_RECORD_BYTES"] = "4096"  # type: ignore[attr-defined]
    assert "12 imported" in run("ingest", str(daily)).stderr
