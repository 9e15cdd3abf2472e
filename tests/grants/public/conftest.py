import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Each test starts with an empty page cache: ids (and so data fingerprints) repeat between
    tests whose data was rolled back."""
    from grants.views.public import local_pages

    cache.clear()
    local_pages.clear()
    yield
    cache.clear()
    local_pages.clear()
