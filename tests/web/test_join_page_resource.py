# SPDX-License-Identifier: AGPL-3.0-or-later
"""The module serves the join page shell and its static files safely."""

import json
import re

import pytest
import requests

PAGES = "/_synapse/client/hubs"


def get(homeserver, path, **kwargs):
    return requests.get(homeserver.base_url + path, timeout=10, allow_redirects=False, **kwargs)


def page_config(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="hubs-config">(.*?)</script>', html, re.S)
    assert match, "page config element missing"
    return json.loads(match.group(1))


@pytest.mark.parametrize("path", ["/join/abcDEF123", "/meet/", "/meet", "/meet/%21room%3Alocalhost"])
def test_page_routes_serve_html_shell(homeserver, path):
    response = get(homeserver, PAGES + path)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page_config(response.text)["homeserver_url"] == homeserver.base_url
    assert page_config(response.text)["default_language"] == "sv"
    assert '<html lang="sv">' in response.text


@pytest.mark.parametrize("path", ["/join", "/join/", "/join/a/b", "/meet/a/b", "/join/" + "x" * 600])
def test_page_routes_reject_other_paths(homeserver, path):
    assert get(homeserver, PAGES + path).status_code == 404


def test_page_sends_strict_security_headers(homeserver):
    response = get(homeserver, PAGES + "/join/token")

    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response.headers["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    sfu_url = homeserver.deployment.sfu_ws_url
    assert sfu_url in policy["connect-src"].split()
    assert sfu_url.replace("ws://", "http://") in policy["connect-src"].split()
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_shell_references_only_this_server(homeserver):
    html = get(homeserver, PAGES + "/join/token").text

    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls, "the shell loads no script or stylesheet"
    for url in urls:
        assert url.startswith(PAGES + "/static/"), url
    assert "<script>" not in html, "inline scripts are not allowed by the CSP"


def test_static_files_have_content_types_and_versions(homeserver):
    html = get(homeserver, PAGES + "/join/token").text
    script_url = re.search(r'<script type="module" src="([^"]+)"', html).group(1)
    style_url = re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)

    script = get(homeserver, script_url)
    style = get(homeserver, style_url)

    assert script.status_code == 200
    assert script.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert script.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert script.headers["X-Content-Type-Options"] == "nosniff"
    assert style.headers["Content-Type"] == "text/css; charset=utf-8"


def test_static_file_revalidates_with_etag(homeserver):
    first = get(homeserver, PAGES + "/static/hubs.css")
    assert first.headers["Cache-Control"] == "no-cache"

    second = get(homeserver, PAGES + "/static/hubs.css", headers={"If-None-Match": first.headers["ETag"]})

    assert second.status_code == 304
    assert second.content == b""


def test_stale_version_is_not_cached_forever(homeserver):
    response = get(homeserver, PAGES + "/static/hubs.css?v=0000000000000000")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("path", [
    "/static/../module.py",
    "/static/%2e%2e/module.py",
    "/static/bundle%2F..%2F..%2Fresource.py",
    "/static/bundle/..%5C..%5Cresource.py",
    "/static/..%2F..%2Fconfig.py",
    "/static/",
    "/static",
    "/static/missing.js",
    "/static/hubs.css.txt",
    "/static/bundle",
])
def test_static_refuses_paths_outside_folder(homeserver, path):
    response = get(homeserver, PAGES + path)

    assert response.status_code == 404
    assert b"SPDX" not in response.content
