from django.conf import settings
from django.core.checks import Error, Tags, register

from delmos.settings import PLACEHOLDER_SECRET_KEY


@register(Tags.security, deploy=True)
def secret_key_is_not_placeholder(app_configs, **kwargs):
    """`check --deploy` refuses the development placeholder key."""
    if settings.SECRET_KEY == PLACEHOLDER_SECRET_KEY:
        return [
            Error(
                "SECRET_KEY is the development placeholder.",
                hint="Set the SECRET_KEY environment variable to a long random value.",
                id="delmos.E001",
            )
        ]
    return []
