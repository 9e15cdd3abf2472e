from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

from grants.selectors import public as selectors


def site(request):
    """What every page needs: the other language's URL and whether demonstration data exists."""
    current = get_language() or settings.LANGUAGE_CODE
    alternates = [
        {
            "code": code,
            "name": name,
            "url": translate_url(request.get_full_path(), code),
            "current": code == current,
        }
        for code, name in settings.LANGUAGES
    ]
    return {
        "language_alternates": alternates,
        "demo_data_exists": selectors.demo_data_exists,
    }
