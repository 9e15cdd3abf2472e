from grants.models import Event


def event_record(
    *,
    action: str,
    actor=None,
    application=None,
    grant=None,
    organisation=None,
    round=None,
    target: str = "",
    data: dict | None = None,
    visible_to_applicant: bool = False,
) -> Event:
    """Append an entry to the audit log. Call inside the transaction of the change it records."""
    if application is not None:
        organisation = organisation or application.organisation
        round = round or application.round
    return Event.objects.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        application=application,
        grant=grant,
        organisation=organisation,
        round=round,
        target=target or (str(application) if application is not None else ""),
        data=data or {},
        visible_to_applicant=visible_to_applicant,
    )
