"""The walk of `make production-smoke`: a client of the running stack, over HTTPS through nginx
and, where a check is about crossing processes, straight to each gunicorn instance. Standard
library only (plus pypdf to read a PDF's text). Prints one line per check; exits 1 on the first
failure.

    python deploy/smoke_client.py --site https://localhost:8110 --cafile cert.pem \
        --http-port 8119 --instance http://127.0.0.1:8111 --instance http://127.0.0.1:8112 \
        --media-root /path/to/media
"""

import argparse
import datetime as dt
import gzip
import hashlib
import html
import io
import json
import re
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path

PASSWORD = "Delmos-demo-2020"  # noqa: S105 - the demo logins' published password (README)
APPLICANT = "sokande@demo.delmos.example"
DECISION_MAKER = "beslutsfattare@demo.delmos.example"


class SmokeFailure(Exception):
    pass


def check(condition, message: str, detail: str = ""):
    if not condition:
        raise SmokeFailure(f"{message}{': ' + detail[:600] if detail else ''}")
    print(f"  ok   {message}", flush=True)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Response:
    def __init__(self, status, headers, body, url):
        self.status, self.headers, self.body, self.url = status, headers, body, url

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def header(self, name: str) -> str:
        return self.headers.get(name) or ""


class Browser:
    """One visitor: its own cookies, sent to the site (through nginx) or to one instance."""

    def __init__(self, site: str, context: ssl.SSLContext):
        self.site = site.rstrip("/")
        self.host = urllib.parse.urlsplit(self.site).netloc
        self.cookies: dict[str, str] = {}
        self.secure_cookies: set[str] = set()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=context), NoRedirect
        )

    def request(self, method, path, *, data=None, headers=None, instance=None) -> Response:
        headers = dict(headers or {})
        if instance:
            # Straight to one gunicorn, as nginx would call it.
            url = instance.rstrip("/") + path
            headers.setdefault("Host", self.host)
            headers.setdefault("X-Forwarded-Proto", "https")
        else:
            url = path if path.startswith("http") else self.site + path
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers.setdefault("Origin", self.site)
            headers.setdefault("Referer", self.site + path)
        request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310
        try:
            with self.opener.open(request, timeout=60) as raw:
                response = Response(raw.status, raw.headers, raw.read(), url)
        except urllib.error.HTTPError as error:
            response = Response(error.code, error.headers, error.read(), url)
        for value in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(value)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
                if morsel["secure"]:
                    self.secure_cookies.add(name)
        return response

    def get(self, path, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path, data, **kwargs) -> Response:
        return self.request("POST", path, data=data, **kwargs)

    def login(self, email: str, *, instance=None) -> Response:
        page = self.get("/konto/logga-in/", instance=instance)
        check(page.status == 200, f"login page answers ({instance or 'proxy'})")
        return self.post(
            "/konto/logga-in/",
            {"csrfmiddlewaretoken": csrf(page.text), "username": email, "password": PASSWORD},
            instance=instance,
        )


def csrf(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not match:
        raise SmokeFailure("no CSRF token in the form")
    return match.group(1)


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', page
    )
    if not match:
        raise SmokeFailure(f"no {name} field in the form")
    return html.unescape(match.group(1))


def section(name: str):
    print(f"\n-- {name}", flush=True)


# -- the checks ---------------------------------------------------------------------------------


def public_pages(site: Browser, instances):
    section("public pages through nginx (TLS, HSTS, gzip, static files)")
    home = site.get("/", headers={"Accept-Encoding": "gzip"})
    check(home.status == 200, "GET / answers 200", str(home.status))
    body = gzip.decompress(home.body) if home.header("Content-Encoding") == "gzip" else home.body
    check(home.header("Content-Encoding") == "gzip", "the page is gzip-compressed by nginx")
    check('lang="sv"' in body.decode(), "Swedish at the root")
    check("max-age=31536000" in home.header("Strict-Transport-Security"), "HSTS header")
    award = site.get("/beviljade-bidrag/")
    check(
        award.status == 200 and "Hälsinglands utbildningsförbund" in award.text,
        "award list shows the demo's recipients",
    )
    css = re.search(r'href="(/static/[^"]+\.css)"', award.text)
    check(
        css and re.search(r"\.[0-9a-f]{12}\.css$", css.group(1)),
        "static URL is hashed (manifest)",
        css.group(1) if css else "no stylesheet link",
    )
    static = site.get(css.group(1), headers={"Accept-Encoding": "gzip"})
    check(
        static.status == 200 and "immutable" in static.header("Cache-Control"),
        "nginx serves the stylesheet, immutable",
        f"{static.status} {dict(static.headers)}",
    )
    check(static.header("Content-Encoding") == "gzip", "the stylesheet is sent compressed")
    direct = site.get(
        css.group(1),
        instance=instances[0],
        headers={"Accept-Encoding": "br, gzip", "X-Forwarded-Proto": "https"},
    )
    check(
        direct.status == 200 and direct.header("Content-Encoding") == "br",
        "gunicorn itself (WhiteNoise) sends the stylesheet Brotli-compressed",
        f"{direct.status} {dict(direct.headers)}",
    )
    plain = urllib.request.build_opener(NoRedirect)
    http_url = f"http://127.0.0.1:{ARGS.http_port}/beviljade-bidrag/?page=2"
    try:
        plain.open(urllib.request.Request(http_url, headers={"Host": "evil.example"}), timeout=10)
        raise SmokeFailure("plain HTTP did not redirect")
    except urllib.error.HTTPError as error:
        check(
            error.code == 301
            and error.headers["Location"] == ARGS.site + "/beviljade-bidrag/?page=2",
            "plain HTTP moves to SITE_URL (not to the Host header)",
            error.headers["Location"],
        )
    redirect = site.get(
        "/beviljade-bidrag/", instance=instances[0], headers={"X-Forwarded-Proto": "http"}
    )
    check(
        redirect.status == 301 and redirect.header("Location").startswith("https://"),
        "Django redirects a plain-HTTP request to HTTPS (SECURE_SSL_REDIRECT)",
    )


