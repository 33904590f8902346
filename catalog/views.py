"""Catalogue pages: any signed-in user may browse the model; only staff import files."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render

from catalog import selectors
from catalog.correspondence import version_difference
from catalog.errors import CatalogError
from catalog.forms import CatalogImportForm
from catalog.modelfile import MAX_FILE_BYTES
from catalog.services import extension_import, model_version_import, profile_import, references_import
from core.request_limits import body_limit


def staff_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@login_required
def index(request):
    return render(
        request,
        "catalog/index.html",
        {
            "model_versions": selectors.model_version_list(),
            "extensions": selectors.extension_list(),
            "profiles": selectors.profile_list(),
            "reference_count": selectors.reference_count(),
        },
    )


@login_required
def references(request):
    return render(request, "catalog/references.html", {"references": selectors.reference_catalogue_list()})


@login_required
def version_detail(request, version):
    model_version = selectors.model_version_get(version=version)
    if model_version is None:
        raise Http404("No such model version")
    return render(request, "catalog/version_detail.html", {"model_version": model_version})


@login_required
def category_detail(request, version, key):
    category = selectors.category_get(version=version, key=key)
    if category is None:
        raise Http404("No such category")
    previous, following = selectors.category_neighbours(category=category)
    requirements = list(category.requirements.all())
    cited = selectors.references_resolve(ids_by_owner={r.pk: r.reference_ids for r in requirements})
    for requirement in requirements:
        requirement.cited_references = cited[requirement.pk]
    return render(
        request,
        "catalog/category_detail.html",
        {
            "category": category,
            "requirements": requirements,
            "model_version": category.model_version,
            "previous": previous,
            "following": following,
        },
    )


@login_required
def extension_detail(request, ext_id, version):
    extension = selectors.extension_get(ext_id=ext_id, version=version)
    if extension is None:
        raise Http404("No such extension")
    names = selectors.extension_target_names(extension=extension)
    relevances = [(relevance, names.get(relevance.category_key, "")) for relevance in extension.relevances.all()]
    overlays = [(overlay, names.get(overlay.item_key, "")) for overlay in extension.overlays.all()]
    return render(
        request,
        "catalog/extension_detail.html",
        {"extension": extension, "relevances": relevances, "overlays": overlays},
    )


@body_limit(MAX_FILE_BYTES)
@staff_required
def import_view(request):
    form = CatalogImportForm(request.POST or None, request.FILES or None)
    refused = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        arguments = {
            "text": upload.read(),
            "source_name": upload.name,
            "by": request.user,
            "replace": form.cleaned_data["replace"],
        }
        try:
            kind = form.cleaned_data["kind"]
            if kind == CatalogImportForm.MODEL:
                outcome = model_version_import(**arguments)
                target = ("catalog:version_detail", outcome.model_version.version)
            elif kind == CatalogImportForm.REFERENCES:
                del arguments["replace"]  # the catalogue is updated in place
                outcome = references_import(**arguments)
                target = ("catalog:references",)
            elif kind == CatalogImportForm.PROFILE:
                outcome = profile_import(**arguments)
                target = ("catalog:index",)
            else:
                outcome = extension_import(**arguments)
                target = ("catalog:extension_detail", outcome.extension.ext_id, outcome.extension.version)
        except CatalogError as exc:
            refused = exc
        else:
            messages.success(request, outcome.message)
            return redirect(*target)
    return render(request, "catalog/import.html", {"form": form, "refused": refused}, status=400 if refused else 200)


@login_required
def version_compare(request):
    """What changed between two imported versions: ``?from=1.1.0&to=2.0.0`` (default: the two newest)."""
    versions = selectors.model_version_list()
    by_version = {v.version: v for v in versions}
    old = by_version.get(request.GET.get("from", "")) or (versions[1] if len(versions) > 1 else None)
    new = by_version.get(request.GET.get("to", "")) or (versions[0] if versions else None)
    if (request.GET.get("from") and request.GET["from"] not in by_version) or (
        request.GET.get("to") and request.GET["to"] not in by_version
    ):
        raise Http404("No such model version")
    difference = None
    if old is not None and new is not None and old.pk != new.pk:
        difference = version_difference(old_version=old, new_version=new)
    return render(
        request,
        "catalog/compare.html",
        {"versions": versions, "old": old, "new": new, "difference": difference},
    )
