"""Base helpers every layer may use: safe paths from names, masked URLs, checked zips."""

from casework.errors import mask_url  # defined beside the errors, which apply it
from casework.util._archives import MAX_RATIO, check_entries, read_entry, verify_all
from casework.util._clock import utc_now
from casework.util._csv import neutralise, neutralise_cell, to_csv_safe
from casework.util._interrupt import watch_interrupts
from casework.util._paths import MAX_COMPONENT_BYTES, is_inside, path_in, unsafe_name
from casework.util._yaml import (
    MAX_YAML_DEPTH,
    MAX_YAML_NODES,
    check_expansion,
    compose_yaml,
    load_yaml,
)

__all__ = [
    "MAX_COMPONENT_BYTES",
    "MAX_RATIO",
    "MAX_YAML_DEPTH",
    "MAX_YAML_NODES",
    "check_entries",
    "check_expansion",
    "compose_yaml",
    "is_inside",
    "load_yaml",
    "mask_url",
    "neutralise",
    "neutralise_cell",
    "path_in",
    "read_entry",
    "to_csv_safe",
    "unsafe_name",
    "utc_now",
    "verify_all",
    "watch_interrupts",
]