def health(site: Browser, instances):
    section("health endpoints")
    for path in ("/healthz", "/readyz"):
        response = site.get(path)
        data = json.loads(response.body)
        check(
            response.status == 200 and data["status"] == "ok",
            f"{path} through nginx: ok",
            response.text,
        )
    ready = json.loads(site.get("/readyz").body)["checks"]
    for name in ("database", "cache", "broker", "storage", "private_storage", "queues"):
        check(
            ready.get(name) == "ok", f"readyz: {name} ok ({ready.get(name + '_ms')} ms)", str(ready)
        )
    for instance in instances:
        response = site.get("/healthz", instance=instance, headers={"X-Forwarded-Proto": "http"})
        check(response.status == 200, f"/healthz on {instance} over plain HTTP (no redirect)")
    english = site.get("/en/healthz")
    check(english.status == 404, "no language prefix on the health endpoints")


def session_crosses_instances(instances) -> Browser:
    section("a session crosses both gunicorn instances")
    applicant = Browser(ARGS.site, CONTEXT)
    response = applicant.login(APPLICANT, instance=instances[0])
    check(
        response.status == 302 and "sessionid" in applicant.cookies,
        f"the applicant logs in on {instances[0]}",
        f"{response.status} {response.text[:300]}",
    )
    check("sessionid" in applicant.secure_cookies, "the session cookie is Secure")
    dashboard = applicant.get("/portal/", instance=instances[1])
    check(
        dashboard.status == 200 and "Hälsinglands utbildningsförbund" in dashboard.text,
        f"the same session is logged in on {instances[1]}",
        str(dashboard.status),
    )
    return applicant


