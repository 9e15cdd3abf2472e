import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "delmos.settings")
application = get_wsgi_application()

# Before the worker takes its first request (delmos/warmup.py).
from delmos.warmup import warm_up  # noqa: E402 - needs the settings configured above

warm_up()
