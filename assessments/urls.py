from assessments.urls_manage import urlpatterns as manage_urlpatterns
from assessments.urls_questionnaire import urlpatterns as questionnaire_urlpatterns

app_name = "assessments"
urlpatterns = manage_urlpatterns + questionnaire_urlpatterns
