"""A researcher's hand coding of the own study (tests/own_study.py), for evaluating
suggestions on a study that is not the demo.

The interviews are built from a bank of answers, so the coding is written once per
answer, sentence by sentence, as a researcher reading them against the study's codebook
would code them: the most specific code that fits, two codes where a sentence answers
two questions, nothing for talk about the interviewee's own job, pleasantries or
follow-ups that carry no content. It was written by reading the answers, not by looking
at what the rules or the model suggest (several sentences a keyword would catch are left
uncoded, and many are coded that no keyword names).

:func:`code_study` writes the coding into a project made from the study as the log of
coder ``researcher``, one sentence one coding, the way a coder would select it.
"""

from __future__ import annotations

import re
from typing import Any

#: Sentence openings (unique in the study, no names or sites) → codes.
CODED: dict[str, tuple[str, ...]] = {
    # start: how people got involved
    "When the local authority advertised the family literacy grant": ("setup.launch",),
    "I said yes thinking it was an hour a week": ("delivery.sessions",),
    "I was asked to be the link person": ("partnership",),
    "I was referred, really.": ("setup.recruitment",),
    "The health visitor mentioned it at my daughter's two year check": ("setup.recruitment",),
    # setup
    "Recruitment was harder than we expected.": ("setup.recruitment",),
    "We put leaflets in book bags": ("setup.recruitment",),
    "What worked was the referral route": ("setup.recruitment", "partnership"),
    "We launched it with a picnic": ("setup.launch",),
    "About forty families turned up": ("setup.recruitment", "setup.launch"),
    "Honestly the set up was rushed.": ("setup.launch",),
    "The money arrived in October": ("setup.launch",),
    "We learned on the job": ("setup.launch",),
    "Teachers identified the children in reception": ("setup.recruitment",),
    "A personal invitation from the class teacher": ("setup.recruitment",),
    "The library already ran rhyme time, so we built on that.": ("setup.launch",),
    "Parents who came to rhyme time were invited to stay on": ("setup.recruitment",),
    "Recruitment through an existing group": ("setup.recruitment",),
    "We recruited through the health visitors": ("setup.recruitment", "partnership"),
    "Some parents were wary at first": ("setup.recruitment",),
    # delivery
    "Each session starts with a shared story": ("delivery.sessions", "delivery.bookbags"),
    "We finish with a song.": ("delivery.sessions",),
    "The book bags go home every week": ("delivery.bookbags",),
    "We run two sessions a week": ("delivery.sessions",),
    "The Saturday one is busier.": ("delivery.sessions",),
    "The volunteers model reading aloud": ("delivery.sessions",),
    "There's a home visit in the first month": ("delivery.homevisits",),
    "We take a book bag and read with the parent": ("delivery.homevisits",),
    "It takes time, but the parents who had a home visit": ("delivery.homevisits",),
    "The sessions are quite relaxed.": ("delivery.sessions",),
    "There's tea and toast": ("delivery.sessions",),
    "Some weeks we make a book": ("delivery.bookbags",),
    "We follow the programme's session plans": ("delivery.sessions",),
    "With the younger ones we use board books": ("delivery.sessions",),
    "Delivery depends on the volunteers.": ("challenges.staffing",),
    "When we have three volunteers": ("challenges.staffing",),
    "When it's just me it becomes crowd control": ("challenges.staffing",),
    # challenges
    "Time is the big one.": ("challenges.time",),
    "Teachers give up their lunch hour": ("challenges.time",),
    "And attendance drops off badly in the winter": ("challenges.attendance",),
    "Staffing.": ("challenges.staffing",),
    "We lost two volunteers at Christmas": ("challenges.staffing",),
    "Without enough volunteers we had to cap numbers": (
        "challenges.staffing",
        "challenges.attendance",
    ),
    "Funding, definitely.": ("challenges.funding",),
    "The grant covers the books and the sessions": ("challenges.funding",),
    "A lot of that is done unpaid": ("challenges.time",),
    "Transport was a problem for some families": ("challenges.attendance",),
    "And some parents struggle with their own reading": ("challenges.attendance",),
    "Attendance is patchy.": ("challenges.attendance",),
    "We have a core of ten families": ("challenges.attendance",),
    "Illness, shift work, a new baby": ("challenges.attendance", "challenges.time"),
    "The monitoring paperwork is a challenge.": ("challenges.attendance",),
    "The evaluation wants reading logs": ("challenges.attendance",),
    "We lost a couple of families over it": ("challenges.attendance",),
    # impact
    "The change in the children's confidence is obvious.": ("impact.confidence",),
    "Children who wouldn't speak in class": ("impact.confidence", "impact.reading"),
    "Their vocabulary has grown too": ("impact.language",),
    "For me the biggest impact is on the parents.": ("impact.confidence",),
    "Parents who told us they couldn't read well": ("impact.reading", "impact.confidence"),
    "One mum said it was the first time": ("impact.confidence",),
    "Library membership has gone up": ("impact.library",),
    "Families who had never used the library": ("impact.library",),
    "That's the habit we wanted to build.": ("impact.library",),
    "The reading assessment results in reception": ("impact.language",),
    "But the teachers say they can tell": ("impact.reading",),
    "My son used to throw books.": ("impact.reading",),
    "Now he brings me a book at bedtime": ("impact.reading",),
    "I feel more confident reading to him": ("impact.confidence", "impact.reading"),
    "It's made a difference to how families see the school.": ("partnership",),
    "Parents who never came through the door now come in": ("partnership",),
    "That relationship is worth as much": ("partnership",),
    # partnership
    "Partnership with the library has been the best part.": ("partnership",),
    "The librarian comes to the school once a month": ("partnership", "impact.library"),
    "Before this we hardly knew each other.": ("partnership",),
    "Working with the health visitors was slow to start": ("partnership", "setup.recruitment"),
    "Most of our referrals now come from them.": ("partnership", "setup.recruitment"),
    "The steering group helps.": ("partnership",),
    "The four sites meet every term": ("partnership",),
    "We learned the home visit idea": ("partnership",),
    "The partnership with the school is uneven.": ("partnership",),
    "Some teachers are really engaged": ("partnership",),
    "It depends on the head teacher": ("partnership",),
    "We work closely with the family support worker.": ("partnership",),
    "She knows the families": ("partnership",),
    "I didn't really know the partners existed before.": ("partnership",),
    "Now I know the librarian by name": ("partnership",),
    "It feels joined up": ("partnership",),
    # future
    "I worry about sustainability.": ("future",),
    "Once the funding ends in March": ("future", "challenges.funding"),
    "We're applying to a local trust": ("future",),
    "I think it can carry on in a smaller way": ("future",),
    "Some of the parents who came as participants now volunteer": ("future",),
    "The library will keep the Saturday session going": ("future",),
    "The home visits will stop": ("future",),
    "We've built it into the school development plan": ("future",),
    "But without the grant we'll lose the free book bags": ("future",),
    "Honestly I don't know.": ("future",),
    "Staff time is the problem, not enthusiasm.": ("future", "challenges.time"),
    "If the council funded one coordinator": ("future",),
    "I'd keep coming even if there were no free books.": ("future",),
    "It's the people.": ("future",),
    "But I know other parents only came for the books": ("future",),
    # improvements
    "More training for volunteers before they start.": ("improve",),
    "Reading aloud to a group of toddlers": ("improve",),
    "I would change the monitoring.": ("improve",),
    "Shorter forms, or let us record attendance": ("improve",),
    "The forms put families off.": ("improve",),
    "Start earlier in the year": ("improve",),
    "We lose families over the summer break": ("improve",),
    "I'd like more books in home languages.": ("improve",),
    "Several of our families speak Polish": ("improve",),
    "Better transport, or sessions on the estate itself.": ("improve",),
    "If the families can't get to us": ("improve",),
    "More time for staff.": ("improve",),
    "Everything else works, but it all rests on people": ("improve", "challenges.time"),
    # follow-up answers
    "Not every family, no.": ("challenges.attendance",),
    "Some took to it straight away": ("challenges.attendance",),
    "The first term was about getting families through the door": (
        "impact.confidence",
        "impact.reading",
    ),
    # field notes (bullets under headings)
    "Children's corner of the library": ("delivery.sessions",),
    "Eleven families; two volunteers": ("delivery.sessions",),
    "Book bags laid out by age": ("delivery.bookbags",),
    "Shared story on the carpet, about fifteen minutes": ("delivery.sessions",),
    "Parents chose books with their children": ("delivery.bookbags",),
    "Two parents read aloud to the group": ("impact.confidence",),
    "One father stayed at the edge": ("challenges.attendance",),
    "Children confident choosing books": ("impact.confidence",),
    "Parents talked about reading at home at bedtime": ("impact.reading", "impact.library"),
    "Vocabulary from the story turned up": ("impact.language",),
    "Attendance lower than the register": ("challenges.attendance",),
    "Only two volunteers, so the librarian": ("challenges.staffing",),
    "Monitoring forms left on the table": ("challenges.attendance",),
    "Ask the steering group about volunteers": ("partnership", "challenges.staffing"),
    "Check whether dual language books have arrived": ("delivery.bookbags",),
}

