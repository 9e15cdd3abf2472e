app_name = "publications"

urlpatterns: list = [
    # Published award lists (public) and their management (decision makers).
]
