"""Documents of restricted collections: invisible to those without rights, private to others.

Wagtail answers a visitor who fails a collection's view restriction with a sign-in redirect,
which tells anyone probing document ids that a private document exists there; and it serves
an authorised download with no cache directive, inline for PDFs, so that a shared cache or
the browser's PDF viewer may keep a copy. This view, routed under Wagtail's own path
(``/documents/<id>/<filename>``, see ``portal.urls``), answers 404 to anyone a restriction
refuses, and serves restricted documents as private attachments. Public documents are
served by Wagtail unchanged.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from wagtail.documents import get_document_model
from wagtail.documents.views.serve import serve


def document_serve(request, document_id, document_filename):
    document = get_object_or_404(get_document_model(), id=document_id)
    restrictions = document.collection.get_view_restrictions()
    if not all(restriction.accept_request(request) for restriction in restrictions):
        raise Http404
    response = serve(request, document_id, document_filename)
    if restrictions and response.status_code in (200, 304):
        patch_cache_control(response, private=True, no_cache=True)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=document.filename
        )
    return response
