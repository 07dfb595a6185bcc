"""Tokens as data: made by owners only, stored as a hash, found by the bearer
header while active; idempotency keys claimed, replayed, refused and pruned."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.audit.models import AuditEntry
from shop.clock import utcnow
from shop.extensions import db
from shop.producers.models import MemberRole, ProducerMember
from shop.tokens import idempotency, rules
from shop.tokens.exceptions import AlreadyRevoked, NoScope, NotOwner
from shop.tokens.models import ApiToken, IdempotencyKey, TokenState
from shop.tokens.rules import Scope
from shop.tokens.services import Refusal, authenticate, create_token, revoke_token
from shop.tokens.tasks import prune_idempotency_keys
from tests.tokens.helpers import make_token

# -- Pure rules ------------------------------------------------------------------------


def test_a_secret_is_prefixed_random_and_well_formed():
    one, two = rules.new_secret(), rules.new_secret()
    assert one != two
    assert one.startswith("ocop_pat_")
    assert len(one) == len("ocop_pat_") + 43
    assert rules.well_formed(one)
    assert not rules.well_formed(one + "x")
    assert not rules.well_formed("ghp_" + one[9:])


def test_bearer_header_parsing():
    assert rules.bearer_token("Bearer abc") == "abc"
    assert rules.bearer_token("bEaReR   abc  ") == "abc"
    assert rules.bearer_token("Basic abc") is None
    assert rules.bearer_token("Bearer") is None
    assert rules.bearer_token(None) is None


def test_scopes_round_trip_and_unknown_words_are_ignored():
    text = rules.join_scopes([Scope.STOCK_WRITE, Scope.ORDERS_READ])
    assert text == "orders:read stock:write"
    assert rules.parse_scopes(text + " admin:all") == {Scope.ORDERS_READ, Scope.STOCK_WRITE}


def test_keys_and_fingerprints():
    assert rules.valid_key("0b1c7c64-9f8e-4a36-9a07-6d7c0d7b1f0e")
    assert not rules.valid_key("")
    assert not rules.valid_key(None)
    assert not rules.valid_key("a b")
    assert not rules.valid_key("x" * 256)
    same = rules.fingerprint("put", "/p", b"{}")
    assert same == rules.fingerprint("PUT", "/p", b"{}")
    assert same != rules.fingerprint("PUT", "/p", b"{ }")
    assert same != rules.fingerprint("PUT", "/q", b"{}")
    # Parts are length-prefixed: moving bytes between path and body is another request.
    assert rules.fingerprint("PUT", "/ab", b"c") != rules.fingerprint("PUT", "/a", b"bc")


# -- Tokens ------------------------------------------------------------------------------


def test_only_a_hash_is_stored_and_the_token_finds_its_row(app, make_producer):
    producer = make_producer()
    token, secret = make_token(producer, scopes=[Scope.ORDERS_READ], days=30)
    row = db.session.get(ApiToken, token.id)
    assert secret not in (row.token_hash, row.hint, row.name)
    assert row.token_hash == rules.hash_token(secret)
    assert secret.startswith(row.hint)
    assert row.scopes == {Scope.ORDERS_READ}
    assert row.expires_at_utc - rules.aware(row.created_at) > timedelta(days=29)
    found = authenticate(f"Bearer {secret}", utcnow())
    assert isinstance(found, ApiToken)
    assert found.id == token.id
    assert authenticate(None, utcnow()) == Refusal("missing")
    assert authenticate(f"Bearer {rules.new_secret()}", utcnow()) == Refusal("invalid")
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "api_token.create"))
    assert audit.target_id == token.id


def test_expiry_and_revocation(app, make_producer):
    producer = make_producer()
    token, secret = make_token(producer, days=30)
    later = utcnow() + timedelta(days=31)
    assert token.state(later) is TokenState.EXPIRED
    assert authenticate(f"Bearer {secret}", later) == Refusal("invalid")
    owner = producer.members[0].user
    revoke_token(token, owner, utcnow())
    db.session.commit()
    assert token.state(utcnow()) is TokenState.REVOKED
    assert authenticate(f"Bearer {secret}", utcnow()) == Refusal("invalid")
    with pytest.raises(AlreadyRevoked):
        revoke_token(token, owner, utcnow())


def test_a_token_without_expiry(app, make_producer):
    token, secret = make_token(make_producer(), days=None)
    assert token.expires_at is None
    assert isinstance(authenticate(f"Bearer {secret}", utcnow() + timedelta(days=3650)), ApiToken)


def test_only_owners_create_and_revoke(app, make_producer, make_user):
    producer = make_producer()
    member = make_user()
    db.session.add(ProducerMember(producer=producer, user=member, role=MemberRole.MEMBER))
    db.session.commit()
    with pytest.raises(NotOwner):
        create_token(producer, member, "x", [Scope.ORDERS_READ], utcnow())
    with pytest.raises(NotOwner):  # another producer's owner
        create_token(producer, make_producer().members[0].user, "x", [Scope.ORDERS_READ], utcnow())
    with pytest.raises(NoScope):
        create_token(producer, producer.members[0].user, "x", [], utcnow())
    token, _secret = make_token(producer)
    with pytest.raises(NotOwner):
        revoke_token(token, member, utcnow())


def test_a_closed_account_closes_its_tokens(app, make_producer):
    producer = make_producer()
    _token, secret = make_token(producer)
    producer.members[0].user.is_active_account = False
    db.session.commit()
    assert authenticate(f"Bearer {secret}", utcnow()) == Refusal("invalid")


# -- Idempotency keys ------------------------------------------------------------------------


def test_claim_replay_reuse_and_prune(app, make_producer):
    token, _secret = make_token(make_producer())
    now = utcnow()
    row = idempotency.claim(token.id, "k1", "f1", now)
    assert isinstance(row, IdempotencyKey)
    idempotency.keep(row, 200, "application/json", '{"ok": true}')
    db.session.commit()
    assert idempotency.claim(token.id, "k1", "f1", now) == idempotency.Replay(
        200, "application/json", '{"ok": true}'
    )
    with pytest.raises(idempotency.KeyReused):
        idempotency.claim(token.id, "k1", "f2", now)
    # 24 hours later the key is free again.
    later = now + timedelta(hours=24, seconds=1)
    assert isinstance(idempotency.claim(token.id, "k1", "f2", later), IdempotencyKey)
    db.session.rollback()
    assert prune_idempotency_keys(later) == "Idempotency keys pruned: 1"
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0


def test_prune_keeps_the_last_24_hours(app, make_producer):
    token, _secret = make_token(make_producer())
    now = utcnow()
    for i, age in enumerate((timedelta(hours=1), timedelta(hours=23), timedelta(hours=25))):
        row = idempotency.claim(token.id, f"k{i}", "f", now - age)
        idempotency.keep(row, 200, "application/json", "{}")
    db.session.commit()
    assert idempotency.prune_keys(now) == 1
    db.session.commit()
    assert set(db.session.scalars(select(IdempotencyKey.key))) == {"k0", "k1"}


def test_the_prune_command(app, runner, make_producer):
    result = runner.invoke(args=["tokens", "prune-keys", "--force"])
    assert result.exit_code == 0, result.output
    assert "Idempotency keys pruned: 0" in result.output


def test_the_create_command_prints_a_working_token(app, runner, make_producer):
    producer = make_producer()
    owner = producer.members[0].user
    result = runner.invoke(
        args=[
            "tokens", "create", "--producer", producer.slug, "--owner", owner.email,
            "--name", "Script", "--scope", "orders:read", "--scope", "stock:write",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    found = authenticate(f"Bearer {secret}", utcnow())
    assert isinstance(found, ApiToken)
    assert found.scopes == {Scope.ORDERS_READ, Scope.STOCK_WRITE}
    refused = runner.invoke(
        args=["tokens", "create", "--producer", producer.slug, "--owner", "no@example.vn",
              "--name", "x", "--scope", "orders:read"]
    )  # fmt: skip
    assert refused.exit_code != 0
