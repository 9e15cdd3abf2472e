"""The public's pages: no login, nothing but published facts. Pages are cached for anonymous
visitors and the cache key carries a fingerprint of the data, so a new decision or publication
shows at once."""

import copy
import datetime as dt
import hashlib
import re
import threading
import time
from collections import OrderedDict
from functools import wraps

from django.core.cache import cache
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponsePermanentRedirect,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import formats
from django.utils.encoding import iri_to_uri
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_safe

from grants import charts, listing, opendata
from grants.filters.public import PAGE_SIZE, GrantFilter, PageForm, filter_lookups
from grants.models import OrganisationType
from grants.selectors import facets as precomputed
from grants.selectors import public as selectors
from grants.templatetags.delmos import format_sek

CACHE_SECONDS = 600


class WorkerMemory:
    """Values kept in this worker's memory, the least recently used dropped past `max_entries`
    and each after `timeout` seconds. Unlike Django's LocMemCache the values are kept as they
    are, not pickled on every get and set (0.2 ms of an uncached award list page's 1.9 ms of
    Python): what is kept here (text, bytes, numbers, and lists, tuples and dicts of them) is
    only ever read."""

    def __init__(self, *, timeout: float, max_entries: int, clock=time.monotonic):
        self.timeout = timeout
        self.max_entries = max_entries
        self.clock = clock
        self._entries: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, default=None):
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return default
            expires, value = found
            if expires <= self.clock():
                del self._entries[key]
                return default
            self._entries.move_to_end(key)
            return value

    def set(self, key: str, value) -> None:
        with self._lock:
            self._entries[key] = (self.clock() + self.timeout, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


# Each worker keeps the pages it served in its own memory too. That is safe across processes
# because a key never changes meaning: new data gives new keys (the fingerprint).
local_pages = WorkerMemory(timeout=CACHE_SECONDS, max_entries=500)


def _fingerprint(request) -> int | None:
    """The data fingerprint, read once per request."""
    if not hasattr(request, "_public_fingerprint"):
        request._public_fingerprint = selectors.public_data_fingerprint()
    return request._public_fingerprint


def _cached(request, name: str, parts, compute):
    """A value computed once per data fingerprint and `parts` (e.g. a filter state)."""
    raw = repr((name, parts, _fingerprint(request)))
    key = "public-data:" + hashlib.sha256(raw.encode()).hexdigest()
    value = local_pages.get(key)  # this worker's memory first, like the pages
    if value is None:
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, CACHE_SECONDS)
        local_pages.set(key, value)
    return value


