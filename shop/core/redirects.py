from urllib.parse import urlsplit


def safe_next(target: str | None, default: str) -> str:
    """Return ``target`` only when it is a path on this site; otherwise ``default``."""
    if not target:
        return default
    target = target.strip()
    # Browsers treat backslashes as slashes: "/\evil.com" is "//evil.com".
    if "\\" in target or any(ord(c) < 32 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
