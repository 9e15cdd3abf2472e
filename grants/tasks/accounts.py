"""Account jobs: the password reset e-mail is looked up and sent in the background (outbox kind
"password_reset"), so the page that asks for it answers in the same time whether or not the
address has an account."""

from grants.models import OutboxJob
from grants.outbox import handler
from grants.services.accounts import password_reset_send


@handler("password_reset", atomic=True)
def password_reset_job(job: OutboxJob) -> dict:
    """Look the address up and write its e-mails to the outbox, in the transaction that marks
    this job done: run twice, it sends one link."""
    password_reset_send(email=job.payload["email"], language=job.payload.get("language", "sv"))
    return {}
