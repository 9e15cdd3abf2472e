"""Issue 14, items 3 and 4 without a browser: what every page's head says (description, icon,
hreflang alternates, htmx only where used), and pages a visitor understands (PDF links that name
their list, one word for the currency per language, the 2020 round on the home page beside the
newest, the map beside its table). The validators themselves run in
tests/browser/test_standards.py."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import timezone

from grants.models import Application, Round
from tests import factories
from tests.browser.form_world import make_form_world

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
SITE = "https://bidrag.example.se"


def _links(html: str, rel: str) -> list[dict]:
    found = []
    for tag in re.findall(r"<link\b[^>]*>", html):
        attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
        if attributes.get("rel") == rel:
            found.append(attributes)
    return found


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_every_page_has_a_description_an_icon_and_absolute_alternates(
    client, demo, settings, prefix
):
    settings.SITE_URL = SITE
    for path in ["/", "/beviljade-bidrag/", "/lan/21/", "/konto/logga-in/"]:
        html = client.get(prefix + path).content.decode()
        description = re.search(r'<meta name="description" content="([^"]*)">', html)
        assert description and len(description.group(1)) > 40, path
        assert _links(html, "icon"), path
        alternates = {link["hreflang"]: link["href"] for link in _links(html, "alternate")}
        assert alternates == {
            "sv": SITE + path,
            "en": SITE + "/en" + path,
            "x-default": SITE + path,
        }, path


def test_the_home_page_and_the_award_list_describe_themselves_apart(client, demo):
    descriptions = {
        re.search(r'<meta name="description" content="([^"]*)">', html).group(1)
        for html in (client.get(path).content.decode() for path in ["/", "/beviljade-bidrag/"])
    }
    assert len(descriptions) == 2


def test_the_old_icon_address_leads_to_the_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
    assert (ROOT / "static" / "img" / "favicon.svg").read_text().startswith("<svg")


def test_htmx_is_served_only_on_the_pages_that_use_it(client, demo):
    assert "htmx.min.js" not in client.get("/").content.decode()
    assert "htmx.min.js" not in client.get("/lan/21/").content.decode()
    assert "htmx.min.js" in client.get("/beviljade-bidrag/").content.decode()
    draft = make_form_world()
    client.force_login(draft.organisation.memberships.get().user)
    assert "htmx.min.js" not in client.get("/portal/").content.decode()
    html = client.get(f"/portal/ansokningar/{draft.pk}/project/").content.decode()
    assert "htmx.min.js" in html


def test_templates_use_only_valid_data_hx_attributes():
    """hx-* attributes are not HTML; htmx reads the same ones with a data- prefix."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        if re.search(r"<[^>]*\shx-[a-z-]+=", path.read_text())
    ]
    assert offenders == []


def test_a_time_element_carries_whole_seconds():
    moment = dt.datetime(2020, 5, 2, 12, 46, 1, 122632, tzinfo=dt.UTC)
    html = Template('{% load delmos %}<time datetime="{{ moment|isodatetime }}">').render(
        Context({"moment": moment})
    )
    assert html == '<time datetime="2020-05-02T14:46:01+02:00">'


def test_each_pdf_link_names_its_list_language_version_and_size(client, demo):
    for prefix, words in [("", ("pdf på svenska", "pdf på engelska")), ("/en", ("PDF in",))]:
        html = client.get(f"{prefix}/utlysningar/2020/listor/").content.decode()
        links = re.findall(r'<a href="[^"]+\.pdf"[^>]*>([^<]+)</a>', html)
        assert len(links) >= 6
        assert len(set(links)) == len(links), links  # no two links read the same
        for text in links:
            assert any(word in text for word in words), text
            assert re.search(r"version \d", text), text
            assert re.search(r"\(\d+([,.]\d)?\s(KB|kB|MB|byte)", text), text
        if prefix == "":
            assert any(text.startswith("Kommuner och regioner, version 2:") for text in links)


@pytest.mark.parametrize(
    "prefix,word,others",
    [("", "kr", ("kronor", "Kronor", "MSEK", "SEK")), ("/en", "SEK", ("kronor", "Kronor", " kr"))],
)
def test_one_word_for_the_currency_per_language(client, demo, prefix, word, others):
    for path in ["/", "/lan/", "/lan/21/", "/kommuner/2183/", "/utlysningar/2020/"]:
        html = client.get(prefix + path).content.decode()
        text = re.sub(r"<[^>]+>", " ", html.split("<main", 1)[1].split("</main>", 1)[0])
        assert word in text, path
        for other in others:
            assert other not in text, (path, other)


def test_the_home_page_leads_with_the_2020_round_and_the_newest(client, demo):
    newest = factories.make_round(year=2027, status=Round.Status.DECIDED, title="Omgång 2027")
    application = factories.make_application(
        track=factories.make_track(round_=newest), status=Application.Status.APPROVED
    )
    factories.make_grant(application=application, meeting=None)
    html = client.get("/").content.decode()
    headings = re.findall(r"<h2 id=\"figures-heading-\d+\">([^<]+)</h2>", html)
    assert len(headings) == 2
    assert "2020" in headings[0] and headings[1] == "Omgång 2027"
    assert "81\u00a0700\u00a0000\u00a0kr" in html  # the 2020 round's figures are still there


def test_the_map_sits_beside_its_table(client, demo):
    html = client.get("/lan/").content.decode()
    block = html.split('<div class="map-with-table">', 1)[1].split("</div>", 1)[0]
    assert "<svg" in block and 'id="map-table"' in block
    css = (ROOT / "static" / "css" / "public.css").read_text()
    assert re.search(r"\.map-with-table \{ grid-template-columns: minmax\(16rem, 1fr\) auto", css)
    assert ".chart-map { max-width: 22rem" not in css


def test_isodatetime_keeps_the_local_time_zone():
    moment = timezone.make_aware(dt.datetime(2026, 12, 4, 17, 53, 52, 804016))
    assert Template("{% load delmos %}{{ m|isodatetime }}").render(Context({"m": moment})) == (
        "2026-12-04T17:53:52+01:00"
    )
