"""Docs that cannot drift: the README stays short and shows the two commands; every link in
the docs resolves; the documented CSV columns, limits, exit codes and modules are the code's;
no page speaks of tracker numbers; and no test writes into the committed screenshots.

The command-line reference (docs/cli.md) is generated from the parsers and has its own test.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

from foundation.inputs import (
    FIRST_DATE,
    LAST_DATE,
    MAX_FILE_BYTES,
    MAX_MAGNITUDE,
    MAX_NOTE,
    MAX_TEXT,
)
from foundation.tables import MAX_ROWS
from planner import cli as planner_cli
from planner.export import PLAN_COLUMNS
from planner.scenario_store import MAX_AUTHOR, MAX_NAME
from pricing.schema import MAX_GPU_HOUR_USD, MAX_PRICE_PER_MTOK
from usage.importer import MAX_IMPORT_BYTES

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PAGES = [README, ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
CORE = ("foundation", "pricing", "planner", "usage")


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def page(name: str) -> str:
    return text(ROOT / "docs" / name)


# -- the README ----------------------------------------------------------------------------


def test_the_readme_is_short():
    assert len(text(README).splitlines()) < 200


def test_the_readme_shows_exactly_the_two_commands_as_the_way_in():
    first_block = re.search(r"```\n(.*?)```", text(README), flags=re.S)[1]
    commands = [line.split("#")[0].strip() for line in first_block.splitlines()]
    assert commands == ["make run", "make test"]


def test_the_readme_links_every_docs_page_and_shows_every_screenshot():
    targets = {link.split("#")[0] for link in LINK.findall(text(README))}
    for doc in sorted((ROOT / "docs").glob("*.md")):
        assert f"docs/{doc.name}" in targets, f"README does not link docs/{doc.name}"
    for image in sorted((ROOT / "docs" / "screenshots").glob("*.png")):
        assert f"docs/screenshots/{image.name}" in targets, f"README does not show {image.name}"


# -- links and words -----------------------------------------------------------------------


def anchors(path: Path) -> set[str]:
    """GitHub's anchors for a page's headings: lower case, punctuation dropped, spaces as -."""
    out = set()
    for heading in re.findall(r"^#+ (.+)$", text(path), flags=re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        out.add(slug)
    return out


@pytest.mark.parametrize("doc", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(doc: Path):
    for link in LINK.findall(text(doc)):
        if re.match(r"[a-z]+:", link):  # http(s), mailto: not ours to check here
            continue
        target, _, anchor = link.partition("#")
        path = (doc.parent / target).resolve() if target else doc
        assert path.exists(), f"{doc.name}: {link} points at nothing"
        if anchor and path.suffix == ".md":
            assert anchor in anchors(path), f"{doc.name}: {link} has no such heading"


TRACKER = re.compile(r"(?i)\bissues?\s*#?\s*\d+|(?<![\w&/])#\d+\b|\bissue\d+")


@pytest.mark.parametrize("doc", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_tracker_references(doc: Path):
    found = TRACKER.findall(text(doc))
    assert not found, f"{doc.name} speaks of tracker numbers: {found}"


REPO_PATH = re.compile(
    r"`((?:foundation|pricing|planner|usage|app|app_pages|data|scripts|tests|docs)/[^`\s<*]*)`"
)


@pytest.mark.parametrize("doc", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_repository_path_named_in_the_docs_exists(doc: Path):
    for name in REPO_PATH.findall(text(doc)):
        assert (ROOT / name).exists(), f"{doc.name} names {name}, which does not exist"


# -- figures the code defines --------------------------------------------------------------


def plan_csv_table() -> list[str]:
    section = page("app.md").split("### The plan CSV", 1)[1]
    columns = []
    for row in re.findall(r"^\| ([^|]+?) \|", section, flags=re.M)[1:]:
        if row.strip().startswith("-"):
            continue
        columns += [name.strip() for name in row.split(",")]
        if columns[-1] == PLAN_COLUMNS[-1]:
            break
    return columns


def test_the_plan_csv_table_lists_plan_columns_in_order():
    assert plan_csv_table() == list(PLAN_COLUMNS)


def exit_codes_in_code() -> set[int]:
    """Every exit code a command-line module of the core names: its EXIT_* constants, the
    members of an exit-code enum, the keys of an EXIT_CODES map."""
    codes: set[int] = set()
    for package in CORE:
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, f"{package}."):
            if "cli" not in info.name.rsplit(".", 1)[-1]:
                continue
            module = importlib.import_module(info.name)
            for name, value in vars(module).items():
                if name.startswith("EXIT_") and isinstance(value, int):
                    codes.add(int(value))
                elif name == "EXIT_CODES" and isinstance(value, dict):
                    codes |= {int(code) for code in value}
                elif isinstance(value, type) and name.lower().startswith("exit"):
                    codes |= {int(m) for m in getattr(value, "__members__", {}).values()}
    return codes


def test_the_documented_exit_codes_cover_every_code_the_commands_use():
    sentence = re.search(r"exits with a code .*?: (.*?)\.\n", text(README), flags=re.S)[1]
    documented = {int(code) for code in re.findall(r"(?<![\w-])(\d+)(?=\s+[a-z])", sentence)}
    assert documented == {0, 1, 2, 3, 4, 5, 70, 130, 141}
    in_code = exit_codes_in_code()
    assert {0, 2, 3} <= in_code
    assert in_code <= documented, f"undocumented exit codes: {sorted(in_code - documented)}"


def test_documented_limits_are_the_enforced_ones():
    limits = page("limits.md")
    for written in (
        f"regular files of at most {MAX_FILE_BYTES // 1_000_000} MB",
        f"a regular file of at most {MAX_IMPORT_BYTES // 1_000_000_000} GB",
        f"| a workload or accuracy table | at most {MAX_ROWS:,} rows |",
        f"| names and ids | at most {MAX_TEXT} characters",
        f"| notes and sources | at most {MAX_NOTE:,} characters",
        f"at most 10^{len(str(int(MAX_MAGNITUDE))) - 1} in size",
        f"| dates | {FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()} |",
        f"names up to {MAX_NAME} characters, authors up to {MAX_AUTHOR}",
        f"| `--points` | 2 to {planner_cli.MAX_POINTS} |",
        f"| `--paths` | 1 to {planner_cli.MAX_PATHS:,} |",
        f"prices above ${int(MAX_PRICE_PER_MTOK):,} per million tokens",
        f"GPU hours above ${int(MAX_GPU_HOUR_USD):,}",
    ):
        assert written in limits, written


# -- the architecture page names every module of the core, and only modules that exist ----


def documented_modules() -> dict[str, set[str]]:
    """Package folder -> the module names in its table on docs/architecture.md."""
    out: dict[str, set[str]] = {}
    for package, body in re.findall(r"^### `(\w+)/`\n(.*?)(?=^### |^## |\Z)",
                                    page("architecture.md"), flags=re.S | re.M):  # fmt: skip
        out[package] = set(re.findall(r"^\| `(\w+)` \|", body, flags=re.M))
    return out


def modules_of(package: str) -> set[str]:
    folder = ROOT / package
    files = {p.stem for p in folder.glob("*.py") if p.stem not in ("__init__", "__main__")}
    return files | {p.name for p in folder.iterdir() if (p / "__init__.py").exists()}


@pytest.mark.parametrize("package", CORE)
def test_the_architecture_page_lists_exactly_each_core_packages_modules(package):
    written = documented_modules().get(package, set())
    actual = modules_of(package)
    assert written == actual, (
        f"docs/architecture.md lacks {sorted(actual - written)} and names "
        f"{sorted(written - actual)} that {package}/ does not have"
    )


# -- performance: written by make bench ----------------------------------------------------


def test_the_performance_page_says_it_is_generated_and_matches_its_writer():
    from scripts.bench_page import Run, Table, render

    written = page("performance.md").splitlines()
    generated = render(Run("2026-12-01", 2, "3.11", "HiGHS", 1.0, 2.0), [Table("x")])
    first = generated.splitlines()[:4]
    assert written[:3] == first[:3] and written[3].startswith(first[3])
    assert "Generated by `make bench`" in written[2]


# -- screenshots: make test leaves the tree clean --------------------------------------------


def test_no_test_writes_into_the_committed_screenshots():
    for path in (ROOT / "tests").rglob("*.py"):
        if path == Path(__file__).resolve():
            continue
        code = text(path)
        assert not re.search(r'"docs"\s*/\s*"screenshots"|"docs/screenshots', code), path


def test_make_screenshots_refreshes_them_and_make_test_does_not():
    makefile = text(ROOT / "Makefile")
    targets = dict(re.findall(r"^([\w-]+):[^\n]*\n((?:\t[^\n]*\n?)+)", makefile, flags=re.M))
    assert "PLANNER_SCREENSHOTS=docs/screenshots" in targets["screenshots"]
    assert "-m screenshots" in targets["screenshots"]
    assert "env -u PLANNER_SCREENSHOTS" in targets["test"]
