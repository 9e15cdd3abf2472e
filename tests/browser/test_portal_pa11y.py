"""pa11y (HTML_CodeSniffer, WCAG 2 AA) on the application form's pages, with Debian's Chromium.
pa11y comes from npm: .ci/run installs it into the repo-ignored .cache/pa11y; the test skips
only when that binary is absent."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM
from tests.browser.form_world import EMAIL, PASSWORD, make_form_world, section_url

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parents[2]
MODULES = Path(os.environ.get("PA11Y_MODULES", ROOT / ".cache" / "pa11y" / "node_modules"))
RUNNER = Path(__file__).with_name("pa11y") / "run.js"


def test_the_application_form_pages_pass_pa11y(page, live_server, login):
    node = shutil.which("node")
    if node is None or not (MODULES / ".bin" / "pa11y").exists():
        pytest.skip("pa11y is not installed (bash .ci/run installs it into .cache/pa11y)")
    draft = make_form_world()
    login(page, EMAIL, PASSWORD)
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
    base = live_server.url
    urls = [section_url(base, draft, s) for s in ("project", "budget", "certifications")]
    urls += [f"{base}/portal/ansokningar/{draft.pk}/granska/", f"{base}/konto/registrera/"]
    done = subprocess.run(  # noqa: S603 - fixed arguments, our own script
        [node, str(RUNNER), str(MODULES), CHROMIUM, cookie, *urls],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(done.stdout)
    assert set(results) == set(urls)
    failures = {url: issues for url, issues in results.items() if issues}
    assert failures == {}, json.dumps(failures, indent=1, ensure_ascii=False)[:3000]
