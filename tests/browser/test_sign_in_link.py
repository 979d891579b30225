# SPDX-License-Identifier: AGPL-3.0-or-later
"""A sign-in link that was already used explains itself instead of showing a bare form."""

import pytest

from tests.browser.join_page import meet_url
from tests.harness.browser import new_context

pytestmark = pytest.mark.browser


def test_used_login_token_explains_form(homeserver, chromium):
    context = new_context(chromium, locale="sv-SE")
    page = context.new_page()

    page.goto(meet_url(homeserver.base_url) + "#loginToken=already-used-token")

    notice = page.wait_for_selector(".sign-in .sign-in-notice")
    assert "redan använd" in notice.inner_text()
    assert page.is_visible("#sign-in-user")
    assert "loginToken" not in page.url
    context.close()


def test_plain_sign_in_has_no_notice(homeserver, chromium):
    context = new_context(chromium, locale="sv-SE")
    page = context.new_page()

    page.goto(meet_url(homeserver.base_url))

    page.wait_for_selector("#sign-in-user")
    assert page.query_selector(".sign-in-notice") is None
    context.close()
