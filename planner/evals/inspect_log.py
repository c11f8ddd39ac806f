"""Inspect AI logs: the .eval zip (header.json and one samples/<id>_epoch_<n>.json per sample)
and the .json log (one EvalLog document), per Inspect's log schema: `eval.task`,
`eval.model`, `eval.created`, and per sample `id`, `epoch` and `scores{scorer: {value}}`.

A sample's score is its first scorer's value (C/I/P/N, a boolean or a number from 0 to 1);
a sample without scores (it errored) is not counted. Newer Inspect versions compress the
zip's members with zstd, which Python 3.11's zipfile cannot read: they are decompressed here.
"""

from __future__ import annotations

import io
import struct
import zipfile
from typing import Any

import zstandard

from foundation.errors import InputError
from foundation.inputs import parse_record
from planner.evals.samples import (
    MAX_SAMPLES,
    EvalRun,
    EvalSample,
    ToolRecord,
    check_count,
    date_of,
    json_of,
    score_of,
)

ZIP_ZSTANDARD = 93  # the zip method id of zstd (APPNOTE 4.4.5)
MAX_MEMBER_BYTES = 50_000_000  # one member, decompressed: refuses a zip bomb


class _Spec(ToolRecord):
    task: str
    model: str
    created: str


class _Header(ToolRecord):
    eval: _Spec


class _Score(ToolRecord):
    value: Any


class _Sample(ToolRecord):
    id: str | int
    epoch: int = 1
    scores: dict[str, _Score] | None = None


def parse_inspect(data: bytes, source: str) -> EvalRun:
    """An Inspect log from its bytes: a zip (.eval) or a JSON document (.json)."""
    if data[:4] == b"PK\x03\x04":
        header, samples = _zip_parts(data, source)
    else:
        document = json_of(data, source)
        if not isinstance(document, dict):
            raise InputError(source, "is not an Inspect log (expected a JSON object)")
        header = document
        raw = document.get("samples") or []
        if not isinstance(raw, list):
            raise InputError(source, "has 'samples' that is not a list", field="samples")
        samples = [(f"samples item {i}", s) for i, s in enumerate(raw, 1)]
    spec = parse_record(_Header, _mapping(header, source, "header"), source, "header").eval
    run_date = date_of(spec.created, source, "header", "eval.created")
    out = []
    for where, raw_sample in samples:
        sample = parse_record(_Sample, _mapping(raw_sample, source, where), source, where)
        if not sample.scores:
            continue
        scorer, score = next(iter(sample.scores.items()))
        sample_id = str(sample.id) if sample.epoch == 1 else f"{sample.id}#epoch{sample.epoch}"
        value = score_of(score.value, source, where, f"scores.{scorer}.value")
        out.append(EvalSample("inspect", spec.task, spec.model, sample_id, value, run_date))
    check_count(out, source)
    return EvalRun(source, "inspect", tuple(out))


def _mapping(value: Any, source: str, where: str) -> dict:
    if not isinstance(value, dict):
        raise InputError(source, "is not a JSON object", where)
    return value


def _zip_parts(data: bytes, source: str) -> tuple[Any, list[tuple[str, Any]]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise InputError(source, f"is not a readable .eval zip ({exc})") from None
    by_name = {i.filename: i for i in infos}
    if "header.json" not in by_name:
        raise InputError(source, "is not an Inspect .eval log: it has no header.json")
    names = sorted(n for n in by_name if n.startswith("samples/") and n.endswith(".json"))
    if len(names) > MAX_SAMPLES:
        raise InputError(source, f"has more than {MAX_SAMPLES:,} samples; split it")
    header = json_of(_member(archive, by_name["header.json"], data, source), source, "header")
    samples = [
        (name, json_of(_member(archive, by_name[name], data, source), source, name))
        for name in names
    ]
    return header, samples


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes, source: str) -> bytes:
    """A member's bytes, decompressed (zstd by hand, the rest by zipfile), size-bounded."""
    where = info.filename
    if info.file_size > MAX_MEMBER_BYTES:
        raise InputError(source, f"member is over {MAX_MEMBER_BYTES:,} bytes", where)
    try:
        if info.compress_type != ZIP_ZSTANDARD:
            with archive.open(info) as handle:
                out = handle.read(MAX_MEMBER_BYTES + 1)
        else:
            start = info.header_offset
            name_len, extra_len = struct.unpack("<HH", data[start + 26 : start + 30])
            begin = start + 30 + name_len + extra_len
            raw = data[begin : begin + info.compress_size]
            reader = zstandard.ZstdDecompressor().stream_reader(
                io.BytesIO(raw), read_across_frames=True
            )
            out = reader.read(MAX_MEMBER_BYTES + 1)
    except (zipfile.BadZipFile, zstandard.ZstdError, struct.error, NotImplementedError,
            ValueError, OSError, EOFError, RuntimeError) as exc:  # fmt: skip
        raise InputError(source, f"member cannot be decompressed ({exc})", where) from None
    if len(out) > MAX_MEMBER_BYTES:
        raise InputError(source, f"member is over {MAX_MEMBER_BYTES:,} bytes", where)
    return out
