"""The external programs chapters need: pandoc (Word, Markdown, PDF) and a LaTeX
engine (PDF). Looked up without importing nbconvert, so a build can refuse early."""

from __future__ import annotations

import shutil

from casework.errors import MissingDependency

LATEX_ENGINES = ("xelatex", "lualatex", "pdflatex")


def find_pandoc() -> str:
    """The pandoc binary (pypandoc-binary's, else one on PATH)."""
    try:
        import pypandoc

        return str(pypandoc.get_pandoc_path())
    except (ImportError, OSError):
        found = shutil.which("pandoc")
        if found:
            return found
    raise MissingDependency(
        "pandoc is not installed, so Word, Markdown and PDF chapters cannot be made",
        field="formats",
        fix="Install it with 'pip install pypandoc-binary' (or your system's pandoc), "
        "or ask only for --format html.",
    )


def find_latex() -> str | None:
    """The first LaTeX engine on PATH, or None."""
    return next((e for e in LATEX_ENGINES if shutil.which(e)), None)


def no_latex_error() -> MissingDependency:
    return MissingDependency(
        "PDF chapters need a LaTeX engine (xelatex, lualatex or pdflatex) and none is installed",
        field="formats",
        fix="Install one (Debian: apt-get install --no-install-recommends texlive-xetex "
        "texlive-fonts-recommended texlive-plain-generic lmodern librsvg2-bin), or leave pdf "
        "out of the formats.",
    )
