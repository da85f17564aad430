"""What every browser asks the site for, whatever the page: the icon at /favicon.ico."""

from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.http import require_safe


@require_safe
def favicon(request):
    """Browsers that ignore <link rel="icon"> still ask for /favicon.ico: send them to the SVG."""
    return HttpResponsePermanentRedirect(static("front/favicon.svg"))
