"""The header by which a page lets the PWA keep a copy on the member's device.

The service worker (``templates/pwa/service-worker.js``) goes to the network first for every
page; it keeps the answer for reading offline only when the server marked it with this
header. The server alone decides what may stay on a device (``communities.offline_copy``):
a page without the header is never stored, whatever its address.
"""

OFFLINE_COPY_HEADER = "Voisinage-Offline-Copy"
OFFLINE_COPY_VALUE = "member-list"