def submit_application(applicant: Browser):
    section("the applicant submits an application (through nginx)")
    dashboard = applicant.get("/portal/")
    # Hälsingland's: the applicant also represents the association with the open round's
    # multi-year grant, which has applied in the civil-society track already.
    org = re.search(
        r'href="/portal/organisationer/(\d+)/">Hälsinglands utbildningsförbund<', dashboard.text
    )
    check(org, "the applicant's organisation is on the dashboard")
    page = applicant.get(f"/portal/organisationer/{org.group(1)}/")
    starts = re.findall(rf'action="(/portal/organisationer/{org.group(1)}/ansok/\d+/)"', page.text)
    check(starts, "the open demonstration round can be applied for", page.text[:200])
    response = applicant.post(starts[0], {"csrfmiddlewaretoken": csrf(page.text)})
    match = re.match(r"/portal/ansokningar/(\d+)/project/$", response.header("Location"))
    check(response.status == 302 and match, "a draft is started", response.header("Location"))
    base = f"/portal/ansokningar/{match.group(1)}"
    year = dt.date.today().year + 1  # the demo round's grant period is next year

    def post_section(name: str, data: dict):
        form = applicant.get(f"{base}/{name}/")
        check(form.status == 200, f"section {name} opens")
        fields = {
            "csrfmiddlewaretoken": csrf(form.text),
            "version": hidden(form.text, "version"),
            "editor": hidden(form.text, "editor"),
            **data,
        }
        saved = applicant.post(f"{base}/{name}/", fields)
        check(saved.status == 302, f"section {name} saved", saved.text[:600])

    post_section(
        "project",
        {
            "project_title": "Röktest: mötesplatser i Hudiksvall",
            "project_summary": "Läxhjälp och föreningsliv för unga.",
            "purpose_and_plan": "Tre mötesplatser, öppna fyra kvällar i veckan.",
            "target_groups": "Unga 13–19 år.",
            "areas": ["2184"],
            "area_details": "Centrum",
            "start_date": f"{year}-02-01",
            "end_date": f"{year}-11-30",
        },
    )
    post_section(
        "effect",
        {
            "collaboration": "Med kommunens fritidsgårdar.",
            "long_term_effect": "Varaktiga nätverk.",
            "follow_up": "Enkäter varje termin.",
        },
    )
    post_section(
        "budget",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0",
            "form-0-category": "staff",
            "form-0-description": "Projektledare",
            "form-0-year": "",
            "form-0-amount": "300000",
        },
    )
    post_section("statement", {"not_statutory_task": "on", "statement": "Utöver skollagen."})
    post_section("funding", {"other_state_grants": "no", "co_funding": ""})
    review = applicant.get(f"{base}/granska/")
    check(review.status == 200 and "Röktest" in review.text, "the review page shows the answers")
    submitted = applicant.post(
        f"{base}/skicka-in/",
        {"csrfmiddlewaretoken": csrf(review.text), "version": hidden(review.text, "version")},
    )
    check(submitted.status == 302, "the application is submitted", submitted.text[:600])
    detail = applicant.get(submitted.header("Location"))
    year_now = dt.date.today().year
    case = re.search(rf"([A-Za-zÅÄÖåäö.]+ {year_now}/\d+)", detail.text)
    check(
        detail.status == 200 and "Röktest" in detail.text and case,
        f"submitted with case number {case.group(1) if case else '?'}",
    )
    deadline = time.monotonic() + 90
    while True:
        receipt = applicant.get(f"{base}/kvitto/")
        if receipt.status == 200 or time.monotonic() > deadline:
            break
        time.sleep(1)
    check(
        receipt.status == 200 and receipt.body.startswith(b"%PDF"),
        "a worker rendered the receipt PDF; the applicant downloads it",
        str(receipt.status),
    )
    return case.group(1) if case else ""


def versions(browser: Browser, year: int, *, instance=None) -> tuple[Response, list[int]]:
    page = browser.get(f"/utlysningar/{year}/listor/", instance=instance)
    found = sorted(
        {int(v) for v in re.findall(rf"/utlysningar/{year}/listor/alla/v(\d+)/", page.text)}
    )
    return page, found


def publish_across_instances(instances) -> tuple[int, int]:
    section("a publication through the real workers, across both instances")
    year = 2020
    visitor = Browser(ARGS.site, CONTEXT)
    round_page = f"/utlysningar/{year}/"
    first = visitor.get(round_page, instance=instances[0])
    second = visitor.get(round_page, instance=instances[1])
    check(
        first.status == 200 and second.header("X-Cache") == "hit",
        f"the call page cached by {instances[0]} is a cache hit on {instances[1]} (shared cache)",
        f"{first.status} {second.header('X-Cache')!r}",
    )
    latest = max(max(versions(visitor, year, instance=i)[1] or [0]) for i in instances)
    check(latest > 0, f"the 2020 combined list is public on both instances (latest v{latest})")

    officer = Browser(ARGS.site, CONTEXT)
    response = officer.login(DECISION_MAKER, instance=instances[0])
    check(response.status == 302, "the decision maker logs in")
    manage = officer.get("/handlaggning/publiceringar/", instance=instances[0])
    check(manage.status == 200, "the publishing page opens")
    round_id = re.search(r'<option value="(\d+)"[^>]*>[^<]*2020', manage.text)
    check(round_id, "the 2020 round can be published")
    published_at = time.monotonic()
    response = officer.post(
        "/handlaggning/publiceringar/",
        {
            "csrfmiddlewaretoken": csrf(manage.text),
            "round": round_id.group(1),
            "track": "",
            "as_of": dt.date.today().isoformat(),
            "note": "röktest",
        },
        instance=instances[0],
    )
    # Publishing is confirmed on a page that shows what will be published (its summary's
    # fingerprint rides along); the smoke confirms it as a person would.
    check(
        response.status == 200 and 'name="confirm"' in response.text,
        "the publishing page asks for a confirmation",
        f"{response.status} {response.text[:300]}",
    )
    confirm = re.search(r'<form[^>]*class="form confirm-form".*?</form>', response.text, re.S)
    hidden = re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)"', confirm.group(0) if confirm else ""
    )
    response = officer.post(
        "/handlaggning/publiceringar/",
        {name: html.unescape(value) for name, value in hidden},
        instance=instances[0],
    )
    check(response.status == 302, f"lists published on {instances[0]}", response.text[:500])
    version = latest + 1
    pdf_path = f"/utlysningar/{year}/listor/alla/v{version}/sv.pdf"
    deadline = time.monotonic() + 180
    while True:
        pdf = visitor.get(pdf_path, instance=instances[1])
        if pdf.status == 200 or time.monotonic() > deadline:
            break
        time.sleep(1)
    check(
        pdf.status == 200 and pdf.body.startswith(b"%PDF"),
        f"the workers rendered v{version}; {instances[1]} serves its PDF "
        f"({time.monotonic() - published_at:.1f} s after publishing)",
        str(pdf.status),
    )
    for instance in instances:
        page, found = versions(visitor, year, instance=instance)
        check(version in found, f"{instance} lists v{version} at once")
    after = visitor.get(round_page, instance=instances[1])
    check(
        after.status == 200 and after.header("X-Cache") != "hit",
        f"the cached call page is renewed on {instances[1]} after the publication (data version)",
    )
    again = visitor.get(round_page, instance=instances[0])
    check(
        again.header("X-Cache") == "hit" and again.body == after.body,
        f"{instances[0]} then serves the page {instances[1]} rendered",
    )
    through_proxy = visitor.get(pdf_path)
    check(through_proxy.body == pdf.body, "the PDF through nginx is the same file")
    digest = hashlib.sha256(pdf.body).hexdigest()
    media = list(Path(ARGS.media_root).rglob(f"alla-v{version}.sv.pdf"))
    check(len(media) == 1, "the PDF is in MEDIA_ROOT")
    relative = media[0].relative_to(ARGS.media_root).as_posix()
    direct = visitor.get(f"/media/{relative}")
    check(
        direct.status == 200 and hashlib.sha256(direct.body).hexdigest() == digest,
        f"nginx serves it from /media/ directly (sha256 {digest[:16]}…)",
    )
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body)).pages)
    check(
        f"{ARGS.site}/utlysningar/{year}/listor/alla/v{version}/" in text.replace("\n", ""),
        "the PDF links to the list at SITE_URL",
    )
    return version, len(pdf.body)


