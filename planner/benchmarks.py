"""The accuracy code moved to planner.accuracy (one module per concern). This name stays only
for planner/quality_cli.py, which imports from it; once that imports planner.accuracy, delete
this module."""

from planner.accuracy import (
    MAX_HELD_OUT_PTS,
    NO_PUBLIC_FIGURE,
    Coverage,
    all_fits,
    coverage,
    fitted,
)

__all__ = ["MAX_HELD_OUT_PTS", "NO_PUBLIC_FIGURE", "Coverage", "all_fits", "coverage", "fitted"]
