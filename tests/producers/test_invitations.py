"""Nobody becomes a producer member without consent (issue 10).

The owner invites an address; its holder, signed in, accepts or declines through
the e-mailed link. The member form says the same for every address.
"""

import hashlib
import re
from datetime import UTC, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from shop.audit.models import AuditEntry
from shop.auth.models import Role
from shop.clock import utcnow
from shop.extensions import db
from shop.mail import outbox
from shop.producers import services
from shop.producers.exceptions import AlreadyMember, InvitationClosed
from shop.producers.models import InvitationStatus, ProducerInvitation, ProducerMember
from tests.conftest import PASSWORD
from tests.helpers_http import assert_signed_in

MEMBERS = "/producer/members"


def redirects_to(response, location: str) -> None:
    assert response.status_code == 302, response.status_code
    assert response.headers["Location"] == location


def answers(response, status: int) -> None:
    """A page, not a redirect, with this status."""
    assert response.status_code == status, response.status_code
    assert "Location" not in response.headers


def sign_in(app, email: str):
    browser = app.test_client()
    response = browser.post("/login", data={"email": email, "password": PASSWORD})
    assert_signed_in(response)
    return browser


@pytest.fixture
def producer(make_user, make_producer):
    owner = make_user(email="owner@example.vn", full_name="Vàng Mí Sính")
    return make_producer(owner=owner, legal_name="Hợp tác xã Chè Lũng Phìn")


@pytest.fixture
def owner(app, producer):
    return sign_in(app, "owner@example.vn")


def invite(owner, email: str) -> str:
    """Invite through the member form; the token of the e-mailed link."""
    redirects_to(owner.post(MEMBERS, data={"email": email}), MEMBERS)
    mail = outbox()[-1]
    return re.search(r"/producer/invitations/([A-Za-z0-9_-]+)", mail.get_content()).group(1)


def link(token: str) -> str:
    return f"/producer/invitations/{token}"


def members_of(producer) -> set[str]:
    db.session.expire_all()
    return {m.user.email for m in producer.members}


def the_invitation() -> ProducerInvitation:
    db.session.expire_all()
    return db.session.scalar(select(ProducerInvitation))


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


# Invitation required, consent


def test_inviting_adds_nobody_and_stores_only_a_hash(app, owner, producer, make_user):
    make_user(email="colleague@example.vn")
    before = utcnow()
    token = invite(owner, "Colleague@Example.vn")

    assert members_of(producer) == {"owner@example.vn"}
    invitation = the_invitation()
    assert invitation.email == "colleague@example.vn"
    assert invitation.status == InvitationStatus.PENDING
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    row = db.session.execute(select(ProducerInvitation.__table__)).one()
    assert not any(token in str(value) for value in row)
    expires_at = invitation.expires_at
    if expires_at.tzinfo is None:  # SQLite hands back naive UTC
        expires_at = expires_at.replace(tzinfo=UTC)
    assert before + timedelta(days=7) <= expires_at <= utcnow() + timedelta(days=7)
    (entry,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "producer.invite"))
    assert entry.actor.email == "owner@example.vn"
    assert entry.target_id == invitation.id
    assert entry.data["email"] == "colleague@example.vn"
    mail = outbox()[-1]
    assert mail["To"] == "colleague@example.vn"
    assert mail["Subject"] == "Lời mời tham gia Hợp tác xã Chè Lũng Phìn"
    assert "Vàng Mí Sính mời bạn làm thành viên của Hợp tác xã Chè Lũng Phìn" in mail.get_content()
    assert "/register" not in mail.get_content()  # the address has an account


def test_invitee_sees_the_producer_and_accepts(app, owner, producer, make_user):
    colleague = make_user(email="colleague@example.vn")
    token = invite(owner, "colleague@example.vn")
    browser = sign_in(app, "colleague@example.vn")

    page = browser.get(link(token))
    answers(page, 200)
    assert "Hợp tác xã Chè Lũng Phìn" in page.get_data(as_text=True)
    assert members_of(producer) == {"owner@example.vn"}  # looking is not accepting

    redirects_to(browser.post(link(token), data={"accept": "1"}), "/producer/")
    assert members_of(producer) == {"owner@example.vn", "colleague@example.vn"}
    db.session.refresh(colleague)
    assert colleague.role == Role.PRODUCER
    invitation = the_invitation()
    assert invitation.status == InvitationStatus.ACCEPTED
    assert invitation.closed_by_id == colleague.id
    assert actions()[-1] == "producer.invitation_accept"
    assert browser.get("/producer/").status_code == 200

    # The link is spent.
    again = browser.get(link(token))
    answers(again, 410)
    assert "Lời mời này đã được chấp nhận." in again.get_data(as_text=True)


