"""Lighthouse's SEO and best-practice categories score 100 on the home page and the award list
(a meta description, valid absolute hreflang alternates, an icon, no console errors, …).

Lighthouse comes from npm: .ci/run installs it into the repo-ignored .cache/lighthouse; it drives
Debian's Chromium (CHROME_PATH). The test skips only when it is absent. Only the two categories
are run (no performance trace), one page after the other: well under two minutes."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parents[2]
LIGHTHOUSE = Path(
    os.environ.get(
        "LIGHTHOUSE", ROOT / ".cache" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
    )
)
CATEGORIES = ("seo", "best-practices")


@pytest.fixture(autouse=True)
def _empty_page_cache():
    from django.core.cache import cache

    from grants.views.public import local_pages

    cache.clear()
    local_pages.clear()


def lighthouse(url: str, folder: Path) -> dict:
    """{category: (score, [failing audits])} for one page."""
    report = folder / "lighthouse.json"
    done = subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            f"--only-categories={','.join(CATEGORIES)}",
            "--output=json",
            f"--output-path={report}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            "--quiet",
        ],
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(report.read_text())
    assert not result.get("runtimeError"), result["runtimeError"]
    scores = {}
    for category in result["categories"].values():
        failing = [
            f"{audit['id']}: {audit['title']}"
            for ref in category["auditRefs"]
            if ref["weight"] > 0
            for audit in [result["audits"][ref["id"]]]
            if audit["score"] is not None and audit["score"] < 1
        ]
        scores[category["id"]] = (round(category["score"] * 100), failing)
    return scores


def test_home_and_award_list_score_100_for_seo_and_best_practices(live_server, demo, tmp_path):
    if shutil.which("node") is None or not LIGHTHOUSE.exists():
        pytest.skip("Lighthouse is not installed (bash .ci/run installs it into .cache/lighthouse)")
    found = {
        path: lighthouse(live_server.url + path, tmp_path) for path in ["/", "/beviljade-bidrag/"]
    }
    perfect = {path: {category: (100, []) for category in CATEGORIES} for path in found}
    assert found == perfect
