"""How each URL is filled with party A's ids, and how a response is classified."""

from django.urls import reverse

KIND_BY_NAME = {
    # URL name: {kwarg: key in World.ids or a literal}
    "public:grant": {"pk": "grant"},
    "public:organisation": {"org_number": "org_number"},
    "public:county": {"code": "lan"},
    "public:municipality": {"code": "kommun"},
    "public:round": {"year": "year"},
    "publications:round": {"year": "year"},
    "publications:version": {"year": "year", "scope": "scope", "version": 1},
    "publications:pdf": {"year": "year", "scope": "scope", "version": 1, "language": "sv"},
    "publications:status": {"pk": "publication"},
    "publications:retry": {"pk": "publication"},
    "accounts:verify": {"token": "eyJ1IjoxfQ:1abc:bad"},
    "accounts:password_reset_confirm": {"uidb64": "MQ", "token": "abc-def"},
    "portal:organisation": {"pk": "org_a"},
    "portal:invite": {"pk": "org_a"},
    "portal:member_remove": {"pk": "org_a", "membership_pk": "membership"},
    "portal:application_start": {"pk": "org_a", "track_pk": "track"},
    "portal:invitation_accept": {"token": "invitation_token"},
    "portal:application": {"pk": "submitted"},
    "portal:application_review": {"pk": "draft"},
    "portal:application_submit": {"pk": "draft"},
    "portal:receipt": {"pk": "submitted"},
    "portal:attachment": {"pk": "draft", "attachment_pk": "attachment"},
    "portal:attachment_delete": {"pk": "draft", "attachment_pk": "attachment"},
    "portal:supplement_answer": {"pk": "submitted", "supplement_pk": "supplement"},
    "portal:letter": {"pk": "granted", "decision_pk": "decision"},
    "portal:report": {"pk": "granted", "kind": "progress"},
    "portal:application_withdraw": {"pk": "submitted"},
    "portal:application_section": {"pk": "draft", "section": "project"},
    "officer:application": {"pk": "submitted"},
    "officer:assessment": {"pk": "submitted"},
    "officer:supplement": {"pk": "submitted"},
    "officer:conflict": {"pk": "submitted"},
    "officer:comment": {"pk": "submitted"},
    "officer:attachment": {"pk": "draft", "attachment_pk": "attachment"},
    "officer:letter": {"pk": "decision"},
    "officer:meeting_create": {"round_pk": "round"},
    "officer:reallocate": {"round_pk": "round"},
    "officer:meeting": {"pk": "meeting"},
    "officer:decision": {"pk": "meeting", "application_pk": "granted"},
    "officer:meeting_close": {"pk": "meeting"},
    "officer:agenda_remove": {"pk": "meeting", "application_pk": "submitted"},
    "officer:grant": {"pk": "grant"},
    "officer:payment_paid": {"pk": "payment"},
    "officer:report_review": {"pk": "report"},
    "officer:claim_settle": {"pk": "claim"},
    "officer:claim_letter": {"pk": "claim"},
    "officer:second_assessment": {"pk": "submitted"},
    "officer:meeting_conflict": {"pk": "meeting", "application_pk": "granted"},
    "officer:saved_filter_delete": {"pk": 999_999},
    "officer:outbox_retry": {"pk": "outbox_job"},
    "officer:letter_batch": {"pk": "letter_batch"},
    "officer:grant_ledger_csv": {"pk": "grant"},
    "officer:correction": {"pk": "grant"},
    "officer:claim_decide": {"pk": "grant"},
    "officer:claim_entry": {"pk": "claim"},
    "portal:ledger_csv": {"pk": "granted"},
}


def kwargs_for(name: str, ids: dict) -> dict:
    spec = KIND_BY_NAME.get(name, {})
    return {k: (ids[v] if isinstance(v, str) and v in ids else v) for k, v in spec.items()}


def url_for(name: str, ids: dict) -> str:
    return reverse(name, kwargs=kwargs_for(name, ids))


def classify(response) -> str:
    """One word per answer: ok, login, redirect, 400, 403, 404, 405, 429."""
    status = response.status_code
    if 200 <= status < 300:
        return "ok"
    if status in (301, 302, 303, 307, 308):
        location = response.get("Location", "")
        if "/konto/logga-in/" in location or "/admin/login/" in location:
            return "login"
        return "redirect"
    return str(status)
