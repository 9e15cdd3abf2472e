from django.urls import path

import grants.converters  # noqa: F401 - registers the path converters
from grants.views import public

app_name = "public"

# Stable public URLs: people and other sites link to them.
urlpatterns = [
    path("", public.home, name="home"),
    path("beviljade-bidrag/", public.award_list, name="award_list"),
    path("beviljade-bidrag.csv", public.award_list_csv, name="award_list_csv"),
    path("beviljade-bidrag.json", public.award_list_json, name="award_list_json"),
    path("beviljade-bidrag/<int:pk>/", public.grant_detail, name="grant"),
    path("organisationer/<orgnr:org_number>/", public.organisation_detail, name="organisation"),
    path("lan/", public.county_list, name="counties"),
    path("lan/<lan:code>/", public.county_detail, name="county"),
    path("kommuner/<kommun:code>/", public.municipality_detail, name="municipality"),
    path("utlysningar/", public.round_list, name="rounds"),
    path("utlysningar/<int:year>/", public.round_detail, name="round"),
    path("oppna-data/", public.opendata_page, name="opendata"),
    path("oppna-data/360giving.json", public.opendata_360giving, name="opendata_360giving"),
    path("oppna-data/beviljade-bidrag.csv", public.opendata_csv, name="opendata_csv"),
    path("tillganglighet/", public.accessibility, name="accessibility"),
    path("robots.txt", public.robots_txt, name="robots"),
]
