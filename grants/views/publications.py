"""Published award lists: the public pages and PDFs of every version, and the decision makers'
page to publish and follow the rendering."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from grants.access import decision_maker_required
from grants.downloads import file_download
from grants.forms.publications import PublishForm
from grants.models import Publication
from grants.redirects import safe_next_url
from grants.selectors import publications as selectors
from grants.services import ServiceError
from grants.services.publications import SAME_CONTENT, publication_publish, publication_retry
from grants.tasks.publications import list_context


def round_lists(request, year):
    """Every list of a round and all its versions."""
    round_ = selectors.public_round_or_404(year)
    return render(
        request,
        "publications/round.html",
        {"round": round_, "lists": selectors.lists_of_round(round_)},
    )


def version_page(request, year, scope, version):
    """One version as an HTML page equivalent to its PDF, with what changed since the previous."""
    publication = selectors.publication_or_404(year=year, scope=scope, version=version)
    previous, diff = selectors.publication_diff(publication)
    return render(
        request,
        "publications/version.html",
        {
            **list_context(publication),
            "previous": previous,
            "diff": diff,
            "versions": selectors.publication_versions(publication),
        },
    )


def version_pdf(request, year, scope, version, language):
    """The PDF of a version, only once it is completely written."""
    publication = selectors.publication_or_404(year=year, scope=scope, version=version)
    field = {"sv": publication.pdf, "en": publication.pdf_en}.get(language)
    if field is None or publication.status != Publication.Status.DONE:
        raise Http404
    return file_download(
        field,
        filename=f"{publication.round.year}-{scope}-v{version}-{language}.pdf",
        as_attachment=False,
    )


@decision_maker_required
def manage(request):
    """Publish the lists of a round and follow the rendering. A publish cannot be taken back
    (every version stays public), so a valid form first shows what will be published, list by
    list, and publishes only when that summary is confirmed unchanged."""
    form = PublishForm(request.POST or None)
    if request.method == "POST" and "edit" not in request.POST and form.is_valid():
        data = form.cleaned_data
        preview = selectors.publish_preview(
            round_=data["round"], track=data["track"], as_of=data["as_of"]
        )
        confirmed = request.POST.get("confirm", "")
        if confirmed != preview.fingerprint:
            changed = _(
                "The lists changed after the summary was shown. Check it again and confirm."
            )
            return _confirm_page(request, form, preview, problem=changed if confirmed else "")
        try:
            publications = publication_publish(
                round_=data["round"],
                track=data["track"],
                as_of=data["as_of"],
                note=data["note"],
                note_en=data["note_en"],
                new_version=data["new_version"],
                user=request.user,
            )
        except ServiceError as exc:
            return _confirm_page(request, form, preview, problem=exc.message)
        if not publications:  # a repeated publish (a double click): nothing new to publish
            messages.info(request, str(SAME_CONTENT))
            return redirect(safe_next_url(request, reverse("publications:manage")))
        messages.success(
            request,
            ngettext(
                "%(count)d list published; its PDF is being rendered.",
                "%(count)d lists published; their PDFs are being rendered.",
                len(publications),
            )
            % {"count": len(publications)},
        )
        return redirect(safe_next_url(request, reverse("publications:manage")))
    return render(
        request,
        "publications/manage.html",
        {"form": form, "publications": selectors.recent_publications()},
    )


def _confirm_page(request, form, preview, *, problem: str = ""):
    return render(
        request,
        "publications/publish_confirm.html",
        {"form": form, "preview": preview, "problem": problem},
        status=409 if problem else 200,
    )


@decision_maker_required
def status(request, pk):
    """One publication's state, polled by htmx while it is queued or rendering."""
    publication = selectors.recent_publication_or_404(pk)
    return render(request, "publications/_status.html", {"publication": publication})


@decision_maker_required
@require_POST
def retry(request, pk):
    publication = selectors.publication_by_pk_or_404(pk)
    try:
        publication_retry(publication=publication, user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The publication is queued again."))
    return redirect("publications:manage")