def public_cache(view):
    """Serve anonymous GETs from the cache. The key holds the language, the full URL, whether
    htmx asked for a fragment, and the data fingerprint: new data means new keys."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if (
            request.method != "GET"
            or request.user.is_authenticated
            or "messages" in request.COOKIES
        ):
            return view(request, *args, **kwargs)
        raw = "|".join(
            [
                get_language() or "",
                request.get_full_path(),
                request.headers.get("HX-Request", ""),
                repr(_fingerprint(request)),
            ]
        )
        key = "public-page:" + hashlib.sha256(raw.encode()).hexdigest()
        hit = local_pages.get(key)
        if hit is None:
            hit = cache.get(key)
            if hit is not None:
                local_pages.set(key, hit)
        if hit is not None:
            content, content_type = hit
            response = HttpResponse(content, content_type=content_type)
            response["X-Cache"] = "hit"
            response["Vary"] = "HX-Request, Cookie"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            entry = (response.content, response["Content-Type"])
            cache.set(key, entry, CACHE_SECONDS)
            local_pages.set(key, entry)
        response["Vary"] = "HX-Request, Cookie"
        return response

    return wrapper


def _open_data_etag(request, *args, **kwargs) -> str:
    """Changes with any public data (the fingerprint), the language and the query string."""
    raw = "|".join([get_language() or "", request.get_full_path(), repr(_fingerprint(request))])
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


# Filtered exports are fetched by harvesters too: an ETag, and 304 Not Modified when they send
# If-None-Match and nothing changed. No Last-Modified: the data's last change is an aggregate
# over every grant (seconds at 500 000), too dear for each new data version's first visitor;
# the whole files carry both (opendata_360giving, opendata_csv).
open_data_conditional = condition(etag_func=_open_data_etag)


def home(request):
    """The front door: the headline figures of the 2020 round and of the newest decided round,
    computed from the database."""
    rounds = selectors.home_rounds()
    figures = selectors.rounds_headline_figures(rounds)
    featured = [{"round": round_, "figures": figures[round_.pk]} for round_ in rounds]
    return render(
        request,
        "public/home.html",
        {"featured": featured, "rounds": selectors.public_rounds()},
    )


def _date(day) -> str:
    return formats.date_format(day, "DATE_FORMAT") if day else ""


def _filtered(request):
    lookups = _cached(request, "award-list-lookups", get_language(), filter_lookups)
    filterset = GrantFilter(
        request.GET or None, queryset=selectors.public_grants(), lookups=lookups
    )
    return filterset, filterset.qs


def _summary_text(summary) -> str:
    """The result's one-line summary: shown above the table and announced after filtering."""
    if not summary.count:
        return _("No grants match these filters.")
    return ngettext(
        "%(counter)s grant, in total %(total)s. Largest %(largest)s, smallest %(smallest)s.",
        "%(counter)s grants, in total %(total)s. Largest %(largest)s, smallest %(smallest)s.",
        summary.count,
    ) % {
        "counter": summary.count,
        "total": format_sek(summary.total),
        "largest": format_sek(summary.largest),
        "smallest": format_sek(summary.smallest),
    }


def _result_charts(facets, lookups) -> list[dict]:
    """The current result by county, type of organisation and year: a bar chart of kronor and
    a table of grants and kronor for each (the figures the counts query already has)."""
    amounts = facets["amounts"]
    type_labels = {key: capfirst(str(label)) for key, label in OrganisationType.choices}
    groups = [
        (
            "county",
            _("Granted by county where the project works"),
            _(
                "Kronor granted in the current result to projects working in each county; a "
                "project working in several counties counts in each. The figures follow in a "
                "table."
            ),
            _("County"),
            [(name, code) for code, name in lookups["county"]],
        ),
        (
            "type",
            _("Granted by type of organisation"),
            _(
                "Kronor granted in the current result to each type of organisation. The figures "
                "follow in a table."
            ),
            _("Type of organisation"),
            [(type_labels[key], key) for key, _label in OrganisationType.choices],
        ),
        (
            "year",
            _("Granted by year of the call"),
            _(
                "Kronor granted in the current result in each year's call for applications. The "
                "figures follow in a table."
            ),
            _("Year"),
            [(str(y), int(y)) for y, _label in sorted(lookups["year"])],
        ),
    ]
    charts_out = []
    for name, title, description, column, labels in groups:
        rows = [
            (label, facets[name].get(key, 0), amounts[name].get(key, 0))
            for label, key in labels
            if facets[name].get(key, 0)
        ]
        charts_out.append(
            {
                "id": f"result-{name}",
                "title": title,
                "column": column,
                "rows": rows,
                "svg": charts.bar_chart(
                    rows=[(label, amount) for label, _n, amount in rows],
                    title=title,
                    description=description,
                    chart_id=f"result-{name}-chart",
                    value_format=format_sek,
                ),
            }
        )
    return charts_out


FILTER_NAMES = tuple(GrantFilter.base_filters)
PAGE_MODES = ("first", "after", "before")
# Stand-ins for what differs between the pages of one filter state, written into the page
# rendered once per state (the "frame") and replaced per request. Letters only, so that neither
# URL quoting nor HTML escaping changes them.
QUERY_TOKEN = "zqawardlistquerytokenzq"  # noqa: S105 - not a secret
PAGE_TOKENS = {
    "caption": "zqawardlistcaptiontokenzq",
    "rows_html": "zqawardlistrowstokenzq",
    "pager_html": "zqawardlistpagertokenzq",
}
_TOKENS = re.compile("|".join(re.escape(t) for t in (f"?{QUERY_TOKEN}", *PAGE_TOKENS.values())))


