import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.template import engines
from django.urls import get_resolver

from delmos import warmup

ROOT = Path(__file__).resolve().parents[2]
# A web worker's start, as gunicorn does it: import delmos.wsgi, then list the templates that
# are compiled before any request.
WORKER_START = """
import delmos.wsgi
from django.template import engines
[loader] = engines["django"].engine.template_loaders
print("COMPILED", *sorted(loader.get_template_cache))
"""


def test_a_starting_worker_compiles_the_project_templates_before_its_first_request():
    started = subprocess.run(
        [sys.executable, "-c", WORKER_START],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "delmos.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    [line] = [line for line in started.stdout.splitlines() if line.startswith("COMPILED ")]
    compiled = set(line.split()[1:])
    assert {"base.html", "public/award_list.html", "public/_award_filters.html"} <= compiled
    html = {name for name in warmup.project_templates() if name.endswith(".html")}
    assert html <= compiled


@pytest.mark.django_db
def test_warm_up_reads_no_database(django_assert_num_queries):
    for loader in engines["django"].engine.template_loaders:
        loader.reset()
    with django_assert_num_queries(0):
        warmup.warm_up()
    [loader] = engines["django"].engine.template_loaders
    assert "public/grant.html" in loader.get_template_cache
    assert get_resolver()._populated
