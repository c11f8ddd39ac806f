"""The same model sold by another provider: a reseller inherits the rated model's figures.

The rule (an assumption, marked as one wherever the figures are used): two catalog ids with the
same `same_model_name` (provider, region, vendor prefix, date and version suffix dropped) are
the same model, so Bedrock, Vertex, Azure or a Hugging Face provider inherits the figures of the
rated id. The matches are written to data/benchmarks/same_model.csv (`same_model_csv`, which a
test regenerates) and read back from there, so a reviewer sees every one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from foundation.csvfile import table_to_csv
from planner.accuracy.reference import DefaultFigure
from planner.accuracy.sources import DATA_DIR, csv_rows

SAME_MODEL_FILE = DATA_DIR / "same_model.csv"
SAME_MODEL_COLUMNS = ("catalog_model", "same_as", "matched_name")
# Gateways that forward requests for other vendors' models: what they run behind a name is not
# stated, so they inherit no figures (add your own eval to plan them).
SAME_MODEL_EXCLUDED = {
    "quicksilverpro": "a gateway serving other vendors' models through one endpoint",
    "github-copilot": "an editor's API that forwards to other vendors' models",
    "cursor": "an editor's API that forwards to other vendors' models",
}
_REGION = re.compile(r"^(us|eu|apac|global|jp|au)\.")
_VENDOR = re.compile(
    r"^(anthropic|openai|meta|meta-llama|mistral|mistralai|deepseek|deepseek-ai|qwen|"
    r"moonshotai|google|x-ai|xai|zai|zai-org|cohere|amazon)[./]"
)


def same_model_name(model_id: str) -> str:
    """The model's name without provider, region, vendor prefix, date or version suffix:
    "aws/global.anthropic.claude-sonnet-4-5-20250929-v1:0" -> "claude-sonnet-4-5"."""
    name = model_id.partition("/")[2].lower()
    name = _VENDOR.sub("", _REGION.sub("", name))
    name = re.sub(r"-v\d+(:\d+)?$", "", name)
    name = re.sub(r"-\d{8}$", "", name)
    return re.sub(r"@.*$", "", name)


def same_model_rows(
    catalog_ids: Iterable[str], rated: Iterable[DefaultFigure]
) -> list[dict[str, str]]:
    """Catalog ids that sell a rated model under another provider, matched by name.

    `rated` are the figures of the rated ids (measured and estimated, none resold). Where
    several rated ids share the name, the one with the most figures (then the first
    alphabetically) is used. Gateways in SAME_MODEL_EXCLUDED inherit nothing.
    """
    counts: dict[str, int] = {}
    for f in rated:
        counts[f.model] = counts.get(f.model, 0) + 1
    by_name: dict[str, str] = {}
    for model in sorted(counts, key=lambda m: (-counts[m], m)):
        by_name.setdefault(same_model_name(model), model)
    return [
        {"catalog_model": model, "same_as": by_name[name], "matched_name": name}
        for model in sorted(set(catalog_ids))
        if model not in counts
        and model.partition("/")[0] not in SAME_MODEL_EXCLUDED
        and (name := same_model_name(model)) in by_name
    ]


def same_model_csv(catalog_ids: Iterable[str], rated: Iterable[DefaultFigure]) -> str:
    """The text of same_model.csv, through the product's one CSV writer."""
    return table_to_csv(same_model_rows(catalog_ids, rated), SAME_MODEL_COLUMNS)


def resold_figures(rated: list[DefaultFigure], path: Path = SAME_MODEL_FILE) -> list[DefaultFigure]:
    """The rated figures again for every id the file says sells the same model."""
    if not path.exists():
        return []
    by_model: dict[str, list[DefaultFigure]] = {}
    for f in rated:
        by_model.setdefault(f.model, []).append(f)
    out = []
    for record, _ in csv_rows(path, SAME_MODEL_COLUMNS):
        for f in by_model.get(record["same_as"], []):
            out.append(
                DefaultFigure(
                    model=record["catalog_model"],
                    category=f.category,
                    accuracy=f.accuracy,
                    estimated=f.estimated,
                    held_out_pts=f.held_out_pts,
                    output_tokens_factor=f.output_tokens_factor,
                    source=_resold_source(f, record["same_as"], record["matched_name"]),
                )
            )
    return out


def _resold_source(figure: DefaultFigure, same_as: str, name: str) -> str:
    """An estimate keeps its "estimated from ..." label first; a measured figure says first
    that it is another provider's measurement."""
    same = f"same model as {same_as} (matched by name '{name}', an assumption)"
    return f"{figure.source}; {same}" if figure.estimated else f"{same}: {figure.source}"