def _filter_query(request) -> str:
    """The query string of the filters and sort alone, as typed (no page, no stray parameters)."""
    query = QueryDict(mutable=True)
    for name in FILTER_NAMES:
        values = [v for v in request.GET.getlist(name) if v != ""]
        if values:
            query.setlist(name, values)
    return query.urlencode()


def _award_list_parts(request) -> dict:
    """Everything of the list that depends on the filter state (as typed, with its sort) and not
    on the page: the summary, the filter form with its counts (290 municipalities twice), the
    same counts for htmx's out-of-band swap, the charts, and the page query compiled for the
    first page and for keyset pages."""
    filterset, queryset = _filtered(request)
    cleaned = filterset.form.cleaned_data if filterset.is_bound else {}
    # Every sort order of one filter state shares its summary and counts.
    state = sorted(
        (name, str(value))
        for name, value in cleaned.items()
        if name != "sort" and value not in (None, "")
    )
    summary, facets = _cached(
        request, "award-list-aggregates", state, lambda: precomputed.aggregates(filterset, queryset)
    )
    filterset.show_counts(facets, lambda iso: _date(dt.date.fromisoformat(iso)))
    context = {"form": filterset.form, "filter": filterset}
    sort = cleaned.get("sort") or "organisation"
    return {
        "summary": summary,
        "summary_text": _summary_text(summary),
        "sort": sort,
        "form": render_to_string("public/_award_filters.html", context),
        "facets_oob": render_to_string("public/_facets.html", {**context, "oob": True}),
        "charts": render_to_string(
            "public/_award_charts.html",
            {"charts": _result_charts(facets, filterset.lookups) if summary.count else []},
        ),
        "sql": {
            mode: selectors.compile_list_query(queryset, sort=sort, limit=PAGE_SIZE, mode=mode)
            for mode in PAGE_MODES
        },
    }


def _page_block(*, parts, rows, page: int, pages: int, offset: int, query: str) -> dict:
    """What differs per page, written in Python: the table's caption and rows and the pager,
    whose links carry the row to continue from (keyset pagination)."""
    summary = parts["summary"]
    caption = _("Grants %(first)s–%(last)s of %(total)s") % {
        "first": offset + 1,
        "last": offset + len(rows),
        "total": summary.count,
    }
    joiner = f"{query}&" if query else ""
    links = []
    if page > 2:
        links.append(f'<li><a href="{escape(f"?{query}")}">{escape(_("First page"))}</a></li>')
    if page > 1 and rows:
        href = f"?{query}" if page == 2 else f"?{joiner}page={page - 1}&before={rows[0]['pk']}"
        links.append(
            f'<li><a href="{escape(href)}" rel="prev">{escape(_("Previous page"))}</a></li>'
        )
    current = _("Page %(page)s of %(pages)s") % {"page": page, "pages": pages}
    links.append(f'<li><span aria-current="page">{escape(current)}</span></li>')
    if page < pages and rows:
        href = f"?{joiner}page={page + 1}&after={rows[-1]['pk']}"
        links.append(f'<li><a href="{escape(href)}" rel="next">{escape(_("Next page"))}</a></li>')
    pager = (
        f'<nav class="pager" aria-label="{escape(_("Pages"))}" data-hx-boost="true" '
        f'data-hx-target="#results" data-hx-swap="outerHTML"><ul>{"".join(links)}</ul></nav>'
        if pages > 1
        else ""
    )
    return {
        "caption": escape(caption),
        "rows_html": listing.table_rows(rows),
        "pager_html": mark_safe(pager),  # noqa: S308 - every value escaped above
    }


