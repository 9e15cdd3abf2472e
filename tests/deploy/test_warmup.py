import importlib

import pytest
from django.template import engines
from django.urls import get_resolver

from delmos import warmup


def _reset_template_caches():
    for loader in engines["django"].engine.template_loaders:
        loader.reset()


def _compiled() -> set[str]:
    [loader] = engines["django"].engine.template_loaders
    return set(loader.get_template_cache)


def test_a_starting_worker_compiles_the_project_templates_before_its_first_request():
    _reset_template_caches()
    import delmos.wsgi

    importlib.reload(delmos.wsgi)
    compiled = _compiled()
    assert {"base.html", "public/award_list.html", "public/_award_filters.html"} <= compiled
    assert set(warmup.project_templates()) - compiled <= {
        name for name in warmup.project_templates() if not name.endswith(".html")
    }


@pytest.mark.django_db
def test_warm_up_reads_no_database(django_assert_num_queries):
    _reset_template_caches()
    with django_assert_num_queries(0):
        warmup.warm_up()
    assert "public/grant.html" in _compiled()
    assert get_resolver()._populated
