"""Generated from the resolver, so new URLs are covered without editing this file:

- a property-based fuzz (hypothesis) of every URL pattern, as every persona, with generated bad
  values for every path segment and query parameter: never a 500, and a GET changes no data;
- an authorisation matrix: every URL × persona, filled with another party's object ids, against
  one table of expected answers; a URL without an entry fails.
"""

import re
from urllib.parse import quote

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grants.filters.officer import QueueFilter
from grants.filters.public import GrantFilter
from tests.hostile.authz import KIND_BY_NAME, classify, kwargs_for
from tests.hostile.world import MISSING, PERSONAS, build_world, url_patterns

pytestmark = pytest.mark.django_db

EXAMPLES_PER_URL = 6
EXAMPLES_PER_ADMIN_URL = 1

QUERY_NAMES = sorted(
    {
        *GrantFilter.base_filters,
        *QueueFilter.base_filters,
        *("page", "status", "round", "next", "sort", "q", "kind", "section", "year", "track"),
        *("language", "format", "version", "scope", "o", "p", "_changelist_filters"),
    }
)
NASTY = [
    "\x00",
    "a\x00b",
    "9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999999999",
    "-1",
    "0",
    "1e309",
    "NaN",
    "' OR 1=1--",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "０１２",
    "",
    " ",
    "%",
    "\ud7ff",
    "x" * 5000,
    "https://evil.example/",
    "//evil.example",
]
nasty_text = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)


def _writes() -> int:
    """How many rows the current connection has written so far (any table)."""
    if connection.vendor == "sqlite":
        return connection.connection.total_changes
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) "
            "FROM pg_stat_xact_user_tables WHERE relname <> 'django_session' "
            "AND relname NOT LIKE 'axes_%%'"
        )
        return int(cursor.fetchone()[0])


def _converters(pattern):
    """(name, regex) of each argument of a route or regex pattern."""
    converters = getattr(pattern, "converters", None)
    if converters:
        return [(name, conv.regex) for name, conv in converters.items()]
    regex = getattr(pattern, "regex", None)
    return [(name, r"[0-9]+") for name in regex.groupindex] if regex is not None else []


@pytest.fixture
def world():
    return build_world()


def _clients(users):
    clients = {}
    for persona in PERSONAS:
        client = Client()
        if users[persona] is not None:
            client.force_login(users[persona])
        clients[persona] = client
    return clients


@pytest.fixture
def clients(world):
    """The matrix's personas: the applicant is party B, a stranger to party A's objects."""
    return _clients(world.users)


@pytest.fixture
def owner_clients(world):
    """The fuzz's personas: the applicant is party A, so the portal's own pages are reached."""
    return _clients({**world.users, "applicant": world.owner})


# Every query parameter at once set to one of these, on every URL, as the persona the URL is for.
SWEEP = ["\x00", "9223372036854775808", "-9223372036854775809", "x" * 300]
SWEEP_PERSONAS = {
    "portal": ("applicant",),
    "officer": ("officer", "decision_maker"),
    "publications": ("anonymous", "decision_maker"),
    "accounts": ("anonymous", "applicant"),
    "public": ("anonymous",),
}


def test_sweep_every_url_with_boundary_values(world, owner_clients):
    """Deterministic: each URL with its real ids and then with each boundary value in every path
    segment, and every known query parameter set to each boundary value."""
    requests = 0
    before = _writes()
    for route, name, pattern in url_patterns():
        if route.startswith("admin/") or not name:
            continue
        real = kwargs_for(name, world.ids)
        namespace = name.split(":")[0] if ":" in name else "public"
        for persona in SWEEP_PERSONAS[namespace]:
            for value in SWEEP:
                query = dict.fromkeys(QUERY_NAMES, value)
                paths = [reverse(name, kwargs=real)]
                if _converters(pattern):
                    bad = "/" + route
                    for arg, _regex in _converters(pattern):
                        bad = re.sub(
                            r"<(?:\w+:)?" + arg + ">", lambda _m, v=value: quote(v, safe=""), bad
                        )
                    paths.append(bad)
                for path in paths:
                    response = owner_clients[persona].get(path, query)
                    requests += 1
                    assert response.status_code < 500, (persona, path, value)
    assert _writes() == before, "a GET wrote to the database"
    print(f"\nsweep: {requests} requests")


def _admin_url(name, pattern):
    if not name:  # the admin's catch-all
        return "/admin/no-such-page/"
    kwargs = {}
    for arg, _regex in _converters(pattern):
        kwargs[arg] = {"app_label": "grants", "content_type_id": 1}.get(arg, str(MISSING))
    return reverse(name, kwargs=kwargs)


