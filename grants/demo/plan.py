"""What the planner decides for each application before anything is written: who applies, in
which track, for what, and its fate."""

import datetime as dt
from dataclasses import dataclass, field

from grants.demo.facts import MEETING_1
from grants.models import Organisation, Track
from regions.models import Kommun


@dataclass
class Planned:
    """An application to create, with its fate."""

    org: Organisation
    track: Track
    title: str
    summary: str
    areas: list[Kommun]
    granted: int = 0  # 0: rejected
    meeting: dt.date = MEETING_1
    supplement: int = 0
    partners: list[tuple[str, str]] = field(default_factory=list)
    fact: bool = False  # the decision itself is a public fact