@require_safe
@public_cache
def award_list(request):
    """All grants, filtered, sorted and paged; htmx asks for the results fragment only. What
    depends on the filter state alone (summary, counts, the rendered form and charts, the page
    query, and for anonymous visitors the whole page around the rows) is built once per state
    and data version; a page then costs one keyset query and its rows."""
    typed = sorted((name, request.GET.getlist(name)) for name in FILTER_NAMES)
    parts = _cached(
        request,
        "award-list-parts",
        (get_language(), typed),
        lambda: _award_list_parts(request),
    )
    summary = parts["summary"]
    page_form = PageForm(request.GET)
    paging = page_form.cleaned_data if page_form.is_valid() else {}
    pages = max(1, -(-summary.count // PAGE_SIZE))
    page = min(paging.get("page") or 1, pages)
    offset = (page - 1) * PAGE_SIZE
    keyset = page > 1 and page == paging.get("page")
    if keyset and paging.get("after"):
        rows = selectors.run_list_query(parts["sql"]["after"], mode="after", cursor=paging["after"])
    elif keyset and paging.get("before"):
        rows = selectors.run_list_query(
            parts["sql"]["before"], mode="before", cursor=paging["before"]
        )
    elif page == 1:
        rows = selectors.run_list_query(parts["sql"]["first"], mode="first")
    else:
        rows = []
    if not rows and page > 1:
        # A page number typed without a cursor (or a cursor row that is gone): the page starts
        # after the last row of the page before it, found among the ends of every page of this
        # filter state (one pass over its sort keys, kept per state and data version), so it
        # costs what a page reached by the pager costs.
        ends = _cached(request, "award-list-page-ends", typed, lambda: _page_ends(request, parts))
        if page - 2 < len(ends):
            rows = selectors.run_list_query(
                parts["sql"]["after"], mode="after", cursor=ends[page - 2]
            )
    if not rows and page > 1:  # not expected (the ends are of this data version): count
        _filterset, queryset = _filtered(request)
        rows = selectors.list_rows(queryset, sort=parts["sort"], limit=PAGE_SIZE, offset=offset)
    query = _filter_query(request)
    block = _page_block(parts=parts, rows=rows, page=page, pages=pages, offset=offset, query=query)
    htmx = bool(request.headers.get("HX-Request"))
    template = "public/_award_results.html" if htmx else "public/award_list.html"
    context = {
        "parts": parts,
        "summary": summary,
        "summary_text": parts["summary_text"],
        "export_query": query,
        "oob": htmx,
        "demo_data_exists": _cached(request, "demo-data-exists", None, selectors.demo_data_exists),
    }
    full_query = request.META.get("QUERY_STRING", "")
    if (
        request.user.is_authenticated
        or "messages" in request.COOKIES
        or any(token in full_query for token in (QUERY_TOKEN, *PAGE_TOKENS.values()))
    ):
        return render(request, template, {**context, **block})
    # The page around the rows, once per filter state: rendered for a request whose query string
    # is a token, so that every link made from the address (the language switch) gets this
    # page's query back.
    frame = _cached(
        request,
        "award-list-frame",
        (get_language(), typed, htmx),
        lambda: _frame(request, template, {**context, **PAGE_TOKENS}),
    )
    values = {
        f"?{QUERY_TOKEN}": f"?{escape(iri_to_uri(full_query))}" if full_query else "",
        **{token: block[name] for name, token in PAGE_TOKENS.items()},
    }
    # One pass, so that nothing put in is searched again.
    return HttpResponse(_TOKENS.sub(lambda found: values[found.group(0)], frame))


def _page_ends(request, parts) -> list[int]:
    _filterset, queryset = _filtered(request)
    return selectors.page_ends(queryset, sort=parts["sort"], page_size=PAGE_SIZE)


def _frame(request, template, context) -> str:
    stand_in = copy.copy(request)
    stand_in.META = {**request.META, "QUERY_STRING": QUERY_TOKEN}
    return render_to_string(template, context, request=stand_in)


@require_safe
def award_list_csv(request):
    """The award list as CSV. Without filters or a sort it is the whole list: the file the open
    data job wrote (see opendata_csv); with either it streams from the database."""
    filterset, queryset = _filtered(request)
    if not filterset.active and not request.GET.get("sort"):
        return opendata_csv(request)
    return _streamed_csv(request, queryset)


@open_data_conditional
def _streamed_csv(request, queryset):
    ctx = opendata.shared_context(_fingerprint(request))
    response = StreamingHttpResponse(
        opendata.csv_rows(queryset, ctx=ctx), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="beviljade-bidrag.csv"'
    return response


@require_safe
@open_data_conditional
def award_list_json(request):
    """The award list as JSON, streamed from the database: never held whole in memory or in
    the cache."""
    _filterset, queryset = _filtered(request)
    ctx = opendata.shared_context(_fingerprint(request))
    return StreamingHttpResponse(
        opendata.list_json_chunks(queryset, ctx=ctx), content_type="application/json"
    )


@require_safe
@public_cache
def grant_detail(request, pk):
    grant = selectors.grant_detail(pk=pk)
    return render(request, "public/grant.html", {"grant": grant})


@require_safe
@public_cache
def organisation_detail(request, org_number):
    organisation = selectors.organisation_by_number(org_number)
    grants = selectors.organisation_grants(organisation)
    return render(
        request,
        "public/organisation.html",
        {
            "organisation": organisation,
            "grants": grants,
            "total": sum(g.amount_total for g in grants),
        },
    )


def _area_page(request, template, grants_qs, context):
    grants = selectors.area_grants(grants_qs)
    total = sum(g.amount_total for g in grants)
    per_inhabitant = selectors.kronor_per_inhabitant(total, context.get("population"))
    context.update({"grants": grants, "total": total, "per_inhabitant": per_inhabitant})
    return render(request, template, context)


def _map_context(figures):
    return {
        "county_figures": figures,
        "map_svg": charts.county_map(
            figures=figures,
            title=_("Granted SEK per inhabitant by county"),
            description=_(
                "A map of Sweden's 21 counties; the darker the county, the more SEK per "
                "inhabitant went to projects working there. The same figures follow in a table."
            ),
        ),
        "map_legend": charts.legend(figures),
    }


@require_safe
@public_cache
def county_list(request):
    figures = selectors.county_figures()
    return render(request, "public/counties.html", _map_context(figures))


@require_safe
@public_cache
def county_detail(request, code):
    lan = selectors.lan_by_code(code)
    qs = selectors.grants_in_lan(lan)
    return _area_page(
        request,
        "public/county.html",
        qs,
        {"lan": lan, "kommuner": lan.kommuner.order_by("name"), "population": lan.population},
    )


@require_safe
@public_cache
def municipality_detail(request, code):
    kommun = selectors.kommun_by_code(code)
    qs = selectors.grants_in_kommun(kommun)
    return _area_page(
        request,
        "public/municipality.html",
        qs,
        {"kommun": kommun, "population": kommun.population},
    )


@require_safe
@public_cache
def round_list(request):
    return render(request, "public/rounds.html", {"rounds": list(selectors.public_rounds())})


@require_safe
@public_cache
def round_detail(request, year):
    round_ = selectors.round_for_year(year)
    figures = selectors.round_headline_figures(round_=round_)
    for row in figures.tracks:
        history = selectors.budget_history(row.track)
        row.history = history
        row.cap = history[-1].new_cap if history else row.track.budget_cap
    grants = selectors.round_grants(round_)
    type_labels = dict(OrganisationType.choices)
    types = [
        (
            capfirst(str(type_labels.get(r["org_type"], ""))),
            r["total"] or 0,
            r["n"],
        )
        for r in selectors.type_figures(grants)
    ]
    language = get_language()
    track_bars = charts.bar_chart(
        rows=[
            (
                row.track.name_en if language == "en" and row.track.name_en else row.track.name,
                row.granted,
            )
            for row in figures.tracks
        ],
        title=_("Granted per track"),
        description=_("SEK granted in each track of the call. The figures follow in a table."),
        chart_id="track-bars",
        value_format=format_sek,
    )
    type_bars = charts.bar_chart(
        rows=[(label, total) for label, total, _n in types],
        title=_("Granted per type of organisation"),
        description=_("SEK granted to each type of organisation. The figures follow in a table."),
        chart_id="type-bars",
        value_format=format_sek,
    )
    context = {
        "round": round_,
        "figures": figures,
        "meetings": list(selectors.round_meetings(round_)),
        "publications": list(selectors.round_publications(round_)),
        "types": types,
        "track_bars": track_bars,
        "type_bars": type_bars,
        **_map_context(selectors.county_figures(grants)),
    }
    return render(request, "public/round.html", context)


@require_safe
def opendata_page(request):
    """Not in the page cache: it names the newest files, which the job writes after the data
    changed (a new file does not change the data version)."""
    return render(
        request,
        "public/opendata.html",
        {
            "columns": opendata.CSV_COLUMNS,
            "licence": opendata.LICENSE,
            "release": _release(request),
        },
    )


# -- the open data files ---------------------------------------------------------------------------
# Written by the open data job (grants/tasks/opendata.py) once per data version, never built in
# a web request nor put in the cache. The newest complete files are served; while the files of
# a newer data version are being written, the previous ones answer (a harvester gets a whole,
# consistent file at once rather than a wait). Before the first files exist: 503 with
# Retry-After. Each file has a strong ETag (its SHA-256) and Last-Modified (when it was
# written), and a conditional request whose copy is current gets 304 Not Modified.
OPEN_DATA_RETRY_SECONDS = 60
OPEN_DATA_FILES = {
    "package": ("360giving.json", "application/json", False),
    "csv": ("beviljade-bidrag.csv", "text/csv; charset=utf-8", True),
}


def _release(request):
    if not hasattr(request, "_open_data_release"):
        request._open_data_release = opendata.current_release()
    return request._open_data_release


def _file_etag(kind):
    def etag(request, *args, **kwargs):
        release = _release(request)
        return getattr(release, f"{kind}_sha256") if release else None

    return etag


def _file_last_modified(request, *args, **kwargs):
    release = _release(request)
    return release.written_at.replace(microsecond=0) if release else None


def _release_file(request, kind: str):
    release = _release(request)
    if release is None:
        response = HttpResponse(
            _(
                "The open data files are being written for the first time. Please try again "
                "in a minute."
            ),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(OPEN_DATA_RETRY_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    filename, content_type, attachment = OPEN_DATA_FILES[kind]
    field = getattr(release, kind)
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=attachment, filename=filename, content_type=content_type
    )
    # Anyone may keep a copy, but must ask whether it is still current (a 304 costs nothing).
    response["Cache-Control"] = "public, no-cache"
    response["X-Data-Version"] = str(release.data_version)
    return response


@require_safe
@condition(etag_func=_file_etag("package"), last_modified_func=_file_last_modified)
def opendata_360giving(request):
    return _release_file(request, "package")


@require_safe
@condition(etag_func=_file_etag("csv"), last_modified_func=_file_last_modified)
def opendata_csv(request):
    return _release_file(request, "csv")


@require_safe
@public_cache
def accessibility(request):
    return render(request, "public/accessibility.html")


@require_safe
def robots_txt(request):
    """Crawlers are welcome everywhere public; also the benchmark's trivial view (its ceiling)."""
    return HttpResponse(
        "User-agent: *\nDisallow: /portal/\nDisallow: /handlaggning/\n", content_type="text/plain"
    )


@require_safe
def favicon(request):
    """Browsers and crawlers ask for /favicon.ico whatever the page says: send them to the icon
    the pages link to (a static file, hashed in production)."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
