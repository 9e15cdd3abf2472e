"""Organisations and their members: registration, invitations, removal."""

import datetime as dt

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from grants.emails import email_send
from grants.models import Invitation, Membership, Organisation, OrganisationType
from grants.services import ServiceError
from grants.services.accounts import absolute_url
from grants.services.events import event_record

INVITATION_SALT = "delmos.portal.invitation"


@transaction.atomic
def organisation_create(*, user, data: dict) -> Organisation:
    """Register an organisation; the user who registers it becomes its representative."""
    extra = {}
    if data["org_type"] == OrganisationType.KOMMUN:
        extra["represents_kommun"] = data["seat"]
    if data["org_type"] == OrganisationType.REGION:
        extra["represents_lan"] = data["seat"].lan
    organisation = Organisation(**data, **extra)
    organisation.full_clean()
    organisation.save()
    Membership.objects.create(
        user=user, organisation=organisation, role=Membership.Role.REPRESENTATIVE
    )
    event_record(
        action="organisation.created",
        actor=user,
        organisation=organisation,
        target=organisation.name,
        data={"org_number": organisation.org_number},
    )
    return organisation


def _require_representative(*, user, organisation):
    if not Membership.objects.filter(
        user=user, organisation=organisation, role=Membership.Role.REPRESENTATIVE
    ).exists():
        raise ServiceError(
            _("Only the organisation's representative may do this."), code="permission_denied"
        )


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "e": invitation.email}, salt=INVITATION_SALT)


@transaction.atomic
def invitation_create(*, user, organisation: Organisation, email: str) -> Invitation:
    _require_representative(user=user, organisation=organisation)
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise ServiceError(_("This person is already a member."), code="already_member")
    invitation = Invitation.objects.create(organisation=organisation, email=email, invited_by=user)
    language = translation.get_language() or "sv"
    with translation.override(language):
        path = reverse("portal:invitation_accept", kwargs={"token": invitation_token(invitation)})
    email_send(
        to=email,
        template="invitation",
        context={
            "organisation": organisation,
            "inviter": user,
            "url": absolute_url(path),
            "days": settings.INVITATION_MAX_AGE_DAYS,
        },
        language=language,
    )
    event_record(
        action="organisation.member_invited",
        actor=user,
        organisation=organisation,
        target=email,
    )
    return invitation


@transaction.atomic
def invitation_accept(*, user, token: str) -> Organisation:
    """Make the logged-in user a member, if the link is valid, fresh and for their address."""
    try:
        data = signing.loads(
            token,
            salt=INVITATION_SALT,
            max_age=dt.timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
        )
    except signing.SignatureExpired as exc:
        raise ServiceError(
            _("The invitation has expired. Ask the representative for a new one."),
            code="expired",
        ) from exc
    except signing.BadSignature as exc:
        raise ServiceError(_("The link is not valid."), code="invalid") from exc
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("organisation")
        .filter(pk=data["i"], email=data["e"])
        .first()
    )
    if invitation is None or invitation.revoked_at is not None:
        raise ServiceError(_("The link is not valid."), code="invalid")
    if invitation.email.lower() != user.email.lower():
        raise ServiceError(
            _("The invitation was sent to %(email)s. Log in with that address to accept it.")
            % {"email": invitation.email},
            code="wrong_user",
        )
    organisation = invitation.organisation
    if invitation.accepted_at is None:
        Membership.objects.get_or_create(
            user=user, organisation=organisation, defaults={"role": Membership.Role.MEMBER}
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        event_record(
            action="organisation.member_joined",
            actor=user,
            organisation=organisation,
            target=user.email,
        )
    return organisation


@transaction.atomic
def membership_remove(*, user, organisation: Organisation, membership_id: int) -> None:
    _require_representative(user=user, organisation=organisation)
    membership = organisation.memberships.select_related("user").filter(pk=membership_id).first()
    if membership is None:
        raise ServiceError(_("No such member."), code="not_found")
    if membership.role == Membership.Role.REPRESENTATIVE:
        raise ServiceError(_("The representative cannot be removed."), code="representative")
    membership.delete()
    event_record(
        action="organisation.member_removed",
        actor=user,
        organisation=organisation,
        target=membership.user.email,
    )
