"""Network providers: optional plug-ins that ask an outside service (GitHub today).

Off by default — vetbot runs air-gapped — and switched on by environment variables
(``settings.py``). ``http.ProviderClient`` gives every provider the same manners: per-request
timeouts inside the check's deadline, bounded retries with jittered backoff, ``Retry-After``
honoured, and a circuit breaker whose state ``/metrics`` and ``vetbot doctor`` show. Pure domain
layer like the rest of ``checks/``: no chat platform, no SQL. Import from the submodules:
this package stays empty so that reading settings does not import aiohttp.
"""