def _fuzz_pattern(route, name, pattern, real, clients, tried):
    """Run hypothesis over one URL pattern."""
    admin = route.startswith("admin/")
    converters = _converters(pattern)

    def segment(arg, regex):
        options = [nasty_text.map(lambda v: quote(v, safe=""))]
        if regex:
            options.append(st.from_regex(f"^(?:{regex})$", fullmatch=True).map(quote))
        if arg in real:
            options.append(st.just(quote(str(real[arg]), safe="")))
        return st.one_of(*options)

    @settings(
        max_examples=EXAMPLES_PER_ADMIN_URL if admin else EXAMPLES_PER_URL,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def probe(data):
        persona = data.draw(st.sampled_from(PERSONAS), label="persona")
        if admin:
            path = _admin_url(name, pattern)
        else:
            path = "/" + route
            for arg, regex in converters:
                value = data.draw(segment(arg, regex), label=arg)
                path = re.sub(r"<(?:\w+:)?" + arg + ">", lambda _m, v=value: v, path)
            path = data.draw(st.sampled_from(["", "/en"]), label="language") + path
        query = data.draw(
            st.dictionaries(st.sampled_from(QUERY_NAMES), nasty_text, max_size=4),
            label="query",
        )
        writes = _writes()
        response = clients[persona].get(path, query)
        tried["requests"] += 1
        assert response.status_code < 500, (persona, path, query, response.status_code)
        assert _writes() == writes, f"GET {path} {query} as {persona} wrote to the database"

    probe()
    tried["patterns"] += 1


def test_fuzz_every_url_as_every_persona(world, owner_clients):
    tried = {"requests": 0, "patterns": 0}
    patterns = list(url_patterns())
    assert len(patterns) > 100
    before = _writes()
    for route, name, pattern in patterns:
        _fuzz_pattern(route, name, pattern, kwargs_for(name, world.ids), owner_clients, tried)
    assert _writes() == before
    assert tried["patterns"] == len(patterns)
    print(f"\nfuzz: {tried['requests']} requests over {tried['patterns']} URL patterns")


# -- the authorisation matrix -------------------------------------------------------------------
#
# Party A owns every object in the URLs; "applicant" is party B's representative. Answers:
# ok (2xx), login (sent to log in), redirect (elsewhere after an allowed action), 400, 404
# (another party's object, or a page the role has no business on), 405 (wrong method), 409.
# GET and POST (an empty form) are both asked; POSTs are rolled back.

A = ("anonymous", "applicant", "officer", "decision_maker", "administrator")


def _row(*answers):
    return dict(zip(A, answers, strict=True))


PUBLIC_GET = _row("ok", "ok", "ok", "ok", "ok")
NOT_POST = _row("405", "405", "405", "405", "405")
MEMBERS_ONLY = _row("login", "404", "404", "404", "404")
LOGGED_IN = _row("login", "ok", "ok", "ok", "ok")
STAFF = _row("login", "404", "ok", "ok", "ok")
DECIDERS = _row("login", "404", "404", "ok", "ok")
NO_FILE = _row("login", "404", "404", "404", "404")

EXPECTED = {
    # Probes for the load balancer and the orchestrator: answer everyone, GET only.
    "healthz": (PUBLIC_GET, NOT_POST),
    "readyz": (PUBLIC_GET, NOT_POST),
    # The icon's old address: every visitor is sent on to the static icon.
    "favicon": (_row("redirect", "redirect", "redirect", "redirect", "redirect"), NOT_POST),
    "public:home": (PUBLIC_GET, PUBLIC_GET),
    "public:award_list": (PUBLIC_GET, NOT_POST),
    "public:award_list_csv": (PUBLIC_GET, NOT_POST),
    "public:award_list_json": (PUBLIC_GET, NOT_POST),
    "public:grant": (PUBLIC_GET, NOT_POST),
    "public:organisation": (PUBLIC_GET, NOT_POST),
    "public:counties": (PUBLIC_GET, NOT_POST),
    "public:county": (PUBLIC_GET, NOT_POST),
    "public:municipality": (PUBLIC_GET, NOT_POST),
    "public:rounds": (PUBLIC_GET, NOT_POST),
    "public:round": (PUBLIC_GET, NOT_POST),
    "public:opendata": (PUBLIC_GET, NOT_POST),
    "public:opendata_360giving": (PUBLIC_GET, NOT_POST),
    "public:opendata_csv": (PUBLIC_GET, NOT_POST),
    "public:accessibility": (PUBLIC_GET, NOT_POST),
    "public:robots": (PUBLIC_GET, NOT_POST),
    "publications:round": (PUBLIC_GET, PUBLIC_GET),
    "publications:version": (PUBLIC_GET, PUBLIC_GET),
    # No PDF has been rendered in this world: 404 for everyone.
    "publications:pdf": (_row(*["404"] * 5), _row(*["404"] * 5)),
    "publications:manage": (DECIDERS, DECIDERS),
    "publications:status": (DECIDERS, DECIDERS),
    "publications:retry": (
        _row("login", "404", "404", "405", "405"),
        _row("login", "404", "404", "redirect", "redirect"),
    ),
    "accounts:login": (
        _row("ok", "redirect", "redirect", "redirect", "redirect"),
        _row("ok", "redirect", "redirect", "redirect", "redirect"),
    ),
    "accounts:logout": (NOT_POST, None),  # POST logs out: not asked here
    "accounts:register": (
        _row("ok", "redirect", "redirect", "redirect", "redirect"),
        _row("ok", "redirect", "redirect", "redirect", "redirect"),
    ),
    "accounts:register_done": (PUBLIC_GET, PUBLIC_GET),
    "accounts:verify": (_row(*["400"] * 5), _row(*["400"] * 5)),
    "accounts:password_reset": (PUBLIC_GET, PUBLIC_GET),
    "accounts:password_reset_done": (PUBLIC_GET, NOT_POST),
    "accounts:password_reset_confirm": (PUBLIC_GET, PUBLIC_GET),
    "accounts:password_reset_complete": (PUBLIC_GET, NOT_POST),
    "accounts:password_change": (LOGGED_IN, LOGGED_IN),
    "accounts:password_change_done": (LOGGED_IN, _row("login", "405", "405", "405", "405")),
    "portal:dashboard": (LOGGED_IN, LOGGED_IN),
    "portal:organisation_create": (LOGGED_IN, LOGGED_IN),
    "portal:organisation": (MEMBERS_ONLY, MEMBERS_ONLY),
    "portal:invite": (_row("login", "405", "405", "405", "405"), MEMBERS_ONLY),
    "portal:member_remove": (_row("login", "405", "405", "405", "405"), MEMBERS_ONLY),
    "portal:application_start": (_row("login", "405", "405", "405", "405"), MEMBERS_ONLY),
    # Whoever holds an invitation link may see it (it is sent by e-mail); an empty POST is refused.
    "portal:invitation_accept": (LOGGED_IN, _row("login", "400", "400", "400", "400")),
    "portal:application": (MEMBERS_ONLY, MEMBERS_ONLY),
    "portal:application_review": (MEMBERS_ONLY, MEMBERS_ONLY),
    "portal:application_submit": (_row("login", "405", "405", "405", "405"), MEMBERS_ONLY),
    "portal:receipt": (MEMBERS_ONLY, MEMBERS_ONLY),
    "portal:attachment": (MEMBERS_ONLY, MEMBERS_ONLY),
    "portal:attachment_delete": (_row("login", "405", "405", "405", "405"), MEMBERS_ONLY),
    "portal:supplement_answer": (MEMBERS_ONLY, MEMBERS_ONLY),
    "portal:letter": (MEMBERS_ONLY, MEMBERS_ONLY),
    "portal:report": (MEMBERS_ONLY, MEMBERS_ONLY),
    "portal:ledger_csv": (MEMBERS_ONLY, MEMBERS_ONLY),
    "portal:application_withdraw": (_row("login", "405", "405", "405", "405"), MEMBERS_ONLY),
    "portal:application_section": (MEMBERS_ONLY, MEMBERS_ONLY),
    "officer:dashboard": (STAFF, STAFF),
    "officer:queue": (STAFF, STAFF),
    # An empty bulk action is refused next to the action, with a 400.
    "officer:queue_bulk": (NOT_POST, _row("login", "404", "400", "400", "400")),
    "officer:queue_csv": (STAFF, STAFF),
    # A filter without a name is refused next to the name; another officer's filter is 404.
    "officer:saved_filter_save": (NOT_POST, _row("login", "404", "400", "400", "400")),
    "officer:saved_filter_delete": (NOT_POST, _row("login", "404", "404", "404", "404")),
    "officer:queue_xlsx": (STAFF, STAFF),
    "officer:application": (STAFF, STAFF),
    "officer:assessment": (NOT_POST, _row("login", "404", "redirect", "404", "redirect")),
    "officer:supplement": (NOT_POST, _row("login", "404", "400", "404", "400")),
    "officer:second_assessment": (NOT_POST, _row("login", "404", "400", "404", "400")),
    "officer:conflict": (NOT_POST, _row("login", "404", "400", "400", "400")),
    "officer:comment": (NOT_POST, _row("login", "404", "400", "400", "400")),
    # The attachment belongs to a draft: staff never see drafts.
    "officer:attachment": (NO_FILE, NO_FILE),
    # No letter has been rendered in this world.
    "officer:letter": (NO_FILE, NO_FILE),
    "officer:meeting_create": (DECIDERS, DECIDERS),
    "officer:reallocate": (DECIDERS, DECIDERS),
    "officer:meeting": (STAFF, STAFF),
    "officer:decision": (NOT_POST, _row("login", "404", "404", "404", "404")),
    # Closing is confirmed on its own page; a POST without the confirmation shows that page.
    "officer:meeting_close": (DECIDERS, DECIDERS),
    # Not on the agenda in this world.
    "officer:meeting_conflict": (NOT_POST, _row("login", "404", "404", "404", "404")),
    # Not on the agenda in this world: refused with a message on the meeting's page.
    "officer:agenda_remove": (NOT_POST, _row("login", "404", "redirect", "redirect", "redirect")),
    "officer:grant": (STAFF, STAFF),
    "officer:follow_up": (STAFF, STAFF),
    "officer:payments_csv": (STAFF, STAFF),
    "officer:annual_figures": (STAFF, STAFF),
    "officer:annual_figures_csv": (STAFF, STAFF),
    "officer:annual_figures_xlsx": (STAFF, STAFF),
    "officer:reminders": (STAFF, STAFF),
    "officer:payment_paid": (NOT_POST, _row("login", "404", "redirect", "404", "redirect")),
    "officer:report_review": (NOT_POST, _row("login", "404", "redirect", "404", "redirect")),
    "officer:claim_settle": (NOT_POST, _row("login", "404", "redirect", "404", "redirect")),
    "officer:claim_letter": (NO_FILE, NO_FILE),
    "officer:outbox": (STAFF, STAFF),
    # A batch of letters' progress (counts only): for staff.
    "officer:letter_batch": (STAFF, STAFF),
    # A failed job of party A's submitted case: staff retry it and are sent back.
    "officer:outbox_retry": (NOT_POST, _row("login", "404", "redirect", "redirect", "redirect")),
    # The ledger: its CSV for staff; an empty correction, claim or repayment is refused next to
    # its fields (400); a correction is a decision maker's, a claim a case officer's.
    "officer:grant_ledger_csv": (STAFF, STAFF),
    "officer:correction": (NOT_POST, _row("login", "404", "404", "400", "400")),
    "officer:claim_decide": (NOT_POST, _row("login", "404", "400", "404", "400")),
    "officer:claim_entry": (NOT_POST, _row("login", "404", "400", "404", "400")),
    "officer:event_log": (
        _row("login", "404", "404", "404", "ok"),
        _row("login", "404", "404", "404", "ok"),
    ),
}
# Django's admin: only the administrator gets in; everyone else is sent to its log-in page. The
# administrator's own admin pages are Django's; the fuzz above visits each of them.
ADMIN_GET = _row("login", "login", "login", "login", "ok")
ADMIN_OPEN = {"admin:login", "admin:logout"}  # the log-in page itself; log-out is POST-only


class _Rollback(Exception):
    pass


def test_authorisation_matrix(world, clients):
    patterns = list(url_patterns())
    site = [(route, name) for route, name, _p in patterns if not route.startswith("admin/")]
    missing = sorted({name for _r, name in site} - set(EXPECTED))
    assert not missing, f"URLs without an entry in EXPECTED: {missing}"
    unfilled = [
        name
        for route, name, pattern in patterns
        if not route.startswith("admin/")
        and set(dict(_converters(pattern))) - set(KIND_BY_NAME.get(name, {}))
    ]
    assert not unfilled, f"URLs without ids in tests/hostile/authz.py: {unfilled}"
    cases = 0
    wrong = []
    for _route, name in site:
        url = reverse(name, kwargs=kwargs_for(name, world.ids))
        expected_get, expected_post = EXPECTED[name]
        for persona in PERSONAS:
            answer = classify(clients[persona].get(url))
            cases += 1
            if answer != expected_get[persona]:
                wrong.append(("GET", name, persona, expected_get[persona], answer))
            if expected_post is None:
                continue
            try:
                with transaction.atomic():
                    answer = classify(clients[persona].post(url, {}))
                    raise _Rollback
            except _Rollback:
                pass
            cases += 1
            if answer != expected_post[persona]:
                wrong.append(("POST", name, persona, expected_post[persona], answer))
    for route, name, pattern in patterns:
        if not route.startswith("admin/"):
            continue
        if name in ADMIN_OPEN:
            continue
        url = _admin_url(name, pattern)
        personas = PERSONAS if name == "admin:index" else PERSONAS[:-1]
        for persona in personas:
            answer = classify(clients[persona].get(url))
            cases += 1
            if answer != ADMIN_GET[persona]:
                wrong.append(("GET", name, persona, ADMIN_GET[persona], answer))
    assert not wrong, "\n".join(map(str, wrong))
    print(f"\nauthorisation matrix: {cases} cases")
