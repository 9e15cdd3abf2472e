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
    SupplementRequest,
)
from .decisions import Decision, DecisionMeeting, Grant
from .events import Event
from .invitations import Invitation
from .money import ClaimEntry, Payment, RecoveryClaim
from .organisations import PUBLIC_SECTOR_TYPES, Organisation, OrganisationType
from .people import Membership, User
from .public import PublicDataVersion
from .publications import Publication
from .reports import Report
from .rounds import BudgetChange, QuestionSet, Round, Track

__all__ = [
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
    "InternalComment",
    "Invitation",
    "Membership",
    "Organisation",
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
    "SupplementRequest",
    "Track",
    "User",
]
