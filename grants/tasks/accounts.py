"""Account tasks: the password reset e-mail is looked up and sent here, so the page that asks for
it answers in the same time whether or not the address has an account."""

from celery import shared_task

from grants.services.accounts import password_reset_send


@shared_task
def password_reset_request(*, email: str, language: str) -> None:
    password_reset_send(email=email, language=language)