def test_invitee_may_decline(app, owner, producer, make_user):
    make_user(email="colleague@example.vn")
    token = invite(owner, "colleague@example.vn")
    browser = sign_in(app, "colleague@example.vn")

    redirects_to(browser.post(link(token), data={"decline": "1"}), "/")
    assert members_of(producer) == {"owner@example.vn"}
    assert the_invitation().status == InvitationStatus.DECLINED
    assert actions()[-1] == "producer.invitation_decline"
    answers(browser.post(link(token), data={"accept": "1"}), 410)
    assert members_of(producer) == {"owner@example.vn"}


def test_a_post_without_a_choice_changes_nothing(app, owner, producer, make_user):
    make_user(email="colleague@example.vn")
    token = invite(owner, "colleague@example.vn")
    browser = sign_in(app, "colleague@example.vn")
    answers(browser.post(link(token), data={}), 400)
    assert the_invitation().status == InvitationStatus.PENDING


def test_the_link_needs_sign_in_and_the_login_page_comes_back(app, owner, make_user):
    make_user(email="colleague@example.vn")
    token = invite(owner, "colleague@example.vn")
    visitor = app.test_client()

    response = visitor.get(link(token))
    assert response.status_code == 302
    login = urlsplit(response.headers["Location"])
    assert login.path == "/login"
    assert parse_qs(login.query) == {"next": [link(token)]}
    refused = visitor.post(link(token), data={"accept": "1"})
    assert refused.status_code == 302
    assert urlsplit(refused.headers["Location"]).path == "/login"
    assert the_invitation().status == InvitationStatus.PENDING

    signed_in = visitor.post(
        response.headers["Location"],
        data={"email": "colleague@example.vn", "password": PASSWORD},
    )
    redirects_to(signed_in, link(token))
    answers(visitor.get(link(token)), 200)


def test_the_address_matches_whatever_its_case(app, owner, producer, make_user):
    make_user(email="colleague@example.vn")
    token = invite(owner, "COLLEAGUE@example.VN")
    browser = sign_in(app, "colleague@example.vn")
    redirects_to(browser.post(link(token), data={"accept": "1"}), "/producer/")
    assert "colleague@example.vn" in members_of(producer)


# Wrong user, unknown, expired, revoked


def test_someone_else_with_the_link_gets_403_and_learns_nothing(app, owner, producer, make_user):
    make_user(email="colleague@example.vn")
    make_user(email="intruder@example.vn")
    token = invite(owner, "colleague@example.vn")
    intruder = sign_in(app, "intruder@example.vn")

    page = intruder.get(link(token))
    answers(page, 403)
    text = page.get_data(as_text=True)
    assert "được gửi tới một địa chỉ email khác, không phải intruder@example.vn" in text
    assert "Hợp tác xã Chè Lũng Phìn" not in text
    assert "colleague@example.vn" not in text

    answers(intruder.post(link(token), data={"accept": "1"}), 403)
    answers(intruder.post(link(token), data={"decline": "1"}), 403)
    assert members_of(producer) == {"owner@example.vn"}
    assert the_invitation().status == InvitationStatus.PENDING
    # ...even once the invitation is closed: the state is not theirs to learn.
    db.session.execute(update(ProducerInvitation).values(status=InvitationStatus.REVOKED))
    db.session.commit()
    answers(intruder.get(link(token)), 403)


def test_unknown_token_is_404(app, producer, make_user):
    make_user(email="colleague@example.vn")
    browser = sign_in(app, "colleague@example.vn")
    page = browser.get(link("x" * 43))
    answers(page, 404)
    assert "Không tìm thấy lời mời này." in page.get_data(as_text=True)
    answers(browser.post(link("x" * 43), data={"accept": "1"}), 404)


