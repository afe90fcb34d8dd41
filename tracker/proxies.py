"""The client's address, for sign-in throttling behind reverse proxies.

A proxy that forwards a request adds the address it received it from to the
end of X-Forwarded-For. Only those additions can be trusted: anything before
them was written by the client. So with N trusted proxies in front of the app
(TRACKER_TRUSTED_PROXY_COUNT) the client is the N-th address from the end;
with none, X-Forwarded-For is ignored and the connecting address is used.
"""
from django.conf import settings


def client_ip(request):
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRACKER_TRUSTED_PROXY_COUNT
    if not count:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < count:
        return remote  # not through all the proxies: only the connecting address is known
    return hops[-count]
