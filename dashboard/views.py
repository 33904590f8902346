from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from dashboard.selectors import dashboard_rows


@login_required
def home(request):
    query = request.GET.get("q", "")
    sort = request.GET.get("sort", "recent")
    rows = dashboard_rows(user=request.user, query=query, sort=sort)
    return render(request, "dashboard/home.html", {"rows": rows, "q": query, "sort": sort})
