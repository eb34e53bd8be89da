"""A researcher's own study, as it arrives: the fixture for intake, privacy and speakers.

``write_study(folder)`` writes, deterministically, what a small evaluation team hands
over after fieldwork: twelve recorded interviews about *Reading Together*, a family
literacy programme run at four sites (two schools, a library and a children's centre).

- six Word transcripts (``.docx``) whose core property *author* is the transcriber and
  whose turns are labelled ``Researcher 1:`` and the participant's first name;
- six plain-text transcripts (``.txt``) from a transcription service, each starting with
  a header line ``03-Feb-2023 - 09:12 - 47m05s – Tom`` and labelled ``Interviewer:`` /
  ``Int:`` / ``Q:`` and the first name;
- one ``.txt`` of bulleted field notes with section headings;
- ``participants.xlsx``: one row per transcript keyed by the file's stem, with personal
  columns (Name, Email) and non-personal ones (Site, Role, Years in post);
- ``codebook.yaml`` with keywords that find plenty in the participants' answers (and in
  the interviewer's questions, so that the turn rules have something to do).

The interviews were written for these tests (fictional people and places). Other test
modules (suggestion evaluation) import :data:`PEOPLE`, :func:`write_study` and
:data:`CODEBOOK`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

RESEARCHER = "Helen Marsh"  # the .docx author: the team's transcriber
SITES = ("Northgate", "Riverside", "Hollins Library", "Eastfield Centre")


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    email: str
    site: str
    role: str
    years: int
    fmt: str  # "docx" or "txt"
    label: str  # the interviewer's label
    header: str  # the .txt header line ("" for .docx)

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def stem(self) -> str:
        return f"{self.first} {self.last} interview"


PEOPLE = (
    Person(
        "Priya",
        "Raman",
        "p.raman@northgate.example.org",
        "Northgate",
        "Programme lead",
        6,
        "docx",
        "Researcher 1",
        "",
    ),
    Person(
        "Tom",
        "Okafor",
        "tom.okafor@northgate.example.org",
        "Northgate",
        "Class teacher",
        3,
        "txt",
        "Interviewer",
        "03-Feb-2023 - 09:12 - 47m05s \u2013 Tom",
    ),
    Person(
        "Gwen",
        "Hollis",
        "gwen.h@mailbox.example.com",
        "Northgate",
        "Parent volunteer",
        2,
        "docx",
        "Researcher 1",
        "",
    ),
    Person(
        "Marcus",
        "Delaney",
        "m.delaney@riverside.example.org",
        "Riverside",
        "Head teacher",
        11,
        "txt",
        "Int",
        "07-Feb-2023 - 14:30 - 52m40s \u2013 Marcus",
    ),
    Person(
        "Aisha",
        "Bello",
        "a.bello@riverside.example.org",
        "Riverside",
        "Family support worker",
        4,
        "docx",
        "Researcher 1",
        "",
    ),
    Person(
        "Colin",
        "Freer",
        "colin.freer@mailbox.example.com",
        "Riverside",
        "Parent volunteer",
        1,
        "txt",
        "Q",
        "09-Feb-2023 - 10:05 - 38m12s \u2013 Colin",
    ),
    Person(
        "Ruth",
        "Abernethy",
        "r.abernethy@hollins.example.org",
        "Hollins Library",
        "Library manager",
        9,
        "docx",
        "Researcher 1",
        "",
    ),
    Person(
        "Dev",
        "Kapoor",
        "dev.kapoor@hollins.example.org",
        "Hollins Library",
        "Children's librarian",
        5,
        "txt",
        "Interviewer",
        "14-Feb-2023 - 11:45 - 44m51s \u2013 Dev",
    ),
    Person(
        "Lena",
        "Vasquez",
        "lena.v@mailbox.example.com",
        "Hollins Library",
        "Parent",
        1,
        "docx",
        "Researcher 1",
        "",
    ),
    Person(
        "Owen",
        "Pritchard",
        "o.pritchard@eastfield.example.org",
        "Eastfield Centre",
        "Centre manager",
        8,
        "txt",
        "Int",
        "21-Feb-2023 - 13:20 - 49m33s \u2013 Owen",
    ),
    Person(
        "Sadia",
        "Rahim",
        "s.rahim@eastfield.example.org",
        "Eastfield Centre",
        "Early years practitioner",
        3,
        "docx",
        "Researcher 1",
        "",
    ),
    Person(
        "Bernie",
        "Cole",
        "bernie.cole@mailbox.example.com",
        "Eastfield Centre",
        "Parent",
        2,
        "txt",
        "Q",
        "23-Feb-2023 - 16:10 - 35m02s \u2013 Bernie",
    ),
)

# ---------------------------------------------------------------------------- the talk
# Each theme: the interviewer's question(s), then answers in several voices. An interview
# takes one answer per theme, chosen by the person's position, so no two read the same.
QUESTIONS = {
    "start": "Could you start by telling me about your role and how you got involved in "
    "Reading Together?",
    "setup": "How was the programme set up here, and how were families recruited?",
    "delivery": "What does a typical session look like? Talk me through the book bags and "
    "the reading sessions.",
    "challenges": "What challenges have you faced? I'm thinking of time, staffing, funding or "
    "attendance.",
    "impact": "What difference, if any, has it made to the children and their parents' "
    "confidence with reading?",
    "partnership": "How has working in partnership with the school, the library and the "
    "health visitors gone?",
    "future": "Looking ahead, is the programme sustainable once the funding ends?",
    "improve": "If you could change one thing about Reading Together, what would it be?",
}
ANSWERS = {
    "start": [
        "I've been at {site} for {years} years now. When the local authority advertised the "
        "family literacy grant, our deputy head and I wrote the bid over a half term, mostly "
        "because we kept seeing children arrive in reception who had never held a book at "
        "home. I coordinate the sessions and I keep the records for the evaluation.",
        "I came to it a bit sideways, to be honest. My youngest was in the nursery class and "
        "the teacher asked whether I'd help out with the book bags. I said yes thinking it "
        "was an hour a week, and a year later I'm running the Thursday group with another "
        "volunteer.",
        "My job is {role_lower}, so reading with families sits naturally with what I already "
        "do. I was asked to be the link person for {site} when the programme started, and I "
        "go to the termly steering group where the four sites compare notes.",
        "I was referred, really. The health visitor mentioned it at my daughter's two year "
        "check and said there were free books and a session on Saturday mornings. I went "
        "along because it got us out of the flat, and we've kept going since.",
        "I manage the building and the staff team, so my part is mostly making sure the room, "
        "the staffing and the budget are there. I wasn't sure at first that a reading "
        "programme was our business, but the families we see are exactly the ones it is for.",
        "I joined the team after the programme had started, so I inherited the sessions "
        "from a colleague who moved on. I trained as a teacher and I've worked with under "
        "fives for most of my career, which helps when you're reading with a room of toddlers.",
    ],
    "setup": [
        "Recruitment was harder than we expected. We put leaflets in book bags and on the "
        "noticeboard and got almost nothing back. What worked was the referral route: the "
        "family support worker knew which parents might come and she walked them in the "
        "first time.",
        "We launched it with a picnic in the summer holidays, with a storyteller and free "
        "books for every child. About forty families turned up and we signed up nearly "
        "half of them on the day, which gave us a proper start in September.",
        "Honestly the set up was rushed. The money arrived in October and we were told to "
        "start in November, so there was no time to train the volunteers properly. We "
        "learned on the job, and the first few sessions were a bit chaotic.",
        "Teachers identified the children in reception and year one who were not reading at "
        "home, and we sent a personal letter rather than a general one. A personal invitation "
        "from the class teacher made a big difference to who came.",
        "The library already ran rhyme time, so we built on that. Parents who came to rhyme "
        "time were invited to stay on for the Reading Together session, and word of mouth did "
        "the rest. Recruitment through an existing group was much easier than starting cold.",
        "We recruited through the health visitors and the children's centre registers. Some "
        "parents were wary at first because they thought it was a test of their own reading, "
        "so we changed the wording on the flyer to make it sound like a social group.",
    ],
    "delivery": [
        "Each session starts with a shared story on the carpet, then the parents and children "
        "choose books together for the book bags. We finish with a song. The book bags go "
        "home every week with a little card suggesting questions to ask about the pictures.",
        "We run two sessions a week, one after school and one on Saturday morning for the "
        "working parents. The Saturday one is busier. The volunteers model reading aloud and "
        "then step back so the parent does it, which is the whole point really.",
        "There's a home visit in the first month for families who want one. We take a book "
        "bag and read with the parent and child in their own front room. It takes time, but "
        "the parents who had a home visit are the ones who keep coming to sessions.",
        "The sessions are quite relaxed. There's tea and toast, the children play, and then "
        "we do twenty minutes of reading together. Some weeks we make a book, with photos of "
        "the children, and those books go home and get read to death.",
        "We follow the programme's session plans but adapt them. With the younger ones we use "
        "board books and lots of rhymes; with the school age children we bring in the phonics "
        "books from class so parents see how reading is taught now.",
        "Delivery depends on the volunteers. When we have three volunteers the session flows "
        "and every family gets attention. When it's just me it becomes crowd control, and the "
        "reading gets squeezed.",
    ],
    "challenges": [
        "Time is the big one. Teachers give up their lunch hour for the planning meetings and "
        "that isn't sustainable. And attendance drops off badly in the winter, when it's dark "
        "by four and families don't want to come back out.",
        "Staffing. We lost two volunteers at Christmas and it took until Easter to replace "
        "them. Without enough volunteers we had to cap numbers, and then there was a waiting "
        "list, which felt wrong for a programme meant to reach everyone.",
        "Funding, definitely. The grant covers the books and the sessions but not the time it "
        "takes to chase families, fill in the monitoring forms or do home visits. A lot of "
        "that is done unpaid, in the evenings.",
        "Transport was a problem for some families, because the bus from the estate only runs "
        "every hour. And some parents struggle with their own reading, so they feel exposed, "
        "and you have to build trust before they will read aloud in front of others.",
        "Attendance is patchy. We have a core of ten families who never miss, and then "
        "others who come twice and disappear. Illness, shift work, a new baby; there's "
        "always something, and we don't have the capacity to follow everyone up.",
        "The monitoring paperwork is a challenge. The evaluation wants reading logs and "
        "questionnaires, and parents who are wary of forms see that as the council checking "
        "up on them. We lost a couple of families over it, I think.",
    ],
    "impact": [
        "The change in the children's confidence is obvious. Children who wouldn't speak in "
        "class now bring their book bag to show me what they read at home. Their vocabulary "
        "has grown too; they use words from the stories in their play.",
        "For me the biggest impact is on the parents. Parents who told us they couldn't read "
        "well are now reading at home every night. One mum said it was the first time she'd "
        "enjoyed a book since she was at school herself.",
        "Library membership has gone up, which is something we can count. Families who had "
        "never used the library now come on a Saturday without us, and the children choose "
        "their own books. That's the habit we wanted to build.",
        "The reading assessment results in reception were better this year for the children "
        "in the programme, though I wouldn't claim it was all down to us. But the teachers "
        "say they can tell which children have been reading at home.",
        "My son used to throw books. Now he brings me a book at bedtime and tells me which "
        "voice to do for the bear. I feel more confident reading to him, and I read to his "
        "little sister too now, which I never did with him at that age.",
        "It's made a difference to how families see the school. Parents who never came "
        "through the door now come in, chat to the teacher and ask about reading. That "
        "relationship is worth as much as the reading itself.",
    ],
    "partnership": [
        "Partnership with the library has been the best part. The librarian comes to the "
        "school once a month and signs families up on the spot, and the school sends classes "
        "to the library. Before this we hardly knew each other.",
        "Working with the health visitors was slow to start because they are so stretched, "
        "but once they saw the book bags they started referring families. Most of our "
        "referrals now come from them.",
        "The steering group helps. The four sites meet every term, share what works and "
        "swap resources. We learned the home visit idea from the children's centre, and they "
        "borrowed our Saturday session.",
        "The partnership with the school is uneven. Some teachers are really engaged, others "
        "see it as something extra on top of their job. It depends on the head teacher "
        "making it a priority.",
        "We work closely with the family support worker. She knows the families, she knows "
        "what's going on at home, and she can tell us when a family needs a gentler approach "
        "or a home visit instead of a group session.",
        "I didn't really know the partners existed before. Now I know the librarian by name "
        "and I've been to a session at the children's centre with my daughter. It feels "
        "joined up, like the people are talking to each other.",
    ],
    "future": [
        "I worry about sustainability. Once the funding ends in March there's no budget for "
        "the books, and the books are what bring families through the door. We're applying "
        "to a local trust, but nothing is certain.",
        "I think it can carry on in a smaller way if we keep the volunteers. Some of the "
        "parents who came as participants now volunteer, and that's the most sustainable "
        "thing: families running it for other families.",
        "The library will keep the Saturday session going from its own budget, at least for "
        "another year. The home visits will stop, I'm afraid; we can't staff them without "
        "the funding.",
        "We've built it into the school development plan, so the sessions will continue. "
        "But without the grant we'll lose the free book bags, and I'm not sure the families "
        "will come just for the sessions.",
        "Honestly I don't know. Staff time is the problem, not enthusiasm. If the council "
        "funded one coordinator across the four sites, I think it would be sustainable for "
        "years.",
        "I'd keep coming even if there were no free books. It's the people. But I know other "
        "parents only came for the books, and the future would look different without them.",
    ],
    "improve": [
        "More training for volunteers before they start. Reading aloud to a group of "
        "toddlers and their parents is a skill, and we threw people in at the deep end.",
        "I would change the monitoring. Shorter forms, or let us record attendance and "
        "stories instead of questionnaires. The forms put families off.",
        "Start earlier in the year, and run it through the summer holidays. We lose families "
        "over the summer break and it takes weeks to build the habit back up.",
        "I'd like more books in home languages. Several of our families speak Polish, Urdu or "
        "Somali at home, and dual language books would help parents who are less confident "
        "reading in English.",
        "Better transport, or sessions on the estate itself. If the families can't get to us, "
        "we should go to them; a room in the community centre would reach more people.",
        "More time for staff. Everything else works, but it all rests on people giving "
        "their own time, and that can't go on forever.",
    ],
}
#: Answers in a parent's voice, by theme (the others are staff's).
PARENT_VOICE = {"start": (1, 3), "impact": (4,), "partnership": (5,), "future": (5,)}
#: How each kind of person tells how they got involved (indexes into ANSWERS["start"]).
START_VOICE = {"lead": (0,), "staff": (2, 5), "manager": (4,), "volunteer": (1,), "parent": (3,)}


def _kind(person: Person) -> str:
    role = person.role.lower()
    if "volunteer" in role:
        return "volunteer"
    if role.startswith("parent"):
        return "parent"
    if "manager" in role or "head" in role:
        return "manager"
    return "lead" if "lead" in role else "staff"


ORDER = ("start", "setup", "delivery", "challenges", "impact", "partnership", "future", "improve")
FOLLOW_UPS = (
    "That's really helpful, {first}. Can you say a bit more about that?",
    "Thank you, {first}. Was that the same for every family?",
    "Right. And did that change over the year?",
)
MORE = (
    "Yes. It took a few months, but by the spring you could see the difference, and the "
    "families were telling each other about it at the school gate.",
    "Not every family, no. Some took to it straight away and some needed a lot more "
    "support, usually the ones with the least time and the most going on at home.",
    "It did. The first term was about getting families through the door; the second was "
    "about reading at home, and that's when the confidence really started to show.",
)
CLOSING = "Thank you so much, {first}, that's everything I wanted to ask."
CLOSING_REPLY = "You're welcome. I hope it helps the evaluation."


def turns(index: int, person: Person) -> list[tuple[str, str]]:
    """The interview as (speaker, words) turns; the interviewer uses ``person.label``."""
    values = {
        "site": person.site,
        "years": person.years,
        "role_lower": person.role.lower(),
        "first": person.first,
    }
    out: list[tuple[str, str]] = []
    parent = person.role.startswith("Parent")
    for position, theme in enumerate(ORDER):
        answers = ANSWERS[theme]
        # parents speak in the voices written for parents; staff in the others
        voiced = [
            a
            for i, a in enumerate(answers)
            if (i in PARENT_VOICE.get(theme, ())) == parent
            and (theme != "start" or i in START_VOICE[_kind(person)])
        ]
        answers = voiced or answers
        answer = answers[(index * 5 + position * 7) % len(answers)]
        out.append((person.label, QUESTIONS[theme].format(**values)))
        out.append((person.first, answer.format(**values)))
        if (index + position) % 3 == 0:
            k = (index + position) % len(FOLLOW_UPS)
            out.append((person.label, FOLLOW_UPS[k].format(**values)))
            colleague = PEOPLE[(index + 1) % len(PEOPLE)]
            extra = MORE[k]
            if position == 2 and colleague.site == person.site:
                extra += f" {colleague.first} would tell you the same."  # a name in the answer
            out.append((person.first, extra))
    out.append((person.label, CLOSING.format(**values)))
    out.append((person.first, CLOSING_REPLY))
    return out


def write_docx(path: Path, person: Person, talk: list[tuple[str, str]]) -> None:
    import docx

    document = docx.Document()
    document.core_properties.author = RESEARCHER
    document.core_properties.title = f"Reading Together evaluation: {person.name}"
    for speaker, words in talk:
        document.add_paragraph(f"{speaker}: {words}")
    document.save(str(path))


def write_txt(path: Path, person: Person, talk: list[tuple[str, str]]) -> None:
    lines = [person.header, ""]
    for speaker, words in talk:
        lines += [f"{speaker}: {words}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


FIELD_NOTES = """\
Field notes - Saturday session, Hollins Library (observation)

