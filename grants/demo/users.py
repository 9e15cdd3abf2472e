"""The demonstration logins: a case officer, a decision maker, an administrator and an applicant
who represents Hälsinglands utbildningsförbund."""

from django.contrib.auth.models import Group

from grants import roles
from grants.models import Membership, Organisation, User

DEMO_PASSWORD = "Delmos-demo-2020"  # noqa: S105 (printed for the demo; never used outside it)
DEMO_OFFICER = "handlaggare@demo.delmos.example"
DEMO_USERS = {
    "handlaggare@demo.delmos.example": ("Hanna Handläggare", [roles.CASE_OFFICER], False),
    "beslutsfattare@demo.delmos.example": ("Bertil Beslutsfattare", [roles.DECISION_MAKER], False),
    "admin@demo.delmos.example": ("Ada Administratör", [roles.ADMINISTRATOR], True),
    "sokande@demo.delmos.example": ("Sara Sökande", [], False),
}


def ensure_users(halsingland: Organisation | None) -> list[tuple[str, str, str]]:
    """Create the demo users that do not exist yet; the applicant joins Hälsingland."""
    created = []
    for email, (name, groups, superuser) in DEMO_USERS.items():
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
                full_name=name,
                is_staff=superuser,
                is_superuser=superuser,
            )
            user.email_verified_at = user.date_joined
            user.save(update_fields=["email_verified_at"])
            user.groups.set(Group.objects.filter(name__in=groups))
        created.append((email, name, ", ".join(groups) or "sökande"))
    if halsingland is not None:
        Membership.objects.get_or_create(
            user=User.objects.get(email="sokande@demo.delmos.example"),
            organisation=halsingland,
            defaults={"role": Membership.Role.REPRESENTATIVE},
        )
    return created
