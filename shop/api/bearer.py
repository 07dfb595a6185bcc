"""The producer API's gate. Every operation under /api/v1/producer/ goes through
``producer_call``, in this order:

1. the bearer token (shop/tokens): none, wrong, revoked or expired is a 401 with
   ``WWW-Authenticate`` (RFC 6750); not audited, there is no one to name;
2. the operation's scope: a 403 naming it;
3. the token's rate limit (Flask-Limiter, Redis in production; one budget per
   token across all operations): a 429 with ``Retry-After``;
4. for a write, its ``Idempotency-Key`` (shop/tokens/idempotency.py): missing is
   a 400, a replay answers the kept response, another request under the same key
   is a 422, a key held by a request still running a 409;
5. the view, which flushes and never commits.

Then one commit holds the work, the key's answer, the token's last use and the
audit entry (who: the token and its owner; what: the operation, its target and
status; when). An error answer rolls the work back first and is audited in a
transaction of its own; 401 and 429 answers are not audited (a flood of them
would flood the log)."""

from collections.abc import Callable
from functools import wraps

from flask import current_app, g, request
from flask_limiter.errors import RateLimitExceeded
from werkzeug.exceptions import HTTPException

from shop.api import problems
from shop.audit.services import record
from shop.clock import utcnow
from shop.extensions import db, limiter
from shop.tokens import idempotency
from shop.tokens.models import ApiToken
from shop.tokens.rules import Scope, fingerprint, valid_key
from shop.tokens.services import Refusal, authenticate, touch

REALM = "ocop-producer-api"
KEY_HEADER = "Idempotency-Key"


def _rate() -> str:
    return current_app.config["API_TOKEN_RATE_LIMIT"]


def _token_key() -> str:
    return f"token-{g.api_token_id}"


# One budget per token, whatever the operation; keyed by the token, never by address.
token_limit = limiter.shared_limit(_rate, scope="api-token", key_func=_token_key)


def _unauthorized(refusal: Refusal):
    if refusal.reason == "missing":
        challenge = f'Bearer realm="{REALM}"'
        detail = "Send a producer token: Authorization: Bearer ocop_pat_..."
    else:
        challenge = f'Bearer realm="{REALM}", error="invalid_token"'
        detail = "The token is wrong, revoked or expired."
    return problems.problem(401, detail, headers={"WWW-Authenticate": challenge})


def audit_target(target, **data) -> None:
    """What the view acted on (a product, a shipment) and what changed, for the audit
    entry; without it the entry's target is the token."""
    g.api_audit = {"target": target, **data}


def _finish(token: ApiToken, action: str, response, **extra) -> None:
    """Record the call and commit (the work's transaction, or a fresh one after a
    rollback)."""
    details = g.pop("api_audit", None) or {}
    target = details.pop("target", None) or token
    touch(token, utcnow())
    record(
        token.created_by,
        action,
        target,
        token_id=token.id,
        token=token.hint,
        method=request.method,
        path=request.path,
        status=response.status_code,
        **details,
        **extra,
    )
    db.session.commit()


def _replay(kept: idempotency.Replay):
    response = current_app.response_class(
        kept.body, status=kept.status_code, content_type=kept.content_type
    )
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _run(view: Callable, action: str, write: bool, args, kwargs):
    token: ApiToken = g.api_token
    row = key = None
    if write:
        key = request.headers.get(KEY_HEADER)
        if key is None or not valid_key(key):
            response = problems.problem(
                400,
                f"Every write needs an {KEY_HEADER} header: 1 to 255 visible ASCII "
                "characters, new for each change (a UUID will do).",
                errors={KEY_HEADER: ["Missing or not 1–255 visible ASCII characters."]},
            )
            _finish(token, action, response)
            return response
        print_ = fingerprint(request.method, request.path, request.get_data())
        try:
            claimed = idempotency.claim(token.id, key, print_, utcnow())
        except idempotency.KeyReused:
            db.session.rollback()
            response = problems.problem(
                422,
                f"This {KEY_HEADER} was used for another request in the last 24 hours: "
                "send a new key for a new change.",
            )
            _finish(token, action, response, key=key)
            return response
        except idempotency.KeyBusy:
            db.session.rollback()
            response = problems.problem(
                409, f"A request with this {KEY_HEADER} is still running: try again."
            )
            _finish(token, action, response, key=key)
            return response
        if isinstance(claimed, idempotency.Replay):
            response = _replay(claimed)
            _finish(token, action, response, key=key, replayed=True)
            return response
        row = claimed
    g.api_audit = None
    try:
        response = current_app.make_response(view(*args, **kwargs))
    except HTTPException as error:
        db.session.rollback()
        response = problems.http_problem(error)
        _finish(token, action, response, **({"key": key} if key else {}))
        return response
    except Exception:
        db.session.rollback()
        raise
    if response.status_code >= 400:
        # A refusal the view answered itself: nothing of it stays, nor its key.
        db.session.rollback()
    elif row is not None:
        idempotency.keep(
            row, response.status_code, response.content_type, response.get_data(as_text=True)
        )
    _finish(token, action, response, **({"key": key} if key else {}))
    return response


def producer_call(scope: Scope, action: str, *, write: bool = False):
    """Put an operation behind the gate; ``action`` names it in the audit log."""

    def decorator(view):
        @wraps(view)
        def gated(*args, **kwargs):
            return _run(view, action, write, args, kwargs)

        limited = token_limit(gated)

        @wraps(view)
        def wrapper(*args, **kwargs):
            found = authenticate(request.headers.get("Authorization"), utcnow())
            if isinstance(found, Refusal):
                db.session.rollback()
                return _unauthorized(found)
            g.api_token, g.api_token_id = found, found.id
            if scope not in found.scopes:
                response = problems.problem(
                    403,
                    f"This token lacks the scope {scope.value}.",
                    headers={
                        "WWW-Authenticate": (
                            f'Bearer realm="{REALM}", error="insufficient_scope", '
                            f'scope="{scope.value}"'
                        )
                    },
                )
                _finish(found, action, response)
                return response
            try:
                response = limited(*args, **kwargs)
            except RateLimitExceeded as error:
                db.session.rollback()
                return problems.http_problem(error)
            response.headers["Cache-Control"] = "no-store"
            return response

        return wrapper

    return decorator
