"""The public verification page: anyone may upload a PDF (rate limited per client address)."""

import time

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

from core.request_limits import before_body, body_limit
from reports.verification import report_verify


class VerifyForm(forms.Form):
    file = forms.FileField(label="Report (PDF)", help_text="The file is checked and discarded; it is never stored.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.VERIFY_MAX_BYTES:
            raise forms.ValidationError(f"The file is larger than {settings.VERIFY_MAX_BYTES // (1024 * 1024)} MB.")
        data = upload.read()
        if not data.startswith(b"%PDF-"):
            raise forms.ValidationError("This is not a PDF file.")
        return data


def _rate_limited(request) -> bool:
    """Count uploads per client address per minute in the cache; True beyond the allowance."""
    window = int(time.time() // 60)
    header = settings.VERIFY_CLIENT_IP_HEADER
    client = (request.META.get(header) if header else None) or request.META.get("REMOTE_ADDR", "")
    key = f"verify-uploads:{client}:{window}"
    cache.add(key, 0, timeout=70)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=70)
        count = 1
    return count > settings.VERIFY_UPLOADS_PER_MINUTE


def _refuse_when_rate_limited(request):
    """Runs before the body is read (core/request_limits.py): a refused upload costs no bandwidth nor disk."""
    if _rate_limited(request):
        return render(request, "reports/verify.html", {"form": VerifyForm(), "rate_limited": True}, status=429)
    return None


@before_body(_refuse_when_rate_limited)
@body_limit(lambda: settings.VERIFY_MAX_BYTES)
def verify_index(request):
    result = None
    status = 200
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            result = report_verify(pdf=form.cleaned_data["file"])
            form = VerifyForm()
        else:
            status = 400
    else:
        form = VerifyForm()
    return render(request, "reports/verify.html", {"form": form, "result": result}, status=status)
