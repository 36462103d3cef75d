"""Page sessions and the login form: rate limit, idle and absolute expiry, a logout that ends the
session on the server, a password change that ends it, and no caching of dossier pages."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy import update

from engine.access.accounts import hash_password
from engine.models import LoginSession
from engine.models import User
from engine.store.db import utcnow

EXPIRED = "Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại."


def backdate_sessions(new_uow, **ago):
    """Move the page sessions' times into the past, as if the user had walked away."""
    values = {column: utcnow() - delta for column, delta in ago.items()}
    with new_uow() as uow:
        uow.session.execute(update(LoginSession).values(**values))
        uow.commit()


def sent_to_login_as_expired(browser, url="/"):
    response = browser.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    return EXPIRED in browser.get(response.headers["Location"]).get_data(as_text=True)


def test_the_login_form_still_needs_its_csrf_token(browser):
    browser.get("/login")
    response = browser.client.post("/login", data={"username": "hotich1", "password": "demo"})
    assert response.status_code == 400
    assert browser.get("/").status_code == 302


def test_too_many_failed_logins_get_a_vietnamese_message_with_the_username_kept(app, browser):
    app.config.update(LOGIN_MAX_FAILURES=2, LOGIN_WINDOW_SECONDS=900)
    browser.get("/login")
    for _ in range(2):
        assert browser.post("/login", {"username": "hotich1", "password": "sai"}).status_code == 401

    response = browser.post("/login", {"username": "hotich1", "password": "demo"})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) <= 900
    page = response.get_data(as_text=True)
    assert "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút." in page
    assert 'value="hotich1"' in page
    assert browser.get("/").status_code == 302, "not logged in"


def test_an_idle_session_ends_and_the_user_is_asked_to_log_in_again(browser, new_uow):
    browser.login("hotich1")
    assert browser.get("/").status_code == 200
    backdate_sessions(new_uow, last_seen_at=timedelta(minutes=31))
    assert sent_to_login_as_expired(browser, "/?tab=queue")


def test_activity_keeps_the_session_alive(browser, new_uow):
    browser.login("hotich1")
    backdate_sessions(new_uow, last_seen_at=timedelta(minutes=20))
    assert browser.get("/").status_code == 200
    with new_uow() as uow:
        last_seen = uow.session.scalar(select(LoginSession.last_seen_at))
    assert utcnow() - last_seen < timedelta(minutes=1)


def test_a_session_ends_after_its_absolute_lifetime_even_when_busy(browser, new_uow):
    browser.login("hotich1")
    backdate_sessions(new_uow, started_at=timedelta(hours=12, minutes=1))
    assert sent_to_login_as_expired(browser)


def test_the_api_answers_an_expired_page_session_with_a_401_problem(browser, new_uow):
    browser.login("hotich1")
    assert browser.get("/api/v1/tasks/counts").status_code == 200
    backdate_sessions(new_uow, last_seen_at=timedelta(hours=1))
    response = browser.get("/api/v1/tasks/counts")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "session_expired"


def test_logging_out_ends_the_session_even_for_a_copy_of_the_cookie(app, browser):
    browser.login("hotich1")
    copied = browser.client.get_cookie("session").value
    browser.get("/")
    assert browser.post("/logout").status_code == 302

    other = type(browser)(app.test_client())
    other.client.set_cookie("session", copied)
    assert sent_to_login_as_expired(other)


def test_a_password_change_ends_the_page_sessions(app, browser, desk, new_uow):
    officer = {
        "username": "canbo_trang",
        "password": "mat-khau-ban-dau",
        "full_name": "Cán bộ Trang",
        "roles": [{"role": "civil_status", "unit": "C01"}],
    }
    assert desk.post("/api/v1/users", officer, by="admin").status_code == 201
    browser.login("canbo_trang", "mat-khau-ban-dau")
    assert browser.get("/").status_code == 200

    with new_uow() as uow:
        uow.session.execute(
            update(User)
            .where(User.username == "canbo_trang")
            .values(password_hash=hash_password("mat-khau-moi"))
        )
        uow.commit()
    assert sent_to_login_as_expired(browser)


def test_dossier_and_task_pages_are_never_cached_nor_framed(browser, desk):
    dossier = desk.receive()
    task_id = desk.task_id(dossier["id"], "check_dossier")
    browser.login("tiepnhan1")
    for url in (f"/dossiers/{dossier['id']}", f"/tasks/{task_id}"):
        response = browser.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
