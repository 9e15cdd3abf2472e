"""The public's pages: no login, nothing but published facts. Pages are cached for anonymous
visitors and the cache key carries a fingerprint of the data, so a new decision or publication
shows at once."""

import datetime as dt
import hashlib
from functools import wraps

from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.http import (
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_safe

from grants import charts, opendata
from grants.filters.public import PAGE_SIZE, GrantFilter, PageForm, filter_lookups
from grants.models import OrganisationType
from grants.selectors import public as selectors
from grants.templatetags.delmos import format_sek

CACHE_SECONDS = 600
# Each worker keeps the pages it served in its own memory too. That is safe across processes
# because a key never changes meaning: new data gives new keys (the fingerprint).
local_pages = LocMemCache(
    "public-pages", {"TIMEOUT": CACHE_SECONDS, "OPTIONS": {"MAX_ENTRIES": 500}}
)


def _fingerprint(request) -> int | None:
    """The data fingerprint, read once per request."""
    if not hasattr(request, "_public_fingerprint"):
        request._public_fingerprint = selectors.public_data_fingerprint()
    return request._public_fingerprint


def _cached(request, name: str, parts, compute):
    """A value computed once per data fingerprint and `parts` (e.g. a filter state)."""
    raw = repr((name, parts, _fingerprint(request)))
    key = "public-data:" + hashlib.sha256(raw.encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
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


def _open_data_last_modified(request, *args, **kwargs):
    """The data's last change (grants/opendata.py), computed once per data fingerprint."""
    return _cached(request, "open-data-modified", None, lambda: opendata.data_dates()[1])


# Open data is fetched by harvesters: ETag and Last-Modified, and 304 Not Modified when they
# send If-None-Match or If-Modified-Since and nothing changed.
open_data_conditional = condition(
    etag_func=_open_data_etag, last_modified_func=_open_data_last_modified
)


def home(request):
    """The front door: the headline figures of the 2020 round and of the newest decided round,
    computed from the database."""
    featured = [
        {"round": round_, "figures": selectors.round_headline_figures(round_=round_)}
        for round_ in selectors.home_rounds()
    ]
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


@require_safe
@public_cache
def award_list(request):
    """All grants, filtered, sorted and paged; htmx asks for the results fragment only."""
    filterset, queryset = _filtered(request)
    # Every page and sort order of one filter state shares its summary and counts: compute them
    # once per state and data version.
    state = sorted(
        (name, str(value))
        for name, value in (filterset.form.cleaned_data if filterset.is_bound else {}).items()
        if name != "sort" and value not in (None, "")
    )
    summary, facets = _cached(
        request,
        "award-list-aggregates",
        state,
        lambda: selectors.grant_aggregates(queryset),
    )
    filterset.show_counts(facets, lambda iso: _date(dt.date.fromisoformat(iso)))
    page_form = PageForm(request.GET)
    page = page_form.cleaned_data.get("page") if page_form.is_valid() else None
    pages = max(1, -(-summary.count // PAGE_SIZE))
    page = min(page or 1, pages)
    offset = (page - 1) * PAGE_SIZE
    rows = selectors.grant_page(queryset, offset=offset, limit=PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "form": filterset.form,
        "summary": summary,
        "grants": rows,
        "page": page,
        "pages": pages,
        "first_row": offset + 1,
        "last_row": offset + len(rows),
        "query": query.urlencode(),
        "export_query": query.urlencode(),
    }
    if request.headers.get("HX-Request"):
        return render(request, "public/_award_results.html", {**context, "oob": True})
    return render(request, "public/award_list.html", context)


@require_safe
@open_data_conditional
def award_list_csv(request):
    _filterset, queryset = _filtered(request)
    response = StreamingHttpResponse(
        opendata.csv_rows(queryset), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="beviljade-bidrag.csv"'
    return response


@require_safe
@open_data_conditional
@public_cache
def award_list_json(request):
    _filterset, queryset = _filtered(request)
    response = JsonResponse(opendata.list_json(queryset), json_dumps_params={"ensure_ascii": False})
    return response


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
@public_cache
def opendata_page(request):
    return render(
        request,
        "public/opendata.html",
        {"columns": opendata.CSV_COLUMNS, "licence": opendata.LICENSE},
    )


@require_safe
@open_data_conditional
@public_cache
def opendata_360giving(request):
    response = HttpResponse(
        opendata.dumps(opendata.package_360giving()),
        content_type="application/json; charset=utf-8",
    )
    return response


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
