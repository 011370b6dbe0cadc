"""The portal's requester pages on the real application and the real opening core: sign-up
and login with a session cookie and CSRF tokens, a conditional-open request from an entry's
page, "my requests" with the deadlines, agreement and rating forms, a complaint form that
suspends the release at once, and the notices in force. Forms are plain HTML posts."""

from __future__ import annotations

import re

from jutong.governance.cases.actors import parse_actor
from jutong.governance.cases.queries import get_case, list_cases
from jutong.governance.opening import deliveries, lifecycle
from jutong.governance.opening.requests import act
from tests.web.conftest import QIYE

PARCELS = "ziranziyuan.zongdi"
HTML = {"Accept": "text/html"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(page: str) -> str:
    m = CSRF.search(page)
    assert m, "no CSRF token in the form"
    return m.group(1)


def sign_up(client, account="zhangsan", password="pw-long-enough", nxt="/account/requests"):
    form = client.get(f"/account/signup?next={nxt}").text
    r = client.post(
        "/account/signup",
        data={
            "account": account,
            "kind": "person",
            "name": "张三",
            "password": password,
            "next": nxt,
            "csrf_token": csrf(form),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"] == nxt
    assert "jutong_portal" in r.cookies or client.cookies.get("jutong_portal")
    return r


def test_signup_login_and_a_request_to_its_agreement_and_rating(client, portal_settings):
    # my requests need a sign-in
    r = client.get("/account/requests", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/account/login?next=")
    # the sign-up refuses a weak password, keeps what was typed, and makes nothing
    form = client.get("/account/signup").text
    weak = client.post(
        "/account/signup",
        data={
            "account": "zhangsan",
            "kind": "person",
            "name": "张三",
            "password": "short",
            "csrf_token": csrf(form),
        },
    )
    assert weak.status_code == 422 and "password" in weak.text and 'value="zhangsan"' in weak.text
    sign_up(client)
    assert "zhangsan" in client.get("/account/requests").text

    entry = client.get(f"/catalog/entries/{PARCELS}").text
    assert 'id="request-link"' in entry
    assert 'id="logout"' in entry and 'id="nav-login"' not in entry  # every page knows
    page = client.get(f"/catalog/entries/{PARCELS}/request").text
    token = csrf(page)
    # without the CSRF token: refused, nothing filed
    bad = client.post(
        f"/catalog/entries/{PARCELS}/request",
        data={"items": ["parcel_code"], "purpose": "x", "until": "2099-01-01"},
    )
    assert bad.status_code == 403
    assert not list_cases(portal_settings, kind="open_request", open_only=False)
    # no purpose: the core's refusal shown on the form
    missing = client.post(
        f"/catalog/entries/{PARCELS}/request",
        data={"items": ["parcel_code"], "purpose": " ", "until": "2099-01-01", "csrf_token": token},
    )
    assert missing.status_code == 422 and "purpose" in missing.text
    r = client.post(
        f"/catalog/entries/{PARCELS}/request",
        data={
            "kind": "conditional",
            "items": ["parcel_code", "land_use"],
            "purpose": "城市规划研究",
            "until": "2099-01-01",
            "urgency": "most_urgent",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    ref = r.headers["location"].rsplit("/", 1)[1]
    case = get_case(portal_settings, ref)
    assert (case.requester, case.data["urgency"]) == ("zhangsan", "most_urgent")
    mine = client.get("/account/requests").text
    assert f'data-ref="{ref}"' in mine and "特急" in mine
    # the 12-hour review deadline shown as an instant, Beijing time
    assert re.search(r'data-step="submitted".*?\d{4}-\d\d-\d\d \d\d:\d\d 北京时间', mine, re.S)

    # the centre, the provider and the bureau decide (core); the agreement form appears
    act(portal_settings, ref, "pass", actor=parse_actor("刘:bureau_reviewer@xinxi"))
    act(portal_settings, ref, "approve", actor=parse_actor("陈:provider_staff@ziranziyuan"))
    act(portal_settings, ref, "approve", actor=parse_actor("王:bureau_reviewer@dashuju"))
    page = client.get(f"/account/requests/{ref}").text
    assert 'id="agree-form"' in page
    unticked = client.post(
        f"/account/requests/{ref}/agree",
        data={"version": "data_use_v1", "csrf_token": csrf(page)},
    )
    assert unticked.status_code == 422 and get_case(portal_settings, ref).state == "agreement"
    version = re.search(r'name="version" value="([^"]+)"', page).group(1)
    sha = re.search(r'name="sha256" value="([^"]+)"', page).group(1)
    r = client.post(
        f"/account/requests/{ref}/agree",
        data={"version": version, "sha256": sha, "accept": "yes", "csrf_token": csrf(page)},
    )
    assert r.status_code == 200 and get_case(portal_settings, ref).state == "agreed"
    deliveries.deliver(
        portal_settings, ref, actor=parse_actor("陈:provider_staff@ziranziyuan"), method="download"
    )
    page = client.get(f"/account/requests/{ref}").text
    assert 'id="rate-form"' in page
    scores = dict(
        conformity=5, completeness=4, accuracy=5, consistency=4, timeliness=5, usability=4
    )
    half = client.post(
        f"/account/requests/{ref}/rate", data={"conformity": "5", "csrf_token": csrf(page)}
    )
    assert half.status_code == 422 and "completeness" in half.text
    r = client.post(
        f"/account/requests/{ref}/rate",
        data={**{k: str(v) for k, v in scores.items()}, "csrf_token": csrf(page)},
    )
    assert r.status_code == 200 and 'id="rated"' in r.text and 'id="rate-form"' not in r.text

    # signing in again: an off-site next is never followed; a wrong password is 401
    client.cookies.clear()
    form = client.get("/account/login").text
    wrong = client.post(
        "/account/login",
        data={"username": "zhangsan", "password": "nope-nope-nope", "csrf_token": csrf(form)},
    )
    assert wrong.status_code == 401
    r = client.post(
        "/account/login",
        data={
            "username": "zhangsan",
            "password": "pw-long-enough",
            "next": "//evil.example/x",
            "csrf_token": csrf(wrong.text),  # each form shown carries a new token
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/account/requests"

    # the requester's own steps: close the delivered request, with the page's version
    page = client.get(f"/account/requests/{ref}").text
    assert 'data-event="close"' in page and 'data-event="doubt"' in page
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    stale = client.post(
        f"/account/requests/{ref}/step",
        data={"event": "close", "version": str(int(version) - 1), "csrf_token": csrf(page)},
    )
    assert stale.status_code == 409 and get_case(portal_settings, ref).state == "delivered"
    done = client.post(
        f"/account/requests/{ref}/step",
        data={"event": "close", "version": version, "csrf_token": csrf(page)},
    )
    assert done.status_code == 200 and get_case(portal_settings, ref).state == "closed"

    # another account never sees it
    client.cookies.clear()
    sign_up(client, "lisi")
    assert client.get(f"/account/requests/{ref}").status_code == 404
    mine = client.get("/account/requests").text
    assert f'data-ref="{ref}"' not in mine
    # signing out needs the session's CSRF token, then revokes the session
    assert client.post("/account/logout", data={}).status_code == 403
    out = client.post("/account/logout", data={"csrf_token": csrf(mine)}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/account/requests", follow_redirects=False).status_code == 303


def test_complaint_form_suspends_the_release_and_notices(client, portal_settings):
    url = f"/releases/{QIYE}/v2/data.csv"
    assert client.get(url).status_code == 200
    page = client.get(f"/releases/{QIYE}", headers=HTML).text
    assert 'id="complain"' in page
    assert client.get(f"/releases/{QIYE}/complaint", follow_redirects=False).status_code == 303
    sign_up(client, nxt=f"/releases/{QIYE}/complaint")
    form = client.get(f"/releases/{QIYE}/complaint").text
    empty = client.post(
        f"/releases/{QIYE}/complaint",
        data={"grounds": "privacy", "evidence": " ", "csrf_token": csrf(form)},
    )
    assert empty.status_code == 422 and client.get(url).status_code == 200
    r = client.post(
        f"/releases/{QIYE}/complaint",
        data={"grounds": "privacy", "evidence": "第3行含自然人姓名", "csrf_token": csrf(form)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "?complaint=CP-" in r.headers["location"]
    assert client.get(url).status_code == 451
    shown = client.get(r.headers["location"], headers=HTML).text
    assert 'id="complaint-filed"' in shown and 'class="download"' not in shown

    # notices: linked from every page, empty, then an approved offline application's notice
    assert 'href="/notices"' in client.get("/catalog").text
    assert 'id="no-notices"' in client.get("/notices").text
    prov = parse_actor("孙:provider_staff@shichang")
    case = lifecycle.apply_catalog_offline(
        portal_settings, actor=prov, resource="shichang.qiye", reason="职能变更"
    )
    assert case.state == "submitted"  # no subscribers: straight to the bureau
    lifecycle.decide(
        portal_settings, case.ref, "approve", actor=parse_actor("王:bureau_reviewer@dashuju")
    )
    notices = client.get("/notices").text
    assert 'data-resource="shichang.qiye"' in notices and "GX-Dispatch art. 22" in notices
