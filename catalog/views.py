"""Catalogue pages: any signed-in user may browse the model; only staff import files."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render

from catalog import selectors
from catalog.errors import CatalogError
from catalog.forms import CatalogImportForm
from catalog.modelfile import MAX_FILE_BYTES
from catalog.services import extension_import, model_version_import
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
        {"model_versions": selectors.model_version_list(), "extensions": selectors.extension_list()},
    )


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
    return render(
        request,
        "catalog/category_detail.html",
        {
            "category": category,
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
    overlays = [(overlay, names.get(overlay.target_key, "")) for overlay in extension.overlays.all()]
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
            if form.cleaned_data["kind"] == CatalogImportForm.MODEL:
                outcome = model_version_import(**arguments)
                target = ("catalog:version_detail", outcome.model_version.version)
            else:
                outcome = extension_import(**arguments)
                target = ("catalog:extension_detail", outcome.extension.ext_id, outcome.extension.version)
        except CatalogError as exc:
            refused = exc
        else:
            messages.success(request, outcome.message)
            return redirect(*target)
    return render(request, "catalog/import.html", {"form": form, "refused": refused}, status=400 if refused else 200)
