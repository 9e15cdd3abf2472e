import pytest

from grants import charts

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/", "/beviljade-bidrag/", "/lan/", "/oppna-data/", "/konto/logga-in/"]
)
def test_every_page_links_the_accessibility_statement_from_its_footer(client, path):
    html = client.get(path).content.decode()
    footer = html[html.index("<footer") :]
    assert 'href="/tillganglighet/"' in footer


def test_accessibility_statement_has_what_the_law_asks_for(client):
    html = client.get("/tillganglighet/").content.decode()
    assert html.count("<h1") == 1
    assert "SFS 2018:1937" in html
    assert "WCAG" in html and "EN 301 549" in html
    assert "Innehåll som inte är tillgängligt" in html
    assert "mailto:tillganglighet@delmos.example" in html  # feedback contact
    assert "digg.se" in html  # enforcement procedure
    assert "Hur vi testat webbplatsen" in html
    english = client.get("/en/tillganglighet/").content.decode()
    assert "Enforcement procedure" in english and 'href="/en/tillganglighet/"' in english


def test_main_navigation_links_the_public_pages(client):
    html = client.get("/en/").content.decode()
    nav = html[html.index('class="wrap main-nav"') : html.index("</nav>", html.index("main-nav"))]
    for href in ["/en/beviljade-bidrag/", "/en/utlysningar/", "/en/lan/", "/en/oppna-data/"]:
        assert f'href="{href}"' in nav


def test_shades_run_from_light_to_dark_in_five_equal_classes():
    bounds = charts.shade_classes([0.0, 5.0, 10.0])
    assert bounds == [2.0, 4.0, 6.0, 8.0, 10.0]
    assert charts.shade_for(0.0, bounds) == charts.SHADES[0]
    assert charts.shade_for(10.0, bounds) == charts.SHADES[-1]
    assert charts.shade_for(5.0, bounds) == charts.SHADES[2]


def test_bar_chart_writes_labels_and_values_as_text_with_a_title_and_description():
    svg = charts.bar_chart(
        rows=[("Kommun", 300), ("Stiftelse <b>", 100)],
        title="Beviljat",
        description="Per typ",
        chart_id="t",
        value_format=lambda v: f"{v} kr",
    )
    assert 'role="img"' in svg and 'aria-labelledby="t-title t-desc"' in svg
    assert '<title id="t-title">Beviljat</title>' in svg
    assert "300 kr" in svg and "Stiftelse &lt;b&gt;" in svg
    assert svg.count("<rect") == 2
