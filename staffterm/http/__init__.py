"""The one HTTP layer every remote backend talks through; it knows no provider.

``client`` (queue, retries, lost replies, error mapping hook) · ``wire`` (Retry-After, Link,
query encoding, generic error mapping) · ``replies`` · ``paging`` (Link, @odata.nextLink; cap and
guards) · ``token_cache`` (0600 files) · ``redaction`` (what may be logged or shown).
"""
