"""Where the product keeps a person's files: one folder under the XDG base directories.

Data (the usage store, shared scenarios) lives in `$XDG_DATA_HOME/ai-spend-planner`
(default `~/.local/share/ai-spend-planner`); settings (alert webhooks) in
`$XDG_CONFIG_HOME/ai-spend-planner` (default `~/.config/ai-spend-planner`). Each file can
also be named outright by its own environment variable, which wins.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

APP_FOLDER = "ai-spend-planner"


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The folder for the person's data: `$XDG_DATA_HOME/ai-spend-planner`."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_DATA_HOME", "").strip() or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / APP_FOLDER


def config_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The folder for the person's settings: `$XDG_CONFIG_HOME/ai-spend-planner`."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME", "").strip() or str(Path.home() / ".config")
    return Path(base).expanduser() / APP_FOLDER


def user_file(env_name: str, default: Path, environ: Mapping[str, str] | None = None) -> Path:
    """The path named by `env_name` when it is set and not blank, else `default`."""
    env = os.environ if environ is None else environ
    override = env.get(env_name, "").strip()
    return Path(override).expanduser() if override else default
