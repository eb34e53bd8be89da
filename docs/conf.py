"""Sphinx configuration of casework's documentation site.

Built offline into static HTML with ``sphinx-build -W -b html docs docs/_build/html``
(the README's docs command). Sphinx + MyST-NB is the engine of Jupyter Book 1, used
directly: pages are Markdown (MyST) and executable MyST notebooks, run at build time
against the current code, so every example on the site is checked by every build.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))

# The kernels that execute the pages inherit this environment: they find the docs'
# helpers (`docs_support`) and the `casework` command of the Python running Sphinx.
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(DOCS / "_ext"), str(REPO / "src"), os.environ.get("PYTHONPATH", "")]
).rstrip(os.pathsep)
os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])
os.environ["CASEWORK_DOCS_REPO"] = str(REPO)
os.environ.pop("CASEWORK_CODER", None)

project = "casework"
author = "the casework developers"
copyright = "2026, the casework developers"

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "casework_reference",
]

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# Every notebook page runs at every build: outputs are never committed.
nb_execution_mode = "force"
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "undoc-members": False}
napoleon_numpy_docstring = True

exclude_patterns = ["_build", "_ext", "**/sample_study/**", "**.ipynb_checkpoints"]

html_theme = "sphinx_book_theme"
html_title = "casework"
html_static_path = ["_static"]
html_theme_options = {
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "use_download_button": False,
    "use_fullscreen_button": False,
}
# The theme's script expects a mode; without one it logs an error in the console.
html_context = {"default_mode": "light"}
html_last_updated_fmt = None
html_copy_source = False