def open_data(site: Browser, instances):
    section("open data: 360Giving package, SITE_URL, conditional GET")
    response = site.get("/oppna-data/360giving.json")
    check(response.status == 200, "the 360Giving package answers")
    package = json.loads(response.body)
    check(len(package["grants"]) >= 70, f"{len(package['grants'])} grants in the package")
    check(
        package["downloadURL"] == ARGS.site + "/oppna-data/360giving.json",
        f"downloadURL is at SITE_URL ({package['downloadURL']})",
    )
    check(
        all(g["url"].startswith(ARGS.site + "/") for g in package["grants"]),
        "every grant url is at SITE_URL",
    )
    check(
        package["issued"] <= package["modified"],
        f"issued {package['issued']}, modified {package['modified']}",
    )
    etag, modified = response.header("ETag"), response.header("Last-Modified")
    check(etag and modified, f"ETag {etag} and Last-Modified {modified}")
    again = site.get("/oppna-data/360giving.json", headers={"If-None-Match": etag})
    check(again.status == 304 and not again.body, "If-None-Match answers 304")
    again = site.get("/oppna-data/360giving.json", headers={"If-Modified-Since": modified})
    check(again.status == 304, "If-Modified-Since answers 304")
    other = site.get(
        "/oppna-data/360giving.json", instance=instances[1], headers={"Host": "127.0.0.1"}
    )
    other_package = json.loads(other.body)
    check(
        other.status == 200 and other_package["downloadURL"].startswith(ARGS.site),
        "served under another host name, the addresses still say SITE_URL",
    )
    csv = site.get("/beviljade-bidrag.csv?county=21", headers={"Accept-Encoding": "gzip"})
    check(csv.status == 200 and csv.header("ETag"), "the CSV export answers with an ETag")


def main() -> int:
    instances = ARGS.instance
    site = Browser(ARGS.site, CONTEXT)
    results = {}
    try:
        public_pages(site, instances)
        health(site, instances)
        applicant = session_crosses_instances(instances)
        results["case"] = submit_application(applicant)
        results["version"], results["pdf_bytes"] = publish_across_instances(instances)
        open_data(site, instances)
    except (SmokeFailure, KeyError, ValueError, OSError) as exc:
        print(f"  FAIL {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        return 1
    print(f"\nthe walk passed: {results}", flush=True)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", required=True)
    parser.add_argument("--cafile", required=True)
    parser.add_argument("--http-port", required=True)
    parser.add_argument("--instance", action="append", required=True)
    parser.add_argument("--media-root", required=True)
    ARGS = parser.parse_args()
    CONTEXT = ssl.create_default_context(cafile=ARGS.cafile)
    sys.exit(main())
