from .applications import (
    Application,
    ApplicationStatus,
    Assessment,
    Attachment,
    BudgetCategory,
    BudgetLine,
    ConflictOfInterest,
    InternalComment,
    Partner,
    SecondAssessment,
    SupplementRequest,
)
from .decisions import Decision, DecisionMeeting, Grant, MeetingConflict
from .events import Event
from .invitations import Invitation
from .letters import LetterBatch
from .money import ClaimEntry, Payment, RecoveryClaim
from .organisations import PUBLIC_SECTOR_TYPES, Organisation, OrganisationType
from .outbox import OutboxJob
from .people import Membership, SavedFilter, User
from .public import GrantFacet, GrantFacetState, OpenDataRelease, PublicDataVersion
from .publications import Publication
from .reminders import Reminder
from .reports import Report
from .rounds import BudgetChange, QuestionSet, Round, Track

__all__ = [
    "Reminder",
    "PUBLIC_SECTOR_TYPES",
    "Application",
    "ApplicationStatus",
    "Assessment",
    "Attachment",
    "BudgetCategory",
    "BudgetChange",
    "BudgetLine",
    "ConflictOfInterest",
    "Decision",
    "DecisionMeeting",
    "Event",
    "Grant",
    "GrantFacet",
    "GrantFacetState",
    "InternalComment",
    "Invitation",
    "LetterBatch",
    "MeetingConflict",
    "Membership",
    "OpenDataRelease",
    "Organisation",
    "OutboxJob",
    "OrganisationType",
    "Partner",
    "PublicDataVersion",
    "ClaimEntry",
    "Payment",
    "Publication",
    "QuestionSet",
    "RecoveryClaim",
    "Report",
    "Round",
    "SavedFilter",
    "SecondAssessment",
    "SupplementRequest",
    "Track",
    "User",
]