def test_expired_invitation_is_refused(app, owner, producer, make_user):
    make_user(email="colleague@example.vn")
    token = invite(owner, "colleague@example.vn")
    db.session.execute(
        update(ProducerInvitation).values(expires_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    browser = sign_in(app, "colleague@example.vn")

    page = browser.get(link(token))
    answers(page, 410)
    assert "Lời mời này đã hết hạn." in page.get_data(as_text=True)
    answers(browser.post(link(token), data={"accept": "1"}), 410)
    assert members_of(producer) == {"owner@example.vn"}
    assert "Đã hết hạn" in owner.get(MEMBERS).get_data(as_text=True)


def test_expiry_is_seven_days_to_the_second(owner, producer, make_user):
    colleague = make_user(email="colleague@example.vn")
    now = utcnow()
    invitation, _token = services.invite_member(
        producer, producer.members[0].user, colleague.email, now
    )
    db.session.commit()
    with pytest.raises(InvitationClosed) as closed:
        services.accept_invitation(invitation, colleague, now + timedelta(days=7))
    assert closed.value.reason == "expired"
    member = services.accept_invitation(invitation, colleague, now + timedelta(days=7, seconds=-1))
    db.session.commit()
    assert member.user_id == colleague.id


def test_owner_revokes_an_invitation(app, owner, producer, make_user):
    make_user(email="colleague@example.vn")
    token = invite(owner, "colleague@example.vn")
    invitation = the_invitation()
    assert "colleague@example.vn" in owner.get(MEMBERS).get_data(as_text=True)

    response = owner.post(f"/producer/members/invitations/{invitation.id}/revoke")
    redirects_to(response, MEMBERS)
    assert the_invitation().status == InvitationStatus.REVOKED
    assert actions()[-1] == "producer.invitation_revoke"
    page = owner.get(MEMBERS).get_data(as_text=True)
    assert "Đã thu hồi lời mời tới colleague@example.vn." in page
    assert "Không có lời mời nào đang chờ." in page
    # Revoking twice says so.
    redirects_to(owner.post(f"/producer/members/invitations/{invitation.id}/revoke"), MEMBERS)
    assert "không còn gì để thu hồi" in owner.get(MEMBERS).get_data(as_text=True)

    browser = sign_in(app, "colleague@example.vn")
    page = browser.get(link(token))
    answers(page, 410)
    assert "Lời mời này đã bị chủ thể thu hồi." in page.get_data(as_text=True)
    answers(browser.post(link(token), data={"accept": "1"}), 410)
    assert members_of(producer) == {"owner@example.vn"}


def test_another_producer_cannot_revoke(app, owner, make_user, make_producer):
    make_producer(owner=make_user(email="other@example.vn"))
    invite(owner, "colleague@example.vn")
    other = sign_in(app, "other@example.vn")
    answers(other.post(f"/producer/members/invitations/{the_invitation().id}/revoke"), 404)
    assert the_invitation().status == InvitationStatus.PENDING


def test_plain_members_neither_invite_nor_see_invitations(app, owner, producer, make_user):
    invite(owner, "pending@example.vn")
    colleague = make_user(email="colleague@example.vn")
    token = invite(owner, colleague.email)
    browser = sign_in(app, colleague.email)
    redirects_to(browser.post(link(token), data={"accept": "1"}), "/producer/")

    page = browser.get(MEMBERS)
    answers(page, 200)
    assert "pending@example.vn" not in page.get_data(as_text=True)
    answers(browser.post(MEMBERS, data={"email": "friend@example.vn"}), 403)
    invitation_id = db.session.scalar(
        select(ProducerInvitation.id).where(ProducerInvitation.email == "pending@example.vn")
    )
    answers(browser.post(f"/producer/members/invitations/{invitation_id}/revoke"), 403)
    assert db.session.get(ProducerInvitation, invitation_id).status == InvitationStatus.PENDING


# Already a member, staff


def test_a_member_of_another_producer_cannot_accept(app, owner, producer, make_user, make_producer):
    elsewhere = make_producer(owner=make_user(email="colleague@example.vn"))
    token = invite(owner, "colleague@example.vn")
    browser = sign_in(app, "colleague@example.vn")

    page = browser.post(link(token), data={"accept": "1"})
    answers(page, 409)
    assert "Tài khoản của bạn đã thuộc một chủ thể." in page.get_data(as_text=True)
    assert members_of(producer) == {"owner@example.vn"}
    assert members_of(elsewhere) == {"colleague@example.vn"}
    assert the_invitation().status == InvitationStatus.PENDING  # open until they leave


def test_accept_refuses_someone_already_in_a_producer_before_writing(
    producer, make_user, make_producer
):
    colleague = make_user(email="colleague@example.vn")
    make_producer(owner=colleague)
    now = utcnow()
    invitation, _token = services.invite_member(
        producer, producer.members[0].user, colleague.email, now
    )
    with pytest.raises(AlreadyMember):
        services.accept_invitation(invitation, colleague, now)
    assert invitation.status == InvitationStatus.PENDING
    assert db.session.scalar(select(func.count()).select_from(ProducerMember)) == 2


def test_inviting_a_current_member_says_so(owner):
    response = owner.post(MEMBERS, data={"email": "Owner@example.vn"})
    answers(response, 400)
    assert "Người này đã là thành viên của chủ thể." in response.get_data(as_text=True)
    assert outbox() == []


def test_staff_are_invited_like_anyone_but_cannot_join(app, owner, producer, staff):
    token = invite(owner, staff.email)
    browser = sign_in(app, staff.email)
    page = browser.post(link(token), data={"accept": "1"})
    answers(page, 409)
    assert "không thể làm thành viên chủ thể" in page.get_data(as_text=True)
    assert members_of(producer) == {"owner@example.vn"}
    db.session.refresh(staff)
    assert staff.role == Role.STAFF


# One open invitation per address


def test_inviting_again_renews_the_one_open_invitation(app, owner, producer, make_user):
    make_user(email="colleague@example.vn")
    first = invite(owner, "colleague@example.vn")
    second = invite(owner, "Colleague@example.vn")
    assert first != second
    assert db.session.scalar(select(func.count()).select_from(ProducerInvitation)) == 1
    browser = sign_in(app, "colleague@example.vn")
    answers(browser.get(link(first)), 404)  # the old link stopped working
    redirects_to(browser.post(link(second), data={"accept": "1"}), "/producer/")


def test_the_database_holds_one_open_invitation_per_address(owner, producer):
    invite(owner, "colleague@example.vn")
    twin = ProducerInvitation(
        producer_id=producer.id,
        email="colleague@example.vn",
        token_hash="0" * 64,
        invited_by_id=producer.members[0].user_id,
        expires_at=utcnow(),
    )
    db.session.add(twin)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    # A closed one does not count.
    db.session.execute(update(ProducerInvitation).values(status=InvitationStatus.DECLINED))
    twin = ProducerInvitation(
        producer_id=producer.id,
        email="colleague@example.vn",
        token_hash="0" * 64,
        invited_by_id=producer.members[0].user_id,
        expires_at=utcnow(),
    )
    db.session.add(twin)
    db.session.commit()


# Non-disclosure


def flashes(response, address: str) -> list[str]:
    """Every message flashed on the page, whatever its kind, the address taken out."""
    assert response.status_code == 200
    found = re.findall(r'<div class="flash[^"]*" role="[^"]+">([^<]*)</div>', response.text)
    return [text.replace(address, "ADDRESS") for text in found]


def test_member_form_answers_the_same_whether_or_not_the_address_has_an_account(owner, make_user):
    make_user(email="has-account@example.vn")

    with_account = owner.post(MEMBERS, data={"email": "has-account@example.vn"})
    after_with = flashes(owner.get(MEMBERS), "has-account@example.vn")
    without = owner.post(MEMBERS, data={"email": "no-account@example.vn"})
    after_without = flashes(owner.get(MEMBERS), "no-account@example.vn")

    assert with_account.status_code == without.status_code == 302
    assert with_account.headers["Location"] == without.headers["Location"] == MEMBERS
    assert with_account.get_data() == without.get_data()
    # The page it leads to says the same, apart from the address.
    assert after_with == after_without == ["Đã gửi lời mời tới ADDRESS."]
    assert {m["To"] for m in outbox()} == {"has-account@example.vn", "no-account@example.vn"}


def test_an_address_without_account_is_asked_to_register_then_accept(app, owner, producer):
    token = invite(owner, "newcomer@example.vn")
    mail = outbox()[-1]
    body = mail.get_content()
    assert "chưa có tài khoản Chợ OCOP" in body
    register = re.search(r"http://\S+/register\S*", body).group(0).split("127.0.0.1:5000", 1)[1]
    assert parse_qs(urlsplit(register).query) == {"next": [link(token)]}

    # Register from the e-mail, sign in from the welcome e-mail, land on the invitation.
    browser = app.test_client()
    response = browser.post(
        register,
        data={
            "full_name": "Người Mới",
            "email": "newcomer@example.vn",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/register/sent"
    welcome = outbox()[-1]
    assert welcome["To"] == "newcomer@example.vn"
    sign_in_link = re.search(r"http://\S+/login\S*", welcome.get_content()).group(0)
    sign_in_path = sign_in_link.split("127.0.0.1:5000", 1)[1]
    response = browser.post(
        sign_in_path, data={"email": "newcomer@example.vn", "password": PASSWORD}
    )
    redirects_to(response, link(token))
    redirects_to(browser.post(link(token), data={"accept": "1"}), "/producer/")
    assert "newcomer@example.vn" in members_of(producer)


class TestCsrf:
    def test_accepting_needs_the_form_token(self, app, owner, producer, make_user):
        make_user(email="colleague@example.vn")
        token = invite(owner, "colleague@example.vn")
        browser = sign_in(app, "colleague@example.vn")
        app.config["WTF_CSRF_ENABLED"] = True

        answers(browser.post(link(token), data={"accept": "1"}), 400)
        assert members_of(producer) == {"owner@example.vn"}
        page = browser.get(link(token)).get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = browser.post(link(token), data={"accept": "1", "csrf_token": csrf})
        redirects_to(response, "/producer/")
        assert "colleague@example.vn" in members_of(producer)
