"""Project settings from ``casework.toml``, with defaults for everything optional."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from casework.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_FILE = "casework.toml"
KNOWN_SECTIONS = {"project", "nlp", "chapters", "store", "matrices", "review"}


def read_config(root: Path) -> dict[str, Any]:
    """The settings of the project at ``root`` (an empty dict when there is no file)."""
    path = root / CONFIG_FILE
    if not path.exists():
        return {}
    try:
        config: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as err:
        raise ConfigError("not UTF-8 text", path=path, fix="Save the file as UTF-8.") from err
    except tomllib.TOMLDecodeError as err:
        line = getattr(err, "lineno", None)
        raise ConfigError(
            f"invalid TOML: {getattr(err, 'msg', err)}",
            path=path,
            line=line,
            fix="Correct the syntax (see https://toml.io).",
        ) from err
    unknown = set(config) - KNOWN_SECTIONS
    if unknown:
        raise ConfigError(
            f"unknown section [{sorted(unknown)[0]}]",
            path=path,
            fix=f"Known sections: {', '.join(sorted(KNOWN_SECTIONS))}.",
        )
    return config


def setting(config: dict[str, Any], section: str, key: str, default: Any = None) -> Any:
    value = config.get(section, {})
    if not isinstance(value, dict):
        raise ConfigError(f"[{section}] must be a table", path=CONFIG_FILE)
    return value.get(key, default)


def resolve_coder(config: dict[str, Any], coder: str | None = None) -> str | None:
    """The coder: an explicit argument, else ``CASEWORK_CODER``, else ``[project] coder``."""
    return coder or os.environ.get("CASEWORK_CODER") or setting(config, "project", "coder")


def need_coder(coder: str | None, config: dict[str, Any] | None = None) -> str:
    """:func:`resolve_coder`, or the one error every part of casework gives when no coder
    is known (the library, the widgets, the CLI)."""
    who = resolve_coder(config or {}, coder)
    if not who:
        raise ConfigError(
            "no coder given",
            field="coder",
            fix="Pass coder=... (--coder NAME), set CASEWORK_CODER, or set coder under "
            "[project] in casework.toml.",
        )
    return str(who)