_END = re.compile(r"[.!?](?=\s|$)|\n")


def sentence_spans(text: str) -> list[tuple[int, int, tuple[str, ...]]]:
    """(start, end, codes) of every coded sentence found in ``text``."""
    out = []
    for opening, codes in CODED.items():
        at = text.find(opening)
        while at >= 0:
            found = _END.search(text, at + max(len(opening) - 1, 0))
            end = (
                found.end()
                if found and found.group() != "\n"
                else (found.start() if found else len(text))
            )
            out.append((at, end, codes))
            at = text.find(opening, at + 1)
    return sorted(out)


def code_study(project: Any, coder: str = "researcher") -> int:
    """Write the hand coding into ``project`` as ``coder``'s log; returns the codings."""
    rows = []
    for doc_id in project.documents["doc_id"]:
        for start, end, codes in sentence_spans(project.text(doc_id)):
            rows += [
                {"doc_id": doc_id, "code_id": c, "start": start, "end": end, "source": "manual"}
                for c in codes
            ]
    project.code_many(rows, coder=coder)
    return len(rows)


def build_study(work: Any, coder: str = "researcher") -> Any:
    """The own study brought into a project under ``work`` (``own_study.bring_in``: init,
    add, attributes, notes) and coded by hand as ``coder``; returns the project's root."""
    from pathlib import Path

    from own_study import bring_in

    import casework

    root, _ = bring_in(Path(work))
    code_study(casework.open_project(root), coder)
    return root