# Setting
- Children's corner of the library, cushions on the carpet, a table with tea and toast
- Eleven families; two volunteers and the children's librarian
- Book bags laid out by age, board books for the under twos

# The session
- Shared story on the carpet, about fifteen minutes; most children joined in the refrain
- Parents chose books with their children for the book bags; lots of talk about the pictures
- Two parents read aloud to the group for the first time, with a volunteer beside them
- One father stayed at the edge and did not read; the librarian chatted to him afterwards

# Impact seen
- Children confident choosing books, several asked for the same book as last week
- Parents talked about reading at home at bedtime; one mentioned a new library card
- Vocabulary from the story turned up in the children's play afterwards

# Challenges seen
- Attendance lower than the register: three families missing, illness according to others
- Only two volunteers, so the librarian could not do the library membership sign up
- Monitoring forms left on the table; few parents filled them in

# To follow up
- Ask the steering group about volunteers for the spring term
- Check whether dual language books have arrived
"""

CODEBOOK = """\
name: Reading Together evaluation
codes:
  - id: setup
    name: Setting up
    description: How the programme started at a site.
  - id: setup.recruitment
    parent: setup
    name: Recruiting families
    keywords: [recruitment, recruited, referral, referrals, referred, leaflets, invitation,
      signed up, word of mouth]
  - id: setup.launch
    parent: setup
    name: Launch and early days
    keywords: [launched, set up, first few sessions, started in]
  - id: delivery
    name: Delivery
    description: What happens in sessions and at home.
  - id: delivery.sessions
    parent: delivery
    name: Sessions
    keywords: [session, sessions, shared story, carpet, rhyme time, song]
  - id: delivery.bookbags
    parent: delivery
    name: Book bags and books
    keywords: [book bag, book bags, board books, free books, dual language books]
  - id: delivery.homevisits
    parent: delivery
    name: Home visits
    keywords: [home visit, home visits]
  - id: challenges
    name: Challenges
  - id: challenges.time
    parent: challenges
    name: Time and capacity
    keywords: [time, capacity, unpaid, lunch hour]
  - id: challenges.staffing
    parent: challenges
    name: Staffing and volunteers
    keywords: [staffing, volunteers, volunteer, staff]
  - id: challenges.funding
    parent: challenges
    name: Funding
    keywords: [funding, grant, budget, money]
  - id: challenges.attendance
    parent: challenges
    name: Attendance and engagement
    keywords: [attendance, waiting list, drops off, transport, paperwork, forms, monitoring]
  - id: impact
    name: Impact
  - id: impact.confidence
    parent: impact
    name: Confidence
    keywords: [confidence, confident]
  - id: impact.reading
    parent: impact
    name: Reading at home
    keywords: [reading at home, bedtime, read to, habit]
  - id: impact.language
    parent: impact
    name: Language and vocabulary
    keywords: [vocabulary, words, reading assessment, phonics]
  - id: impact.library
    parent: impact
    name: Library use
    keywords: [library membership, library card, use the library]
  - id: partnership
    name: Partnership
    keywords: [partnership, steering group, health visitors, health visitor,
      family support worker, librarian, joined up]
  - id: future
    name: Sustainability
    keywords: [sustainable, sustainability, funding ends, carry on, continue]
  - id: improve
    name: Improvements
    keywords: [more training, would change, i'd like, better transport, more time]
"""


def write_study(folder: Path) -> dict[str, Path]:
    """Write the study's files into ``folder``; returns the paths by kind."""
    import openpyxl

    folder.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    for index, person in enumerate(PEOPLE):
        path = folder / f"{person.stem}.{person.fmt}"
        talk = turns(index, person)
        (write_docx if person.fmt == "docx" else write_txt)(path, person, talk)
        files.append(path)
    notes = folder / "Hollins Library field notes - Saturday.txt"
    notes.write_text(FIELD_NOTES, encoding="utf-8")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Participants"
    sheet.append(["Transcript", "Name", "Email", "Site", "Role", "Years in post"])
    for person in PEOPLE:
        sheet.append(
            [person.stem, person.name, person.email, person.site, person.role, person.years]
        )
    book.properties.creator = RESEARCHER
    sheet_path = folder / "participants.xlsx"
    book.save(str(sheet_path))
    codebook = folder / "codebook.yaml"
    codebook.write_text(CODEBOOK, encoding="utf-8")
    return {"transcripts": files, "notes": notes, "sheet": sheet_path, "codebook": codebook}  # type: ignore[dict-item]


def secrets() -> list[str]:
    """Every string that must never appear in an output: names, file names, author."""
    found = [RESEARCHER, *RESEARCHER.split()]
    for person in PEOPLE:
        found += [person.first, person.last, person.name, person.email, person.stem]
    found.append("Hollins Library field notes")
    return sorted(set(found))


def bring_in(work: Path) -> tuple[Path, dict[str, Path]]:
    """The study written to ``work/fieldwork`` and brought into a new project
    ``work/study`` the way a researcher would (init, codebook, add with the sheet, add the
    field notes); returns the project's root and the fieldwork files."""
    import contextlib
    import io
    import shutil

    from casework.cli import main

    arrived = write_study(work / "fieldwork")
    root = work / "study"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["init", str(root), "--name", "Reading Together evaluation"]) == 0
        shutil.copy(arrived["codebook"], root / "codebooks" / "codebook.yaml")
        files = [str(p) for p in arrived["transcripts"]]  # type: ignore[attr-defined]
        assert (
            main(
                [
                    "add",
                    *files,
                    "--project",
                    str(root),
                    "--attributes",
                    str(arrived["sheet"]),
                    "--match-on",
                    "Transcript",
                    "--case-from",
                    "Site",
                ]
            )
            == 0
        )
        assert (
            main(
                [
                    "add",
                    str(arrived["notes"]),
                    "--project",
                    str(root),
                    "--kind",
                    "notes",
                    "--case",
                    "Hollins Library",
                ]
            )
            == 0
        )
    return root, arrived
