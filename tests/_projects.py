"""Small projects written on disk for tests: the files and the one function that writes them.

A module of its own (not conftest.py) so test modules can import it by name: with two
``conftest.py`` files in the tree, ``from conftest import …`` may find the wrong one.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

SMALL_CODEBOOK = """\
name: Test framework
codes:
  - id: impact
    name: Impact
    color: "#4e79a7"
  - id: impact.children
    parent: impact
    name: Outcomes for children
    keywords: [children, school readiness]
  - id: impact.practice
    parent: impact
    name: Changes in practice
    keywords: [practice]
  - id: challenges
    name: Challenges
    color: "#e15759"
  - id: challenges.capacity
    parent: challenges
    name: Capacity
    keywords: [capacity, time]
"""

SMALL_DOCS = {
    "A/lead.md": """\
        ---
        participant: A-LA
        name: Alice Example
        role: LA lead
        ---
        ## Impact

        The programme changed practice in settings. Children were more ready for school.

        ## Challenges

        Capacity in the team was the main challenge. There was never enough time.
        """,
    "A/specialist.md": """\
        ---
        participant: A-SS
        role: Sector Specialist
        ---
        Interviewer: What changed?

        SS: Practice improved across the settings we visited.
        """,
    "B/head.txt": "The head teacher said children's outcomes improved.\n\nCapacity was tight.\n",
}


def write_project(
    root: Path,
    docs: dict[str, str] | None = None,
    codebook: str = SMALL_CODEBOOK,
    cases: str = "case_id,title\nA,First case\nB,Second case\n",
    coder: str | None = "tester",
) -> Path:
    """Write a small project folder and return its root."""
    root.mkdir(parents=True, exist_ok=True)
    toml = '[project]\nname = "Test study"\ncodebook = "codebooks/test.yaml"\n'
    if coder:
        toml += f'coder = "{coder}"\n'
    (root / "casework.toml").write_text(toml, encoding="utf-8")
    (root / "cases.csv").write_text(cases, encoding="utf-8")
    (root / "codebooks").mkdir(exist_ok=True)
    (root / "codebooks" / "test.yaml").write_text(codebook, encoding="utf-8")
    for rel, body in (SMALL_DOCS if docs is None else docs).items():
        path = root / "transcripts" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(body), encoding="utf-8")
    return root
