from django.urls import path, re_path

from broadsheet.archives import views

app_name = "archives"

_SEGMENTS = r"[^/]+(?:/[^/]+)*?"
_PAGE = r"page/(?P<page>[0-9]{1,9})/"

urlpatterns = [
    path("", views.home, name="home"),
    re_path(rf"^{_PAGE}$", views.HomeView.as_view(), name="home_page"),
    re_path(r"^(?P<year>[0-9]{4})/$", views.YearView.as_view(), name="year"),
    re_path(rf"^(?P<year>[0-9]{{4}})/{_PAGE}$", views.YearView.as_view(), name="year_page"),
    re_path(r"^(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$", views.MonthView.as_view(), name="month"),
    re_path(rf"^(?P<year>[0-9]{{4}})/(?P<month>[0-9]{{2}})/{_PAGE}$", views.MonthView.as_view(), name="month_page"),
    re_path(r"^(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<day>[0-9]{2})/$", views.DayView.as_view(), name="day"),
    re_path(
        rf"^(?P<year>[0-9]{{4}})/(?P<month>[0-9]{{2}})/(?P<day>[0-9]{{2}})/{_PAGE}$",
        views.DayView.as_view(),
        name="day_page",
    ),
    re_path(rf"^category/(?P<path>{_SEGMENTS})/{_PAGE}$", views.CategoryView.as_view(), name="category_page"),
    re_path(rf"^category/(?P<path>{_SEGMENTS})/$", views.CategoryView.as_view(), name="category"),
    path("tag/<str:slug>/", views.TagView.as_view(), name="tag"),
    re_path(rf"^tag/(?P<slug>[^/]+)/{_PAGE}$", views.TagView.as_view(), name="tag_page"),
    path("author/<str:slug>/", views.AuthorView.as_view(), name="author"),
    re_path(rf"^author/(?P<slug>[^/]+)/{_PAGE}$", views.AuthorView.as_view(), name="author_page"),
]
